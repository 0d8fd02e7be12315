"""torchlike.func against values recorded from torch 2.13's torch.func (issue 13).

Each ``case_*`` runs the same torch-style program with either library; EXPECTED holds torch's
results, recorded by running this file with real torch installed: ``python
tests/test_func_torch.py --record`` (prints the EXPECTED literal).
"""

import sys

import numpy as np


def _vals(v, out, k):
    if isinstance(v, (tuple, list)):
        for i, x in enumerate(v):
            _vals(x, out, f"{k}.{i}")
    elif isinstance(v, dict):
        for i, x in v.items():
            _vals(x, out, f"{k}.{i}")
    else:
        a = np.asarray(v.detach().numpy() if hasattr(v, "detach") else v, dtype=np.float64)
        out[k] = (list(a.shape), [float(f"{x:.8g}") for x in a.ravel()])
    return out


def _mlp(torch, seed):
    m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            v = np.sin(np.arange(p.numel()) * 0.7 + seed + i).reshape(tuple(p.shape))
            p.copy_(torch.tensor(v, dtype=torch.float32))
    return m


def _data(torch):
    x = torch.tensor(np.cos(np.arange(12) * 1.3).reshape(4, 3), dtype=torch.float32)
    y = torch.tensor(np.sin(np.arange(8) * 0.9).reshape(4, 2), dtype=torch.float32)
    return x, y


def case_grad(torch, F):
    x = torch.tensor([0.5, -1.0, 2.0])
    y = torch.tensor([1.5, 0.25, -0.5])
    return {
        "grad": F.grad(lambda a: (a.sin() * a).sum())(x),
        "gv": F.grad_and_value(lambda a, b: (a * b.exp()).sum(), argnums=(0, 1))(x, y),
        "aux": F.grad(lambda a: ((a ** 2).sum(), a.cos()), has_aux=True)(x),
        "gg": F.grad(F.grad(lambda a: a.sin() * a ** 3))(torch.tensor(0.7)),
        "f64": F.grad(lambda a: (a * a).sum())(torch.tensor([1.0, 2.0], dtype=torch.float64)),
        "dict": F.grad(lambda d: (d["w"] * d["b"]).sum())({"w": x, "b": y}),
    }


def case_vjp_jvp(torch, F):
    x = torch.tensor([0.5, -1.0, 2.0])
    y = torch.tensor([1.5, 0.25, -0.5])
    W = torch.tensor([[1., 2., 3.], [0.5, -1., 0.25]])
    out, fn = F.vjp(lambda a: torch.tanh(W @ a), x)
    o2, fn2, aux = F.vjp(lambda a, b: ((a * b, a.sum()), a.exp()), x, y, has_aux=True)
    o3, jf = F.linearize(lambda a: a.sin() * 2, x)
    return {
        "vjp": (out, fn(torch.tensor([1., -2.]))),
        "vjp2": (o2, fn2((torch.ones(3), torch.tensor(2.0))), aux),
        "jvp": F.jvp(lambda a, b: a * b.exp(), (x, y), (torch.ones(3), torch.tensor([.1, .2, .3]))),
        "jvpaux": F.jvp(lambda a: (a.sin(), a.cos()), (x,), (torch.ones(3),), has_aux=True),
        "lin": (o3, jf(torch.tensor([1., 0., -1.]))),
    }


def case_jacobians(torch, F):
    x = torch.tensor([0.5, -1.0, 2.0])
    y = torch.tensor([1.5, 0.25, -0.5])
    W = torch.tensor([[1., 2., 3.], [0.5, -1., 0.25]])
    return {
        "jacrev": F.jacrev(lambda a: torch.tanh(W @ a))(x),
        "jacrev2": F.jacrev(lambda a, b: (a * b, a.sum()), argnums=(0, 1))(x, y),
        "jacrevc": F.jacrev(lambda a: torch.tanh(W @ a), chunk_size=1)(x),
        "jacfwd": F.jacfwd(lambda a: torch.tanh(W @ a))(x),
        "jacfwdaux": F.jacfwd(lambda a: (a.exp(), a.sum()), has_aux=True)(x),
        "hess": F.hessian(lambda a: (a.sin() * a.exp()).sum())(x),
        "jrjf": F.jacrev(F.jacfwd(lambda a: a.sin() * a[0]))(x),
    }


