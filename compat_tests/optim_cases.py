"""The optimizer/scheduler programs recorded from torch and replayed on torchlike.

Every function takes the torch-like module (real torch when recording, torchlike when
replaying), so both sides run literally the same program.
"""

from __future__ import annotations

INIT_A = [0.5, -1.2, 2.0]
INIT_B = [[0.3, -0.7, 1.1], [-1.5, 0.2, 0.8]]
TARGET = [0.5, -0.25]


def make_params(torch):
    return [torch.tensor(INIT_A, requires_grad=True), torch.tensor(INIT_B, requires_grad=True)]


def loss(torch, params, sign=1.0, rosen_weight=0.01):
    """A Rosenbrock term in ``a`` plus a least-squares coupling of ``b`` and ``a``."""
    a, b = params
    quad = ((b @ a - torch.tensor(TARGET)) ** 2).sum() + 0.1 * (b ** 2).sum()
    if not rosen_weight:
        return sign * quad
    rosen = (100 * (a[1:] - a[:-1] ** 2) ** 2 + (1 - a[:-1]) ** 2).sum()
    return sign * (rosen_weight * rosen + quad)


def _c(name, opt, steps=20, sign=1.0, rosen=0.01, **kwargs):
    return {"name": name, "opt": opt, "kwargs": kwargs, "steps": steps, "sign": sign,
            "rosen": rosen}


OPT_CASES = [
    _c("sgd", "SGD", lr=0.01),
    _c("sgd_nesterov_wd", "SGD", lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.1),
    _c("sgd_damp_max", "SGD", sign=-1.0, lr=0.01, momentum=0.8, dampening=0.3, maximize=True),
    _c("adam", "Adam", lr=0.01),
    _c("adam_amsgrad_wd", "Adam", lr=0.01, amsgrad=True, weight_decay=0.1),
    _c("adam_max", "Adam", sign=-1.0, lr=0.02, betas=(0.8, 0.99), eps=1e-6, maximize=True),
    _c("adamw", "AdamW", lr=0.01, weight_decay=0.1),
    _c("adamw_amsgrad", "AdamW", lr=0.01, amsgrad=True),
    _c("adamax", "Adamax", lr=0.01),
    _c("adamax_wd", "Adamax", lr=0.01, weight_decay=0.1),
    _c("nadam", "NAdam", lr=0.01),
    _c("nadam_decoupled", "NAdam", lr=0.01, weight_decay=0.1, decoupled_weight_decay=True,
       momentum_decay=0.01),
    _c("radam", "RAdam", lr=0.01),
    _c("radam_decoupled", "RAdam", lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    _c("rmsprop", "RMSprop", lr=0.01),
    _c("rmsprop_centered_mom", "RMSprop", lr=0.01, centered=True, momentum=0.5, weight_decay=0.1),
    _c("adagrad", "Adagrad", lr=0.1),
    _c("adagrad_decay", "Adagrad", lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1,
       weight_decay=0.05),
    _c("adadelta", "Adadelta"),
    _c("adadelta_wd", "Adadelta", lr=0.5, rho=0.8, weight_decay=0.1),
    _c("asgd", "ASGD", lr=0.01),
    _c("asgd_t0", "ASGD", lr=0.01, t0=5, lambd=0.01, weight_decay=0.1),
    _c("rprop", "Rprop", lr=0.01),
    _c("rprop_custom", "Rprop", lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True,
       sign=-1.0),
    # LBFGS on the smoother part only: its large quasi-Newton steps along the Rosenbrock valley
    # turn 1-ulp gradient differences into 1e-4 ones within a few iterations.
    _c("lbfgs", "LBFGS", steps=4, rosen=0.0, lr=0.5, max_iter=5),
    _c("lbfgs_wolfe", "LBFGS", steps=4, rosen=0.0, max_iter=5, line_search_fn="strong_wolfe",
       history_size=3),
    _c("sgd_groups", "SGD", lr=0.01, momentum=0.5),
]


def build_optimizer(torch, case, params):
    cls = getattr(torch.optim, case["opt"])
    kwargs = dict(case["kwargs"])
    for k in ("betas", "etas", "step_sizes"):
        if k in kwargs:
            kwargs[k] = tuple(kwargs[k])
    if case["name"] == "sgd_groups":  # per-group options
        return cls([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.03, "momentum": 0.9}],
                   **kwargs)
    return cls(params, **kwargs)


# ------------------------------------------------------------------ schedulers

METRICS = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.49, 0.5, 0.5, 0.5,
           0.5, 0.5, 0.5, 0.5]

LAMBDAS = {"inv": lambda epoch: 1.0 / (1.0 + epoch), "const": lambda epoch: 0.9,
           "sq": lambda epoch: 0.95 ** (epoch * epoch)}


