"""Autograd engine: requires_grad, leaves, grad_fn, backward/grad, higher order, grad modes,
hooks, retain_grad, detach and in-place ops under autograd (expected values from torch 2.13).

Custom Functions, autograd.functional and gradcheck are in test_autograd_function.py.
"""

from __future__ import annotations

import re
import warnings

import pytest

import torchlike as torch


def vals(t, nd=6):
    return [round(v, nd) for v in t.detach().reshape(-1).tolist()]


def name(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


# ---------------------------------------------------------------- requires_grad, leaves, grad_fn


def test_requires_grad_and_leaves():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    c = torch.tensor([3.0, 4.0])
    assert x.requires_grad and x.is_leaf and x.grad_fn is None and x.grad is None
    assert not c.requires_grad and c.is_leaf
    y = x * c
    assert y.requires_grad and not y.is_leaf and name(y) == "MulBackward0"
    z = c * 2
    assert not z.requires_grad and z.is_leaf and z.grad_fn is None
    c.requires_grad_()
    assert c.requires_grad and c.is_leaf and c.requires_grad_(False) is c and not c.requires_grad
    c.requires_grad = True
    assert c.requires_grad


def test_requires_grad_errors():
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require "
                                           "gradients"):
        torch.tensor([1, 2]).requires_grad_()
    y = torch.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf "
                                           "variables"):
        y.requires_grad_(False)


def test_freezing_part_of_a_computation():
    wa = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    wb = torch.tensor([[0.5, -0.5], [0.25, 1.0]], requires_grad=True)
    wb.requires_grad_(False)
    x = torch.tensor([[1.0, -1.0]])
    (x @ wa @ wb).sum().backward()
    assert vals(wa.grad) == [0.0, 1.25, 0.0, -1.25] and wb.grad is None
    assert not (x @ wb).requires_grad


@pytest.mark.parametrize(("expr", "expected"), [
    (lambda x, v: x + 1, "AddBackward0"), (lambda x, v: x - v, "SubBackward0"),
    (lambda x, v: x * v, "MulBackward0"), (lambda x, v: x / 2, "DivBackward0"),
    (lambda x, v: -x, "NegBackward0"), (lambda x, v: x ** 2, "PowBackward0"),
    (lambda x, v: x.exp(), "ExpBackward0"), (lambda x, v: x.tanh(), "TanhBackward0"),
    (lambda x, v: x.relu(), "ReluBackward0"), (lambda x, v: x.mm(x), "MmBackward0"),
    (lambda x, v: x.sum(), "SumBackward0"), (lambda x, v: x.sum(0), "SumBackward1"),
    (lambda x, v: x.mean(), "MeanBackward0"), (lambda x, v: x.view(4), "ViewBackward0"),
    (lambda x, v: torch.cat([x, x]), "CatBackward0"), (lambda x, v: x.clone(), "CloneBackward0"),
    (lambda x, v: v.expand(2, 2), "ExpandBackward0"), (lambda x, v: x.max(), "MaxBackward1"),
    (lambda x, v: x.t(), "TBackward0"), (lambda x, v: x[0], "SelectBackward0"),
    (lambda x, v: x @ v, "MvBackward0"), (lambda x, v: v @ v, "DotBackward0"),
    (lambda x, v: x.transpose(0, 1), "TransposeBackward0"), (lambda x, v: x.T, "PermuteBackward0"),
    (lambda x, v: x[:, :1], "SliceBackward0"), (lambda x, v: x[None], "UnsqueezeBackward0"),
    (lambda x, v: x[...], "AliasBackward0"), (lambda x, v: x.squeeze(0), "SqueezeBackward1"),
    (lambda x, v: x.narrow(0, 0, 1), "SliceBackward0"),
    (lambda x, v: x[None].bmm(x[None]), "BmmBackward0"),
])
def test_grad_fn_names(expr, expected):
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    v = torch.tensor([0.5, -1.5], requires_grad=True)
    y = expr(x, v)
    assert type(y.grad_fn).__name__ == expected and y.grad_fn.name() == expected
    assert repr(y.grad_fn).startswith(f"<{expected} object at 0x")