def case_vmap(torch, F):
    X = torch.tensor([[1., 2., 3.], [4., 5., 6.]])
    y = torch.tensor([1.5, 0.25, -0.5])
    return {
        "vmap": F.vmap(lambda a, b: a @ b, in_dims=(0, None))(X, y),
        "dim1": F.vmap(lambda a: a.sum(0), in_dims=1)(X),
        "neg": F.vmap(lambda a: a * 2, in_dims=-1)(X),
        "out1": F.vmap(lambda a: torch.outer(a, a), out_dims=1)(X),
        "outs": F.vmap(lambda a: (a.sum(), a * 2), out_dims=(0, 1))(X),
        "outnone": F.vmap(lambda a: (a * 2, y), out_dims=(0, None))(X),
        "nested": F.vmap(F.vmap(lambda a, b: a * b), in_dims=(0, None))(X, X[0]),
        "tree": F.vmap(lambda d: d["a"] * d["b"][0],
                       in_dims=({"a": 0, "b": (None,)},))({"a": X, "b": (y,)}),
        "chunk": F.vmap(lambda a: a.exp().sum(), chunk_size=1)(X),
        "kw": F.vmap(lambda a, s=1.0: a * s)(X, s=3.0),
        "vgrad": F.vmap(F.grad(lambda a, b: (a * b).sin().sum()), in_dims=(0, None))(X, y),
        "vjac": F.vmap(F.jacrev(lambda a: a.sin() * a.sum()))(X),
    }


def case_per_sample_grads(torch, F):
    # https://pytorch.org/tutorials/intermediate/per_sample_grads.html on a small MLP
    model = _mlp(torch, 0)
    data, targets = _data(torch)
    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}

    def compute_loss(params, buffers, sample, target):
        pred = F.functional_call(model, (params, buffers), (sample.unsqueeze(0),))
        return torch.nn.functional.mse_loss(pred, target.unsqueeze(0))

    return {"psg": F.vmap(F.grad(compute_loss), in_dims=(None, None, 0, 0))(
        params, buffers, data, targets)}


def case_ensembling(torch, F):
    # https://pytorch.org/tutorials/intermediate/ensembling.html on small MLPs
    data, _ = _data(torch)
    models = [_mlp(torch, s) for s in range(3)]
    params, buffers = F.stack_module_state(models)
    base = _mlp(torch, 7)

    def fmodel(params, buffers, x):
        return F.functional_call(base, (params, buffers), (x,))

    same = F.vmap(fmodel, in_dims=(0, 0, None))(params, buffers, data)
    minib = F.vmap(fmodel)(params, buffers, data[:3].unsqueeze(1).expand(3, 2, 3))
    # The stacked parameters are leaves: eager backward reaches them through vmap.
    same.sum().backward()
    return {"stack": params, "rg": [float(p.requires_grad) for p in params.values()],
            "same": same, "minib": minib, "grads": {k: v.grad for k, v in params.items()}}


def case_outer_autograd(torch, F):
    data, _ = _data(torch)
    w = torch.tensor([0.3, -0.2, 0.1], requires_grad=True)
    g = F.grad(lambda w_: ((data @ w_).tanh() ** 2).sum())(w)
    (g * torch.tensor([1., 2., 3.])).sum().backward()
    return {"g": g, "wgrad": w.grad}


