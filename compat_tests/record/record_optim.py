"""Record every optimizer's and lr scheduler's trajectory in torch (run by hand, needs torch).

    /work/tvenv/bin/python compat_tests/record/record_optim.py

Writes compat_tests/fixtures/optim.npz (parameter values after every step, scheduler lrs),
compat_tests/fixtures/optim.json (the cases) and optim_adam_state.pt (an Adam state_dict
saved by torch.save after 20 steps; the npz holds torch's 5 further steps from it).
The problem (``loss``) and the cases are shared with compat_tests/test_optim.py through
optim_cases.py, so both sides run the same program.
"""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np
import torch

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import optim_cases as cases  # noqa: E402

FIX = HERE.parent / "fixtures"


def run_scheduler(case):
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
    last = sched.get_last_lr() if hasattr(sched, "get_last_lr") else None
    return np.array(lrs, dtype=np.float64), np.array(moms, dtype=np.float64), last, sched


def main():
    arrays = {}
    meta = {"torch": torch.__version__, "optimizers": cases.OPT_CASES,
            "schedulers": cases.SCHED_CASES, "groups": {}, "sched_state_keys": {}}
    for case in cases.OPT_CASES:
        trajs, opt = cases.run_optimizer(torch, case)
        for i, t in enumerate(trajs):
            arrays[f"opt/{case['name']}/p{i}"] = t
        g = {k: (list(v) if isinstance(v, tuple) else v)
             for k, v in opt.state_dict()["param_groups"][0].items()}
        meta["groups"][case["name"]] = g
        sd = opt.state_dict()["state"]
        if case["opt"] != "LBFGS":
            for k, v in sd.get(0, {}).items():
                arrays[f"state/{case['name']}/{k}"] = v.detach().numpy() if torch.is_tensor(v) \
                    else np.asarray(v)
    for case in cases.SCHED_CASES:
        lrs, moms, last, sched = run_scheduler(case)
        arrays[f"sched/{case['name']}/lr"] = lrs
        arrays[f"sched/{case['name']}/momentum"] = moms
        meta["sched_state_keys"][case["name"]] = sorted(sched.state_dict().keys())

    # An Adam state_dict saved by torch, then torch's five further steps from it.
    case = {"name": "adam_saved", "opt": "Adam", "kwargs": {"lr": 0.01, "amsgrad": True},
            "steps": 20}
    trajs, opt = cases.run_optimizer(torch, case)
    params = opt.param_groups[0]["params"]
    torch.save(opt.state_dict(), FIX / "optim_adam_state.pt")
    for i, p in enumerate(params):
        arrays[f"saved/start/p{i}"] = p.detach().numpy().copy()
    more = [[] for _ in params]
    for _ in range(5):
        opt.zero_grad()
        cases.loss(torch, params).backward()
        opt.step()
        for m, p in zip(more, params, strict=True):
            m.append(p.detach().numpy().copy())
    for i, m in enumerate(more):
        arrays[f"saved/more/p{i}"] = np.stack(m)

    np.savez_compressed(FIX / "optim.npz", **arrays)
    (FIX / "optim.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    print(len(arrays), "arrays")


if __name__ == "__main__":
    main()