def test_next_functions():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    c = torch.tensor([3.0, 4.0])
    a = x * c
    s = a + x
    y = s.sum()
    assert [(type(n).__name__, k) for n, k in y.grad_fn.next_functions] == [("AddBackward0", 0)]
    (n0, _), (n1, _) = s.grad_fn.next_functions
    assert n0 is a.grad_fn and type(n1).__name__ == "AccumulateGrad" and n1.variable is x
    assert n1.name() == "torch::autograd::AccumulateGrad" and n1.next_functions == ()
    assert a.grad_fn.next_functions[1] == (None, 0)  # c does not require grad
    assert (c * x).grad_fn.next_functions[0] == (None, 0)
    assert x.sum().grad_fn.next_functions[0][0] is n1  # one AccumulateGrad per leaf


# ---------------------------------------------------------------- .grad accumulation


def test_grad_accumulates_and_zeroes():
    x = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    (x * x).sum().backward()
    g = x.grad
    assert vals(g) == [2.0, -4.0, 1.0] and not g.requires_grad and g.is_leaf
    (3 * x).sum().backward()
    assert x.grad is g and vals(g) == [5.0, -1.0, 4.0]  # accumulated in place
    x.grad.zero_()
    assert vals(x.grad) == [0.0, 0.0, 0.0]
    x.grad = None
    x.exp().sum().backward()
    assert vals(x.grad, 5) == [2.71828, 0.13534, 1.64872]


def test_grad_dtype_follows_the_leaf():
    a = torch.ones(2, dtype=torch.float64, requires_grad=True)
    (a.float() * 2).sum().backward()
    assert a.grad.dtype == torch.float64 and vals(a.grad) == [2.0, 2.0]


def test_assigning_grad():
    x = torch.ones(2, requires_grad=True)
    x.grad = torch.tensor([1.0, 2.0])
    (x * 3).sum().backward()
    assert vals(x.grad) == [4.0, 5.0]
    with pytest.raises(RuntimeError, match=re.escape(
            "attempting to assign a gradient of size '[3]' to a tensor of size '[2]'. Please "
            "ensure that the gradient and the tensor are the same size")):
        x.grad = torch.ones(3)
    with pytest.raises(RuntimeError, match=re.escape(
            "attempting to assign a gradient with dtype 'double' to a tensor with grad_dtype "
            "'Float'.")):
        x.grad = torch.ones(2, dtype=torch.float64)
    with pytest.raises(TypeError, match="assigned grad expected to be a Tensor or None but got "
                                        "grad of type list"):
        x.grad = [1.0, 2.0]
    del x.grad
    assert x.grad is None


def test_non_leaf_grad_access_warns():
    y = torch.ones(2, requires_grad=True) * 2
    with pytest.warns(UserWarning, match="The .grad attribute of a Tensor that is not a leaf "
                                         "Tensor is being accessed"):
        assert y.grad is None


# ---------------------------------------------------------------- backward


def test_backward_gradient_and_retain_graph():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    y.backward(torch.tensor([1.0, 0.1, 0.01]), retain_graph=True)
    assert vals(x.grad) == [2.0, 0.4, 0.06]
    y.backward(torch.ones(3))
    assert vals(x.grad) == [4.0, 4.4, 6.06]
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward(torch.ones(3))


def test_second_backward_without_saved_tensors_is_allowed():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x + 1).sum()
    y.backward()
    y.backward()  # AddBackward0 and SumBackward0 save nothing: torch allows it
    assert vals(x.grad) == [2.0, 2.0]


def test_backward_scalar_gradient_argument():
    x = torch.ones(2, requires_grad=True)
    (x * 2).sum().backward(torch.tensor(3.0))
    assert vals(x.grad) == [6.0, 6.0]


def test_backward_errors():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="^grad can be implicitly created only for scalar "
                                           "outputs$"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match="^element 0 of tensors does not require grad and does "
                                           "not have a grad_fn$"):
        torch.tensor([1.0, 2.0]).sum().backward()
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        (x * 2).long().sum().backward()
    with pytest.raises(RuntimeError, match=re.escape(
            "Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a "
            "shape of torch.Size([2]).")):
        (x * 2).backward(torch.ones(3))
    with pytest.raises(RuntimeError, match="`inputs` argument to `backward\\(\\)` cannot be empty"):
        (x * 2).sum().backward(inputs=[])