def case_functional_call(torch, F):
    lin = torch.nn.Linear(2, 2)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[1., 2.], [3., 4.]]))
        lin.bias.copy_(torch.tensor([0.5, -0.5]))

    class Tied(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Linear(2, 2, bias=False)
            self.b = torch.nn.Linear(2, 2, bias=False)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))

    t = Tied()
    with torch.no_grad():
        t.a.weight.copy_(torch.tensor([[1., 0.], [2., 1.]]))
    x = torch.tensor([[1., 2.]])
    return {
        "one": F.functional_call(lin, {"weight": torch.eye(2)}, (x,)),
        "two": F.functional_call(lin, ({"weight": torch.eye(2)}, {"bias": torch.zeros(2)}), x),
        "kw": F.functional_call(lin, {}, (), {"input": x}),
        "tie": F.functional_call(t, {"a.weight": torch.eye(2) * 2}, (torch.tensor([1., 1.]),)),
        "untie": F.functional_call(t, {"a.weight": torch.eye(2) * 2}, (torch.tensor([1., 1.]),),
                                   tie_weights=False),
        "jacp": F.jacrev(lambda pr: F.functional_call(lin, pr, (torch.tensor([1., 2.]),)))(
            dict(lin.named_parameters())),
        "after": lin.weight,  # the module's own parameters are back
    }


CASES = {n[5:]: f for n, f in list(globals().items()) if n.startswith("case_")}

