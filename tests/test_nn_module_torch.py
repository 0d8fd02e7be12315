"""nn.Module core and containers: reprs, error texts, key orders and hook rules recorded from
torch 2.13 (values hard-coded; small inputs)."""

from __future__ import annotations

import re
from collections import OrderedDict

import pytest

import torchlike as torch
from torchlike import nn


def _raises(exc, text, fn):
    with pytest.raises(exc) as info:
        fn()
    assert str(info.value).replace("torchlike", "torch") == text


def test_module_list_repr_groups_repeats():
    ml = nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.Linear(2, 3), nn.Linear(2, 3), nn.Linear(2, 3),
                        nn.Tanh()])
    assert repr(ml) == ("ModuleList(\n  (0-1): 2 x ReLU()\n"
                        "  (2-4): 3 x Linear(in_features=2, out_features=3, bias=True)\n"
                        "  (5): Tanh()\n)")
    assert repr(nn.ModuleList()) == "ModuleList()"


def test_parameter_containers_repr_and_wrapping():
    pl = nn.ParameterList([nn.Parameter(torch.ones(2, 3)), torch.zeros(3, dtype=torch.float64), 5])
    assert repr(pl) == ("ParameterList(\n"
                        "    (0): Parameter containing: [torch.float32 of size 2x3]\n"
                        "    (1): Parameter containing: [torch.float64 of size 3]\n"
                        "    (2): Object of type: int\n)")
    assert [type(x).__name__ for x in pl] == ["Parameter", "Parameter", "int"]
    pl2 = nn.ParameterList([torch.ones(1), torch.ones(2), torch.ones(3)])
    assert [tuple(p.shape) for p in pl2[1:]] == [(2,), (3,)]
    assert type(pl2[1:]).__name__ == "ParameterList"
    pd = nn.ParameterDict({"a": torch.ones(1), "s": "str"})
    assert repr(pd) == ("ParameterDict(\n"
                        "    (a): Parameter containing: [torch.FloatTensor of size 1]\n"
                        "    (s): Object of type: str\n)")


def test_sequential_names_slices_and_arithmetic():
    s = nn.Sequential(OrderedDict(a=nn.ReLU(), b=nn.Tanh(), c=nn.Sigmoid()))
    assert list(s[1:]._modules) == ["b", "c"]
    del s[0]
    assert list(s._modules) == ["0", "1"]
    s2 = nn.Sequential(nn.ReLU(), nn.Tanh())
    assert list((s2 * 2)._modules) == ["0", "1", "2", "3"] and len(2 * s2) == 4
    s3 = nn.Sequential(nn.ReLU(), nn.Tanh())
    s3 *= 3
    assert list(s3._modules) == ["0", "1", "2", "3", "4", "5"] and s3[2] is s3[0]
    assert repr(nn.Sequential(nn.ReLU()).pop(0)) == "ReLU()"
    assert [x for x in dir(nn.Sequential(nn.ReLU())) if x[0].isdigit()] == []
    ml = nn.ModuleList([nn.ReLU(), nn.Tanh(), nn.Sigmoid()])
    assert [type(x).__name__ for x in ml[::-1]] == ["Sigmoid", "Tanh", "ReLU"]
    assert list(ml[::-1]._modules) == ["0", "1", "2"]
    del ml[::2]
    assert [type(x).__name__ for x in ml] == ["Tanh"] and list(ml._modules) == ["0"]
    joined = nn.ModuleList([nn.ReLU()]) + [nn.Tanh()]
    assert type(joined).__name__ == "ModuleList" and len(joined) == 2


