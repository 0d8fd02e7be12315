"""torch.multiprocessing.spawn: run fn(i, *args) in nprocs processes and join them."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import signal
import sys
import traceback

__all__ = ["ProcessContext", "ProcessExitedException", "ProcessRaisedException",
           "SpawnContext", "spawn", "start_processes"]


class ProcessException(Exception):
    """Base of the errors join() raises for a failed child."""

    def __init__(self, msg: str, error_index: int, pid: int):
        super().__init__(msg)
        self.msg = msg
        self.error_index = error_index
        self.pid = pid

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.pid)


class ProcessRaisedException(ProcessException):
    """torch.multiprocessing.ProcessRaisedException: a child raised."""


class ProcessExitedException(ProcessException):
    """torch.multiprocessing.ProcessExitedException: a child exited with an error code."""

    def __init__(self, msg: str, error_index: int, error_pid: int, exit_code: int,
                 signal_name: str | None = None):
        super().__init__(msg, error_index, error_pid)
        self.exit_code = exit_code
        self.signal_name = signal_name

    def __reduce__(self):
        return (type(self), (self.msg, self.error_index, self.pid, self.exit_code,
                             self.signal_name))


def _wrap(fn, i, args, error_queue):
    try:
        fn(i, *args)
    except KeyboardInterrupt:
        pass
    except Exception:
        error_queue.put(traceback.format_exc())
        sys.exit(1)


class ProcessContext:
    """torch.multiprocessing.ProcessContext: the started processes and their error queues."""

    def __init__(self, processes, error_queues):
        self.processes = processes
        self.error_queues = error_queues
        self.sentinels = {p.sentinel: i for i, p in enumerate(processes)}

    def pids(self) -> list:
        return [int(p.pid) for p in self.processes]

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the processes; True when all finished, raise when one failed."""
        if not self.sentinels:
            return True
        ready = multiprocessing.connection.wait(self.sentinels.keys(), timeout=timeout)
        failed = None
        for s in ready:
            i = self.sentinels.pop(s)
            p = self.processes[i]
            p.join()
            if p.exitcode != 0:
                failed = i
                break
        if failed is None:
            return not self.sentinels
        for p in self.processes:
            if p.is_alive():
                p.terminate()
        for p in self.processes:
            p.join()
        p = self.processes[failed]
        q = self.error_queues[failed]
        if q.empty():
            code = p.exitcode
            if code < 0:
                name = signal.Signals(-code).name
                raise ProcessExitedException(
                    f"process {failed} terminated with signal {name}", failed, p.pid, code, name)
            raise ProcessExitedException(
                f"process {failed} terminated with exit code {code}", failed, p.pid, code)
        tb = q.get()
        msg = f"\n\n-- Process {failed} terminated with the following error:\n{tb}"
        raise ProcessRaisedException(msg, failed, p.pid)


class SpawnContext(ProcessContext):
    """torch.multiprocessing.SpawnContext (what spawn(join=False) returns)."""


def start_processes(fn, args=(), nprocs: int = 1, join: bool = True, daemon: bool = False,
                    start_method: str = "spawn"):
    """torch.multiprocessing.start_processes."""
    mp = multiprocessing.get_context(start_method)
    procs, queues = [], []
    for i in range(nprocs):
        q = mp.SimpleQueue()
        p = mp.Process(target=_wrap, args=(fn, i, args, q), daemon=daemon)
        p.start()
        procs.append(p)
        queues.append(q)
    ctx = ProcessContext(procs, queues)
    if not join:
        return ctx
    while not ctx.join():
        pass
    return None


def spawn(fn, args=(), nprocs: int = 1, join: bool = True, daemon: bool = False,
          start_method: str = "spawn"):
    """torch.multiprocessing.spawn: fn(i, *args) for i in range(nprocs)."""
    return start_processes(fn, args, nprocs, join, daemon, start_method)
