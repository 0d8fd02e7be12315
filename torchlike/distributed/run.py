"""torch.distributed.run (torchrun): start N copies of a script wired for init_process_group."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import uuid


def get_args_parser() -> argparse.ArgumentParser:
    """torchrun's command line (the static-rendezvous subset)."""
    p = argparse.ArgumentParser(prog="python -m torchlike.distributed.run",
                                description="Start processes for torchlike.distributed "
                                            "(torchrun's interface).")
    p.add_argument("--nnodes", type=str, default="1")
    p.add_argument("--nproc-per-node", "--nproc_per_node", type=str, default="1")
    p.add_argument("--node-rank", "--node_rank", type=int, default=0)
    p.add_argument("--master-addr", "--master_addr", type=str, default="127.0.0.1")
    p.add_argument("--master-port", "--master_port", type=int, default=29500)
    p.add_argument("--standalone", action="store_true",
                   help="one node, a free port on 127.0.0.1")
    p.add_argument("--rdzv-id", "--rdzv_id", type=str, default=None)
    p.add_argument("--max-restarts", "--max_restarts", type=int, default=0)
    p.add_argument("-m", "--module", action="store_true",
                   help="run the script as a module (python -m)")
    p.add_argument("--no-python", "--no_python", action="store_true",
                   help="run the script as an executable, not through python")
    p.add_argument("training_script", type=str)
    p.add_argument("training_script_args", nargs=argparse.REMAINDER)
    return p


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _nproc(value: str) -> int:
    if value == "cpu":
        return os.cpu_count() or 1
    if value in ("auto", "gpu"):
        try:
            import jax

            return max(1, len(jax.devices("gpu")))
        except RuntimeError:
            return 1
    return int(value)


def _stop(procs, sig) -> None:
    for p in procs:
        if p.poll() is None:
            try:
                p.send_signal(sig)
            except ProcessLookupError:
                pass


def run(args) -> int:
    """Start the local processes, wait, and return the first failure's exit code (or 0)."""
    if args.max_restarts:
        raise NotImplementedError("--max-restarts: torchlike's launcher does not restart workers")
    if ":" in args.nnodes:
        raise NotImplementedError("elastic --nnodes MIN:MAX is not supported; give one number")
    nnodes, nproc = int(args.nnodes), _nproc(args.nproc_per_node)
    if not 0 <= args.node_rank < nnodes:
        raise ValueError(f"--node-rank {args.node_rank} must be in [0, {nnodes})")
    addr, port = args.master_addr, args.master_port
    if args.standalone:
        addr, port = "127.0.0.1", _free_port()
    world = nnodes * nproc
    run_id = args.rdzv_id or uuid.uuid4().hex
    if args.no_python:
        cmd = [args.training_script]
    elif args.module:
        cmd = [sys.executable, "-u", "-m", args.training_script]
    else:
        cmd = [sys.executable, "-u", args.training_script]
    cmd += args.training_script_args
    procs = []
    for local in range(nproc):
        env = dict(os.environ, RANK=str(args.node_rank * nproc + local), LOCAL_RANK=str(local),
                   WORLD_SIZE=str(world), LOCAL_WORLD_SIZE=str(nproc), GROUP_RANK=str(
                       args.node_rank), MASTER_ADDR=addr, MASTER_PORT=str(port),
                   TORCHELASTIC_RUN_ID=run_id)
        procs.append(subprocess.Popen(cmd, env=env))
    code = 0
    try:
        while procs and code == 0:
            for p in procs:
                rc = p.poll()
                if rc is not None and rc != 0:
                    code = rc
                    print(f"[torchlike.distributed.run] local rank {procs.index(p)} (pid "
                          f"{p.pid}) exited with code {rc}; stopping the others",
                          file=sys.stderr)
                    break
            if all(p.poll() is not None for p in procs):
                break
            time.sleep(0.05)
    except KeyboardInterrupt:
        code = 130
    if code != 0:
        _stop(procs, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while any(p.poll() is None for p in procs) and time.monotonic() < deadline:
            time.sleep(0.05)
        _stop(procs, signal.SIGKILL)
        for p in procs:
            p.wait()
    return code if code >= 0 else 128 - code


def main(argv=None) -> None:
    """Entry point of ``python -m torchlike.distributed.run``."""
    args = get_args_parser().parse_args(argv)
    sys.exit(run(args))


if __name__ == "__main__":
    main()
