"""nn.init and nn.utils (parametrize, parametrizations, hook-based weight/spectral norm,
fusion, clipping, parameter vectors) against values, keys and messages recorded from
torch 2.13.  Random streams differ from torch's, so random initialisers are checked by
their laws and deterministic results by value.
"""

from __future__ import annotations

import copy
import math
import pickle
import re
import warnings

import pytest

import torchlike as torch
from torchlike import nn
from torchlike.nn import init

P, PS = nn.utils.parametrize, nn.utils.parametrizations
W = [[3.0, 1.0, 0.0], [1.0, 2.0, 1.0]]


def _ar(*shape):
    return torch.arange(float(math.prod(shape))).reshape(shape)


def _close(t, expected, tol=1e-4):
    assert t.flatten().tolist() == pytest.approx(expected, abs=tol)


def _linear(weight, bias=None):
    m = nn.Linear(len(weight[0]), len(weight))
    with torch.no_grad():
        m.weight.copy_(torch.tensor(weight))
        if bias is not None:
            m.bias.copy_(torch.tensor(bias))
    return m


# ---- nn.init ------------------------------------------------------------------------------

def test_calculate_gain_table():
    ones = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
            "conv_transpose3d", "sigmoid"]
    for name in ones:
        g = init.calculate_gain(name)
        assert g == 1 and type(g) is int
    assert init.calculate_gain("tanh") == 1.6666666666666667
    assert init.calculate_gain("relu") == 1.4142135623730951
    assert init.calculate_gain("leaky_relu") == 1.4141428569978354
    assert init.calculate_gain("selu") == 0.75
    assert init.calculate_gain("leaky_relu", 0.2) == 1.3867504905630728
    assert init.calculate_gain("leaky_relu", 1) == 1.0
    for bad in (True, "x"):
        with pytest.raises(ValueError, match=f"^negative_slope {bad} not a valid number$"):
            init.calculate_gain("leaky_relu", bad)


def test_fans_and_modes():
    fans = {(3, 4): (4, 3), (6, 4, 3, 3): (36, 54), (2, 5, 7): (35, 14), (0, 3): (3, 0)}
    for shape, expected in fans.items():
        assert init._calculate_fan_in_and_fan_out(torch.empty(shape)) == expected
    with pytest.raises(ValueError, match=re.escape(
            "Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']")):
        init.kaiming_uniform_(torch.empty(3, 4), mode="fan_avg")
    with pytest.raises(ValueError, match="^Unsupported nonlinearity foo$"):
        init.kaiming_uniform_(torch.empty(3, 4), mode="FAN_OUT", nonlinearity="foo")


def test_deterministic_inits():
    assert init.eye_(torch.empty(3, 2)).tolist() == [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]
    d = init.dirac_(torch.empty(4, 2, 3, 3), groups=2)
    assert d.nonzero().tolist() == [[0, 0, 1, 1], [1, 1, 1, 1], [2, 0, 1, 1], [3, 1, 1, 1]]
    assert d.sum().item() == 4
    d5 = init.dirac_(torch.empty(2, 3, 2, 2, 2))
    assert d5.nonzero().tolist() == [[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]]
    assert init.constant_(torch.empty(2), 2.5).tolist() == [2.5, 2.5]
    with pytest.raises(ValueError, match="^Only tensors with 3, 4, or 5 dimensions are supported$"):
        init.dirac_(torch.empty(2, 2))
    with pytest.raises(ValueError, match="^dim 0 must be divisible by groups$"):
        init.dirac_(torch.empty(3, 2, 2), 4)
    with pytest.raises(ValueError, match="^Only tensors with 2 or more dimensions are supported$"):
        init.orthogonal_(torch.empty(3))
    with pytest.raises(ValueError, match="^Only tensors with 2 dimensions are supported$"):
        init.sparse_(torch.empty(3), 0.1)