def test_container_errors():
    s2 = nn.Sequential(nn.ReLU(), nn.Tanh())
    seq = "<class 'torch.nn.modules.container.Sequential'>"
    _raises(ValueError, f"Non-positive multiplication factor 0 for {seq}", lambda: s2 * 0)
    _raises(TypeError, f"unsupported operand type(s) for *: {seq} and <class 'float'>",
            lambda: s2 * 1.5)
    _raises(ValueError, "add operator supports only objects of Sequential class, but "
            "<class 'list'> is given.", lambda: s2 + [1])
    _raises(IndexError, "Index out of range: 5", lambda: s2.insert(5, nn.ReLU()))
    _raises(AssertionError, "module should be of type: <class 'torch.nn.modules.module.Module'>",
            lambda: s2.insert(0, 3))
    _raises(ValueError, "ModuleDict update sequence element #0 has length 3; 2 is required",
            lambda: nn.ModuleDict([(1, 2, 3)]))
    _raises(TypeError, "ModuleDict update sequence element #0 should be Iterable; isint",
            lambda: nn.ModuleDict([1]))
    _raises(TypeError, "ModuleDict.update should be called with an iterable of key/value pairs, "
            "but got int", lambda: nn.ModuleDict(5))
    _raises(ValueError, "ParameterDict update sequence element #0 has length 1; 2 is required",
            lambda: nn.ParameterDict([("a",)]))
    _raises(TypeError, "ParameterList.extend should be called with an iterable, but got Tensor",
            lambda: nn.ParameterList(torch.ones(2)))
    _raises(TypeError, "Index given to ParameterDict cannot be used as a key as it is not a "
            "string (type is 'int'). Open an issue on github if you need non-string keys.",
            lambda: nn.ParameterDict()[1])
    _raises(IndexError, "index 0 is out of range", lambda: nn.ModuleList()[0])


def test_parameter_dict_orders():
    one = lambda: nn.Parameter(torch.ones(1))  # noqa: E731
    assert list(nn.ParameterDict({"z": one(), "a": one()})) == ["a", "z"]  # plain dict: sorted
    pd2 = nn.ParameterDict(OrderedDict(z=one(), a=one()))
    assert list(pd2) == ["z", "a"]
    pd3 = nn.ParameterDict()
    pd3.update({"z": torch.ones(1), "a": torch.ones(1)})
    assert list(pd3) == ["a", "z"]
    pd = nn.ParameterDict({"z": one(), "a": one()})
    assert pd.popitem()[0] == "z" and list(pd) == ["a"]
    assert list(nn.ParameterDict().fromkeys(["x", "y"], torch.ones(1))) == ["x", "y"]
    assert list(pd2 | nn.ParameterDict({"q": torch.ones(1)})) == ["z", "a", "q"]
    assert tuple(pd2.setdefault("n", torch.zeros(2)).shape) == (2,)
    assert list(pd2) == ["z", "a", "n"] and list(reversed(pd2)) == ["n", "a", "z"]
    md = nn.ModuleDict({"a": nn.ReLU()})
    md.update([("b", nn.Tanh())])
    assert list(md) == ["a", "b"]
    md.clear()
    assert len(md) == 0


def test_load_state_dict_reports_and_messages():
    m = nn.Linear(2, 2)
    r = m.load_state_dict({"weight": torch.ones(2, 2), "extra": torch.ones(1)}, strict=False)
    assert repr(r) == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=['extra'])"
    assert repr(m.load_state_dict(m.state_dict())) == "<All keys matched successfully>"
    _raises(RuntimeError, 'Error(s) in loading state_dict for Linear:\n\tUnexpected key(s) in '
            'state_dict: "x.y". \n\tsize mismatch for weight: copying a param with shape '
            "torch.Size([3, 2]) from checkpoint, the shape in current model is "
            "torch.Size([2, 2]).",
            lambda: m.load_state_dict({"weight": torch.ones(3, 2), "bias": torch.ones(2),
                                       "x.y": torch.ones(1)}))
    _raises(RuntimeError, 'Error(s) in loading state_dict for Linear:\n\tWhile copying the '
            'parameter named "weight", expected torch.Tensor or Tensor-like object from '
            "checkpoint but received <class 'int'>",
            lambda: m.load_state_dict({"weight": 3, "bias": torch.ones(2)}))


def test_state_dict_post_hook_rules():
    m = nn.Linear(2, 2)

    def h(mod, sd, prefix, meta):
        return {}

    m.register_state_dict_post_hook(h)
    _raises(RuntimeError, "state_dict post-hook must return None", m.state_dict)
    _raises(RuntimeError, "Cannot register the same function as the state dict post hook that "
            "was previously registered via register_state_dict_post_hook",
            lambda: m._register_state_dict_hook(h))
    legacy = nn.Linear(2, 2)
    legacy._register_state_dict_hook(lambda mod, sd, prefix, meta: {"only": 1})
    assert legacy.state_dict() == {"only": 1}  # the private hook may replace the result


