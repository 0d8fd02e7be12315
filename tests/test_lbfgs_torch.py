"""LBFGS against float64 runs recorded from torch 2.13 (the fixtures in compat_tests cover float32).

Evaluation counts are exact; values agree to float64 rounding carried through a few
quasi-Newton iterations.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torchlike")

def _problem(torch, dtype):
    a = torch.tensor([1.5, -0.7, 0.3], dtype=dtype, requires_grad=True)
    b = torch.tensor([[0.2, -1.1], [0.9, 0.4]], dtype=dtype, requires_grad=True)

    def loss():
        x = torch.cat([a, b.reshape(-1)])
        return ((1 - x[:-1]) ** 2).sum() + 2.0 * ((x[1:] - x[:-1] ** 2) ** 2).sum()

    return [a, b], loss


CONFIGS = {
    "wolfe": dict(line_search_fn="strong_wolfe"),
    "wolfe_budget": dict(line_search_fn="strong_wolfe", history_size=2, max_iter=9, max_eval=11),
    "wolfe_loose": dict(line_search_fn="strong_wolfe", tolerance_change=1e-3,
                        tolerance_grad=1e-3),
    "fixed_step": dict(lr=0.3, max_iter=7, history_size=2),
    # a short first step makes the search extrapolate, a long one makes it zoom
    "wolfe_extrapolate": dict(line_search_fn="strong_wolfe", lr=0.01, max_iter=6),
    "wolfe_zoom": dict(line_search_fn="strong_wolfe", lr=30.0, max_iter=6),
}


def _run(torch, name, steps=3):
    params, loss = _problem(torch, torch.float64)
    opt = torch.optim.LBFGS(params, **CONFIGS[name])

    def closure():
        opt.zero_grad()
        value = loss()
        value.backward()
        return value

    out = []
    for _ in range(steps):
        value = opt.step(closure)
        st = opt.state[params[0]]
        flat = [p.detach().reshape(-1).tolist() for p in params]
        out.append({"loss": float(value.detach()), "params": flat,
                    "func_evals": st["func_evals"], "n_iter": st["n_iter"]})
    return out, sorted(opt.state[params[0]])


EXPECTED = {'fixed_step': ([{'func_evals': 7,
                  'loss': 29.319000000000003,
                  'n_iter': 7,
                  'params': [[0.8518130643272378, 0.3614768329669873, 0.3341580876581002],
                             [0.24840588705403524, -0.2502987403916553, 0.5760775022317414,
                              0.458029927638249]]},
                 {'func_evals': 14,
                  'loss': 4.3199792941075,
                  'n_iter': 14,
                  'params': [[0.9981786956265107, 0.9899491578269712, 0.965490057894978],
                             [0.902741872908421, 0.8073663913245763, 0.5917232695563626,
                              0.23148015721257884]]},
                 {'func_evals': 21,
                  'loss': 0.2522890071974819,
                  'n_iter': 21,
                  'params': [[0.9986104828692433, 0.9984656712640472, 0.9913232350684845],
                             [0.9766332837603282, 0.9562964555783158, 0.9062076213972659,
                              0.7967117635629184]]}],
                ['H_diag', 'al', 'd', 'func_evals', 'n_iter', 'old_dirs', 'old_stps',
                 'prev_flat_grad', 'prev_loss', 'ro', 't']),
 'wolfe': ([{'func_evals': 23,
             'loss': 29.319000000000003,
             'n_iter': 20,
             'params': [[1.0000019501330075, 0.9999984183438582, 0.9999995719007149],
                        [1.000002617358915, 0.9999977271616336, 1.0000036554170966,
                         1.0000056737587473]]},
            {'func_evals': 24,
             'loss': 3.8366617388692436e-10,
             'n_iter': 21,
             'params': [[1.0000019501330075, 0.9999984183438582, 0.9999995719007149],
                        [1.000002617358915, 0.9999977271616336, 1.0000036554170966,
                         1.0000056737587473]]},
            {'func_evals': 25,
             'loss': 3.8366617388692436e-10,
             'n_iter': 22,
             'params': [[1.0000019501330075, 0.9999984183438582, 0.9999995719007149],
                        [1.000002617358915, 0.9999977271616336, 1.0000036554170966,
                         1.0000056737587473]]}],
           ['H_diag', 'al', 'd', 'func_evals', 'n_iter', 'old_dirs', 'old_stps', 'prev_flat_grad',
            'prev_loss', 'ro', 't']),
 'wolfe_budget': ([{'func_evals': 11,
                    'loss': 29.319000000000003,
                    'n_iter': 8,
                    'params': [[0.9901721078746025, 0.9557168967315163, 0.9453027696805388],
                               [0.9191441434626456, 0.820276060971432, 0.6323854557589279,
                                0.2366265372976486]]},
                   {'func_evals': 22,
                    'loss': 0.24139672517449007,
                    'n_iter': 17,
                    'params': [[0.9981900192387345, 0.998461055006196, 0.9983702504996165],
                               [0.9984272006362801, 0.9970429455838751, 0.9931834036643945,
                                0.9839374496441027]]},
                   {'func_evals': 32,
                    'loss': 9.846018698612983e-05,
                    'n_iter': 26,
                    'params': [[0.9999869257080368, 0.9999649422525095, 0.9999520310284989],
                               [0.999897699278234, 0.999810464665479, 0.9996069017302465,
                                0.9991289687781066]]}],
                  ['H_diag', 'al', 'd', 'func_evals', 'n_iter', 'old_dirs', 'old_stps',
                   'prev_flat_grad', 'prev_loss', 'ro', 't']),
 'wolfe_extrapolate': ([{'func_evals': 7,
                         'loss': 29.319000000000003,
                         'n_iter': 2,
                         'params': [[1.2021658888447513, -0.5348003610796586, 0.324019195916959],
                                    [0.1939913203598481, -0.9668559760161061, 0.8735958183008659,
                                     0.4213623988684717]]},
                        {'func_evals': 14,
                         'loss': 17.506294713661738,
                         'n_iter': 4,
                         'params': [[0.9796384553612536, -0.29166447677972723, 0.3417845494731924],
                                    [0.19670609407047104, -0.7536052746770161, 0.792239084784893,
                                     0.4593990796529235]]},
                        {'func_evals': 21,
                         'loss': 10.55471445300648,
                         'n_iter': 6,
                         'params': [[0.8354201457309876, 0.045815359913411846, 0.3345302090327463],
                                    [0.2186826121449606, -0.4900229163163863, 0.6797789374604549,
                                     0.4737438014763443]]}],
                       ['H_diag', 'al', 'd', 'func_evals', 'n_iter', 'old_dirs', 'old_stps',
                        'prev_flat_grad', 'prev_loss', 'ro', 't']),
 'wolfe_loose': ([{'func_evals': 19,
                   'loss': 29.319000000000003,
                   'n_iter': 16,
                   'params': [[0.9997058679536455, 1.0004450873068462, 0.998212271903019],
                              [0.9996020804959885, 0.998535786685552, 0.9960621987886723,
                               0.9869077693949445]]},
                  {'func_evals': 20,
                   'loss': 0.00011561239882849725,
                   'n_iter': 17,
                   'params': [[0.9997058679536455, 1.0004450873068462, 0.998212271903019],
                              [0.9996020804959885, 0.998535786685552, 0.9960621987886723,
                               0.9869077693949445]]},
                  {'func_evals': 21,
                   'loss': 0.00011561239882849725,
                   'n_iter': 18,
                   'params': [[0.9997058679536455, 1.0004450873068462, 0.998212271903019],
                              [0.9996020804959885, 0.998535786685552, 0.9960621987886723,
                               0.9869077693949445]]}],
                 ['H_diag', 'al', 'd', 'func_evals', 'n_iter', 'old_dirs', 'old_stps',
                  'prev_flat_grad', 'prev_loss', 'ro', 't']),
 'wolfe_zoom': ([{'func_evals': 8,
                  'loss': 29.319000000000003,
                  'n_iter': 2,
                  'params': [[0.7058024211202212, 1.2102483726531772, 0.49143218089403984],
                             [0.3308113011041532, -0.024314155418766987, 0.488944166320077,
                              0.5545440445127967]]},
                 {'func_evals': 16,
                  'loss': 5.784020704839664,
                  'n_iter': 4,
                  'params': [[1.0908576087051505, 0.9683913603484716, 0.5990822166711272],
                             [0.36421165250182325, 0.02233311943927812, 0.46894953713291754,
                              0.5266748282432792]]},
                 {'func_evals': 23,
                  'loss': 2.791185737871833,
                  'n_iter': 6,
                  'params': [[0.9676392389737587, 0.7925285109017284, 0.5463535770706369],
                             [0.8252654336748746, 0.6495497982800642, 0.4829603000607497,
                              0.296016023855067]]}],
                ['H_diag', 'al', 'd', 'func_evals', 'n_iter', 'old_dirs', 'old_stps',
                 'prev_flat_grad', 'prev_loss', 'ro', 't'])}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_lbfgs_matches_torch(name):
    got, keys = _run(torch, name)
    want, want_keys = EXPECTED[name]
    assert keys == want_keys
    for g, w in zip(got, want, strict=True):
        assert (g["func_evals"], g["n_iter"]) == (w["func_evals"], w["n_iter"])
        assert g["loss"] == pytest.approx(w["loss"], rel=1e-9, abs=1e-12)
        for gp, wp in zip(g["params"], w["params"], strict=True):
            assert gp == pytest.approx(wp, rel=1e-8, abs=1e-10)
