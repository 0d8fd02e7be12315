"""lr schedulers against values recorded from torch 2.13 (generated; see each case's builder).

The cases the replayed fixtures (compat_tests/test_optim.py) don't cover: ReduceLROnPlateau modes,
CyclicLR modes with momentum/beta1 cycling, OneCycleLR three-phase and linear annealing,
CosineAnnealingWarmRestarts with T_mult and fractional epochs, SequentialLR/ChainedScheduler,
``step(epoch)`` closed forms, state_dict round trips, warnings and error messages.
"""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torchlike")

def _opt(torch, cls="SGD", **kw):
    params = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    groups = [{"params": [params[0]]}, {"params": [params[1]], "lr": kw.pop("lr2", 0.05)}]
    kw.setdefault("lr", 0.1)
    return getattr(torch.optim, cls)(groups, **kw)


def _momentum(group):
    if "momentum" in group:
        return group["momentum"]
    return group["betas"][0] if "betas" in group else None


class _Scale:
    """A callable object: its attributes travel in the scheduler's state_dict."""

    def __init__(self, k):
        self.k = k

    def __call__(self, x):
        return self.k ** x


METRICS = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.5, 0.5, 0.5, 0.49, 0.5, 0.5, 2.0, 3.0]


def _sched(torch, name):
    """(optimizer, scheduler, how to step it) for each recorded case."""
    S = torch.optim.lr_scheduler
    plain = None
    if name.startswith("plateau"):
        kw = {
            "plateau_min_rel": dict(patience=1, factor=0.5, threshold=0.01, cooldown=1),
            "plateau_min_abs": dict(threshold_mode="abs", threshold=0.05, patience=1),
            "plateau_max_rel": dict(mode="max", patience=1, factor=0.5, cooldown=2),
            "plateau_max_abs": dict(mode="max", threshold_mode="abs", patience=0,
                                    min_lr=[0.01, 0.02], factor=0.2),
            "plateau_eps": dict(patience=0, factor=0.5, eps=0.02),
        }[name]
        o = _opt(torch)
        return o, S.ReduceLROnPlateau(o, **kw), lambda s, i: s.step(METRICS[i])
    if name.startswith("cyclic"):
        cls = "Adam" if name.endswith("adam") else "SGD"
        o = _opt(torch, cls, **({} if cls == "Adam" else {"momentum": 0.9}))
        kw = {
            "cyclic_tri": dict(base_lr=0.01, max_lr=[0.1, 0.2], step_size_up=3),
            "cyclic_tri2": dict(base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=2,
                                step_size_down=3, mode="triangular2", base_momentum=0.7,
                                max_momentum=[0.9, 0.95]),
            "cyclic_exp_adam": dict(base_lr=0.01, max_lr=0.1, step_size_up=2, mode="exp_range",
                                    gamma=0.8),
            "cyclic_custom_iter": dict(base_lr=0.01, max_lr=0.1, step_size_up=3,
                                       scale_fn=_Scale(0.9), scale_mode="iterations"),
        }[name]
        return o, S.CyclicLR(o, **kw), plain
    if name.startswith("onecycle"):
        cls = "Adam" if name.endswith("adam") else "SGD"
        o = _opt(torch, cls, **({} if cls == "Adam" else {"momentum": 0.9}))
        kw = {
            "onecycle_cos3": dict(max_lr=0.8, total_steps=12, three_phase=True),
            "onecycle_linear3": dict(max_lr=[1.0, 0.5], epochs=3, steps_per_epoch=4,
                                     anneal_strategy="linear", three_phase=True, pct_start=0.25,
                                     div_factor=10.0, final_div_factor=100.0),
            "onecycle_linear_adam": dict(max_lr=0.3, total_steps=12, anneal_strategy="linear",
                                         pct_start=0.4),
        }[name]
        return o, S.OneCycleLR(o, **kw), plain
    o = _opt(torch)
    if name == "warm_mult2":
        return o, S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2, eta_min=0.001), plain
    if name == "warm_fractional":
        epochs = [0.5, 1.25, 2.0, 2.75, 5.5, 1.0, 6.5, 13.0, 0.0, 3.3, 14.2, 7.0]
        s = S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01)
        return o, s, lambda s, i: s.step(epochs[i])
    if name == "warm_fractional_mult1":
        epochs = [0.5, 4.25, 7.0, 2.5, 9.75, 3.0]
        s = S.CosineAnnealingWarmRestarts(o, T_0=4, eta_min=0.005)
        return o, s, lambda s, i: s.step(epochs[i]) if i < len(epochs) else s.step()
    if name == "sequential3":
        inner = [S.LinearLR(o, 0.1, total_iters=3), S.ExponentialLR(o, 0.9),
                 S.StepLR(o, 2, 0.5)]
        return o, S.SequentialLR(o, inner, milestones=[3, 7]), plain
    if name == "sequential_cosine":
        inner = [S.CosineAnnealingLR(o, 4), S.ConstantLR(o, 0.5, 3)]
        return o, S.SequentialLR(o, inner, milestones=[5]), plain
    if name == "chained3":
        inner = [S.ConstantLR(o, 0.5, 5), S.ExponentialLR(o, 0.9), S.MultiStepLR(o, [3, 6], 0.5)]
        return o, S.ChainedScheduler(inner), plain
    # step(epoch): the closed form where the scheduler has one
    epochs = [3, 1, 7, 7, 0, 11, 5]
    make = {
        "epoch_step": lambda: S.StepLR(o, 3, 0.5),
        "epoch_multistep": lambda: S.MultiStepLR(o, [2, 5, 5, 9], 0.3),
        "epoch_constant": lambda: S.ConstantLR(o, 0.4, 4),
        "epoch_linear": lambda: S.LinearLR(o, 0.2, 0.9, 6),
        "epoch_exponential": lambda: S.ExponentialLR(o, 0.93),
        "epoch_polynomial": lambda: S.PolynomialLR(o, 7, 1.5),
        "epoch_cosine": lambda: S.CosineAnnealingLR(o, 5, 0.002),
        "epoch_multiplicative": lambda: S.MultiplicativeLR(o, lambda e: 0.9),
    }[name]
    return o, make(), lambda s, i: s.step(epochs[i]) if i < len(epochs) else s.step()