def test_autograd_backward_several_roots():
    a = torch.tensor([2.0, -1.0], requires_grad=True)
    b = torch.tensor([0.5, 4.0], requires_grad=True)
    torch.autograd.backward([a * b, (a + b).sum()], [torch.tensor([1.0, 2.0]), torch.tensor(3.0)])
    assert vals(a.grad) == [3.5, 11.0] and vals(b.grad) == [5.0, 1.0]
    torch.autograd.backward((a * 2).sum())
    assert vals(a.grad) == [5.5, 13.0]


def test_backward_inputs():
    p = torch.tensor([1.0, 2.0], requires_grad=True)
    q = torch.tensor([3.0, 4.0], requires_grad=True)
    (p * q).sum().backward(inputs=[p])
    assert vals(p.grad) == [3.0, 4.0] and q.grad is None
    a = torch.ones(2, requires_grad=True)
    b = a * 3
    (b * b).sum().backward(inputs=[b])  # a non-leaf input gets its .grad filled
    assert vals(b.grad) == [6.0, 6.0] and a.grad is None and b.retains_grad


def test_backward_grad_of_a_detached_path():
    a = torch.ones(2, requires_grad=True)
    assert vals(torch.autograd.grad((a + a.detach()).sum(), a)[0]) == [1.0, 1.0]


# ---------------------------------------------------------------- autograd.grad


def test_grad_outputs_allow_unused_materialize():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    z = torch.tensor([4.0, 5.0], requires_grad=True)
    y = x.pow(2) * 3
    (gx,) = torch.autograd.grad(y, x, grad_outputs=torch.tensor([1.0, -1.0, 0.5]),
                                retain_graph=True)
    assert vals(gx) == [6.0, -12.0, 9.0] and gx.grad_fn is None and x.grad is None
    gx2, gz = torch.autograd.grad(y.sum(), [x, z], allow_unused=True, retain_graph=True)
    assert vals(gx2) == [6.0, 12.0, 18.0] and gz is None
    with pytest.raises(RuntimeError, match=re.escape(
            "The differentiated Tensor at index 1 appears to not have been used in the graph. Set "
            "allow_unused=True if this is the desired behavior.")):
        torch.autograd.grad(y.sum(), [x, z], retain_graph=True)
    _, gz = torch.autograd.grad(y.sum(), [x, z], materialize_grads=True)
    assert vals(gz) == [0.0, 0.0]
    with pytest.raises(ValueError, match="Expected allow_unused to be True or not passed when "
                                         "materialize_grads=True"):
        torch.autograd.grad((x * 2).sum(), x, allow_unused=False, materialize_grads=True)


def test_grad_errors_and_graph_freeing():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="One of the differentiated Tensors does not require "
                                           "grad"):
        torch.autograd.grad((x * 2).sum(), [torch.ones(2)])
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        torch.autograd.grad(torch.ones(2).sum(), x)
    y = (x * x).sum()
    torch.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_grad_wrt_non_leaves_and_several_outputs():
    a = torch.ones(2, requires_grad=True)
    b = a * 3
    c = (b * b).sum()
    gb, ga = torch.autograd.grad(c, [b, a])
    assert vals(gb) == [6.0, 6.0] and vals(ga) == [18.0, 18.0]
    (g,) = torch.autograd.grad(b, b, torch.ones(2))
    assert vals(g) == [1.0, 1.0]
    (g,) = torch.autograd.grad([(a * 2).sum(), a * 3], a, [None, torch.ones(2)])
    assert vals(g) == [5.0, 5.0]


# ---------------------------------------------------------------- higher order


def test_third_derivative_of_cube():
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    (d1,) = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
    assert d1.requires_grad and vals(d1) == [0.75, 3.0, 12.0]
    (d2,) = torch.autograd.grad(d1.sum(), x, create_graph=True)
    assert vals(d2) == [3.0, -6.0, 12.0]
    (d3,) = torch.autograd.grad(d2.sum(), x)
    assert vals(d3) == [6.0, 6.0, 6.0] and not d3.requires_grad


