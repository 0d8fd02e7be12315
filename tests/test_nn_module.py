"""nn.Module system: registration, traversal, state_dict, modes, conversions, hooks, repr,
containers.  Expected values and messages were checked against torch 2.13."""

from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import pytest

import torchlike as torch
from torchlike import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)
        self.scale = nn.Parameter(torch.ones(1))
        self.register_buffer("steps", torch.zeros(1))
        self.register_buffer("cache", torch.zeros(2), persistent=False)
        self.plain = 5

    def forward(self, x):
        return self.fc(x) * self.scale


def test_setattr_routes_into_dicts():
    m = Net()
    assert list(m._parameters) == ["scale"]
    assert list(m._buffers) == ["steps", "cache"]
    assert list(m._modules) == ["fc"]
    assert "plain" in m.__dict__ and "fc" not in m.__dict__
    # Reassigning a parameter name with a Tensor that is not a Parameter is an error.
    with pytest.raises(TypeError, match=r"cannot assign 'torch.FloatTensor' as parameter 'scale' "
                                        r"\(torch.nn.Parameter or None expected\)"):
        m.scale = torch.ones(1)
    with pytest.raises(TypeError, match="cannot assign 'int' as child module 'fc'"):
        m.fc = 3
    m.steps = torch.ones(1)  # a buffer accepts any tensor
    assert m._buffers["steps"] is m.steps
    m.scale = None
    assert m._parameters["scale"] is None and m.scale is None
    # A Module assigned over a plain attribute moves into _modules.
    m.plain = nn.ReLU()
    assert "plain" in m._modules and "plain" not in m.__dict__
    del m.plain
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'plain'"):
        m.plain  # noqa: B018
    del m.steps
    assert "steps" not in m._buffers


def test_registration_errors():
    m = nn.Module()
    with pytest.raises(KeyError, match=r'parameter name can.*t contain "\."'):
        m.register_parameter("a.b", nn.Parameter(torch.ones(1)))
    with pytest.raises(KeyError, match="t be empty string"):
        m.register_parameter("", None)
    with pytest.raises(TypeError, match=r"cannot assign 'torch.FloatTensor' object to parameter "
                                        r"'w' \(torch.nn.Parameter or None required\)"):
        m.register_parameter("w", torch.ones(1))
    with pytest.raises(TypeError, match="buffer name should be a string. Got int"):
        m.register_buffer(1, torch.ones(1))
    m.x = 1
    with pytest.raises(KeyError, match="attribute 'x' already exists"):
        m.register_buffer("x", torch.ones(1))
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        m.add_module("sub", 3)
    with pytest.raises(KeyError, match=r'module name can.*t contain "\.", got: a\.b'):
        m.add_module("a.b", nn.ReLU())
    w = torch.ones(2, requires_grad=True)
    m.register_parameter("p", nn.Parameter(w * 2))  # Parameter() makes a leaf
    assert m.p.is_leaf

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(torch.ones(1))

    with pytest.raises(AttributeError, match=r"cannot assign parameters before "
                                             r"Module.__init__\(\) call"):
        Early()
    with pytest.raises(TypeError, match=r"Module.__init__\(\) got an unexpected keyword argument"):
        nn.Module(foo=1)


def test_named_traversal():
    shared = nn.Linear(2, 2)
    m = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in m.named_parameters()] == ["0.weight", "0.bias"]
    assert [n for n, _ in m.named_parameters(remove_duplicate=False)] == [
        "0.weight", "0.bias", "2.weight", "2.bias"]
    assert [n for n, _ in m.named_parameters(prefix="net")] == ["net.0.weight", "net.0.bias"]
    assert [n for n, _ in m.named_modules()] == ["", "0", "1"]
    assert [n for n, _ in m.named_children()] == ["0", "1"]
    assert len(list(m.modules())) == 3
    net = Net()
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in net.named_buffers()] == ["steps", "cache"]
    assert [n for n, _ in net.named_parameters()] == ["scale", "fc.weight", "fc.bias"]