def test_random_init_laws():
    g = torch.Generator().manual_seed(1)
    q = init.orthogonal_(torch.empty(4, 2, 3), gain=2.0, generator=g).reshape(4, 6)
    _close(q @ q.T, (4 * torch.eye(4)).flatten().tolist())
    tall = init.orthogonal_(torch.empty(6, 3))
    _close(tall.T @ tall, torch.eye(3).flatten().tolist())
    s = init.sparse_(torch.empty(20, 5), sparsity=0.25, std=1.0, generator=g)
    assert [int((s[:, j] == 0).sum()) for j in range(5)] == [5] * 5
    t = init.trunc_normal_(torch.empty(20000), mean=0.5, std=2.0, a=-1.0, b=1.0, generator=g)
    assert -1.0 <= t.min().item() and t.max().item() <= 1.0
    # truncated to [-0.75, 0.25] std: nearly uniform on [-1, 1], mean just below 0
    assert abs(t.mean().item() - 0.0) < 0.05
    k = init.kaiming_uniform_(torch.empty(200, 30), a=math.sqrt(5), generator=g)
    assert k.abs().max().item() <= 1 / math.sqrt(30) and k.abs().max().item() > 0.95 / math.sqrt(30)
    x = init.xavier_normal_(torch.empty(300, 200), gain=3.0, generator=g)
    assert abs(x.std().item() - 3.0 * math.sqrt(2 / 500)) < 0.005


def test_init_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        z = torch.ones(0, 3)
        assert init.kaiming_normal_(z) is z
        init.uniform(torch.empty(2))
        init.xavier_normal(torch.empty(2, 2))
        init.trunc_normal_(torch.empty(3), mean=5.0, std=1.0, a=-1, b=1)
    assert [(w.category.__name__, str(w.message)) for w in caught] == [
        ("UserWarning", "Initializing zero-element tensors is a no-op"),
        ("FutureWarning", "`nn.init.uniform` is now deprecated in favor of `nn.init.uniform_`."),
        ("FutureWarning",
         "`nn.init.xavier_normal` is now deprecated in favor of `nn.init.xavier_normal_`."),
        ("UserWarning", "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The "
                        "distribution of values may be incorrect."),
    ]
    assert [w.filename for w in caught] == [__file__] * 3 + [init.__file__]
    assert (init.uniform.__name__, init.kaiming_normal.__name__) == ("uniform", "kaiming_normal")


# ---- clip_grad, convert_parameters --------------------------------------------------------

def _grads():
    a, b, c = nn.Parameter(torch.zeros(3)), nn.Parameter(torch.zeros(2, 2)), nn.Parameter(
        torch.zeros(1))
    a.grad = torch.tensor([1.0, -2.0, 3.0])
    b.grad = torch.tensor([[0.5, -4.0], [2.0, 1.0]])
    return a, b, c


