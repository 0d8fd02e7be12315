"""Custom autograd.Function, autograd.functional and gradcheck (expected values from torch 2.13)."""

from __future__ import annotations

import re

import pytest

import torchlike as torch

Function = torch.autograd.Function
AF = torch.autograd.functional
f64 = torch.float64


def vals(t, nd=6):
    return [round(v, nd) for v in t.detach().reshape(-1).tolist()]


# ---------------------------------------------------------------- the tutorial's §20 example


class line(Function):
    @staticmethod
    def forward(ctx, w, x, b):
        # y = w * x + b
        ctx.save_for_backward(w, x, b)
        return w * x + b

    @staticmethod
    def backward(ctx, grad_out):
        w, x, b = ctx.saved_tensors
        grad_w = grad_out * x
        grad_x = grad_out * w
        grad_b = grad_out
        return grad_w, grad_x, grad_b


def test_tutorial_line_function():
    w = torch.tensor([[0.5, 1.0], [1.5, 2.0]], requires_grad=True)
    x = torch.tensor([[2.0, -1.0], [0.25, 4.0]], requires_grad=True)
    b = torch.tensor([[0.1, 0.2], [0.3, 0.4]], requires_grad=True)
    out = line.apply(w, x, b)
    out.backward(torch.ones(2, 2))
    assert vals(out) == [1.1, -0.8, 0.675, 8.4]
    assert type(out.grad_fn).__name__ == "lineBackward" and out.grad_fn.name() == "lineBackward"
    assert vals(w.grad) == vals(x) and vals(x.grad) == vals(w) and vals(b.grad) == [1.0] * 4
    assert [type(n).__name__ for n, _ in out.grad_fn.next_functions] == ["AccumulateGrad"] * 3


def test_ctx_is_the_grad_fn_and_frees_saved_tensors():
    w, x, b = (torch.ones(2, requires_grad=True) for _ in range(3))
    out = line.apply(w, x, b)
    assert len(out.grad_fn.saved_tensors) == 3 and out.grad_fn.needs_input_grad == (True,) * 3
    out.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        _ = out.grad_fn.saved_tensors
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        out.sum().backward()


# ---------------------------------------------------------------- ctx features


class ScaleShift(Function):
    @staticmethod
    def forward(ctx, x, scale, y, shift=0.0):
        ctx.scale = scale
        ctx.seen = tuple(ctx.needs_input_grad)
        return x * scale + y + shift

    @staticmethod
    def backward(ctx, g):
        return g * ctx.scale if ctx.needs_input_grad[0] else None, None, g, None


def test_non_tensor_arguments_and_needs_input_grad():
    x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
    y = torch.tensor([0.5, 0.5, 0.5])
    o = ScaleShift.apply(x, 2.5, y, 1.0)
    assert vals(o) == [9.0, 4.0, 6.5] and o.grad_fn.seen == (True, False, False, False)
    assert o.grad_fn.scale == 2.5
    o.sum().backward()
    assert vals(x.grad) == [2.5, 2.5, 2.5]