def test_tanh_second_derivative():
    t = torch.tensor([0.3, -0.7, 1.2], dtype=torch.float64, requires_grad=True)
    (t1,) = torch.autograd.grad(torch.tanh(t).sum(), t, create_graph=True)
    (t2,) = torch.autograd.grad(t1.sum(), t)
    assert vals(t1, 10) == [0.9151369618, 0.6347395900, 0.3050199962]
    assert vals(t2, 10) == [-0.5331818782, 0.7672323101, -0.5085626501]


def test_mlp_input_gradient_penalty():
    dt = torch.float64
    w1 = torch.linspace(-1, 1, 12, dtype=dt).reshape(3, 4).requires_grad_()
    b1 = torch.linspace(-0.5, 0.5, 4, dtype=dt).requires_grad_()
    w2 = torch.linspace(0.3, -0.9, 8, dtype=dt).reshape(4, 2).requires_grad_()
    x = torch.tensor([[0.2, -0.4, 0.6], [1.0, 0.5, -0.3]], dtype=dt, requires_grad=True)
    loss = (torch.tanh(x @ w1 + b1) @ w2).pow(2).sum()
    (gx,) = torch.autograd.grad(loss, x, create_graph=True)
    gx.pow(2).sum().backward()
    assert vals(loss, 8) == [1.79302758]
    assert vals(gx, 8) == [-1.21747551, 0.63876466, 2.49500483, 0.72096745, -0.29725327,
                           -1.31547399]
    assert vals(x.grad, 6) == [5.339674, -0.417631, -6.174936, 7.440824, -3.502112, -14.445048]
    assert vals(b1.grad, 6) == [-4.553318, 2.029006, -3.283717, -17.154803]


def test_hessian_vector_product():
    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
    v = torch.tensor([1.0, 0.5, -2.0], dtype=torch.float64)
    f = x[0] * x[1] ** 2 + torch.exp(x[2]) * x[0] + x.sin().sum()
    (g,) = torch.autograd.grad(f, x, create_graph=True)
    (hv,) = torch.autograd.grad(g, x, grad_outputs=v)
    assert vals(hv, 9) == [-16.257537736, -1.079264508, 1.818594854]