def test_clip_grad_values():
    a, b, c = _grads()
    assert nn.utils.clip_grad_norm_([a, b, c], 2.0).item() == pytest.approx(5.93717098236084)
    _close(a.grad, [0.336861, -0.673721, 1.010582])
    _close(b.grad, [0.16843, -1.347443, 0.673721, 0.336861])
    a, b, c = _grads()
    assert nn.utils.clip_grad_norm_([a, b], 100.0, norm_type=1).item() == 13.5
    _close(a.grad, [1.0, -2.0, 3.0])
    assert nn.utils.clip_grad_norm_([a, b], 1.0, norm_type=float("inf")).item() == 4.0
    _close(a.grad, [0.25, -0.5, 0.75])
    _close(b.grad, [0.125, -1.0, 0.5, 0.25])
    total = nn.utils.get_total_norm([torch.tensor([3.0, 4.0]), torch.tensor([12.0])])
    assert total.item() == 13.0
    assert nn.utils.get_total_norm(torch.tensor([3.0, 4.0]), 3).item() == pytest.approx(
        4.497941493988037)
    a.grad = torch.tensor([1.0, -2.0, 3.0])
    nn.utils.clip_grads_with_norm_([a], 1.0, torch.tensor(6.0))
    _close(a.grad, [0.166667, -0.333333, 0.5])
    a.grad = torch.tensor([1.0, -2.0, 3.0])
    nn.utils.clip_grad_value_([a, c], 1.5)
    assert a.grad.tolist() == [1.0, -1.5, 1.5] and c.grad is None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nn.utils.clip_grad_norm_((p for p in []), 1.0)
        nn.utils.clip_grad_norm([a], 1.0)
    assert [(w.category.__name__, str(w.message)) for w in caught] == [
        ("UserWarning", "`parameters` is an empty generator, no gradient clipping will occur."),
        ("FutureWarning", "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                          "`torch.nn.utils.clip_grad_norm_`."),
    ]


def test_parameters_vector():
    m = _linear([[1.0, 2.0], [3.0, 4.0]], [5.0, 6.0])
    assert nn.utils.parameters_to_vector(m.parameters()).tolist() == [1, 2, 3, 4, 5, 6]
    with pytest.raises(TypeError, match="^expected torch.Tensor, but got: list$"):
        nn.utils.vector_to_parameters([1.0], m.parameters())


# ---- fusion -------------------------------------------------------------------------------

def test_fuse_conv_and_linear_bn():
    conv, bn = nn.Conv2d(2, 3, 2).eval(), nn.BatchNorm2d(3).eval()
    with torch.no_grad():
        conv.weight.copy_(_ar(3, 2, 2, 2) / 10 - 1)
        conv.bias.copy_(torch.tensor([0.5, -1.0, 2.0]))
        bn.running_mean.copy_(torch.tensor([0.1, 0.2, -0.3]))
        bn.running_var.copy_(torch.tensor([1.5, 0.5, 2.0]))
        bn.weight.copy_(torch.tensor([2.0, -1.0, 0.5]))
        bn.bias.copy_(torch.tensor([0.0, 1.0, -2.0]))
    f = nn.utils.fuse_conv_bn_eval(conv, bn)
    _close(f.weight, [-1.63299, -1.46969, -1.30639, -1.14309, -0.97979, -0.81649, -0.6532,
                      -0.4899, 0.28284, 0.14142, -0.0, -0.14142, -0.28284, -0.42426, -0.56568,
                      -0.7071, 0.21213, 0.24749, 0.28284, 0.3182, 0.35355, 0.38891, 0.42426,
                      0.45962])
    _close(f.bias, [0.6532, 2.69704, -1.18683])
    assert isinstance(f.weight, nn.Parameter) and f.weight.requires_grad and f.bias.requires_grad
    ct, bn2 = nn.ConvTranspose2d(3, 2, 2, bias=False).eval(), nn.BatchNorm2d(2, affine=False)
    with torch.no_grad():
        ct.weight.copy_(_ar(3, 2, 2, 2) / 7)
        bn2.running_mean.copy_(torch.tensor([1.0, -1.0]))
        bn2.running_var.copy_(torch.tensor([4.0, 0.25]))
    ft = nn.utils.fuse_conv_bn_eval(ct, bn2.eval(), transpose=True)
    _close(ft.weight, [0.0, 0.07143, 0.14286, 0.21429, 1.14283, 1.42854, 1.71425, 1.99996,
                       0.57143, 0.64286, 0.71428, 0.78571, 3.4285, 3.71421, 3.99992, 4.28563,
                       1.14286, 1.21428, 1.28571, 1.35714, 5.71417, 5.99988, 6.28559, 6.5713])
    _close(ft.bias, [-0.5, 1.99996])
    assert not ft.bias.requires_grad
    lin, bn1 = _linear((_ar(2, 3) - 2).tolist(), [1.0, -1.0]).eval(), nn.BatchNorm1d(2).eval()
    with torch.no_grad():
        bn1.running_mean.copy_(torch.tensor([0.5, 1.0]))
        bn1.running_var.copy_(torch.tensor([0.5, 3.0]))
        bn1.weight.copy_(torch.tensor([1.5, -2.0]))
        bn1.bias.copy_(torch.tensor([0.25, 0.0]))
    fl = nn.utils.fuse_linear_bn_eval(lin, bn1)
    _close(fl.weight, [-4.2426, -2.1213, 0.0, -1.1547, -2.3094, -3.4641])
    _close(fl.bias, [1.31065, 2.3094])
    with pytest.raises(AssertionError, match=re.escape(
            "To fuse, linear.out_features == bn.num_features or bn.num_features == 1, got "
            "linear.out_features=4 and bn.num_features=2")):
        nn.utils.fuse_linear_bn_eval(nn.Linear(3, 4).eval(), bn1)


# ---- parametrize --------------------------------------------------------------------------

class _Sym(nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).mT


class _Scale(nn.Module):
    def forward(self, X):
        return 2 * X

    def right_inverse(self, X):
        return X / 2


class _Split(nn.Module):
    def forward(self, A, B):
        return A + B

    def right_inverse(self, X):
        return X, torch.zeros_like(X)


class _First(nn.Module):
    def forward(self, X):
        return X[0]


def test_register_stack_and_remove():
    m = _linear(_ar(3, 3).tolist())
    w0 = m.weight
    P.register_parametrization(m, "weight", _Sym())
    _close(m.weight, [0.0, 1.0, 2.0, 1.0, 4.0, 5.0, 2.0, 5.0, 8.0])
    assert type(m).__name__ == "ParametrizedLinear"
    assert m.parametrizations.weight.original is w0
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert repr(m) == (
        "ParametrizedLinear(\n  in_features=3, out_features=3, bias=True\n"
        "  (parametrizations): ModuleDict(\n    (weight): ParametrizationList(\n"
        "      (0): _Sym()\n    )\n  )\n)")
    P.register_parametrization(m, "weight", _Scale())
    _close(m.weight, [0.0, 2.0, 4.0, 2.0, 8.0, 10.0, 4.0, 10.0, 16.0])
    with pytest.raises(RuntimeError, match="^parametrization _Sym does not implement "
                                           "right_inverse.$"):
        m.weight = torch.ones(3, 3)
    with pytest.raises(ValueError, match=re.escape(
            "Registering a parametrization may not change the shape of the tensor, unless the "
            "`unsafe` flag is enabled.\nmodule.weight.shape: torch.Size([3, 3])\n"
            "parametrization(module.weight).shape: torch.Size([3])")):
        P.register_parametrization(m, "weight", _First())
    with pytest.raises(ValueError, match=re.escape(
            "Registering a parametrization may not change the shape of the tensor, unless "
            "`unsafe` flag is enabled.\nunparametrized shape: torch.Size([3, 3])\n"
            "parametrized shape: torch.Size([3])")):
        P.register_parametrization(nn.Linear(3, 3), "weight", _First())
    with pytest.raises(ValueError, match=re.escape(
            "Module 'Linear(in_features=2, out_features=2, bias=True)' does not have a "
            "parameter, a buffer, or a parametrized element with name 'foo'")):
        P.register_parametrization(nn.Linear(2, 2), "foo", _Sym())
    P.remove_parametrizations(m, "weight", leave_parametrized=False)
    _close(m.weight, _ar(9).tolist())
    assert type(m) is nn.Linear and m.weight is w0


def test_right_inverse_cache_and_leave_parametrized():
    m = _linear(_ar(2, 2).tolist())
    P.register_parametrization(m, "weight", _Scale())
    _close(m.weight, [0.0, 1.0, 2.0, 3.0])
    _close(m.parametrizations.weight.original, [0.0, 0.5, 1.0, 1.5])
    m.weight = torch.tensor([[2.0, 4.0], [6.0, 8.0]])
    _close(m.parametrizations.weight.original, [1.0, 2.0, 3.0, 4.0])
    with P.cached():
        assert m.weight is m.weight
    assert m.weight is not m.weight
    P.remove_parametrizations(m, "weight")
    _close(m.weight, [2.0, 4.0, 6.0, 8.0])
    assert type(m) is nn.Linear and list(m.state_dict()) == ["bias", "weight"]


def test_sequence_originals_transfer_and_pickling():
    m = _linear(_ar(2, 2).tolist())
    P.register_parametrization(m, "weight", _Split())
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original0",
                                    "parametrizations.weight.original1"]
    _close(m.parametrizations.weight.original1, [0.0] * 4)
    assert isinstance(m.parametrizations.weight.original0, nn.Parameter)
    m.weight = torch.ones(2, 2)
    _close(m.parametrizations.weight.original0, [1.0] * 4)
    with pytest.raises(ValueError, match=re.escape(
            "Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is "
            "parametrized in terms of a sequence of tensors.")):
        P.remove_parametrizations(m, "weight", leave_parametrized=False)
    assert P.type_before_parametrizations(m) is nn.Linear
    assert not P.is_parametrized(m, "bias") and P.is_parametrized(m)
    with pytest.raises(ValueError) as info:
        P.remove_parametrizations(m, "bias")
    assert str(info.value) == (
        "Module ParametrizedLinear(\n  in_features=2, out_features=2, bias=True\n"
        "  (parametrizations): ModuleDict(\n    (weight): ParametrizationList(\n"
        "      (0): _Split()\n    )\n  )\n) does not have a parametrization on bias")
    t = P.transfer_parametrizations_and_params(m, nn.Linear(2, 2))
    assert list(t.state_dict()) == ["bias", "parametrizations.weight.original0",
                                    "parametrizations.weight.original1"]
    assert t.parametrizations.weight.original0 is m.parametrizations.weight.original0
    with pytest.raises(RuntimeError, match=re.escape(
            "Serialization of parametrized modules is only supported through state_dict(). "
            "See:\nhttps://pytorch.org/tutorials/beginner/saving_loading_models.html"
            "#saving-loading-a-general-checkpoint-for-inference-and-or-resuming-training")):
        pickle.dumps(m)
    c = copy.deepcopy(m)
    assert type(c).__name__ == "ParametrizedLinear"
    _close(c.weight, [1.0] * 4)