def test_needs_input_grad_ignores_grad_mode():
    class Probe(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y, ctx.needs_input_grad

        @staticmethod
        def backward(ctx, g, _):
            return g, g

    a, b = torch.ones(2, requires_grad=True), torch.ones(2)
    o, needs = Probe.apply(a, b)
    assert needs == (True, False) and o.requires_grad
    with torch.no_grad():
        o2, needs2 = Probe.apply(a, b)
    assert needs2 == (True, False) and not o2.requires_grad and o2.grad_fn is None


def test_forward_runs_without_grad_and_backward_with_create_graph_mode():
    seen = []

    class G(Function):
        @staticmethod
        def forward(ctx, x):
            seen.append(torch.is_grad_enabled())
            return x * 2

        @staticmethod
        def backward(ctx, g):
            seen.append(torch.is_grad_enabled())
            return g * 2

    a = torch.ones(2, requires_grad=True)
    G.apply(a).sum().backward()
    torch.autograd.grad(G.apply(a).sum(), a, create_graph=True)
    assert seen == [False, False, False, True]


class ExpFloor(Function):
    @staticmethod
    def forward(ctx, x):
        e, f = x.exp(), (x > 1).float()
        ctx.mark_non_differentiable(f)
        ctx.save_for_backward(e)
        return e, f

    @staticmethod
    def backward(ctx, ge, gf):
        (e,) = ctx.saved_tensors
        return ge * e


def test_several_outputs_and_mark_non_differentiable():
    x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
    v, i = ExpFloor.apply(x * 0.5)
    assert v.requires_grad and not i.requires_grad and i.grad_fn is None
    assert v.output_nr == 0 and type(v.grad_fn).__name__ == "ExpFloorBackward"
    (v * torch.tensor([1.0, 10.0, 100.0]) + i).sum().backward()
    assert vals(x.grad, 4) == [2.2408, 8.2436, 135.9141]


def test_integer_outputs_do_not_require_grad():
    class IO(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, (x > 0).long()

        @staticmethod
        def backward(ctx, g, gi):
            return g * 2

    y, i = IO.apply(torch.ones(2, requires_grad=True))
    assert y.requires_grad and not i.requires_grad and i.dtype == torch.int64


def test_materialize_grads():
    kinds = []

    class Twice(Function):
        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            kinds.append((g1 is None, g2 is None))
            return g1 * 2 + (0 if g2 is None else g2 * 3), None

    x = torch.ones(2, requires_grad=True)
    Twice.apply(x, False)[0].sum().backward()
    Twice.apply(x, True)[0].sum().backward()
    assert kinds == [(False, True), (False, False)] and vals(x.grad) == [4.0, 4.0]


def test_mark_dirty():
    class AddOne(Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
    z = x * 1
    w = AddOne.apply(z)
    assert w is z and type(w.grad_fn).__name__ == "AddOneBackward" and z._version == 2
    (w * w).sum().backward()
    assert vals(w) == [4.0, 2.0, 3.0] and vals(x.grad) == [8.0, 4.0, 6.0]
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad has been used in an "
                                           "in-place operation."):
        AddOne.apply(torch.ones(2, requires_grad=True))


def test_input_returned_as_is_becomes_a_new_tensor():
    class Id(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    a = torch.ones(2, requires_grad=True)
    b = Id.apply(a)
    assert b is not a and not b.is_leaf and type(b.grad_fn).__name__ == "IdBackward"
    b.sum().backward()
    assert vals(a.grad) == [2.0, 2.0]


def test_setup_context_style():
    class Square(Function):
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            (x,) = inputs
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
    s = Square.apply(x)
    assert type(s.grad_fn).__name__ == "SquareBackward" and vals(s) == [9.0, 1.0, 4.0]
    s.sum().backward()
    assert vals(x.grad) == [6.0, 2.0, 4.0]


class SaveOut(Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


def test_double_backward_through_a_function():
    a = torch.tensor([0.5, 1.0], requires_grad=True)
    (g,) = torch.autograd.grad(SaveOut.apply(a).sum(), a, create_graph=True)
    (gg,) = torch.autograd.grad(g.sum(), a)
    assert vals(g, 5) == [1.64872, 2.71828] and vals(gg, 5) == [1.64872, 2.71828]


def test_once_differentiable():
    class Once(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 2

        @staticmethod
        @torch.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    a = torch.tensor([0.5, 1.0], requires_grad=True)
    (g,) = torch.autograd.grad(Once.apply(a).sum(), a, create_graph=True)
    assert not g.requires_grad and vals(g) == [1.0, 2.0]


def test_saved_output_modified_in_place():
    a = torch.tensor([0.0, 1.0], requires_grad=True)
    y = SaveOut.apply(a)
    y.sum().backward(retain_graph=True)
    y.mul_(2)
    with pytest.raises(RuntimeError, match=re.escape(
            "one of the variables needed for gradient computation has been modified by an inplace "
            "operation: [torch.FloatTensor [2]], which is output 0 of SaveOut, is at version 1; "
            "expected version 0 instead.")):
        y.sum().backward()


def test_backward_result_checks():
    class Two(Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return ctx.result(g)

    x = torch.ones(2, requires_grad=True)

    def run(result):
        y = Two.apply(x, 2.0)
        y.grad_fn.result = result
        y.sum().backward()

    with pytest.raises(RuntimeError, match=re.escape(
            "function TwoBackward returned an incorrect number of gradients (expected 2, got 1)")):
        run(lambda g: g)
    with pytest.raises(RuntimeError, match=re.escape(
            "function TwoBackward returned a gradient different than None at position 2, but the "
            "corresponding forward input was not a Variable")):
        run(lambda g: (g, g))
    run(lambda g: (g * 2, None, None))  # extra trailing Nones are dropped
    assert vals(x.grad) == [2.0, 2.0]


def test_backward_gradient_shape_checks():
    class S(Function):
        @staticmethod
        def forward(ctx, x):
            return x.sum()

        @staticmethod
        def backward(ctx, g):
            return g.reshape(1)

    with pytest.raises(RuntimeError, match=re.escape(
            "Function SBackward returned an invalid gradient at index 0 - got [1] but expected "
            "shape compatible with [2]")):
        S.apply(torch.ones(2, requires_grad=True)).backward()

    class Bcast(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return torch.ones(3, 2)  # summed to the input's shape

    x = torch.ones(2, requires_grad=True)
    Bcast.apply(x).sum().backward()
    assert vals(x.grad) == [3.0, 3.0]


def test_save_for_backward_rejects_non_tensors():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, 3)
            return x

    with pytest.raises(TypeError, match="save_for_backward can only save variables, but argument 1 "
                                        "is of type int"):
        Bad.apply(torch.ones(2, requires_grad=True))


def test_instantiating_a_function_warns():
    with pytest.warns(DeprecationWarning, match="should not be instantiated"):
        line()


# ---------------------------------------------------------------- autograd.functional


def f3(x):
    return torch.stack([x[0] * x[1], x[1].sin(), x[0] ** 2 * x[2]])


def s3(x):
    return (x[0] * x[1] ** 2 + x[2].exp() * x[0]).sum()


X = [0.5, -1.0, 2.0]
V = [1.0, 0.5, -2.0]


def test_jacobian_and_hessian():
    x = torch.tensor(X, dtype=f64)
    assert vals(AF.jacobian(f3, x), 8) == [-1.0, 0.5, 0.0, 0.0, 0.54030231, 0.0, 2.0, 0.0, 0.25]
    h = AF.hessian(s3, x)
    assert h.shape == (3, 3) and not h.requires_grad
    assert vals(h, 8) == [0.0, -2.0, 7.3890561, -2.0, 1.0, 0.0, 7.3890561, 0.0, 3.69452805]
    a, b = torch.tensor([1.0, 2.0], dtype=f64), torch.tensor([-0.5, 3.0], dtype=f64)
    ja, jb = AF.jacobian(lambda p, q: p * q + q.sum(), (a, b))
    assert vals(ja) == [-0.5, 0.0, 0.0, 3.0] and vals(jb) == [2.0, 1.0, 1.0, 3.0]
    (h00, h01), (h10, h11) = AF.hessian(lambda p, q: (p * q).sum() + (p ** 2).sum() * q[0], (a, b))
    assert vals(h00) == [-1.0, 0.0, 0.0, -1.0] and vals(h01) == [3.0, 0.0, 4.0, 1.0]
    assert vals(h10) == [3.0, 4.0, 0.0, 1.0] and vals(h11) == [0.0] * 4
    j1, j2 = AF.jacobian(lambda t: (t * 2, t.sum()), x)
    assert j1.shape == (3, 3) and vals(j2) == [1.0, 1.0, 1.0]
    assert vals(AF.jacobian(lambda t: (t ** 2).sum(), x)) == [1.0, -2.0, 4.0]
    assert vals(AF.jacobian(lambda t: torch.ones(2, dtype=f64), x)) == [0.0] * 6


def test_vjp_jvp_hvp_vhp():
    x, v = torch.tensor(X, dtype=f64), torch.tensor(V, dtype=f64)
    out, vj = AF.vjp(f3, x, v)
    assert vals(out, 8) == [-0.5, -0.84147098, 0.5] and vals(vj, 8) == [-5.0, 0.77015115, -0.5]
    out, jv = AF.jvp(f3, x, v)
    assert vals(jv, 8) == [-0.75, 0.27015115, 1.5]
    out, hv = AF.hvp(s3, x, v)
    assert vals(out, 8) == [4.19452805] and vals(hv, 8) == [-15.7781122, -1.5, 0.0]
    _, vh = AF.vhp(s3, x, v)
    assert vals(vh, 8) == [-15.7781122, -1.5, 0.0]
    out, g = AF.vjp(lambda t: (t ** 2).sum(), x)
    assert vals(out) == [5.25] and vals(g) == [1.0, -2.0, 4.0]
    _, (ha, hb) = AF.hvp(lambda a, b: (a * b * b).sum(), (x, x * 2), (x, x))
    assert vals(ha) == [1.0, 4.0, 16.0] and vals(hb) == [1.5, 6.0, 24.0]
    _, h1 = AF.vhp(lambda t: (t ** 3).sum(), torch.tensor([2.0], dtype=f64))
    assert vals(h1) == [12.0]


def test_functional_create_graph_and_inputs():
    x = torch.tensor(X, dtype=f64)
    w = torch.tensor([1.0, 2.0, 3.0], dtype=f64, requires_grad=True)
    assert AF.jacobian(lambda t: t ** 3, x, create_graph=True).requires_grad
    AF.jacobian(lambda t: t * w, x, create_graph=True).sum().backward()
    assert vals(w.grad) == [1.0, 1.0, 1.0]
    w.grad = None
    AF.hessian(lambda t: (t ** 2 * w).sum(), x, create_graph=True).sum().backward()
    assert vals(w.grad) == [2.0, 2.0, 2.0]
    o, g = AF.vjp(lambda t: (t * w).sum(), x)
    assert not o.requires_grad and not g.requires_grad
    assert not x.requires_grad and x.grad is None


def test_functional_errors():
    x = torch.tensor(X, dtype=f64)
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not "
                                           "require gradients. The outputs must be computed"):
        AF.jacobian(lambda t: torch.ones(2, dtype=f64), x, strict=True)
    with pytest.raises(RuntimeError, match="The vector v can only be None if the user-provided "
                                           "function returns a single Tensor with a single "
                                           "element."):
        AF.vjp(lambda t: t ** 2, x)
    with pytest.raises(RuntimeError, match="The vector v can only be None if the input to the "
                                           "user-provided function is a single Tensor with a "
                                           "single element."):
        AF.jvp(lambda t: t ** 2, x)
    with pytest.raises(RuntimeError, match="The Tensor returned by the function given to hvp "
                                           "should contain a single element"):
        AF.hvp(lambda t: t ** 2, x, x)
    with pytest.raises(RuntimeError, match=re.escape("v has invalid size: should be torch.Size([3])"
                                                     " but got torch.Size([2]).")):
        AF.vjp(lambda t: t ** 2, x, torch.ones(2, dtype=f64))
    with pytest.raises(TypeError, match="The inputs given to jacobian must be either a Tensor or a "
                                        "tuple of Tensors"):
        AF.jacobian(lambda t: t, [1.0])


# ---------------------------------------------------------------- gradcheck


def test_gradcheck_and_gradgradcheck():
    x = torch.tensor([0.3, -0.8, 1.1], dtype=f64, requires_grad=True)
    w = torch.tensor([[0.5, 1.0, -1.5], [2.0, 0.1, 0.7]], dtype=f64, requires_grad=True)

    def fn(x, w):
        return torch.tanh(w @ x) * x[:2]

    assert torch.autograd.gradcheck(fn, (x, w)) is True
    assert torch.autograd.gradgradcheck(fn, (x, w)) is True
    assert torch.autograd.gradcheck(lambda t: (t.exp(), t * 3), (x,)) is True
    assert torch.autograd.gradcheck(torch.sin, x) is True


def test_gradcheck_failures():
    class BadSquare(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * g

    x = torch.tensor([0.3, -0.8], dtype=f64, requires_grad=True)
    assert torch.autograd.gradcheck(BadSquare.apply, (x,), raise_exception=False) is False
    with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to input "
                                           "0,\nnumerical:tensor"):
        torch.autograd.gradcheck(BadSquare.apply, (x,))
    with pytest.raises(RuntimeError, match="Numerical gradient for function expected to be zero"):
        torch.autograd.gradcheck(lambda t: t.detach() * 2, (x,))
    with pytest.warns(UserWarning,
                      match="Input #0 requires gradient and is not a double precision"):
        torch.autograd.gradcheck(lambda t: t * 2, (torch.ones(2, requires_grad=True),),
                                 raise_exception=False)