EXPECTED = {
    'grad': {
        'grad.grad': ([3], [0.91821682, -1.3817732, 0.077003717]),
        'grad.gv.0.0': ([3], [4.481689, 1.2840254, 0.60653067]),
        'grad.gv.0.1': ([3], [2.2408445, -1.2840254, 1.2130613]),
        'grad.gv.1': ([], [2.1698804]),
        'grad.aux.0': ([3], [1.0, -2.0, 4.0]),
        'grad.aux.1': ([3], [0.87758255, 0.54030234, -0.41614684]),
        'grad.gg': ([], [4.7333837]),
        'grad.f64': ([2], [2.0, 4.0]),
        'grad.dict.w': ([3], [1.5, 0.25, -0.5]),
        'grad.dict.b': ([3], [0.5, -1.0, 2.0]),
    },
    'vjp_jvp': {
        'vjp_jvp.vjp.0': ([2], [0.99975324, 0.94137555]),
        'vjp_jvp.vjp.1.0': ([3], [-0.1133186, 0.22861107, -0.055425636]),
        'vjp_jvp.vjp2.0.0': ([3], [0.75, -0.25, -1.0]),
        'vjp_jvp.vjp2.0.1': ([], [1.5]),
        'vjp_jvp.vjp2.1.0': ([3], [3.5, 2.25, 1.5]),
        'vjp_jvp.vjp2.1.1': ([3], [0.5, -1.0, 2.0]),
        'vjp_jvp.vjp2.2': ([3], [1.6487212, 0.36787945, 7.3890562]),
        'vjp_jvp.jvp.0': ([3], [2.2408445, -1.2840254, 1.2130613]),
        'vjp_jvp.jvp.1': ([3], [4.7057734, 1.0272204, 0.97044909]),
        'vjp_jvp.jvpaux.0': ([3], [0.47942555, -0.84147096, 0.90929741]),
        'vjp_jvp.jvpaux.1': ([3], [0.87758255, 0.54030234, -0.41614684]),
        'vjp_jvp.jvpaux.2': ([3], [0.87758255, 0.54030234, -0.41614684]),
        'vjp_jvp.lin.0': ([3], [0.9588511, -1.6829419, 1.8185948]),
        'vjp_jvp.lin.1': ([3], [1.7551651, 0.0, 0.83229369]),
    },
    'jacobians': {
        'jacobians.jacrev': ([2, 3], [0.00049346557, 0.00098693115, 0.0014803967, 0.056906033,
            -0.11381207, 0.028453017]),
        'jacobians.jacrev2.0.0': ([3, 3], [1.5, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0, 0.0, -0.5]),
        'jacobians.jacrev2.0.1': ([3, 3], [0.5, -0.0, 0.0, 0.0, -1.0, 0.0, 0.0, -0.0, 2.0]),
        'jacobians.jacrev2.1.0': ([3], [1.0, 1.0, 1.0]),
        'jacobians.jacrev2.1.1': ([3], [0.0, -0.0, 0.0]),
        'jacobians.jacrevc': ([2, 3], [0.00049346557, 0.00098693115, 0.0014803967, 0.056906033,
            -0.11381207, 0.028453017]),
        'jacobians.jacfwd': ([2, 3], [0.00049346557, 0.00098693115, 0.0014803967, 0.056906033,
            -0.11381207, 0.028453017]),
        'jacobians.jacfwdaux.0': ([3, 3], [1.6487212, 0.0, 0.0, 0.0, 0.36787945, 0.0, 0.0, 0.0,
            7.3890562]),
        'jacobians.jacfwdaux.1': ([], [1.5]),
        'jacobians.hess': ([3, 3], [2.8937778, 0.0, 0.0, 0.0, 0.39753222, 0.0, 0.0, 0.0,
            -6.1498652]),
        'jacobians.jrjf': ([3, 3, 3], [1.5154524, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.54030234, 0.0, 0.54030234, 0.42073548, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.41614684,
            0.0, 0.0, 0.0, -0.41614684, 0.0, -0.4546487]),
    },
    'vmap': {
        'vmap.vmap': ([2], [0.5, 4.25]),
        'vmap.dim1': ([3], [5.0, 7.0, 9.0]),
        'vmap.neg': ([3, 2], [2.0, 8.0, 4.0, 10.0, 6.0, 12.0]),
        'vmap.out1': ([3, 2, 3], [1.0, 2.0, 3.0, 16.0, 20.0, 24.0, 2.0, 4.0, 6.0, 20.0, 25.0,
            30.0, 3.0, 6.0, 9.0, 24.0, 30.0, 36.0]),
        'vmap.outs.0': ([2], [6.0, 15.0]),
        'vmap.outs.1': ([3, 2], [2.0, 8.0, 4.0, 10.0, 6.0, 12.0]),
        'vmap.outnone.0': ([2, 3], [2.0, 4.0, 6.0, 8.0, 10.0, 12.0]),
        'vmap.outnone.1': ([3], [1.5, 0.25, -0.5]),
        'vmap.nested': ([2, 3], [1.0, 4.0, 9.0, 4.0, 10.0, 18.0]),
        'vmap.tree': ([2, 3], [1.5, 0.5, -1.5, 6.0, 1.25, -3.0]),
        'vmap.chunk': ([2], [30.192875, 606.44012]),
        'vmap.kw': ([2, 3], [3.0, 6.0, 9.0, 12.0, 15.0, 18.0]),
        'vmap.vgrad': ([2, 3], [0.1061058, 0.21939564, -0.035368599, 1.4402554, 0.078830592,
            0.49499625]),
        'vmap.vjac': ([2, 3, 3], [4.0832853, 0.84147096, 0.84147096, 0.90929741, -1.5875835,
            0.90929741, 0.14112, 0.14112, -5.7988348, -10.561457, -0.7568025, -0.7568025,
            -0.95892429, 3.2960086, -0.95892429, -0.27941549, -0.27941549, 14.123138]),
    },
    'per_sample_grads': {
        'per_sample_grads.psg.0.weight': ([4, 4, 3], [3.4184606, 0.91443419, -2.9292405,
            0.098519467, 0.026353842, -0.084420227, -0.082972884, -0.022195149, 0.071098536,
            -1.6654177, -0.44549727, 1.4270777, -0.041118421, 0.026537828, 0.055316098,
            -0.58693826, 0.37880996, 0.78960073, -0.20198664, 0.13036217, 0.2717301, 0.0718624,
            -0.046379991, -0.09667559, 0.06038402, -1.0606393, -0.62782353, 0.016762342,
            -0.29442888, -0.17428111, -0.0010717881, 0.018825851, 0.011143574, -0.01867475,
            0.32802013, 0.19416474, 0.61146617, 0.85681921, -0.15306987, 0.11089998, 0.15539901,
            -0.027761873, -0.14083266, -0.19734229, 0.035255, -1.3153597, -1.8431526, 0.32927734]),
        'per_sample_grads.psg.0.bias': ([4, 4], [3.4184606, 0.098519467, -0.082972884,
            -1.6654177, 0.056642227, 0.80853033, 0.27824447, -0.098993257, 1.1191465, 0.31067023,
            -0.019864326, -0.34611443, 0.94420874, 0.17124861, -0.21746983, -2.0311413]),
        'per_sample_grads.psg.2.weight': ([4, 2, 4], [0.19083121, 1.1121763, 0.093068376,
            -0.62098706, -0.41823032, -2.4374726, -0.20397092, 1.3609704, -0.61918831,
            -0.11322021, -0.14500493, -0.54999208, -1.5237556, -0.27862272, -0.35684147,
            -1.3534712, -0.32074788, 0.74693549, 0.98671854, -0.83744371, 0.094353229,
            -0.21972327, -0.29025936, 0.24634774, 1.6020606, 1.7982231, -1.1089703, 0.85098416,
            -1.5013016, -1.6851269, 1.0392234, -0.79746294]),
        'per_sample_grads.psg.2.bias': ([4, 2], [1.1374149, -2.4927862, -0.63782519, -1.5696189,
            1.030632, -0.30317724, 1.878602, -1.7604505]),
    },
    'ensembling': {
        'ensembling.stack.0.weight': ([3, 4, 3], [0.0, 0.64421767, 0.98544973, 0.86320937,
            0.33498815, -0.35078323, -0.87157577, -0.98245263, -0.63126665, 0.0168139,
            0.65698659, 0.98816824, 0.84147096, 0.99166483, 0.6754632, 0.041580662, -0.61185789,
            -0.97753012, -0.88345468, -0.37387666, 0.31154135, 0.85043663, 0.98935825,
            0.66296923, 0.90929741, 0.42737988, -0.25554112, -0.81827712, -0.99616462,
            -0.7055403, -0.083089404, 0.57843977, 0.96791965, 0.90217185, 0.41211849,
            -0.27176061]),
        'ensembling.stack.0.bias': ([3, 4], [0.84147096, 0.99166483, 0.6754632, 0.041580662,
            0.90929741, 0.42737988, -0.25554112, -0.81827712, 0.14112, -0.52983612, -0.9516021,
            -0.92581469]),
        'ensembling.stack.2.weight': ([3, 2, 4], [0.90929741, 0.42737988, -0.25554112,
            -0.81827712, -0.99616462, -0.7055403, -0.083089404, 0.57843977, 0.14112, -0.52983612,
            -0.9516021, -0.92581469, -0.46460217, 0.21511999, 0.79366785, 0.99894136, -0.7568025,
            -0.99992323, -0.7727645, -0.18216251, 0.49411336, 0.93799996, 0.94073057, 0.50102085]),
        'ensembling.stack.2.bias': ([3, 2], [0.14112, -0.52983612, -0.7568025, -0.99992323,
            -0.95892429, -0.55068552]),
        'ensembling.rg.0': ([], [1.0]),
        'ensembling.rg.1': ([], [1.0]),
        'ensembling.rg.2': ([], [1.0]),
        'ensembling.rg.3': ([], [1.0]),
        'ensembling.same': ([3, 4, 2], [1.1374149, -1.7094593, 0.33602244, -1.1422391,
            0.58811164, -1.2807074, 1.1058376, -1.7436366, 0.044741571, -2.2232425, -0.42702648,
            -1.4988906, -0.27632642, -1.7070246, -0.29522088, -1.628315, -0.19309282, -1.5595086,
            0.15416491, -1.7229092, -0.6551519, -1.2950513, -0.20721436, -1.5293323]),
        'ensembling.minib': ([3, 2, 2], [1.1374149, -1.7094593, 1.1374149, -1.7094593,
            -0.42702648, -1.4988906, -0.42702648, -1.4988906, -0.6551519, -1.2950513, -0.6551519,
            -1.2950513]),
        'ensembling.grads.0.weight': ([3, 4, 3], [-0.10036679, 0.02792629, 0.1153073, 0.16114523,
            -0.025464542, -0.1747687, -0.2476466, -0.41387203, 0.026226025, -0.25154147,
            -0.16960363, 0.16080393, -0.041219961, 0.20741469, 0.15218633, -0.19104081,
            -0.34200776, 0.0080674626, 0.021994684, 0.040013459, -0.00058758631, 0.056828737,
            0.095979631, -0.0054798629, 0.01224298, 0.063726254, 0.021850403, -0.014979953,
            0.011593742, 0.021182578, -0.014413536, 0.17027321, 0.1055093, 0.46814364, 0.2792767,
            -0.31873131]),
        'ensembling.grads.0.bias': ([3, 4], [-0.19157034, -0.43695602, -0.90636063, -0.50196362,
            -0.43094054, -0.63608599, -0.35305604, 0.19462737, -0.59876662, -0.090193987,
            0.29756838, 0.76067919]),
        'ensembling.grads.2.weight': ([3, 2, 4], [1.6801361, 2.8372693, 0.67624211, -0.043236226,
            1.6801361, 2.8372693, 0.67624211, -0.043236226, 2.4123201, 1.0999765, -1.39441,
            -1.0680701, 2.4123201, 1.0999765, -1.39441, -1.0680701, 1.1170847, -1.8703634,
            -2.1529243, -1.3498507, 1.1170847, -1.8703634, -2.1529243, -1.3498507]),
        'ensembling.grads.2.bias': ([3, 2], [4.0, 4.0, 4.0, 4.0, 4.0, 4.0]),
    },
    'outer_autograd': {
        'outer_autograd.g': ([3], [0.61424613, -0.38699692, -0.82128859]),
        'outer_autograd.wgrad': ([3], [-3.4305234, 11.62639, 9.6506138]),
    },
    'functional_call': {
        'functional_call.one': ([1, 2], [1.5, 1.5]),
        'functional_call.two': ([1, 2], [1.0, 2.0]),
        'functional_call.kw': ([1, 2], [5.5, 10.5]),
        'functional_call.tie': ([2], [4.0, 4.0]),
        'functional_call.untie': ([2], [2.0, 6.0]),
        'functional_call.jacp.weight': ([2, 2, 2], [1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0]),
        'functional_call.jacp.bias': ([2, 2], [1.0, 0.0, 0.0, 1.0]),
        'functional_call.after': ([2, 2], [1.0, 2.0, 3.0, 4.0]),
    },
}