def test_repr_of_empty_slot_and_addindent():
    c = nn.Module()
    c.add_module("x", None)
    assert repr(c) == "Module(\n  (x): None\n)"
    assert nn.modules.module._addindent("a\nb\nc", 3) == "a\n   b\n   c"


def test_always_call_hook_runs_when_forward_raises():
    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    seen = []
    m = Boom()
    m.register_forward_hook(lambda mod, args, out: seen.append(out), always_call=True)
    m.register_forward_hook(lambda mod, args, out: seen.append("never"))
    with pytest.raises(ValueError, match="boom"):
        m(torch.ones(1))
    assert seen == [None]


def test_scalar_checkpoint_compat_and_assign():
    m = nn.Module()
    m.register_buffer("b", torch.tensor(0.0))
    m.load_state_dict({"b": torch.tensor([5.0])})
    assert m.b.item() == 5.0 and m.b.dim() == 0
    with pytest.raises(RuntimeError, match=re.escape("size mismatch for b: copying a param with "
                                                     "shape torch.Size([2]) from checkpoint")):
        m.load_state_dict({"b": torch.tensor([5.0, 6.0])})
    lin = nn.Linear(2, 1)
    new_w = torch.full((1, 2), 3.0)
    lin.load_state_dict({"weight": new_w, "bias": torch.zeros(1)}, assign=True)
    assert type(lin.weight).__name__ == "Parameter" and lin.weight.requires_grad
    assert lin.weight.tolist() == [[3.0, 3.0]]


def test_setattr_slot_messages():
    class Early(nn.Module):
        def __init__(self, value):
            self.x = value

    _raises(AttributeError, "cannot assign parameters before Module.__init__() call",
            lambda: Early(nn.Parameter(torch.ones(1))))
    _raises(AttributeError, "cannot assign module before Module.__init__() call",
            lambda: Early(nn.ReLU()))
    _raises(AttributeError, "cannot assign buffer before Module.__init__() call",
            lambda: Early(nn.Buffer(torch.ones(1))))
    m = nn.Module()
    m.register_buffer("b", torch.ones(1))
    _raises(TypeError, "cannot assign 'int' as buffer 'b' "
            "(torch.nn.Buffer, torch.Tensor or None expected)", lambda: setattr(m, "b", 3))
    m.c = nn.Buffer(torch.ones(1), persistent=False)
    assert list(m.state_dict()) == ["b"] and "c" in m._buffers


def test_global_module_registration_hook_sees_none():
    seen = []
    handle = nn.modules.module.register_module_module_registration_hook(
        lambda mod, name, value: seen.append((name, value)))
    try:
        m = nn.Module()
        m.sub = nn.ReLU()
        m.sub = None
    finally:
        handle.remove()
    assert [(n, type(v).__name__) for n, v in seen] == [("sub", "ReLU"), ("sub", "NoneType")]


def test_lazy_module_state_dict_round_trip():
    lazy = nn.LazyLinear(3)
    sd = lazy.state_dict()
    assert list(sd) == ["weight", "bias"]
    assert type(sd["weight"]).__name__ == "UninitializedParameter"
    done = nn.Linear(4, 3)
    fresh = nn.LazyLinear(3)
    fresh.load_state_dict(done.state_dict())
    assert tuple(fresh.weight.shape) == (3, 4) and torch.equal(fresh.weight, done.weight)
    assert repr(nn.UninitializedParameter()) == "<UninitializedParameter>"
    assert repr(nn.UninitializedBuffer()) == "<UninitializedBuffer>"
    assert nn.parameter.is_lazy(nn.UninitializedParameter())


def test_consume_prefix_and_tuple_helpers():
    from torchlike.nn.modules import utils as u

    sd = OrderedDict({"module.a": 1, "module.b.c": 2, "x": 3})
    sd._metadata = OrderedDict({"": {}, "module": {"v": 1}, "module.b": {}})
    u.consume_prefix_in_state_dict_if_present(sd, "module.")
    assert list(sd.items()) == [("x", 3), ("a", 1), ("b.c", 2)]
    assert list(sd._metadata.items()) == [("", {"v": 1}), ("b", {})]
    assert u._reverse_repeat_tuple((1, 2), 2) == (2, 2, 1, 1)
    assert u._pair(3) == (3, 3) and u._pair([1, 2]) == (1, 2) and u._triple.__name__ == "_triple"
    assert u._list_with_default([None, 5], [1, 2, 3, 4]) == [3, 5]
