"""Replay torch-recorded optimizer and lr-scheduler trajectories on torchlike.

Fixtures: compat_tests/record/record_optim.py; the programs: compat_tests/optim_cases.py.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from . import optim_cases as cases
from ._fixtures import FIXTURES

torch = pytest.importorskip("torchlike")

META = json.loads((FIXTURES / "optim.json").read_text())
DATA = np.load(FIXTURES / "optim.npz")

# float32 trajectories: torch's CPU kernels use FMA in places and XLA fuses differently, so
# the last bits differ; errors stay at float32 rounding level over 20 steps.
RTOL, ATOL = 2e-6, 1e-6


@pytest.mark.parametrize("case", cases.OPT_CASES, ids=[c["name"] for c in cases.OPT_CASES])
def test_optimizer_trajectory(case):
    trajs, opt = cases.run_optimizer(torch, case)
    for i, t in enumerate(trajs):
        want = DATA[f"opt/{case['name']}/p{i}"]
        if case["opt"] == "LBFGS":
            # The first step (5 inner iterations) matches to float32 rounding; after that the
            # gradients near the optimum are small differences of O(1) terms, their rounding
            # differs by ~1e-4 relative, and the quasi-Newton updates carry it forward.
            np.testing.assert_allclose(t[:2], want[:2], rtol=RTOL, atol=ATOL)
            np.testing.assert_allclose(t, want, rtol=2e-3, atol=1e-4)
            continue
        np.testing.assert_allclose(t, want, rtol=RTOL, atol=ATOL, err_msg=f"param {i}")
    # param_groups carry torch's option names and values
    got = {k: (list(v) if isinstance(v, tuple) else v)
           for k, v in opt.state_dict()["param_groups"][0].items()}
    assert got == META["groups"][case["name"]]
    if case["opt"] != "LBFGS":
        state = opt.state_dict()["state"].get(0, {})
        prefix = f"state/{case['name']}/"
        want_keys = [k[len(prefix):] for k in DATA.files if k.startswith(prefix)]
        assert sorted(state) == sorted(want_keys)
        for k in want_keys:
            v = state[k]
            assert isinstance(v, torch.Tensor)
            assert str(v.dtype) == f"torch.{DATA[prefix + k].dtype}"
            np.testing.assert_allclose(v.numpy(), DATA[prefix + k], rtol=1e-5, atol=1e-6)


def test_load_torch_saved_adam_state():
    sd = torch.load(FIXTURES / "optim_adam_state.pt")
    params = [torch.tensor(DATA[f"saved/start/p{i}"], requires_grad=True) for i in range(2)]
    opt = torch.optim.Adam(params, lr=0.5)
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["lr"] == 0.01 and opt.param_groups[0]["amsgrad"] is True
    assert opt.state[params[0]]["step"].dtype == torch.float32
    assert float(opt.state[params[0]]["step"]) == 20.0
    for k in range(5):
        opt.zero_grad()
        cases.loss(torch, params).backward()
        opt.step()
        for i, p in enumerate(params):
            np.testing.assert_allclose(p.detach().numpy(), DATA[f"saved/more/p{i}"][k],
                                       rtol=RTOL, atol=ATOL)


# ------------------------------------------------------------------ schedulers


def _run_sched(case):
    params = cases.make_params(torch)
    opt, sched = cases.build_scheduler(torch, case, params)
    lrs = [[g["lr"] for g in opt.param_groups]]
    moms = [[cases.momentum_of(g) for g in opt.param_groups]]
    for epoch in range(case["steps"]):
        opt.step()
        if case["sched"] == "ReduceLROnPlateau":
            sched.step(cases.METRICS[epoch])
        else:
            sched.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        moms.append([cases.momentum_of(g) for g in opt.param_groups])
    return np.array(lrs, dtype=np.float64), np.array(moms, dtype=np.float64), sched


@pytest.mark.parametrize("case", cases.SCHED_CASES, ids=[c["name"] for c in cases.SCHED_CASES])
def test_scheduler_lrs(case):
    lrs, moms, sched = _run_sched(case)
    # Python-double arithmetic on both sides: the same formulas give the same numbers.
    np.testing.assert_allclose(lrs, DATA[f"sched/{case['name']}/lr"], rtol=1e-12, atol=0)
    np.testing.assert_allclose(moms, DATA[f"sched/{case['name']}/momentum"], rtol=1e-12, atol=0)
    assert sorted(sched.state_dict().keys()) == META["sched_state_keys"][case["name"]]