def _record():
    import torch
    from torch import func as F

    res = {}
    for name, case in CASES.items():
        res[name] = _vals(case(torch, F), {}, name)
    print("EXPECTED = {")
    for name, vals in res.items():
        print(f"    {name!r}: {{")
        for k, (shape, flat) in vals.items():
            line, lines = f"        {k!r}: ({shape}, [", []
            for x in flat:
                item = f"{x!r}, "
                if len(line) + len(item) > 98:
                    lines.append(line.rstrip())
                    line = "            "
                line += item
            lines.append(line.rstrip().rstrip(",") + "]),")
            print("\n".join(lines))
        print("    },")
    print("}")


# ---------------------------------------------------------------- tests (torchlike)


def _check(name):
    import torchlike
    from torchlike import func as F

    got = _vals(CASES[name](torchlike, F), {}, name)
    exp = EXPECTED[name]
    assert sorted(got) == sorted(exp)
    for k, (shape, flat) in exp.items():
        gshape, gflat = got[k]
        assert gshape == shape, k
        np.testing.assert_allclose(gflat, flat, rtol=1e-5, atol=1e-6, err_msg=k)


def test_grad():
    _check("grad")


def test_vjp_jvp_linearize():
    _check("vjp_jvp")


def test_jacobians():
    _check("jacobians")