def test_state_dict_and_load():
    m = Net()
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["scale", "steps", "fc.weight", "fc.bias"]  # non-persistent left out
    assert not sd["fc.weight"].requires_grad
    assert sd["fc.weight"].data_ptr() == m.fc.weight.data_ptr()  # detached, same storage
    assert m.state_dict(keep_vars=True)["scale"] is m.scale
    assert sd._metadata[""] == {"version": 1} and "fc" in sd._metadata
    assert m.state_dict(prefix="a.")["a.scale"] is not None

    other = Net()
    w_obj = other.fc.weight
    result = other.load_state_dict(m.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert other.fc.weight is w_obj  # copied in place
    assert torch.equal(other.fc.weight, m.fc.weight)

    bad = OrderedDict(m.state_dict())
    del bad["scale"]
    bad["extra"] = torch.ones(1)
    bad["fc.weight"] = torch.ones(3, 3)
    with pytest.raises(RuntimeError) as e:
        other.load_state_dict(bad)
    assert str(e.value) == (
        "Error(s) in loading state_dict for Net:\n"
        '\tMissing key(s) in state_dict: "scale". \n'
        '\tUnexpected key(s) in state_dict: "extra". \n'
        "\tsize mismatch for fc.weight: copying a param with shape torch.Size([3, 3]) from "
        "checkpoint, the shape in current model is torch.Size([2, 3]).")
    del bad["fc.weight"]
    res = other.load_state_dict(bad, strict=False)
    assert res.missing_keys == ["scale", "fc.weight"] and res.unexpected_keys == ["extra"]
    assert repr(res) == ("_IncompatibleKeys(missing_keys=['scale', 'fc.weight'], "
                         "unexpected_keys=['extra'])")
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        other.load_state_dict([1, 2])
    # assign=True swaps in the checkpoint's tensors (as Parameters)
    fresh = nn.Linear(3, 2)
    src = {"weight": torch.zeros(2, 3), "bias": torch.ones(2)}
    fresh.load_state_dict(src, assign=True)
    assert isinstance(fresh.weight, nn.Parameter) and fresh.weight.requires_grad
    assert fresh.bias.tolist() == [1.0, 1.0]


def test_load_state_dict_under_grad_and_extra_state():
    m = nn.Linear(2, 2)
    # the input requires grad, so autograd keeps the weight: the in-place load is detected
    loss = m(torch.ones(1, 2, requires_grad=True)).sum()
    m.load_state_dict({"weight": torch.zeros(2, 2), "bias": torch.zeros(2)})
    assert m.weight.sum().item() == 0.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()

    class WithExtra(nn.Module):
        def __init__(self):
            super().__init__()
            self.note = "a"

        def get_extra_state(self):
            return {"note": self.note}

        def set_extra_state(self, state):
            self.note = state["note"]

    a, b = WithExtra(), WithExtra()
    a.note = "z"
    assert list(a.state_dict()) == ["_extra_state"]
    b.load_state_dict(a.state_dict())
    assert b.note == "z"


def test_modes_grads_apply():
    m = nn.Sequential(nn.Linear(2, 2), nn.Dropout())
    assert m.training and m[1].training
    assert m.eval() is m and not m[1].training
    m.train()
    assert m[1].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train(1)
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    m.requires_grad_()
    m(torch.ones(1, 2)).sum().backward()
    assert m[0].weight.grad is not None
    m.zero_grad(set_to_none=False)
    assert m[0].weight.grad.abs().sum().item() == 0.0
    m.zero_grad()
    assert m[0].weight.grad is None
    seen = []
    assert m.apply(lambda mod: seen.append(type(mod).__name__)) is m
    assert seen == ["Linear", "Dropout", "Sequential"]


def test_conversions():
    m = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    w = m[0].weight
    m.double()
    assert m[0].weight is w and w.dtype is torch.float64  # same Parameter object
    assert m[1].running_mean.dtype is torch.float64
    assert m[1].num_batches_tracked.dtype is torch.int64  # integer buffers untouched
    m.to(torch.float32)
    assert w.dtype is torch.float32
    m.half()
    assert w.dtype is torch.float16
    m.bfloat16().float()
    assert w.dtype is torch.float32
    m.to("cpu", dtype=torch.float64)
    assert w.dtype is torch.float64
    m.type(torch.float32)
    assert w.dtype is torch.float32
    assert m.cpu() is m
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point or complex "
                                        "dtypes, but got desired dtype=torch.int64"):
        m.to(torch.int64)
    cuda = getattr(torch, "cuda", None)
    if cuda is None or not cuda.is_available():
        with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
            m.cuda()


