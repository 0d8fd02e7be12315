"""torchlike.distributed over several CPU processes on loopback, DDP, DistributedSampler,
the launcher and torchlike.multiprocessing.

The multi-process checks run this file as the worker script under the launcher
(``python -m torchlike.distributed.run --nproc-per-node N tests/test_distributed.py ...``):
one launch of 2 processes runs every collective and a DDP training check, one launch of 4
runs a few collectives.  Each launch is bounded; on timeout its whole process group is killed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

if __name__ != "__main__":  # the ranks run this file as their script and need no pytest
    import pytest

HERE = os.path.abspath(__file__)
ROOT = os.path.dirname(os.path.dirname(HERE))


# ------------------------------------------------------------------ the worker (in each rank)


def _raises(exc, fn, match: str = "") -> None:
    try:
        fn()
    except exc as e:
        assert match in str(e), e
    else:
        raise AssertionError(f"{fn} did not raise {exc.__name__}")


def _worker_collectives(dist, torch, r: int, n: int) -> None:
    def eq(t, expected):
        assert t.tolist() == expected, (r, t.tolist(), expected)

    x = torch.tensor([1.0, 2.0]) * (r + 1)
    s = n * (n + 1) / 2
    t = x.clone()
    dist.all_reduce(t)
    eq(t, [s, 2 * s])
    cat = torch.zeros(2 * n)
    dist.all_gather_into_tensor(cat, x)
    eq(cat, [float(v) for i in range(n) for v in (i + 1, 2 * i + 2)])
    if n == 2:
        for op, want in [(dist.ReduceOp.AVG, [1.5, 3.0]), (dist.ReduceOp.MAX, [2.0, 4.0]),
                         (dist.ReduceOp.MIN, [1.0, 2.0])]:
            t = x.clone()
            dist.all_reduce(t, op=op)
            eq(t, want)
        t = x.clone()
        dist.all_reduce(t, op=dist.ReduceOp.PRODUCT)
        eq(t, [2.0, 8.0])
        t = torch.tensor([r + 5], dtype=torch.int64)
        w = dist.all_reduce(t, async_op=True)
        assert w.wait() is True and w.is_completed()
        eq(t, [11])
        t = x.clone()
        dist.reduce(t, dst=1)
        eq(t, [3.0, 6.0] if r == 1 else [r + 1.0, 2 * r + 2.0])
        t = torch.arange(3) + 10 * r
        dist.broadcast(t, src=1)
        eq(t, [10, 11, 12])
        outs = [torch.zeros(2) for _ in range(n)]
        dist.all_gather(outs, x)
        assert [o.tolist() for o in outs] == [[1.0, 2.0], [2.0, 4.0]]
        stk = torch.zeros(2, 2)
        dist.all_gather_into_tensor(stk, x)
        eq(stk, [[1.0, 2.0], [2.0, 4.0]])
        out = torch.zeros(2)
        dist.reduce_scatter_tensor(out, torch.arange(4.0) * (r + 1))
        eq(out, [0.0, 3.0] if r == 0 else [6.0, 9.0])
        gl = [torch.zeros(2) for _ in range(n)] if r == 0 else None
        dist.gather(x, gl, dst=0)
        if r == 0:
            assert [o.tolist() for o in gl] == [[1.0, 2.0], [2.0, 4.0]]
        t = torch.zeros(2)
        dist.scatter(t, [torch.tensor([7.0, 8.0]), torch.tensor([9.0, 10.0])] if r == 0
                     else None, src=0)
        eq(t, [[7.0, 8.0], [9.0, 10.0]][r])
        outs = [torch.zeros(1) for _ in range(n)]
        dist.all_to_all(outs, [torch.tensor([10.0 * r + j]) for j in range(n)])
        assert [o.tolist() for o in outs] == [[float(r)], [10.0 + r]], outs
        o = torch.zeros(4)
        dist.all_to_all_single(o, torch.arange(4.0) + 10 * r)
        eq(o, [0.0, 1.0, 10.0, 11.0] if r == 0 else [2.0, 3.0, 12.0, 13.0])
        v = torch.ones(4)
        dist.all_reduce(v[1:3])  # in place through a view
        eq(v, [1.0, 2.0, 2.0, 1.0])
        objs = [None, None]
        dist.all_gather_object(objs, {"rank": r})
        assert objs == [{"rank": 0}, {"rank": 1}]
        assert dist.new_group() is dist.group.WORLD
        _raises(NotImplementedError, lambda: dist.new_group([0]))
        _raises(NotImplementedError, lambda: dist.send(x, 1 - r))
        _raises(ValueError, lambda: dist.init_process_group("gloo"), "twice")
    dist.barrier()


def _worker_ddp(dist, torch, r: int, n: int) -> None:
    from torchlike.nn.parallel import DistributedDataParallel as DDP
    from torchlike.utils.data.distributed import DistributedSampler

    nn = torch.nn
    xs = torch.tensor([[1.0, 2, 3], [-1, 0, 1], [0.5, -0.5, 2], [2, 1, 0], [0, 0, 1], [1, -1, 1],
                       [3, 0, -1], [-2, 1, 1]])
    ys = torch.tensor([[1.0, 0], [0, 1], [1, 1], [-1, 0], [0.5, 0.5], [0, -1], [2, 1], [1, -2]])
    local = nn.Linear(3, 2)
    with torch.no_grad():
        local.weight.copy_(torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))
        local.bias.copy_(torch.tensor([0.05, -0.05]))
        if r == 1:  # rank 0's initial weights must win the construction broadcast
            local.weight.add_(1.0)
    local.register_buffer("seen", torch.tensor([float(r)]))
    model = DDP(local)
    assert list(model.state_dict()) == ["module.weight", "module.bias", "module.seen"]
    assert local.seen.tolist() == [0.0] and model.module is local  # rank 0's buffer too
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    idx = list(DistributedSampler(range(8), shuffle=False))
    assert idx == list(range(r, 8, 2))
    for _ in range(2):
        opt.zero_grad()
        nn.functional.mse_loss(model(xs[idx]), ys[idx]).backward()
        opt.step()
    # torch 2.13, one process, 2 SGD steps on the whole batch of 8
    w = [[0.1357129067182541, -0.17089258134365082, 0.2926640808582306],
         [0.3265995979309082, 0.437744140625, -0.4112266004085541]]
    b = [0.09012890607118607, 0.00544141186401248]
    assert torch.allclose(local.weight, torch.tensor(w), atol=1e-6), (r, local.weight)
    assert torch.allclose(local.bias, torch.tensor(b), atol=1e-6), (r, local.bias)
    # no_sync: grads accumulate locally; the next synced backward averages the sums
    opt.zero_grad()
    with model.no_sync():
        nn.functional.mse_loss(model(xs[idx]), ys[idx]).backward()
    nn.functional.mse_loss(model(xs[idx]), ys[idx]).backward()
    want = [-0.3135448396205902, -0.2955557405948639]  # torch: (2 g_rank0 + 2 g_rank1) / 2
    assert torch.allclose(local.bias.grad, torch.tensor(want), atol=1e-6), local.bias.grad


def _worker_main() -> None:
    import torchlike as torch
    import torchlike.distributed as dist

    early = torch.nn.Linear(2, 1)  # built before init (JAX's backend already started)
    dist.init_process_group("gloo")
    r, n = dist.get_rank(), dist.get_world_size()
    assert (r, n) == (int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]))
    assert dist.is_initialized() and dist.get_backend() == "gloo"
    _worker_collectives(dist, torch, r, n)
    if n == 2:
        _worker_ddp(dist, torch, r, n)
        t = early.weight.detach().clone()
        dist.broadcast(t, src=0)
        assert early(torch.ones(3, 2)).shape == (3, 1) and t.device == torch.device("cpu")
    dist.destroy_process_group()
    print(f"rank {r} ok", flush=True)


if __name__ == "__main__":  # a rank under the launcher: run and stop before the tests
    _worker_main()
    raise SystemExit(0)


# ------------------------------------------------------------------ the tests (in pytest)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _launch(nproc: int, script: str = HERE, timeout: float = 120):
    cmd = [sys.executable, "-m", "torchlike.distributed.run", "--nproc-per-node", str(nproc),
           "--master-addr", "127.0.0.1", "--master-port", str(_free_port()), script]
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        pytest.fail(f"launch of {nproc} processes timed out:\n{out[-3000:]}")
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    return p.returncode, out


def test_two_processes_collectives_and_ddp():
    rc, out = _launch(2)
    assert rc == 0, out[-4000:]
    assert "rank 0 ok" in out and "rank 1 ok" in out


def test_four_processes_collectives():
    # issue 15 asks for 2 and 4 processes; 4 JAX processes cost ~12 s of CPU
    rc, out = _launch(4)
    assert rc == 0, out[-4000:]
    assert all(f"rank {r} ok" in out for r in range(4))


def test_uninitialized_errors():
    import torchlike as torch
    import torchlike.distributed as dist

    assert dist.is_available() and not dist.is_initialized()
    for fn in (dist.get_rank, dist.get_world_size, dist.barrier,
               lambda: dist.all_reduce(torch.ones(2))):
        with pytest.raises(ValueError, match="Default process group has not been initialized"):
            fn()
    for k in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        os.environ.pop(k, None)
    with pytest.raises(ValueError, match="environment variable RANK expected, but not set"):
        dist.init_process_group("gloo")
    with pytest.raises(ValueError, match="Invalid backend: 'foo'"):
        dist.init_process_group("foo", rank=0, world_size=1)
    assert repr(dist.ReduceOp.SUM) == "<RedOpType.SUM: 0>"


def test_distributed_sampler_matches_torch():
    from torchlike.utils.data.distributed import DistributedSampler as D

    # recorded from torch 2.13 (shuffle=False)
    cases = {(10, 3, False): [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]],
             (10, 3, True): [[0, 3, 6], [1, 4, 7], [2, 5, 8]],
             (2, 4, False): [[0], [1], [0], [1]],
             (7, 2, True): [[0, 2, 4], [1, 3, 5]]}
    for (n, reps, dl), want in cases.items():
        got = [list(D(range(n), reps, r, shuffle=False, drop_last=dl)) for r in range(reps)]
        assert got == want
        assert len(D(range(n), reps, 0, drop_last=dl)) == len(want[0])
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval"):
        D(range(3), 2, 2)
    # shuffled: a partition of the padded permutation, fixed per (seed, epoch)
    s = [D(range(10), 2, r, shuffle=True, seed=3) for r in range(2)]
    first = [list(x) for x in s]
    assert sorted(first[0] + first[1]) == list(range(10))
    assert [list(x) for x in s] == first
    for x in s:
        x.set_epoch(1)
    assert [list(x) for x in s] != first


def _child(i, base):
    if i == 1:
        raise ValueError(f"boom {base + i}")


@pytest.mark.filterwarnings("ignore:os.fork:RuntimeWarning")  # the children never touch JAX
def test_multiprocessing_spawn_raises():
    import torchlike.multiprocessing as mp

    assert mp.Queue is not None and mp.get_context is not None
    with pytest.raises(mp.ProcessRaisedException, match="boom 11"):
        mp.spawn(_child, args=(10,), nprocs=2, start_method="fork")


def test_launcher_propagates_failure(tmp_path):
    # rank 1 fails at once; rank 0 would wait forever: the launcher must stop it and exit 3
    script = tmp_path / "fail.py"
    script.write_text("import os, sys, time\n"
                      "assert os.environ['WORLD_SIZE'] == '2' and os.environ['LOCAL_RANK']\n"
                      "if os.environ['RANK'] == '1':\n    sys.exit(3)\ntime.sleep(60)\n")
    rc, out = _launch(2, str(script), timeout=60)
    assert rc == 3, out[-3000:]
    assert "exited with code 3" in out