def test_vmap():
    _check("vmap")


def test_per_sample_grads():
    _check("per_sample_grads")


def test_ensembling():
    _check("ensembling")


def test_outer_autograd_through_grad():
    _check("outer_autograd")


def test_functional_call():
    _check("functional_call")


if __name__ == "__main__" and "--record" in sys.argv:
    _record()


# Errors: types and messages as torch 2.13 raises them.
_ERRORS = [
    (lambda F, t: F.grad(lambda x: x.sin())(t.tensor([1., 2.])), RuntimeError,
     "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got tensor with 1 "
     "dims. Maybe you wanted to use the vjp or jacrev APIs instead?"),
    (lambda F, t: F.grad(lambda x: x.sum())(t.tensor([1, 2])), RuntimeError,
     "only Tensors of floating point dtype can require gradients"),
    (lambda F, t: F.grad(lambda x, y: x * y, argnums=1)(t.ones(()), 2.0), ValueError,
     "Thing passed to transform API must be Tensor, got <class 'float'>"),
    (lambda F, t: F.grad(lambda x: x.sum(), argnums=(0, 0))(t.ones(2)), RuntimeError,
     "argnums elements must be unique, got (0, 0)"),
    (lambda F, t: F.grad(lambda x: x.sum(), argnums=2)(t.ones(2)), RuntimeError,
     "Got argnum=2, but only 1 positional inputs"),
    (lambda F, t: F.grad(lambda x: x.sum(), has_aux=True)(t.ones(2)), RuntimeError,
     "grad_and_value(f)(*args): output of function f should be a tuple: (output, aux) if has_aux "
     "is True"),
    (lambda F, t: F.vmap(lambda x, y: x * y)(t.ones(2, 3), t.ones(3, 3)), ValueError,
     "vmap: Expected all tensors to have the same size in the mapped dimension, got sizes [2, 3] "
     "for the mapped dimension"),
    (lambda F, t: F.vmap(lambda x, y: x * y, in_dims=(0, 0))(t.ones(2, 3), 2.0), ValueError,
     "vmap(<lambda>, in_dims=(0, 0), ...)(<inputs>): Got in_dim=0 for an input but the input is "
     "of type <class 'float'>. We cannot vmap over non-Tensor arguments, please use None as the "
     "respective in_dim"),
    (lambda F, t: F.vmap(lambda x: x, in_dims=2)(t.ones(2, 3)), ValueError,
     "vmap(<lambda>, in_dims=2, ...)(<inputs>): Got in_dim=2 for some input, but that input is a "
     "Tensor of dimensionality 2 so expected in_dim to satisfy -2 <= in_dim < 2."),
    (lambda F, t: F.vmap(lambda x, y: x, in_dims=(0,))(t.ones(2), t.ones(2)), ValueError,
     "vmap(<lambda>, in_dims=(0,), ...)(<inputs>): in_dims is not compatible with the structure "
     "of `inputs`. in_dims has structure TreeSpec(tuple, None, [*]) but inputs has structure "
     "TreeSpec(tuple, None, [*,\n  *])."),
    (lambda F, t: F.vmap(lambda x: 3)(t.ones(2)), ValueError,
     "vmap(<lambda>, ...): `<lambda>` must only return Tensors, got type <class 'int'>. Did you "
     "mean to set out_dims= to None for output?"),
    (lambda F, t: F.vmap(lambda x: x, out_dims=None)(t.ones(2)), ValueError,
     "vmap(<lambda>, ...): `<lambda>` can not return a BatchedTensor when out_dim is None"),
    (lambda F, t: F.vmap(lambda x: x + t.rand(3))(t.ones(2, 3)), RuntimeError,
     "vmap: called random operation while in randomness error mode. Please either use the 'same' "
     "or 'different' randomness flags on vmap or perform the randomness operation out of vmap"),
    (lambda F, t: F.vmap(lambda x: x, randomness="foo"), RuntimeError,
     "Only allowed values for randomness are 'error', 'different', or 'same'. Got foo"),
    (lambda F, t: F.vjp(lambda x: x.int(), t.ones(2)), RuntimeError,
     "vjp(f, ...): All outputs of f must be floating-point or complex Tensors, got Tensor with "
     "dtype torch.int32"),
    (lambda F, t: F.vjp(lambda x: x.sin(), t.ones(2))[1]((t.ones(2),)), RuntimeError,
     "Expected pytree structure of cotangents to be the same as pytree structure of outputs to the "
     "function. cotangents: (*,), primal output: *"),
    (lambda F, t: F.jvp(lambda x: x, t.ones(2), t.ones(2)), RuntimeError,
     "jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be valid to call "
     "f(*primals)."),
    (lambda F, t: F.jvp(lambda x: t.ones(2), (t.ones(2),), (t.ones(2),), strict=True),
     RuntimeError, "jvp(f, primals, tangents, strict=True): The output of f is independent of the "
     "inputs. This is not allowed with strict=True."),
    (lambda F, t: F.jacrev(lambda x: x, chunk_size=0), ValueError,
     "jacrev: `chunk_size` should be greater than 0."),
    (lambda F, t: F.stack_module_state([]), RuntimeError,
     "stack_module_state: Expected at least one model, got 0."),
    (lambda F, t: F.functional_call(t.nn.Linear(1, 1), ({"weight": t.ones(1, 1)},
                                                         {"weight": t.ones(1, 1)}), t.ones(1)),
     ValueError, "['weight'] appeared in multiple dictionaries; behavior of functional call is "
     "ambiguous"),
]