def test_backward_create_graph():
    u = torch.tensor([1.5, 2.0], dtype=torch.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (u.sin() * u).sum().backward(create_graph=True)
    assert u.grad.requires_grad and vals(u.grad, 9) == [1.103600789, 0.077003754]
    (g2,) = torch.autograd.grad(u.grad.sum(), u)
    assert vals(g2, 9) == [-1.354768077, -2.650888527]
    a = torch.ones(2, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (a * 2).sum().backward(create_graph=True)
    assert not a.grad.requires_grad  # a linear function's gradient is a constant, as in torch
    b = torch.ones(2, requires_grad=True)
    (b * b).sum().backward()
    g0 = b.grad
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (b * b).sum().backward(create_graph=True)
    assert b.grad is not g0 and b.grad.requires_grad and vals(b.grad) == [4.0, 4.0]


# ---------------------------------------------------------------- grad modes


def test_no_grad_and_enable_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        a = x * 2
        assert not torch.is_grad_enabled()
        with torch.enable_grad():
            b = x * 2
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()
    assert not a.requires_grad and a.grad_fn is None and a.is_leaf and vals(a) == [2.0, 4.0]
    assert b.requires_grad and name(b) == "MulBackward0"


def test_grad_mode_decorators():
    x = torch.ones(2, requires_grad=True)

    @torch.no_grad()
    def f(t):
        return t * 4

    @torch.no_grad
    def f2(t):
        return t * 4

    @torch.enable_grad()
    def g(t):
        return t * 4

    @torch.set_grad_enabled(False)
    def h(t):
        return t * 4

    @torch.inference_mode()
    def k(t):
        return t * 4

    assert not f(x).requires_grad and not f2(x).requires_grad and not h(x).requires_grad
    assert not k(x).requires_grad and torch.is_grad_enabled()
    with torch.no_grad():
        assert g(x).requires_grad


def test_set_grad_enabled_as_function_and_context():
    x = torch.ones(2, requires_grad=True)
    with torch.set_grad_enabled(False):
        assert not (x + 1).requires_grad
    assert torch.is_grad_enabled()
    try:
        torch.set_grad_enabled(False)
        assert not torch.is_grad_enabled() and not (x * 5).requires_grad
    finally:
        torch.set_grad_enabled(True)
    assert (x * 5).requires_grad
    with torch.no_grad(), torch.set_grad_enabled(True):
        assert (x * 5).requires_grad


def test_inference_mode():
    x = torch.ones(2, requires_grad=True)
    with torch.inference_mode():
        assert not (x * 3).requires_grad and not torch.is_grad_enabled()
    with torch.inference_mode(False):
        assert (x * 3).requires_grad


def test_no_grad_inplace_on_leaf():
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        x.mul_(3)
    assert vals(x) == [3.0, 3.0] and x.requires_grad and x.is_leaf and x._version == 1


# ---------------------------------------------------------------- detach, retain_grad, hooks


def test_detach():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    (d * x).sum().backward()
    assert vals(x.grad) == [2.0, 4.0, 6.0]
    with torch.no_grad():
        d.add_(1)
    assert vals(y) == [3.0, 5.0, 7.0]  # shares storage
    y2 = x * 3
    assert y2.detach_() is y2 and not y2.requires_grad and y2.is_leaf


def test_detach_inplace_on_view_message():
    v = (torch.ones(2, requires_grad=True) * 1)[0:1]
    with pytest.raises(RuntimeError, match="Can't detach views in-place. Use detach\\(\\) instead. "
                                           "If you are using DistributedDataParallel"):
        v.detach_()


def test_retain_grad():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    y.retain_grad()
    z = y * 2
    assert y.retains_grad and not z.retains_grad
    z.sum().backward(retain_graph=True)
    assert vals(y.grad) == [2.0, 2.0, 2.0] and vals(x.grad) == [4.0, 8.0, 12.0]
    z.sum().backward()
    assert vals(y.grad) == [4.0, 4.0, 4.0]
    x.retain_grad()  # no-op on a leaf
    assert not x.retains_grad
    with pytest.raises(RuntimeError, match="can't retain_grad on Tensor that has "
                                           "requires_grad=False"):
        torch.ones(2).retain_grad()


def test_hooks_replace_and_observe_gradients():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    seen = []
    y = x * x
    y.retain_grad()
    z = y * 2
    z.register_hook(lambda g: g * 10)  # replaces dz
    y.register_hook(lambda g: seen.append(g.clone()))  # observes only
    h = x.register_hook(lambda g: g + 1)  # a leaf's hook runs before accumulation
    z.sum().backward()
    assert vals(seen[0]) == [20.0, 20.0, 20.0] and vals(y.grad) == [20.0, 20.0, 20.0]
    assert vals(x.grad) == [41.0, 81.0, 121.0]
    h.remove()
    x.grad = None
    (x * x).sum().backward()
    assert vals(x.grad) == [2.0, 4.0, 6.0]


def test_hook_order_and_retain_grad_sees_hooked_grad():
    a = torch.ones(2, requires_grad=True)
    y = a * 3
    y.register_hook(lambda g: g + 1)
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert vals(a.grad) == [60.0, 60.0]
    for order in (0, 1):
        a = torch.ones(2, requires_grad=True)
        y = a * 3
        if order:
            y.register_hook(lambda g: g * 10)
        y.retain_grad()
        if not order:
            y.register_hook(lambda g: g * 10)
        y.sum().backward()
        assert vals(y.grad) == [10.0, 10.0] and vals(a.grad) == [30.0, 30.0]


def test_hook_errors_and_removal():
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't "
                                           "require gradient"):
        torch.ones(2).register_hook(lambda g: g)
    a = torch.ones(2, requires_grad=True)
    y = a * 3
    y.register_hook(lambda g: g * 100).remove()
    y.sum().backward()
    assert vals(a.grad) == [3.0, 3.0]


def test_post_accumulate_grad_hook():
    seen = []
    a = torch.ones(2, requires_grad=True)
    a.register_post_accumulate_grad_hook(lambda p: seen.append(vals(p.grad)))
    (a * 3).sum().backward()
    assert seen == [[3.0, 3.0]]


def test_node_hooks():
    a = torch.ones(2, requires_grad=True)
    b = torch.ones(2)
    y = a * b * 3
    seen = []
    y.grad_fn.register_hook(lambda gi, go: seen.append(([vals(g) if g is not None else None
                                                          for g in gi], vals(go[0]))))
    y.grad_fn.register_prehook(lambda go: (go[0] * 2,))
    y.sum().backward()
    assert seen[0][1] == [2.0, 2.0] and seen[0][0][0] == [6.0, 6.0]
    assert vals(a.grad) == [6.0, 6.0]


# ---------------------------------------------------------------- in-place ops under autograd


def test_inplace_on_non_leaf_rebases_history():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.add_(1)
    assert name(y) == "AddBackward0" and vals(y) == [3.0, 5.0, 7.0] and y._version == 1
    y.sum().backward()
    assert vals(x.grad) == [2.0, 2.0, 2.0]


def test_inplace_through_a_view():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1.5
    y[0].mul_(3)
    assert name(y) == "CopySlices" and y.grad_fn.name() == "torch::autograd::CopySlices"
    assert vals(y) == [4.5, 9.0, 4.5, 6.0]
    (y * torch.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert vals(x.grad) == [4.5, 9.0, 4.5, 6.0]


def test_inplace_with_grad_requiring_operand_and_slice_assignment():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 5.0], requires_grad=True)
    c = a * 2
    c.mul_(b)
    c.sum().backward()
    assert vals(a.grad) == [6.0, 10.0] and vals(b.grad) == [2.0, 4.0]
    p = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    q = p * 1
    q[1:3] = p[:2] ** 2
    q.sum().backward()
    assert vals(p.grad) == [3.0, 4.0, 0.0, 1.0]