# ---- parametrizations ---------------------------------------------------------------------

def test_parametrized_weight_norm():
    m = PS.weight_norm(_linear(W))
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original0",
                                    "parametrizations.weight.original1"]
    _close(m.parametrizations.weight.original0, [3.16228, 2.44949])
    _close(m.weight, [3.0, 1.0, 0.0, 1.0, 2.0, 1.0])
    whole = PS.weight_norm(_linear(W), dim=None).parametrizations.weight.original0
    assert whole.shape == () and whole.item() == pytest.approx(4.0)
    m1 = PS.weight_norm(_linear(W), dim=1)
    _close(m1.parametrizations.weight.original0, [3.16228, 2.23607, 1.0])
    with torch.no_grad():
        m1.parametrizations.weight.original0.mul_(2)
    _close(m1.weight, [6.0, 2.0, 0.0, 2.0, 4.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = nn.utils.weight_norm(_linear(W))
    new = PS.weight_norm(nn.Linear(3, 2))
    assert str(new.load_state_dict(old.state_dict())) == "<All keys matched successfully>"
    _close(new.weight, [3.0, 1.0, 0.0, 1.0, 2.0, 1.0])


def test_parametrized_spectral_norm():
    s = PS.spectral_norm(nn.Linear(3, 2))
    assert list(s.state_dict()) == ["bias", "parametrizations.weight.original",
                                    "parametrizations.weight.0._u",
                                    "parametrizations.weight.0._v"]
    sn = s.parametrizations.weight[0]
    assert sn._u.shape == (2,) and sn._v.shape == (3,)
    with torch.no_grad():
        s.parametrizations.weight.original.copy_(torch.tensor(W))
    for _ in range(30):
        _ = s.weight  # each read advances the power iteration (training mode)
    assert torch.linalg.matrix_norm(s.weight, 2).item() == pytest.approx(1.0, abs=1e-4)
    c = PS.spectral_norm(nn.ConvTranspose2d(3, 4, 2)).parametrizations.weight[0]
    assert c.dim == 1 and c._u.shape == (4,)
    b = PS.spectral_norm(nn.Linear(3, 2), name="bias")
    assert list(b.state_dict()) == ["weight", "parametrizations.bias.original"]
    with torch.no_grad():
        b.parametrizations.bias.original.copy_(torch.tensor([3.0, 4.0]))
    _close(b.bias, [0.6, 0.8])
    with pytest.raises(IndexError, match=re.escape(
            "Dimension out of range (expected to be in range of [-2, 1] but got 2)")):
        PS.spectral_norm(nn.Linear(3, 2), dim=2)
    with pytest.raises(ValueError, match="^Expected n_power_iterations to be positive, but got "
                                         "n_power_iterations=0$"):
        PS.spectral_norm(nn.Linear(3, 2), n_power_iterations=0)
    with pytest.raises(ValueError, match=re.escape(
            "Module 'Linear(in_features=3, out_features=2, bias=True)' has no parameter or "
            "buffer with name 'nope'")):
        PS.spectral_norm(nn.Linear(3, 2), name="nope")


def test_parametrized_orthogonal():
    keys = ["bias", "parametrizations.weight.original", "parametrizations.weight.0.base"]
    for kw in [{}, {"orthogonal_map": "cayley"}]:
        assert list(PS.orthogonal(nn.Linear(3, 5), **kw).state_dict()) == keys
    o = PS.orthogonal(nn.Linear(3, 5), orthogonal_map="householder", use_trivialization=False)
    assert list(o.state_dict()) == keys[:2]
    assert type(o.parametrizations.weight[0]).__name__ == "_Orthogonal"
    _close(o.weight.T @ o.weight, torch.eye(3).flatten().tolist())
    with pytest.raises(ValueError, match=re.escape(
            'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". Got: foo')):
        PS.orthogonal(nn.Linear(3, 5), orthogonal_map="foo")
    with pytest.raises(ValueError, match="^Expected a matrix or batch of matrices. Got a tensor "
                                         "of 1 dimensions.$"):
        PS.orthogonal(nn.BatchNorm1d(3))
    o = PS.orthogonal(nn.Linear(3, 3), orthogonal_map="matrix_exp", use_trivialization=False)
    with pytest.raises(NotImplementedError, match="^It is not possible to assign to the matrix "
                                                  "exponential or the Cayley parametrizations "
                                                  "when use_trivialization=False.$"):
        o.weight = torch.eye(3)
    with pytest.raises(ValueError, match=re.escape(
            "Expected a matrix or batch of matrices of shape torch.Size([3, 3]). Got a tensor "
            "of shape torch.Size([2, 2]).")):
        o.weight = torch.eye(2)
    Q = [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, -1.0]]
    for kw in [{}, {"orthogonal_map": "cayley"}, {"orthogonal_map": "householder"},
               {"orthogonal_map": "householder", "use_trivialization": False}]:
        o = PS.orthogonal(nn.Linear(3, 3), **kw)
        o.weight = torch.tensor(Q)
        _close(o.weight, sum(Q, []), tol=1e-5)


# ---- the hook-based weight_norm and spectral_norm -----------------------------------------

def test_hook_weight_norm():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = nn.utils.weight_norm(_linear(W))
    assert [(w.category.__name__, str(w.message), w.filename) for w in caught] == [
        ("FutureWarning", "`torch.nn.utils.weight_norm` is deprecated in favor of "
                          "`torch.nn.utils.parametrizations.weight_norm`.", __file__)]
    assert list(m.state_dict()) == ["bias", "weight_g", "weight_v"]
    assert m.weight_g.shape == (2, 1)
    _close(m.weight_g, [3.16228, 2.44949])
    _close(m.weight, [3.0, 1.0, 0.0, 1.0, 2.0, 1.0])
    assert not isinstance(m.weight, nn.Parameter)
    with pytest.raises(RuntimeError, match="^Cannot register two weight_norm hooks on the same "
                                           "parameter weight$"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nn.utils.weight_norm(m)
    with torch.no_grad():
        m.weight_g.mul_(3)
    m(torch.ones(1, 3))
    _close(m.weight, [9.0, 3.0, 0.0, 3.0, 6.0, 3.0])
    nn.utils.remove_weight_norm(m)
    assert list(m.state_dict()) == ["bias", "weight"] and isinstance(m.weight, nn.Parameter)
    _close(m.weight, [9.0, 3.0, 0.0, 3.0, 6.0, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert nn.utils.weight_norm(nn.Linear(3, 2), dim=None).weight_g.shape == ()


def test_hook_spectral_norm():
    s = nn.utils.spectral_norm(_linear(W))
    sd = s.state_dict()
    assert list(sd) == ["bias", "weight_orig", "weight_u", "weight_v"]
    assert sd._metadata[""] == {"version": 1, "spectral_norm": {"weight.version": 1}}
    assert s.weight_u.shape == (2,) and s.weight_v.shape == (3,)
    assert not isinstance(s.weight, nn.Parameter)
    with pytest.raises(RuntimeError, match="^Cannot register two spectral_norm hooks on the "
                                           "same parameter weight$"):
        nn.utils.spectral_norm(s)
    for _ in range(30):
        s(torch.ones(1, 3))
    assert torch.linalg.matrix_norm(s.weight, 2).item() == pytest.approx(1.0, abs=1e-4)
    nn.utils.remove_spectral_norm(s)
    assert list(s.state_dict()) == ["bias", "weight"] and isinstance(s.weight, nn.Parameter)
    assert s.state_dict()._metadata[""] == {"version": 1}
    with pytest.raises(ValueError, match=re.escape(
            "spectral_norm of 'weight' not found in Linear(in_features=3, out_features=2, "
            "bias=True)")):
        nn.utils.remove_spectral_norm(s)
    ct = nn.utils.spectral_norm(nn.ConvTranspose1d(3, 4, 2))
    assert ct.weight_u.shape == (4,) and ct.weight_v.shape == (6,)


def test_hook_spectral_norm_checkpoint_versions():
    w = torch.tensor([[3.0, 1.0, 0.5], [1.0, 2.0, 1.0]])
    u = torch.tensor([0.6, 0.8])
    # version 0 stored the normalized weight and no v: v is solved for
    s0 = nn.utils.spectral_norm(nn.Linear(3, 2))
    res = s0.load_state_dict({"weight_orig": w.clone(), "weight": w / 4.0, "weight_u": u.clone(),
                              "bias": torch.zeros(2)})
    assert str(res) == "<All keys matched successfully>"
    _close(s0.weight_v, [0.32, 1.152, 0.576])
    s0.eval()
    s0(torch.ones(1, 3))
    _close(s0.weight, [0.75, 0.25, 0.125, 0.25, 0.5, 0.25])
    s1 = nn.utils.spectral_norm(nn.Linear(3, 2))
    res = s1.load_state_dict({"weight_orig": w, "weight_u": u, "bias": torch.zeros(2)},
                             strict=False)
    assert res.missing_keys == ["weight", "weight_v"] and res.unexpected_keys == []
    # the current layout without metadata loads as it is
    s2 = nn.utils.spectral_norm(nn.Linear(3, 2))
    s2.load_state_dict({"weight_orig": w, "weight_u": u, "weight_v": torch.tensor([1.0, 0, 0]),
                        "bias": torch.zeros(2)})
    s2.eval()
    s2(torch.ones(1, 3))
    _close(s2.weight, [1.15385, 0.38462, 0.19231, 0.38462, 0.76923, 0.38462])