def test_errors_as_torch():
    import pytest

    import torchlike
    from torchlike import func as F

    for fn, exc, msg in _ERRORS:
        with pytest.raises(exc) as info:
            fn(F, torchlike)
        assert str(info.value) == msg


def test_vmap_randomness():
    import torchlike as torch
    from torchlike.func import vmap

    torch.manual_seed(0)
    r = vmap(lambda a: a + torch.rand(3), randomness="same")(torch.zeros(4, 3))
    assert bool((r == r[0]).all())
    r = vmap(lambda a: a + torch.rand(3), randomness="different")(torch.zeros(4, 3))
    assert r.shape == (4, 3) and bool((r[0] != r[1]).all()) and bool((r[2] != r[3]).all())
    # chunks of a 'same' vmap draw the same numbers (torch restores the RNG state per chunk)
    r = vmap(lambda a: torch.nn.functional.dropout(a, 0.5), randomness="same", chunk_size=2)(
        torch.ones(4, 50))
    assert bool((r == r[0]).all())
    r = vmap(lambda a: torch.nn.functional.dropout(a, 0.5), randomness="different")(
        torch.ones(4, 50))
    assert bool((r[0] != r[1]).any())


def test_backward_inside_grad_runs_on_tracers():
    # torch refuses backward() inside a transform; torchlike's eager autograd runs on tracers.
    import torchlike as torch
    from torchlike.func import grad

    def inner(a):
        z = torch.tensor([1.5, -0.5], requires_grad=True)
        (z ** 3).sum().backward()
        return (a * z.grad * a).sum()

    np.testing.assert_allclose(grad(inner)(torch.tensor([1., 2.])).numpy(), [13.5, 3.0])