def test_inplace_on_leaf_raises():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="^a leaf Variable that requires grad is being used in "
                                           "an in-place operation.$"):
        x.add_(1)
    with pytest.raises(RuntimeError, match="^a view of a leaf Variable that requires grad is being "
                                           "used in an in-place operation.$"):
        x[0].mul_(2)


def test_modified_saved_tensor_raises_at_backward():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a.sigmoid()  # SigmoidBackward0 saves its output
    b.mul_(2)
    with pytest.raises(RuntimeError, match=re.escape(
            "one of the variables needed for gradient computation has been modified by an inplace "
            "operation: [torch.FloatTensor [2]], which is output 0 of Sigmoid, is at version 1; "
            "expected version 0 instead. Hint: enable anomaly detection")):
        b.sum().backward()
    a = torch.ones(2, 3, dtype=torch.float64, requires_grad=True)
    c = a.sin()  # saves its input, a leaf
    with torch.no_grad():
        a.add_(1)
    with pytest.raises(RuntimeError, match=re.escape(
            "modified by an inplace operation: [torch.DoubleTensor [2, 3]] is at version 1; "
            "expected version 0 instead.")):
        c.sum().backward()


def test_modified_unsaved_tensor_is_fine():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y + 1  # AddBackward0 saves nothing
    y.mul_(2)
    z.sum().backward()
    assert vals(x.grad) == [2.0, 2.0]
    x3 = torch.tensor([1.0, 2.0], requires_grad=True)
    y3 = x3 * 1
    z3 = y3 * y3
    y3.zero_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z3.sum().backward()


def test_output_nr_of_multi_output_ops():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    assert x.output_nr == 0 and (x * 2).output_nr == 0


def test_grad_outputs_cast_to_output_dtype():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad(x * 2, x, torch.tensor([1.0, 3.0], dtype=torch.float64))
    assert g.dtype == torch.float32 and g.tolist() == [2.0, 6.0]
    (x * 2).backward(torch.tensor([1, 1]))
    assert x.grad.dtype == torch.float32 and x.grad.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="For complex Tensors, both grad_output and output"):
        torch.autograd.grad(x * 1j, x, torch.tensor([1.0, 1.0]))