def run_optimizer(torch, case):
    """Run ``case``'s optimizer for its steps; (per-parameter trajectories, optimizer)."""
    import numpy as np

    params = make_params(torch)
    opt = build_optimizer(torch, case, params)
    traj = [[p.detach().numpy().copy()] for p in params]
    for _ in range(case["steps"]):
        def closure():
            opt.zero_grad()
            value = loss(torch, params, case.get("sign", 1.0), case.get("rosen", 0.01))
            value.backward()
            return value
        if case["opt"] == "LBFGS":
            opt.step(closure)
        else:
            closure()
            opt.step()
        for t, p in zip(traj, params, strict=True):
            t.append(p.detach().numpy().copy())
    return [np.stack(t) for t in traj], opt


def _s(name, sched, steps=20, opt=None, **kwargs):
    return {"name": name, "sched": sched, "kwargs": kwargs, "steps": steps,
            "opt": opt or {"lr": 0.1}}


SCHED_CASES = [
    _s("step", "StepLR", step_size=5, gamma=0.5),
    _s("multistep", "MultiStepLR", milestones=[3, 7, 7, 12], gamma=0.3),
    _s("exponential", "ExponentialLR", gamma=0.9),
    _s("cosine", "CosineAnnealingLR", T_max=7, eta_min=0.01),
    _s("warm_restarts", "CosineAnnealingWarmRestarts", T_0=3, T_mult=2, eta_min=0.001),
    _s("plateau", "ReduceLROnPlateau", factor=0.5, patience=2, threshold=0.01, cooldown=1),
    _s("plateau_max_abs", "ReduceLROnPlateau", mode="max", factor=0.3, patience=1,
       threshold_mode="abs", min_lr=0.005),
    _s("onecycle", "OneCycleLR", opt={"lr": 0.1, "momentum": 0.9}, max_lr=1.0, total_steps=20),
    _s("onecycle_linear3", "OneCycleLR", steps=19, opt={"lr": 0.1, "momentum": 0.9}, max_lr=0.5,
       epochs=4, steps_per_epoch=5, anneal_strategy="linear", three_phase=True, pct_start=0.25),
    _s("onecycle_adam", "OneCycleLR", opt={"cls": "Adam", "lr": 0.1}, max_lr=0.2,
       total_steps=20),
    _s("cyclic_tri2", "CyclicLR", opt={"lr": 0.1, "momentum": 0.9}, base_lr=0.01, max_lr=0.1,
       step_size_up=4, mode="triangular2"),
    _s("cyclic_exp", "CyclicLR", opt={"lr": 0.1, "momentum": 0.9}, base_lr=0.01, max_lr=0.1,
       step_size_up=3, step_size_down=5, mode="exp_range", gamma=0.9),
    _s("cyclic_nomom", "CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=2,
       cycle_momentum=False),
    _s("linear", "LinearLR", start_factor=0.25, total_iters=8),
    _s("linear_down", "LinearLR", start_factor=1.0, end_factor=0.1, total_iters=5),
    _s("constant", "ConstantLR", factor=0.5, total_iters=4),
    _s("lambda", "LambdaLR", lr_lambda="inv"),
    _s("multiplicative", "MultiplicativeLR", lr_lambda="const"),
    _s("polynomial", "PolynomialLR", total_iters=10, power=2.0),
    _s("sequential", "SequentialLR", milestones=[3]),
    _s("chained", "ChainedScheduler"),
    _s("step_groups", "StepLR", opt={"groups": True, "lr": 0.1}, step_size=3, gamma=0.7),
    _s("lambda_groups", "LambdaLR", opt={"groups": True, "lr": 0.1}, lr_lambda=["inv", "sq"]),
]


def momentum_of(group):
    if "momentum" in group:
        return group["momentum"]
    if "betas" in group:
        return group["betas"][0]
    return 0.0


def build_scheduler(torch, case, params):
    o = dict(case["opt"])
    cls = getattr(torch.optim, o.pop("cls", "SGD"))
    if o.pop("groups", False):
        opt = cls([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.05}], **o)
    else:
        opt = cls(params, **o)
    for p in params:
        p.grad = torch.zeros_like(p)
    S = torch.optim.lr_scheduler
    kwargs = dict(case["kwargs"])
    name = case["sched"]
    if "lr_lambda" in kwargs:
        ll = kwargs["lr_lambda"]
        kwargs["lr_lambda"] = [LAMBDAS[x] for x in ll] if isinstance(ll, list) else LAMBDAS[ll]
    if name == "SequentialLR":
        scheds = [S.LinearLR(opt, start_factor=0.1, total_iters=3), S.ExponentialLR(opt, gamma=0.9)]
        return opt, S.SequentialLR(opt, scheds, **kwargs)
    if name == "ChainedScheduler":
        scheds = [S.ConstantLR(opt, factor=0.5, total_iters=5), S.ExponentialLR(opt, gamma=0.9)]
        return opt, S.ChainedScheduler(scheds)
    return opt, getattr(S, name)(opt, **kwargs)