def _run(torch, name, steps=12):
    opt, sched, stepper = _sched(torch, name)
    lrs = [[g["lr"] for g in opt.param_groups]]
    moms = [[_momentum(g) for g in opt.param_groups]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(steps):
            opt.step()
            if stepper is None:
                sched.step()
            else:
                stepper(sched, i)
            lrs.append([g["lr"] for g in opt.param_groups])
            moms.append([_momentum(g) for g in opt.param_groups])
    return lrs, moms, sched


EXPECTED = {'chained3': {'keys': ['_last_lr', '_schedulers'],
              'lr': [[0.05, 0.025], [0.045000000000000005, 0.022500000000000003],
                     [0.04050000000000001, 0.020250000000000004],
                     [0.018225000000000005, 0.009112500000000003],
                     [0.016402500000000004, 0.008201250000000002],
                     [0.02952450000000001, 0.014762250000000005],
                     [0.013286025000000005, 0.0066430125000000026],
                     [0.011957422500000005, 0.005978711250000003],
                     [0.010761680250000006, 0.005380840125000003],
                     [0.009685512225000005, 0.0048427561125000025],
                     [0.008716961002500004, 0.004358480501250002],
                     [0.007845264902250003, 0.003922632451125002],
                     [0.007060738412025003, 0.0035303692060125015]],
              'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                           [0, 0], [0, 0], [0, 0], [0, 0]]},
 'cyclic_custom_iter': {'keys': ['_get_lr_called_within_step', '_is_initial', '_last_lr',
                                 '_scale_fn_custom', '_step_count', 'base_lrs', 'base_momentums',
                                 'cycle_momentum', 'gamma', 'last_epoch', 'max_lrs',
                                 'max_momentums', 'mode', 'scale_mode', 'step_ratio', 'total_size',
                                 'use_beta1'],
                        'lr': [[0.01, 0.01], [0.03700000000000001, 0.03700000000000001],
                               [0.0586, 0.0586], [0.07561000000000001, 0.07561000000000001],
                               [0.04936600000000002, 0.04936600000000002],
                               [0.027714699999999988, 0.027714699999999988], [0.01, 0.01],
                               [0.02434890700000003, 0.02434890700000003],
                               [0.03582803259999999, 0.03582803259999999],
                               [0.04486784401000001, 0.04486784401000001],
                               [0.03092070640599999, 0.03092070640599999],
                               [0.019414317882700018, 0.019414317882700018], [0.01, 0.01]],
                        'momentum': [[0.9, 0.9], [0.87, 0.87],
                                     [0.8460000000000001, 0.8460000000000001],
                                     [0.8271000000000001, 0.8271000000000001], [0.85626, 0.85626],
                                     [0.880317, 0.880317], [0.9, 0.9],
                                     [0.8840567699999999, 0.8840567699999999],
                                     [0.8713021860000001, 0.8713021860000001],
                                     [0.8612579511, 0.8612579511],
                                     [0.8767547706600001, 0.8767547706600001],
                                     [0.889539646797, 0.889539646797], [0.9, 0.9]]},
 'cyclic_exp_adam': {'keys': ['_get_lr_called_within_step', '_is_initial', '_last_lr',
                              '_scale_fn_custom', '_step_count', 'base_lrs', 'base_momentums',
                              'cycle_momentum', 'gamma', 'last_epoch', 'max_lrs', 'max_momentums',
                              'mode', 'scale_mode', 'step_ratio', 'total_size', 'use_beta1'],
                     'lr': [[0.01, 0.01], [0.046000000000000006, 0.046000000000000006],
                            [0.06760000000000002, 0.06760000000000002],
                            [0.03304000000000001, 0.03304000000000001], [0.01, 0.01],
                            [0.024745600000000006, 0.024745600000000006],
                            [0.03359296000000001, 0.03359296000000001],
                            [0.019437184000000003, 0.019437184000000003], [0.01, 0.01],
                            [0.016039797760000002, 0.016039797760000002],
                            [0.019663676416000007, 0.019663676416000007],
                            [0.013865470566400003, 0.013865470566400003], [0.01, 0.01]],
                     'momentum': [[0.9, 0.9], [0.86, 0.86],
                                  [0.8360000000000001, 0.8360000000000001],
                                  [0.8744000000000001, 0.8744000000000001], [0.9, 0.9],
                                  [0.8836160000000001, 0.8836160000000001], [0.8737856, 0.8737856],
                                  [0.88951424, 0.88951424], [0.9, 0.9],
                                  [0.8932891136000001, 0.8932891136000001],
                                  [0.8892625817600001, 0.8892625817600001],
                                  [0.895705032704, 0.895705032704], [0.9, 0.9]]},
 'cyclic_tri': {'keys': ['_get_lr_called_within_step', '_is_initial', '_last_lr',
                         '_scale_fn_custom', '_step_count', 'base_lrs', 'base_momentums',
                         'cycle_momentum', 'gamma', 'last_epoch', 'max_lrs', 'max_momentums',
                         'mode', 'scale_mode', 'step_ratio', 'total_size', 'use_beta1'],
                'lr': [[0.01, 0.01], [0.040000000000000015, 0.07333333333333336],
                       [0.06999999999999999, 0.13666666666666666], [0.1, 0.2],
                       [0.07000000000000003, 0.13666666666666674],
                       [0.03999999999999998, 0.07333333333333328], [0.01, 0.01],
                       [0.040000000000000056, 0.07333333333333344],
                       [0.06999999999999995, 0.13666666666666658], [0.1, 0.2],
                       [0.06999999999999995, 0.13666666666666658],
                       [0.040000000000000056, 0.07333333333333344], [0.01, 0.01]],
                'momentum': [[0.9, 0.9], [0.8666666666666667, 0.8666666666666667],
                             [0.8333333333333334, 0.8333333333333334], [0.8, 0.8],
                             [0.8333333333333334, 0.8333333333333334],
                             [0.8666666666666667, 0.8666666666666667], [0.9, 0.9],
                             [0.8666666666666666, 0.8666666666666666],
                             [0.8333333333333335, 0.8333333333333335], [0.8, 0.8],
                             [0.8333333333333335, 0.8333333333333335],
                             [0.8666666666666666, 0.8666666666666666], [0.9, 0.9]]},
 'cyclic_tri2': {'keys': ['_get_lr_called_within_step', '_is_initial', '_last_lr',
                          '_scale_fn_custom', '_step_count', 'base_lrs', 'base_momentums',
                          'cycle_momentum', 'gamma', 'last_epoch', 'max_lrs', 'max_momentums',
                          'mode', 'scale_mode', 'step_ratio', 'total_size', 'use_beta1'],
                 'lr': [[0.01, 0.02], [0.055, 0.06], [0.09999999999999999, 0.09999999999999999],
                        [0.06999999999999999, 0.07333333333333332],
                        [0.039999999999999994, 0.04666666666666666], [0.01, 0.02],
                        [0.03250000000000002, 0.04000000000000002], [0.055, 0.06],
                        [0.039999999999999994, 0.04666666666666666],
                        [0.025000000000000015, 0.03333333333333335], [0.01, 0.02],
                        [0.021250000000000012, 0.03000000000000001],
                        [0.0325, 0.039999999999999994]],
                 'momentum': [[0.9, 0.95], [0.8, 0.825], [0.7, 0.7],
                              [0.7666666666666666, 0.7833333333333333],
                              [0.8333333333333334, 0.8666666666666667], [0.9, 0.95],
                              [0.85, 0.8875], [0.8, 0.825],
                              [0.8333333333333334, 0.8666666666666667],
                              [0.8666666666666667, 0.9083333333333332], [0.9, 0.95],
                              [0.875, 0.91875], [0.85, 0.8875]]},
 'epoch_constant': {'keys': ['_get_lr_called_within_step', '_is_initial', '_last_lr',
                             '_step_count', 'base_lrs', 'factor', 'last_epoch', 'total_iters'],
                    'lr': [[0.04000000000000001, 0.020000000000000004],
                           [0.04000000000000001, 0.020000000000000004],
                           [0.04000000000000001, 0.020000000000000004], [0.1, 0.05], [0.1, 0.05],
                           [0.04000000000000001, 0.020000000000000004], [0.1, 0.05], [0.1, 0.05],
                           [0.1, 0.05], [0.1, 0.05], [0.1, 0.05], [0.1, 0.05], [0.1, 0.05]],
                    'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                                 [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]},
 'epoch_cosine': {'keys': ['T_max', '_get_lr_called_within_step', '_is_initial', '_last_lr',
                           '_step_count', 'base_lrs', 'eta_min', 'last_epoch'],
                  'lr': [[0.1, 0.05], [0.03585816727562759, 0.018583592135001263],
                         [0.09064183272437243, 0.04541640786499874],
                         [0.03585816727562757, 0.018583592135001256],
                         [0.03585816727562757, 0.018583592135001256], [0.1, 0.05],
                         [0.09064183272437246, 0.04541640786499876], [0.002, 0.002],
                         [0.011358167275627575, 0.006583592135001261],
                         [0.035858167275627593, 0.01858359213500127],
                         [0.06614183272437246, 0.033416407864998755],
                         [0.09064183272437248, 0.045416407864998766],
                         [0.10000000000000006, 0.050000000000000024]],
                  'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                               [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]},
 'epoch_exponential': {'keys': ['_get_lr_called_within_step', '_is_initial', '_last_lr',
                                '_step_count', 'base_lrs', 'gamma', 'last_epoch'],
                       'lr': [[0.1, 0.05], [0.08043570000000001, 0.040217850000000006],
                              [0.09300000000000001, 0.04650000000000001],
                              [0.06017008706075703, 0.030085043530378514],
                              [0.06017008706075703, 0.030085043530378514], [0.1, 0.05],
                              [0.0450103545676743, 0.02250517728383715],
                              [0.06956883693000003, 0.034784418465000015],
                              [0.06469901834490004, 0.03234950917245002],
                              [0.060170087060757035, 0.030085043530378518],
                              [0.05595818096650405, 0.027979090483252023],
                              [0.05204110829884877, 0.026020554149424384],
                              [0.048398230717929355, 0.024199115358964678]],
                       'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                                    [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]},
 'epoch_linear': {'keys': ['_get_lr_called_within_step', '_is_initial', '_last_lr', '_step_count',
                           'base_lrs', 'end_factor', 'last_epoch', 'start_factor', 'total_iters'],
                  'lr': [[0.020000000000000004, 0.010000000000000002],
                         [0.05499999999999999, 0.027499999999999997],
                         [0.03166666666666667, 0.015833333333333335], [0.09, 0.045], [0.09, 0.045],
                         [0.020000000000000004, 0.010000000000000002], [0.09, 0.045],
                         [0.07833333333333335, 0.039166666666666676],
                         [0.09000000000000002, 0.04500000000000001],
                         [0.09000000000000002, 0.04500000000000001],
                         [0.09000000000000002, 0.04500000000000001],
                         [0.09000000000000002, 0.04500000000000001],
                         [0.09000000000000002, 0.04500000000000001]],
                  'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                               [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]},
 'epoch_multiplicative': {'keys': ['_get_lr_called_within_step', '_is_initial', '_last_lr',
                                   '_step_count', 'base_lrs', 'last_epoch', 'lr_lambdas'],
                          'lr': [[0.1, 0.05], [0.09000000000000001, 0.045000000000000005],
                                 [0.08100000000000002, 0.04050000000000001],
                                 [0.07290000000000002, 0.03645000000000001],
                                 [0.06561000000000002, 0.03280500000000001],
                                 [0.05904900000000002, 0.02952450000000001],
                                 [0.05314410000000002, 0.02657205000000001],
                                 [0.04782969000000002, 0.02391484500000001],
                                 [0.043046721000000024, 0.021523360500000012],
                                 [0.03874204890000002, 0.01937102445000001],
                                 [0.03486784401000002, 0.01743392200500001],
                                 [0.03138105960900001, 0.015690529804500006],
                                 [0.028242953648100012, 0.014121476824050006]],
                          'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                                       [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]},
 'epoch_multistep': {'keys': ['_get_lr_called_within_step', '_is_initial', '_last_lr',
                              '_step_count', 'base_lrs', 'gamma', 'last_epoch', 'milestones'],
                     'lr': [[0.1, 0.05], [0.03, 0.015], [0.1, 0.05],
                            [0.0026999999999999997, 0.0013499999999999999],
                            [0.0026999999999999997, 0.0013499999999999999], [0.1, 0.05],
                            [0.00081, 0.000405], [0.0026999999999999997, 0.0013499999999999999],
                            [0.0026999999999999997, 0.0013499999999999999],
                            [0.0026999999999999997, 0.0013499999999999999],
                            [0.0026999999999999997, 0.0013499999999999999],
                            [0.0008099999999999998, 0.0004049999999999999],
                            [0.0008099999999999998, 0.0004049999999999999]],
                     'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                                  [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]},
 'epoch_polynomial': {'keys': ['_get_lr_called_within_step', '_is_initial', '_last_lr',
                               '_step_count', 'base_lrs', 'last_epoch', 'power', 'total_iters'],
                      'lr': [[0.1, 0.05], [0.043195939772483115, 0.021597969886241557],
                             [0.07935600855193299, 0.039678004275966496], [0.0, 0.0], [0.0, 0.0],
                             [0.1, 0.05], [0.0, 0.0], [0.015272070966424252, 0.007636035483212126],
                             [0.005399492471560393, 0.0026997462357801964], [0.0, 0.0], [0.0, 0.0],
                             [0.0, 0.0], [0.0, 0.0]],
                      'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                                   [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]},
 'epoch_step': {'keys': ['_get_lr_called_within_step', '_is_initial', '_last_lr', '_step_count',
                         'base_lrs', 'gamma', 'last_epoch', 'step_size'],
                'lr': [[0.1, 0.05], [0.05, 0.025], [0.1, 0.05], [0.025, 0.0125], [0.025, 0.0125],
                       [0.1, 0.05], [0.0125, 0.00625], [0.05, 0.025], [0.025, 0.0125],
                       [0.025, 0.0125], [0.025, 0.0125], [0.0125, 0.00625], [0.0125, 0.00625]],
                'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                             [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]},
 'onecycle_cos3': {'keys': ['_anneal_func_type', '_get_lr_called_within_step', '_is_initial',
                            '_last_lr', '_schedule_phases', '_step_count', 'base_lrs',
                            'cycle_momentum', 'last_epoch', 'total_steps', 'use_beta1'],
                   'lr': [[0.03200000000000003, 0.03200000000000003],
                          [0.2798317233756664, 0.2798317233756664],
                          [0.703428127297703, 0.703428127297703],
                          [0.7560151138508326, 0.7560151138508326],
                          [0.3697139147819557, 0.3697139147819557],
                          [0.04315834210839599, 0.04315834210839599],
                          [0.030521354594063833, 0.030521354594063833],
                          [0.024979695146493536, 0.024979695146493536],
                          [0.01686773591511294, 0.01686773591511294],
                          [0.008507814402308474, 0.008507814402308474],
                          [0.0022932561528004433, 0.0022932561528004433], [3.2e-06, 3.2e-06],
                          [0.002293256152800438, 0.002293256152800438]],
                   'momentum': [[0.95, 0.95], [0.9177302443521267, 0.9177302443521267],
                                [0.8625744625914449, 0.8625744625914449],
                                [0.8557271987173395, 0.8557271987173395],
                                [0.9060268340127662, 0.9060268340127662],
                                [0.9485470908713025, 0.9485470908713025], [0.95, 0.95],
                                [0.95, 0.95], [0.95, 0.95], [0.95, 0.95], [0.95, 0.95],
                                [0.95, 0.95], [0.95, 0.95]]},
 'onecycle_linear3': {'keys': ['_anneal_func_type', '_get_lr_called_within_step', '_is_initial',
                               '_last_lr', '_schedule_phases', '_step_count', 'base_lrs',
                               'cycle_momentum', 'last_epoch', 'total_steps', 'use_beta1'],
                      'lr': [[0.1, 0.05], [0.55, 0.275], [1.0, 0.5], [0.55, 0.275],
                             [0.09999999999999998, 0.04999999999999999],
                             [0.08585714285714287, 0.042928571428571434],
                             [0.07171428571428572, 0.03585714285714286],
                             [0.05757142857142858, 0.02878571428571429],
                             [0.043428571428571434, 0.021714285714285717],
                             [0.02928571428571429, 0.014642857142857145],
                             [0.015142857142857152, 0.007571428571428576],
                             [0.0010000000000000009, 0.0005000000000000004],
                             [-0.013142857142857137, -0.006571428571428568]],
                      'momentum': [[0.95, 0.95], [0.8999999999999999, 0.8999999999999999],
                                   [0.85, 0.85], [0.8999999999999999, 0.8999999999999999],
                                   [0.95, 0.95], [0.95, 0.95], [0.95, 0.95], [0.95, 0.95],
                                   [0.95, 0.95], [0.95, 0.95], [0.95, 0.95], [0.95, 0.95],
                                   [0.95, 0.95]]},
 'onecycle_linear_adam': {'keys': ['_anneal_func_type', '_get_lr_called_within_step',
                                   '_is_initial', '_last_lr', '_schedule_phases', '_step_count',
                                   'base_lrs', 'cycle_momentum', 'last_epoch', 'total_steps',
                                   'use_beta1'],
                          'lr': [[0.012, 0.012], [0.0877894736842105, 0.0877894736842105],
                                 [0.16357894736842102, 0.16357894736842102],
                                 [0.23936842105263154, 0.23936842105263154],
                                 [0.2916667, 0.2916667], [0.2500002, 0.2500002],
                                 [0.2083337, 0.2083337],
                                 [0.16666720000000002, 0.16666720000000002],
                                 [0.1250007, 0.1250007], [0.0833342, 0.0833342],
                                 [0.041667699999999974, 0.041667699999999974],
                                 [1.1999999999789956e-06, 1.1999999999789956e-06],
                                 [-0.041665300000000016, -0.041665300000000016]],
                          'momentum': [[0.95, 0.95], [0.9236842105263158, 0.9236842105263158],
                                       [0.8973684210526316, 0.8973684210526316],
                                       [0.8710526315789473, 0.8710526315789473],
                                       [0.8527777777777777, 0.8527777777777777],
                                       [0.8666666666666666, 0.8666666666666666],
                                       [0.8805555555555555, 0.8805555555555555],
                                       [0.8944444444444444, 0.8944444444444444],
                                       [0.9083333333333333, 0.9083333333333333],
                                       [0.9222222222222222, 0.9222222222222222],
                                       [0.9361111111111111, 0.9361111111111111], [0.95, 0.95],
                                       [0.9638888888888888, 0.9638888888888888]]},
 'plateau_eps': {'keys': ['_last_lr', 'best', 'cooldown', 'cooldown_counter', 'default_min_lr',
                          'eps', 'factor', 'last_epoch', 'min_lrs', 'mode', 'mode_worse',
                          'num_bad_epochs', 'patience', 'threshold', 'threshold_mode'],
                 'lr': [[0.1, 0.05], [0.1, 0.05], [0.1, 0.05], [0.05, 0.025], [0.025, 0.025],
                        [0.025, 0.025], [0.025, 0.025], [0.025, 0.025], [0.025, 0.025],
                        [0.025, 0.025], [0.025, 0.025], [0.025, 0.025], [0.025, 0.025]],
                 'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                              [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]},
 'plateau_max_abs': {'keys': ['_last_lr', 'best', 'cooldown', 'cooldown_counter', 'default_min_lr',
                              'eps', 'factor', 'last_epoch', 'min_lrs', 'mode', 'mode_worse',
                              'num_bad_epochs', 'patience', 'threshold', 'threshold_mode'],
                     'lr': [[0.1, 0.05], [0.1, 0.05], [0.020000000000000004, 0.02], [0.01, 0.02],
                            [0.01, 0.02], [0.01, 0.02], [0.01, 0.02], [0.01, 0.02], [0.01, 0.02],
                            [0.01, 0.02], [0.01, 0.02], [0.01, 0.02], [0.01, 0.02]],
                     'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                                  [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]},
 'plateau_max_rel': {'keys': ['_last_lr', 'best', 'cooldown', 'cooldown_counter', 'default_min_lr',
                              'eps', 'factor', 'last_epoch', 'min_lrs', 'mode', 'mode_worse',
                              'num_bad_epochs', 'patience', 'threshold', 'threshold_mode'],
                     'lr': [[0.1, 0.05], [0.1, 0.05], [0.1, 0.05], [0.05, 0.025], [0.05, 0.025],
                            [0.05, 0.025], [0.05, 0.025], [0.025, 0.0125], [0.025, 0.0125],
                            [0.025, 0.0125], [0.025, 0.0125], [0.0125, 0.00625],
                            [0.0125, 0.00625]],
                     'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                                  [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]},
 'plateau_min_abs': {'keys': ['_last_lr', 'best', 'cooldown', 'cooldown_counter', 'default_min_lr',
                              'eps', 'factor', 'last_epoch', 'min_lrs', 'mode', 'mode_worse',
                              'num_bad_epochs', 'patience', 'threshold', 'threshold_mode'],
                     'lr': [[0.1, 0.05], [0.1, 0.05], [0.1, 0.05], [0.1, 0.05],
                            [0.010000000000000002, 0.005000000000000001],
                            [0.010000000000000002, 0.005000000000000001],
                            [0.0010000000000000002, 0.0005000000000000001],
                            [0.0010000000000000002, 0.0005000000000000001],
                            [0.0010000000000000002, 0.0005000000000000001],
                            [0.00010000000000000003, 5.0000000000000016e-05],
                            [0.00010000000000000003, 5.0000000000000016e-05],
                            [1.0000000000000004e-05, 5.000000000000002e-06],
                            [1.0000000000000004e-05, 5.000000000000002e-06]],
                     'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                                  [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]},
 'plateau_min_rel': {'keys': ['_last_lr', 'best', 'cooldown', 'cooldown_counter', 'default_min_lr',
                              'eps', 'factor', 'last_epoch', 'min_lrs', 'mode', 'mode_worse',
                              'num_bad_epochs', 'patience', 'threshold', 'threshold_mode'],
                     'lr': [[0.1, 0.05], [0.1, 0.05], [0.1, 0.05], [0.1, 0.05], [0.05, 0.025],
                            [0.05, 0.025], [0.05, 0.025], [0.05, 0.025], [0.05, 0.025],
                            [0.025, 0.0125], [0.025, 0.0125], [0.025, 0.0125], [0.0125, 0.00625]],
                     'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                                  [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]},
 'sequential3': {'keys': ['_last_lr', '_milestones', '_schedulers', 'last_epoch'],
                 'lr': [[0.010000000000000002, 0.005000000000000001], [0.04, 0.02], [0.07, 0.035],
                        [0.1, 0.05], [0.09000000000000001, 0.045000000000000005],
                        [0.08100000000000002, 0.04050000000000001],
                        [0.07290000000000002, 0.03645000000000001], [0.1, 0.05], [0.1, 0.05],
                        [0.05, 0.025], [0.05, 0.025], [0.025, 0.0125], [0.025, 0.0125]],
                 'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                              [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]},
 'sequential_cosine': {'keys': ['_last_lr', '_milestones', '_schedulers', 'last_epoch'],
                       'lr': [[0.1, 0.05], [0.08535533905932738, 0.04267766952966369],
                              [0.05, 0.025], [0.014644660940672627, 0.0073223304703363135],
                              [0.0, 0.0], [0.05, 0.025], [0.05, 0.025], [0.05, 0.025], [0.1, 0.05],
                              [0.1, 0.05], [0.1, 0.05], [0.1, 0.05], [0.1, 0.05]],
                       'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                                    [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]},
 'warm_fractional': {'keys': ['T_0', 'T_cur', 'T_i', 'T_mult', '_get_lr_called_within_step',
                              '_is_initial', '_last_lr', '_step_count', 'base_lrs', 'eta_min',
                              'last_epoch'],
                     'lr': [[0.1, 0.05], [0.09397114317029975, 0.04732050807568878],
                            [0.06664685702961344, 0.035176380902050414],
                            [0.032500000000000015, 0.020000000000000004],
                            [0.011533337816991932, 0.010681483474218637],
                            [0.06664685702961344, 0.035176380902050414], [0.0775, 0.04],
                            [0.04335314297038658, 0.024823619097949588], [0.0775, 0.04],
                            [0.1, 0.05], [0.0994459753267812, 0.04975376681190276],
                            [0.06435602608679919, 0.034158233816355195],
                            [0.032500000000000015, 0.020000000000000004]],
                     'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                                  [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]},
 'warm_fractional_mult1': {'keys': ['T_0', 'T_cur', 'T_i', 'T_mult', '_get_lr_called_within_step',
                                    '_is_initial', '_last_lr', '_step_count', 'base_lrs',
                                    'eta_min', 'last_epoch'],
                           'lr': [[0.1, 0.05], [0.09638427779428613, 0.04828728948150395],
                                  [0.09908730081915346, 0.049567668809072686],
                                  [0.018912427893638995, 0.011590097423302682],
                                  [0.03432253696265824, 0.018889622771785484],
                                  [0.0617667902957661, 0.031889532245362895],
                                  [0.018912427893638995, 0.011590097423302682], [0.1, 0.05],
                                  [0.086087572106361, 0.04340990257669732],
                                  [0.0525, 0.027500000000000004],
                                  [0.018912427893638995, 0.011590097423302682], [0.1, 0.05],
                                  [0.086087572106361, 0.04340990257669732]],
                           'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                                        [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]},
 'warm_mult2': {'keys': ['T_0', 'T_cur', 'T_i', 'T_mult', '_get_lr_called_within_step',
                         '_is_initial', '_last_lr', '_step_count', 'base_lrs', 'eta_min',
                         'last_epoch'],
                'lr': [[0.1, 0.05], [0.0505, 0.025500000000000002], [0.1, 0.05],
                       [0.0855017856687341, 0.04282411613907042], [0.0505, 0.025500000000000002],
                       [0.0154982143312659, 0.008175883860929586], [0.1, 0.05],
                       [0.0962320368593087, 0.048135048546526525],
                       [0.0855017856687341, 0.04282411613907042],
                       [0.06944282990207196, 0.0348757440929447], [0.0505, 0.025500000000000002],
                       [0.03155717009792806, 0.016124255907055303],
                       [0.0154982143312659, 0.008175883860929586]],
                'momentum': [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
                             [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]}}

ROUNDTRIP = {'chained3': [[0.013286025000000005, 0.0066430125000000026],
              [0.011957422500000005, 0.005978711250000003],
              [0.010761680250000006, 0.005380840125000003],
              [0.009685512225000005, 0.0048427561125000025],
              [0.008716961002500004, 0.004358480501250002],
              [0.007845264902250003, 0.003922632451125002]],
 'cyclic_custom_iter': [[0.01, 0.01], [0.02434890700000003, 0.02434890700000003],
                        [0.03582803259999999, 0.03582803259999999],
                        [0.04486784401000001, 0.04486784401000001],
                        [0.03092070640599999, 0.03092070640599999],
                        [0.019414317882700018, 0.019414317882700018]],
 'onecycle_cos3': [[0.030521354594063833, 0.030521354594063833],
                   [0.024979695146493536, 0.024979695146493536],
                   [0.01686773591511294, 0.01686773591511294],
                   [0.008507814402308474, 0.008507814402308474],
                   [0.0022932561528004433, 0.0022932561528004433], [3.2e-06, 3.2e-06]],
 'plateau_max_rel': [[0.05, 0.025], [0.025, 0.0125], [0.025, 0.0125], [0.025, 0.0125],
                     [0.025, 0.0125], [0.0125, 0.00625]],
 'sequential3': [[0.07290000000000002, 0.03645000000000001], [0.1, 0.05], [0.1, 0.05],
                 [0.05, 0.025], [0.05, 0.025], [0.025, 0.0125]],
 'warm_mult2': [[0.1, 0.05], [0.0962320368593087, 0.048135048546526525],
                [0.0855017856687341, 0.04282411613907042],
                [0.06944282990207196, 0.0348757440929447], [0.0505, 0.025500000000000002],
                [0.03155717009792806, 0.016124255907055303]]}

MESSAGES = {'base_get_lr': ('NotImplementedError', '', []),
 'chained_empty': ('ValueError',
                   'ChainedScheduler expects at least one scheduler to be chained, but got no '
                   'scheduler.',
                   []),
 'constant_factor': ('ValueError',
                     'Constant multiplicative factor expected to be between 0 and 1.', []),
 'cyclic_lengths': ('ValueError',
                    'base_lr must have the same length as optimizer.param_groups. base_lr has 1 '
                    'values, param_groups has 2.',
                    []),
 'cyclic_mode': ('ValueError', 'mode is invalid and scale_fn is None', []),
 'cyclic_momentum_lengths': ('ValueError',
                             'base_momentum must have the same length as optimizer.param_groups. '
                             'base_momentum has 3 values, param_groups has 2.',
                             []),
 'cyclic_no_momentum': (None, None, []),
 'epoch_arg': (None, None,
               ['The epoch parameter in `scheduler.step()` was not necessary and is being '
                'deprecated where possible. Please use `scheduler.step()` to step the scheduler. '
                'During the deprecation, if epoch is different from None, the closed form is used '
                'instead of the new chainable form, where available. Please open an issue if you '
                'are unable to replicate your use case: '
                'https://github.com/pytorch/pytorch/issues/new/choose.']),
 'get_lr_outside': (None, None,
                    ['To get the last learning rate computed by the scheduler, please use '
                     '`get_last_lr()`.']),
 'lambda_count': ('ValueError', 'Expected 2 lr_lambdas, but got 1', []),
 'linear_end': ('ValueError', 'Ending multiplicative factor expected to be between 0 and 1.', []),
 'linear_start': ('ValueError',
                  'Starting multiplicative factor expected to be greater than 0 and less or equal '
                  'to 1.',
                  []),
 'multiplicative_callable': ('TypeError', 'lr_lambda should be a function, but got int', []),
 'not_optimizer': ('TypeError', 'object is not an Optimizer', []),
 'onecycle_anneal': ('ValueError',
                     "anneal_strategy must be one of 'cos' or 'linear', instead got x", []),
 'onecycle_epochs': ('ValueError', 'Expected positive integer epochs, but got 0', []),
 'onecycle_momentum_lengths': ('ValueError',
                               'max_momentum must have the same length as optimizer.param_groups. '
                               'max_momentum has 1 values, param_groups has 2.',
                               []),
 'onecycle_no_length': ('ValueError',
                        'You must define either total_steps OR (epochs AND steps_per_epoch)', []),
 'onecycle_overrun': ('ValueError',
                      'Tried to step 4 times. The specified number of total steps is 3', []),
 'onecycle_pct_start': ('ValueError', 'Expected float between 0 and 1 pct_start, but got 1', []),
 'onecycle_total_steps': ('ValueError', 'Expected positive integer total_steps, but got 0', []),
 'opt_stepped_before_attach': (None, None,
                               ['Detected call of `lr_scheduler.step()` before '
                                '`optimizer.step()`. In PyTorch 1.1.0 and later, you should call '
                                'them in the opposite order: `optimizer.step()` before '
                                '`lr_scheduler.step()`.  Failure to do this will result in '
                                'PyTorch skipping the first value of the learning rate schedule. '
                                'See more details at '
                                'https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate']),
 'overridden': (None, None,
                ['Seems like `optimizer.step()` has been overridden after learning rate scheduler '
                 'initialization. Please, make sure to call `optimizer.step()` before '
                 '`lr_scheduler.step()`. See more details at '
                 'https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate']),
 'plateau_epoch_arg': (None, None,
                       ['The epoch parameter in `scheduler.step()` was not necessary and is being '
                        'deprecated where possible. Please use `scheduler.step()` to step the '
                        'scheduler. During the deprecation, if epoch is different from None, the '
                        'closed form is used instead of the new chainable form, where available. '
                        'Please open an issue if you are unable to replicate your use case: '
                        'https://github.com/pytorch/pytorch/issues/new/choose.']),
 'plateau_factor': ('ValueError', 'Factor should be < 1.0.', []),
 'plateau_min_lr': ('ValueError', 'expected 2 min_lrs, got 1', []),
 'plateau_mode': ('ValueError', 'mode avg is unknown!', []),
 'plateau_new_group': ('RuntimeError',
                       'The number of param groups in the `optimizer` (3) differs from when '
                       '`ReduceLROnPlateau` was initialized (2), usually due to a new param group '
                       'being added to the optimizer. Please modify the `min_lrs` field to match '
                       'the length of the `optimizer` param groups.',
                       []),
 'plateau_threshold_mode': ('ValueError', 'threshold mode x is unknown!', []),
 'resume_without_initial_lr': ('KeyError',
                               '"param \'initial_lr\' is not specified in param_groups[0] when '
                               'resuming scheduler with last_epoch >= 0.\\nThis typically happens '
                               "when:\\n1. You're trying to resume training from a checkpoint but "
                               "haven't properly loaded the optimizer state\\n2. You're using "
                               'last_epoch >= 0 for a fresh training run (not recommended)"',
                               []),
 'right_order': (None, None, []),
 'sched_before_opt': (None, None,
                      ['Detected call of `lr_scheduler.step()` before `optimizer.step()`. In '
                       'PyTorch 1.1.0 and later, you should call them in the opposite order: '
                       '`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will '
                       'result in PyTorch skipping the first value of the learning rate schedule. '
                       'See more details at '
                       'https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate']),
 'sequential_empty': ('ValueError',
                      'SequentialLR expects at least one scheduler, but got no scheduler.', []),
 'sequential_milestones': ('ValueError',
                           'Sequential Schedulers expects number of schedulers provided to be one '
                           'more than the number of milestone points, but got number of '
                           'schedulers 1 and the number of milestones to be equal to 1',
                           []),
 'sequential_no_optimizer': ('TypeError',
                             'SequentialLR at index 0 should have `optimizer` as its attribute.',
                             []),
 'sequential_plateau': ('ValueError',
                        'SequentialLR does not support `ReduceLROnPlateau` scheduler as it '
                        'requires additional kwargs to be specified when calling `step`, but got '
                        'one at index 0 in the given schedulers sequence.',
                        []),
 'warm_T_0': ('ValueError', 'Expected positive integer T_0, but got 0', []),
 'warm_T_mult': ('ValueError', 'Expected integer T_mult >= 1, but got 1.5', []),
 'warm_eta_min': ('ValueError', "Expected float or int eta_min, but got x of type <class 'str'>",
                  []),
 'warm_negative_epoch': ('ValueError', 'Expected non-negative epoch, but got -1', []),
 'warm_no_order_check': (None, None, [])}

STATE = {'cyc_sd': {'k': 0.7},
 'lambda_sd': [{'k': 0.5}, None],
 'onecycle_groups': ['base_momentum', 'dampening', 'differentiable', 'foreach', 'fused',
                     'initial_lr', 'lr', 'max_lr', 'max_momentum', 'maximize', 'min_lr',
                     'momentum', 'nesterov', 'params', 'weight_decay'],
 'onecycle_phases': [{'end_lr': 'max_lr',
                      'end_momentum': 'base_momentum',
                      'end_step': 1.5,
                      'start_lr': 'initial_lr',
                      'start_momentum': 'max_momentum'},
                     {'end_lr': 'initial_lr',
                      'end_momentum': 'max_momentum',
                      'end_step': 3.0,
                      'start_lr': 'max_lr',
                      'start_momentum': 'base_momentum'},
                     {'end_lr': 'min_lr',
                      'end_momentum': 'max_momentum',
                      'end_step': 9,
                      'start_lr': 'initial_lr',
                      'start_momentum': 'max_momentum'}],
 'seq_inner': [['_get_lr_called_within_step', '_is_initial', '_last_lr', '_step_count', 'base_lrs',
                'factor', 'last_epoch', 'total_iters'],
               ['_get_lr_called_within_step', '_is_initial', '_last_lr', '_step_count', 'base_lrs',
                'gamma', 'last_epoch']],
 'seq_keys': ['_last_lr', '_milestones', '_schedulers', 'last_epoch']}


def _same(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        if w is None or isinstance(w, str):
            assert g == w
        elif isinstance(w, list):
            _same(g, w)
        else:
            assert g == pytest.approx(w, rel=1e-12, abs=0)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_schedule(name):
    lrs, moms, sched = _run(torch, name)
    want = EXPECTED[name]
    _same(lrs, want["lr"])
    if want["momentum"] is not None:
        _same(moms, want["momentum"])
    assert sorted(sched.state_dict()) == want["keys"]


@pytest.mark.parametrize("name", sorted(ROUNDTRIP))
def test_state_dict_round_trip(name):
    o, s, stepper = _sched(torch, name)
    go = (lambda s, i: s.step()) if stepper is None else stepper
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(5):
            o.step()
            go(s, i)
        sd, osd = s.state_dict(), o.state_dict()
        o2, s2, _ = _sched(torch, name)
        o2.load_state_dict(osd)
        s2.load_state_dict(sd)
        got = []
        for i in range(5, 11):
            o2.step()
            go(s2, i)
            got.append([g["lr"] for g in o2.param_groups])
    _same(got, ROUNDTRIP[name])


def _messages(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            return (type(e).__name__, str(e), [str(x.message) for x in w])
    return (None, None, [str(x.message) for x in w])


def _inv(e):
    return 1.0 / (e + 1)


def _cases():
    S = torch.optim.lr_scheduler

    def mk(**kw):
        return _opt(torch, **kw)

    def run(o, s, n, order=True, epoch=None):
        for _ in range(n):
            if order:
                o.step()
            s.step() if epoch is None else s.step(epoch)

    def override(o, s):
        o.step = lambda *a, **k: None
        s.step()

    def overrun():
        o = mk(momentum=0.9)
        run(o, S.OneCycleLR(o, 0.1, total_steps=3), 4)

    def new_group():
        o = mk()
        s = S.ReduceLROnPlateau(o, min_lr=[0.0, 0.0], patience=0)
        o.add_param_group({"params": [torch.zeros(1, requires_grad=True)]})
        s.step(1.0)
        s.step(2.0)

    def stepped_before_attach():
        o = mk()
        o.step()
        S.StepLR(o, 2).step()

    return {
        "sched_before_opt": lambda: run(o := mk(), S.ExponentialLR(o, 0.5), 2, order=False),
        "opt_stepped_before_attach": stepped_before_attach,
        "right_order": lambda: run(o := mk(), S.StepLR(o, 2), 2),
        "overridden": lambda: override(o := mk(), S.StepLR(o, 2)),
        "get_lr_outside": lambda: S.StepLR(mk(), 2).get_lr(),
        "epoch_arg": lambda: run(o := mk(), S.StepLR(o, 2), 1, epoch=3),
        "plateau_epoch_arg": lambda: S.ReduceLROnPlateau(mk()).step(1.0, 4),
        "warm_no_order_check": lambda: run(o := mk(), S.CosineAnnealingWarmRestarts(o, 3), 2,
                                           order=False),
        "not_optimizer": lambda: S.StepLR(object(), 1),
        "resume_without_initial_lr": lambda: S.StepLR(mk(), 1, last_epoch=3),
        "constant_factor": lambda: S.ConstantLR(mk(), 1.5),
        "linear_start": lambda: S.LinearLR(mk(), 0.0),
        "linear_end": lambda: S.LinearLR(mk(), 0.5, 1.5),
        "lambda_count": lambda: S.LambdaLR(mk(), [_inv]),
        "multiplicative_callable": lambda: S.MultiplicativeLR(mk(), [_inv, 3]),
        "sequential_empty": lambda: S.SequentialLR(mk(), [], []),
        "sequential_milestones": lambda: S.SequentialLR(o := mk(), [S.StepLR(o, 1)], [1]),
        "sequential_plateau": lambda: S.SequentialLR(o := mk(), [S.ReduceLROnPlateau(o)], []),
        "sequential_no_optimizer": lambda: S.SequentialLR(mk(), [object()], []),
        "chained_empty": lambda: S.ChainedScheduler([]),
        "plateau_factor": lambda: S.ReduceLROnPlateau(mk(), factor=1.0),
        "plateau_mode": lambda: S.ReduceLROnPlateau(mk(), mode="avg"),
        "plateau_threshold_mode": lambda: S.ReduceLROnPlateau(mk(), threshold_mode="x"),
        "plateau_min_lr": lambda: S.ReduceLROnPlateau(mk(), min_lr=[0.1]),
        "plateau_new_group": new_group,
        "cyclic_mode": lambda: S.CyclicLR(mk(momentum=0.9), 0.01, 0.1, mode="tri"),
        "cyclic_no_momentum": lambda: S.CyclicLR(mk(), 0.01, 0.1),
        "cyclic_lengths": lambda: S.CyclicLR(mk(momentum=0.9), [0.1], 0.1),
        "cyclic_momentum_lengths": lambda: S.CyclicLR(mk(momentum=0.9), 0.01, 0.1,
                                                      base_momentum=[1, 2, 3], max_momentum=[1]),
        "warm_T_0": lambda: S.CosineAnnealingWarmRestarts(mk(), 0),
        "warm_T_mult": lambda: S.CosineAnnealingWarmRestarts(mk(), 2, 1.5),
        "warm_eta_min": lambda: S.CosineAnnealingWarmRestarts(mk(), 2, 1, "x"),
        "warm_negative_epoch": lambda: S.CosineAnnealingWarmRestarts(mk(), 2).step(-1),
        "onecycle_no_length": lambda: S.OneCycleLR(mk(momentum=0.9), 0.1),
        "onecycle_total_steps": lambda: S.OneCycleLR(mk(momentum=0.9), 0.1, total_steps=0),
        "onecycle_epochs": lambda: S.OneCycleLR(mk(momentum=0.9), 0.1, epochs=0,
                                                steps_per_epoch=2),
        "onecycle_pct_start": lambda: S.OneCycleLR(mk(momentum=0.9), 0.1, total_steps=4,
                                                   pct_start=1),
        "onecycle_anneal": lambda: S.OneCycleLR(mk(momentum=0.9), 0.1, total_steps=4,
                                                anneal_strategy="x"),
        "onecycle_momentum_lengths": lambda: S.OneCycleLR(mk(momentum=0.9), 0.1, total_steps=4,
                                                          base_momentum=[1, 2, 3],
                                                          max_momentum=[1]),
        "onecycle_overrun": overrun,
        "base_get_lr": lambda: S.LRScheduler(mk()),
    }


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_warnings_and_errors(name):
    assert _messages(_cases()[name]) == MESSAGES[name]


def test_callables_and_nested_state():
    S = torch.optim.lr_scheduler
    o = _opt(torch)
    fn = _Scale(0.5)
    s = S.LambdaLR(o, [fn, _inv])
    assert s.state_dict()["lr_lambdas"] == STATE["lambda_sd"]
    fn2 = _Scale(0.1)
    S.LambdaLR(_opt(torch), [fn2, _inv]).load_state_dict(s.state_dict())
    assert fn2.k == 0.5
    o = _opt(torch, momentum=0.9)
    s = S.CyclicLR(o, 0.01, 0.1, scale_fn=_Scale(0.7))
    assert s.state_dict()["_scale_fn_custom"] == STATE["cyc_sd"]
    o = _opt(torch)
    s = S.SequentialLR(o, [S.ConstantLR(o, 0.5, 2), S.ExponentialLR(o, 0.9)], [2])
    assert sorted(s.state_dict()) == STATE["seq_keys"]
    assert [sorted(x) for x in s.state_dict()["_schedulers"]] == STATE["seq_inner"]
    o = _opt(torch, momentum=0.9)
    S.OneCycleLR(o, 0.1, total_steps=4)
    assert sorted(o.param_groups[0]) == STATE["onecycle_groups"]
    o = _opt(torch, momentum=0.9)
    s = S.OneCycleLR(o, 0.1, total_steps=10, three_phase=True, pct_start=0.25)
    assert s.state_dict()["_schedule_phases"] == STATE["onecycle_phases"]