def test_hooks():
    m = nn.Linear(2, 2)
    calls = []

    def pre(mod, args):
        calls.append("pre")
        return (args[0] * 0,)

    def fwd(mod, args, out):
        calls.append("fwd")
        return out + 1

    h1 = m.register_forward_pre_hook(pre)
    h2 = m.register_forward_hook(fwd)
    out = m(torch.ones(1, 2))
    assert calls == ["pre", "fwd"]
    assert torch.allclose(out, m.bias + 1)
    h1.remove()
    h2.remove()
    assert not m._forward_hooks and not m._forward_pre_hooks
    kw = []
    with m.register_forward_hook(lambda mod, a, k, o: kw.append(k), with_kwargs=True):
        m(input=torch.ones(1, 2))
    assert list(kw[0]) == ["input"]
    assert not m._forward_hooks
    order = []
    m.register_forward_hook(lambda *a: order.append(1))
    m.register_forward_hook(lambda *a: order.append(0), prepend=True)
    m(torch.ones(1, 2))
    assert order == [0, 1]
    handle = nn.modules.module.register_module_forward_hook(lambda *a: order.append("g"))
    nn.ReLU()(torch.ones(1))
    handle.remove()
    assert order[-1] == "g"


def test_repr_nested():
    m = nn.Sequential(OrderedDict([
        ("conv", nn.Conv2d(1, 4, 3, stride=2, bias=False)),
        ("block", nn.Sequential(nn.Linear(4, 4), nn.ReLU(inplace=True))),
        ("heads", nn.ModuleList([nn.Linear(4, 2), nn.Linear(4, 2), nn.Tanh()])),
        ("d", nn.ModuleDict({"a": nn.Dropout(0.1)})),
    ]))
    assert repr(m) == (
        "Sequential(\n"
        "  (conv): Conv2d(1, 4, kernel_size=(3, 3), stride=(2, 2), bias=False)\n"
        "  (block): Sequential(\n"
        "    (0): Linear(in_features=4, out_features=4, bias=True)\n"
        "    (1): ReLU(inplace=True)\n"
        "  )\n"
        "  (heads): ModuleList(\n"
        "    (0-1): 2 x Linear(in_features=4, out_features=2, bias=True)\n"
        "    (2): Tanh()\n"
        "  )\n"
        "  (d): ModuleDict(\n"
        "    (a): Dropout(p=0.1, inplace=False)\n"
        "  )\n"
        ")")
    p = nn.Parameter(torch.ones(2))
    assert repr(p) == "Parameter containing:\ntensor([1., 1.], requires_grad=True)"
    pl = nn.ParameterList([nn.Parameter(torch.ones(2, 3))])
    assert repr(pl) == ("ParameterList(  (0): Parameter containing: [torch.float32 of size "
                        "2x3])")


def test_get_submodule_parameter_buffer():
    m = nn.Sequential(OrderedDict([("enc", nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)))]))
    assert m.get_submodule("enc.1") is m.enc[1]
    assert m.get_submodule("") is m
    assert m.get_parameter("enc.0.weight") is m.enc[0].weight
    assert m.get_buffer("enc.1.running_mean") is m.enc[1].running_mean
    with pytest.raises(AttributeError, match="Sequential has no attribute `nope`"):
        m.get_submodule("enc.nope")
    with pytest.raises(AttributeError, match="`weight` is not an nn.Module"):
        m.get_submodule("enc.0.weight")
    with pytest.raises(AttributeError, match="`running_mean` is not an nn.Parameter"):
        m.get_parameter("enc.1.running_mean")
    with pytest.raises(AttributeError, match="`weight` is not a buffer"):
        m.get_buffer("enc.1.weight")
    assert "enc" in dir(m) and "forward" in dir(m)


def test_sequential_ops():
    a, b, c = nn.Linear(2, 2), nn.ReLU(), nn.Tanh()
    s = nn.Sequential(a, b)
    assert len(s) == 2 and s[0] is a and s[-1] is b
    assert isinstance(s[0:1], nn.Sequential) and s[0:1][0] is a
    s.append(c)
    assert list(s) == [a, b, c]
    s.insert(0, nn.Identity())
    assert [type(x).__name__ for x in s] == ["Identity", "Linear", "ReLU", "Tanh"]
    del s[0]
    assert list(s._modules) == ["0", "1", "2"] and s[0] is a
    s.extend([nn.Sigmoid()])
    assert len(s) == 4
    with pytest.raises(IndexError, match="index 7 is out of range"):
        s[7]
    s[1] = nn.GELU()
    assert isinstance(s[1], nn.GELU)
    assert len(s + nn.Sequential(nn.ReLU())) == 5
    assert s.pop(3).__class__ is nn.Sigmoid and len(s) == 3
    x = torch.tensor([[1.0, -1.0]])
    assert torch.equal(s(x), torch.tanh(torch.nn.functional.gelu(a(x))))


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.ReLU()])
    ml.append(nn.Tanh())
    ml += [nn.Sigmoid()]
    ml.insert(1, nn.Identity())
    assert [type(x).__name__ for x in ml] == ["ReLU", "Identity", "Tanh", "Sigmoid"]
    assert isinstance(ml[1:], nn.ModuleList) and len(ml[1:]) == 3
    del ml[0]
    assert list(ml._modules) == ["0", "1", "2"]
    with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable"):
        ml.extend(nn.ReLU())
    md = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Tanh()})
    assert list(md.keys()) == ["b", "a"]  # insertion order kept
    md["c"] = nn.Sigmoid()
    assert "c" in md and len(md) == 3
    assert isinstance(md.pop("b"), nn.ReLU)
    assert [k for k, _ in md.items()] == ["a", "c"]


def test_parameter_list_and_dict():
    pl = nn.ParameterList([nn.Parameter(torch.ones(2)), torch.zeros(3)])
    assert isinstance(pl[1], nn.Parameter)  # plain tensors are wrapped
    pl.append(nn.Parameter(torch.ones(1)))
    assert len(pl) == 3 and [n for n, _ in pl.named_parameters()] == ["0", "1", "2"]
    with pytest.raises(RuntimeError, match="ParameterList should not be called."):
        pl(1)
    pd = nn.ParameterDict({"w": nn.Parameter(torch.ones(2))})
    pd["b"] = torch.zeros(2)
    assert isinstance(pd["b"], nn.Parameter) and list(pd) == ["w", "b"]
    assert sorted(n for n, _ in pd.named_parameters()) == ["b", "w"]
    assert repr(pd) == ("ParameterDict(\n"
                        "    (w): Parameter containing: [torch.FloatTensor of size 2]\n"
                        "    (b): Parameter containing: [torch.FloatTensor of size 2]\n"
                        ")")
    assert "w" in pd and pd.get("zz") is None


def test_buffer_and_lazy_linear():
    m = nn.Module()
    m.b = nn.Buffer(torch.ones(2), persistent=False)
    assert "b" in m._buffers and "b" not in m.state_dict()
    lazy = nn.LazyLinear(3)
    assert isinstance(lazy.weight, nn.UninitializedParameter)
    out = lazy(torch.ones(2, 5))
    assert type(lazy) is nn.Linear and lazy.in_features == 5
    assert tuple(lazy.weight.shape) == (3, 5) and out.shape == (2, 3)
    assert type(lazy.weight) is nn.Parameter


def test_deepcopy_and_pickle():
    m = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    c = copy.deepcopy(m)
    assert c[0].weight is not m[0].weight and torch.equal(c[0].weight, m[0].weight)
    with torch.no_grad():
        c[0].weight.zero_()
    assert m[0].weight.abs().sum().item() > 0
    p = pickle.loads(pickle.dumps(m))
    assert torch.equal(p[0].bias, m[0].bias) and repr(p) == repr(m)


def test_missing_forward():
    with pytest.raises(NotImplementedError, match='Module \\[Module\\] is missing the required '
                                                  '"forward" function'):
        nn.Module()(1)


def test_full_backward_hooks():
    m = nn.Linear(2, 3)
    log = []
    m.register_full_backward_pre_hook(lambda mod, go: log.append(("pre", tuple(go[0].shape))))

    def hook(mod, grad_input, grad_output):
        log.append(("bw", tuple(grad_input[0].shape), tuple(grad_output[0].shape)))
        return (grad_input[0] * 0,)

    handle = m.register_full_backward_hook(hook)
    x = torch.ones(4, 2, requires_grad=True)
    y = m(x)
    assert y.grad_fn.name() == "BackwardHookFunctionBackward"
    y.sum().backward()
    assert log == [("pre", (4, 3)), ("bw", (4, 2), (4, 3))]
    assert x.grad.abs().sum().item() == 0.0  # the hook replaced grad_input
    assert m.weight.grad.shape == (3, 2)
    handle.remove()
    x.grad = None
    m(x).sum().backward()
    assert x.grad.abs().sum().item() > 0

    m2 = nn.Linear(2, 3)
    got = []
    m2.register_full_backward_hook(lambda mod, gi, go: got.append(gi))
    with pytest.warns(UserWarning, match="Full backward hook is firing when gradients are "
                                         "computed with respect to module outputs"):
        m2(torch.ones(1, 2)).sum().backward()
    assert got == [(None,)]
