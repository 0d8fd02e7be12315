"""Autograd scenario programs, written once and run on torch (recording) and torchlike (replay).

Each ``scenario_*`` takes the torch module (``torch`` or ``torchlike``) and returns a dict of
named results: tensors, Python numbers/bools/strings (grad_fn names), None, or tuples/lists of
those.  Inputs are deterministic (tensor/arange/linspace), never random.
``compat_tests/record/record_autograd.py`` records them from torch;
``compat_tests/test_autograd_scenarios.py`` replays them on torchlike.
"""

from __future__ import annotations


def _fn_name(node):
    return None if node is None else node.name()


def _mlp(torch, x, params):
    w1, b1, w2, b2 = params
    h = torch.tanh(x @ w1 + b1)
    return (h @ w2 + b2).pow(2).sum()


def _mlp_params(torch, dtype):
    w1 = torch.linspace(-1, 1, 12, dtype=dtype).reshape(3, 4)
    b1 = torch.linspace(-0.5, 0.5, 4, dtype=dtype)
    w2 = torch.linspace(0.3, -0.9, 8, dtype=dtype).reshape(4, 2)
    b2 = torch.tensor([0.1, -0.2], dtype=dtype)
    return w1, b1, w2, b2


def scenario_basic_graph(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)
    b = torch.tensor([0.1, -0.2], requires_grad=True)
    c = torch.tensor([2.0, 3.0, 4.0])
    a = x * c
    s = a + x
    m = torch.mm(w, s.unsqueeze(1)).squeeze(1)
    y = (m + b).sum()
    y.backward()
    return {
        "x_leaf": x.is_leaf, "c_leaf": c.is_leaf, "a_leaf": a.is_leaf,
        "c_requires_grad": c.requires_grad, "a_requires_grad": a.requires_grad,
        "x_fn": _fn_name(x.grad_fn), "a_fn": _fn_name(a.grad_fn), "s_fn": _fn_name(s.grad_fn),
        "m_fn": _fn_name(m.grad_fn), "y_fn": _fn_name(y.grad_fn),
        "y_next": [_fn_name(n) for n, _ in y.grad_fn.next_functions],
        "s_next": [_fn_name(n) for n, _ in s.grad_fn.next_functions],
        "a_next": [_fn_name(n) for n, _ in a.grad_fn.next_functions],
        "y": y, "x_grad": x.grad, "w_grad": w.grad, "b_grad": b.grad, "c_grad": c.grad,
    }


def scenario_grad_accumulation(torch):
    x = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    (x * x).sum().backward()
    g1 = x.grad.clone()
    (3 * x).sum().backward()
    g2 = x.grad.clone()
    x.grad.zero_()
    g3 = x.grad.clone()
    (x ** 3).sum().backward()
    g4 = x.grad.clone()
    x.grad = None
    (x.exp()).sum().backward()
    return {"g1": g1, "g2": g2, "g3": g3, "g4": g4, "g5": x.grad}


def scenario_freezing(torch):
    # Train block A, freeze block B (the tutorial's multi-task example).
    wa = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    wb = torch.tensor([[0.5, -0.5], [0.25, 1.0]], requires_grad=True)
    wb.requires_grad_(False)
    x = torch.tensor([[1.0, -1.0]])
    h = x @ wa
    out = (h @ wb).sum()
    out.backward()
    frozen_out = x @ wb
    return {"wa_grad": wa.grad, "wb_grad": wb.grad, "wb_requires_grad": wb.requires_grad,
            "h_requires_grad": h.requires_grad, "frozen_requires_grad": frozen_out.requires_grad,
            "frozen_fn": _fn_name(frozen_out.grad_fn), "out_fn": _fn_name(out.grad_fn)}


def scenario_backward_args(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    y.backward(torch.tensor([1.0, 0.1, 0.01]), retain_graph=True)
    g1 = x.grad.clone()
    y.backward(torch.tensor([1.0, 1.0, 1.0]))
    g2 = x.grad.clone()
    # autograd.backward with several roots and grad_tensors
    a = torch.tensor([2.0, -1.0], requires_grad=True)
    b = torch.tensor([0.5, 4.0], requires_grad=True)
    u = a * b
    v = (a + b).sum()
    torch.autograd.backward([u, v], [torch.tensor([1.0, 2.0]), torch.tensor(3.0)])
    ga, gb = a.grad.clone(), b.grad.clone()
    # backward(inputs=...) accumulates only into the listed leaves
    p = torch.tensor([1.0, 2.0], requires_grad=True)
    q = torch.tensor([3.0, 4.0], requires_grad=True)
    (p * q).sum().backward(inputs=[p])
    return {"g1": g1, "g2": g2, "ga": ga, "gb": gb, "p_grad": p.grad, "q_grad": q.grad}


def scenario_autograd_grad(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    z = torch.tensor([4.0, 5.0], requires_grad=True)
    y = x.pow(2) * 3
    (gx,) = torch.autograd.grad(y, x, grad_outputs=torch.tensor([1.0, -1.0, 0.5]),
                                retain_graph=True)
    gx2, gz = torch.autograd.grad(y.sum(), [x, z], allow_unused=True, retain_graph=True)
    gx3, gz3 = torch.autograd.grad(y.sum(), [x, z], materialize_grads=True)
    w = torch.tensor([0.5, 1.5], requires_grad=True)
    s = (w.sin() * z).sum()
    gw, gz4 = torch.autograd.grad([s], [w, z])
    return {"gx": gx, "gx2": gx2, "gz_unused": gz, "gx3": gx3, "gz_materialized": gz3,
            "gw": gw, "gz4": gz4, "x_grad_untouched": x.grad, "gx_fn": _fn_name(gx.grad_fn)}


def scenario_higher_order(torch):
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = (x ** 3).sum()
    (d1,) = torch.autograd.grad(y, x, create_graph=True)
    (d2,) = torch.autograd.grad(d1.sum(), x, create_graph=True)
    (d3,) = torch.autograd.grad(d2.sum(), x)
    t = torch.tensor([0.3, -0.7, 1.2], dtype=torch.float64, requires_grad=True)
    (t1,) = torch.autograd.grad(torch.tanh(t).sum(), t, create_graph=True)
    (t2,) = torch.autograd.grad(t1.sum(), t)
    # backward(create_graph=True) then differentiate x.grad
    u = torch.tensor([1.5, 2.0], dtype=torch.float64, requires_grad=True)
    (u.sin() * u).sum().backward(create_graph=True)
    ug = u.grad
    (ug2,) = torch.autograd.grad(ug.sum(), u)
    return {"d1": d1.detach(), "d2": d2.detach(), "d3": d3, "d1_requires_grad": d1.requires_grad,
            "d3_requires_grad": d3.requires_grad, "t1": t1.detach(), "t2": t2,
            "ug": ug.detach(), "ug_requires_grad": ug.requires_grad, "ug2": ug2}


def scenario_mlp_input_gradgrad(torch):
    dt = torch.float64
    params = [p.requires_grad_() for p in _mlp_params(torch, dt)]
    x = torch.tensor([[0.2, -0.4, 0.6], [1.0, 0.5, -0.3]], dtype=dt, requires_grad=True)
    loss = _mlp(torch, x, params)
    (gx,) = torch.autograd.grad(loss, x, create_graph=True)
    pen = gx.pow(2).sum()  # gradient penalty
    pen.backward()
    return {"loss": loss.detach(), "gx": gx.detach(), "pen": pen.detach(), "x_grad": x.grad,
            "w1_grad": params[0].grad, "b1_grad": params[1].grad, "w2_grad": params[2].grad,
            "b2_grad": params[3].grad}


def scenario_hessian_vector(torch):
    dt = torch.float64
    x = torch.tensor([0.5, -1.0, 2.0], dtype=dt, requires_grad=True)
    v = torch.tensor([1.0, 0.5, -2.0], dtype=dt)
    f = (x[0] * x[1] ** 2 + torch.exp(x[2]) * x[0] + x.sin().sum())
    (g,) = torch.autograd.grad(f, x, create_graph=True)
    (hv,) = torch.autograd.grad(g, x, grad_outputs=v)
    return {"f": f.detach(), "g": g.detach(), "hv": hv}


def scenario_grad_modes(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        a = x * 2
        with torch.enable_grad():
            b = x * 2
        in_no_grad = torch.is_grad_enabled()
    with torch.set_grad_enabled(False):
        c = x + 1
    with torch.inference_mode():
        d = x * 3

    @torch.no_grad()
    def f(t):
        return t * 4

    @torch.enable_grad()
    def g(t):
        return t * 4

    with torch.no_grad():
        gg = g(x)
    torch.set_grad_enabled(False)
    e = x * 5
    off = torch.is_grad_enabled()
    torch.set_grad_enabled(True)
    e2 = x * 5
    return {"a_rg": a.requires_grad, "a_fn": _fn_name(a.grad_fn), "a_leaf": a.is_leaf,
            "b_rg": b.requires_grad, "b_fn": _fn_name(b.grad_fn), "in_no_grad": in_no_grad,
            "c_rg": c.requires_grad, "d_rg": d.requires_grad, "f_rg": f(x).requires_grad,
            "g_rg": gg.requires_grad, "e_rg": e.requires_grad, "off": off,
            "e2_rg": e2.requires_grad, "enabled": torch.is_grad_enabled(), "a": a}


def scenario_detach(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    z = (d * x).sum()
    z.backward()
    y2 = x * 3
    y2.detach_()
    return {"d_rg": d.requires_grad, "d_leaf": d.is_leaf, "d_fn": _fn_name(d.grad_fn),
            "x_grad": x.grad, "y2_rg": y2.requires_grad, "y2_leaf": y2.is_leaf, "y2": y2}


def scenario_retain_grad_and_hooks(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    seen = []
    y = x * x
    y.retain_grad()
    z = y * 2
    z.register_hook(lambda g: g * 10)       # replaces dz
    y.register_hook(lambda g: seen.append(g.clone()))  # observes only
    h = x.register_hook(lambda g: g + 1)    # leaf hook, replaces
    z.sum().backward()
    g1 = x.grad.clone()
    h.remove()
    x.grad = None
    y.grad.zero_()
    (x * x).sum().backward()
    return {"y_grad": y.grad, "y_retains": y.retains_grad, "seen": seen[0], "g1": g1,
            "g2": x.grad, "z_retains": z.retains_grad}


def scenario_inplace_rebase(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.add_(1)
    y_fn = _fn_name(y.grad_fn)
    y.sum().backward()
    g1 = x.grad.clone()
    # through a view
    x2 = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y2 = x2 * 1.5
    y2[0].mul_(3)
    y2_fn = _fn_name(y2.grad_fn)
    (y2 * torch.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    # in-place with another tensor that requires grad
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 5.0], requires_grad=True)
    c = a * 2
    c.mul_(b)
    c.sum().backward()
    # assign into a slice of a non-leaf
    p = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    q = p * 1
    q[1:3] = p[:2] ** 2
    q.sum().backward()
    return {"y": y.detach(), "y_fn": y_fn, "g1": g1, "y2": y2.detach(), "y2_fn": y2_fn,
            "x2_grad": x2.grad, "c": c.detach(), "a_grad": a.grad, "b_grad": b.grad,
            "c_fn": _fn_name(c.grad_fn), "p_grad": p.grad, "q_fn": _fn_name(q.grad_fn)}


def scenario_function_line(torch):
    # The tutorial's §20 example: y = w * x + b with a hand-written backward.
    class line(torch.autograd.Function):
        @staticmethod
        def forward(ctx, w, x, b):
            ctx.save_for_backward(w, x, b)
            return w * x + b

        @staticmethod
        def backward(ctx, grad_out):
            w, x, b = ctx.saved_tensors
            grad_w = grad_out * x
            grad_x = grad_out * w
            grad_b = grad_out
            return grad_w, grad_x, grad_b

    w = torch.tensor([[0.5, 1.0], [1.5, 2.0]], requires_grad=True)
    x = torch.tensor([[2.0, -1.0], [0.25, 4.0]], requires_grad=True)
    b = torch.tensor([[0.1, 0.2], [0.3, 0.4]], requires_grad=True)
    out = line.apply(w, x, b)
    out.backward(torch.ones(2, 2))
    return {"out": out.detach(), "out_fn": _fn_name(out.grad_fn), "w_grad": w.grad,
            "x_grad": x.grad, "b_grad": b.grad}


def scenario_function_features(torch):
    F = torch.autograd.Function
    needs = []

    class ScaleShift(F):  # non-tensor args, needs_input_grad
        @staticmethod
        def forward(ctx, x, scale, y, shift=0.0):
            ctx.scale = scale
            needs.append(tuple(ctx.needs_input_grad))
            return x * scale + y + shift

        @staticmethod
        def backward(ctx, g):
            return g * ctx.scale if ctx.needs_input_grad[0] else None, None, \
                g if ctx.needs_input_grad[2] else None, None

    class ExpFloor(F):  # several outputs, one marked non-differentiable, an output saved
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

    class Twice(F):  # set_materialize_grads(False): unused outputs give None
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            out = 0
            kinds.append((g1 is None, g2 is None))
            if g1 is not None:
                out = out + g1 * 2
            if g2 is not None:
                out = out + g2 * 3
            return out

    class Square(F):  # setup_context style
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

    class AddOneInplace(F):  # mark_dirty
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    kinds = []
    x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
    y = torch.tensor([0.5, 0.5, 0.5])
    o1 = ScaleShift.apply(x, 2.5, y, 1.0)
    o1.sum().backward()
    g_scale = x.grad.clone()
    x.grad = None
    v, i = ExpFloor.apply(x * 0.5)
    (v * torch.tensor([1.0, 10.0, 100.0]) + i).sum().backward()
    g_sort = x.grad.clone()
    x.grad = None
    a, _ = Twice.apply(x)
    a.sum().backward()
    g_twice = x.grad.clone()
    x.grad = None
    s = Square.apply(x)
    s.sum().backward()
    g_square = x.grad.clone()
    x.grad = None
    z = x * 1
    w = AddOneInplace.apply(z)
    (w * w).sum().backward()
    return {"o1": o1.detach(), "needs": needs[0], "g_scale": g_scale, "v": v.detach(), "i": i,
            "i_rg": i.requires_grad, "v_fn": _fn_name(v.grad_fn), "g_expfloor": g_sort,
            "kinds": kinds[0], "g_twice": g_twice, "s_fn": _fn_name(s.grad_fn),
            "g_square": g_square, "w_is_z": w is z, "w": w.detach(), "g_dirty": x.grad}


def scenario_functional(torch):
    AF = torch.autograd.functional
    dt = torch.float64

    def f(x):
        return torch.stack([x[0] * x[1], x[1].sin(), x[0] ** 2 * x[2]])

    def s(x):
        return (x[0] * x[1] ** 2 + x[2].exp() * x[0]).sum()

    def g2(a, b):
        return (a * b).sum() + (a ** 2).sum() * b[0]

    x = torch.tensor([0.5, -1.0, 2.0], dtype=dt)
    v = torch.tensor([1.0, 0.5, -2.0], dtype=dt)
    a = torch.tensor([1.0, 2.0], dtype=dt)
    b = torch.tensor([-0.5, 3.0], dtype=dt)
    jac = AF.jacobian(f, x)
    hes = AF.hessian(s, x)
    hab = AF.hessian(g2, (a, b))
    out, vj = AF.vjp(f, x, v)
    out2, jv = AF.jvp(f, x, v)
    out3, hv = AF.hvp(s, x, v)
    out4, vh = AF.vhp(s, x, v)
    jab = AF.jacobian(lambda p, q: p * q + q.sum(), (a, b))
    return {"jac": jac, "hes": hes, "hab00": hab[0][0], "hab01": hab[0][1], "hab10": hab[1][0],
            "hab11": hab[1][1], "out": out, "vj": vj, "out2": out2, "jv": jv, "out3": out3,
            "hv": hv, "vh": vh, "jab0": jab[0], "jab1": jab[1], "jac_rg": jac.requires_grad}


def scenario_gradcheck(torch):
    dt = torch.float64
    x = torch.tensor([0.3, -0.8, 1.1], dtype=dt, requires_grad=True)
    w = torch.tensor([[0.5, 1.0, -1.5], [2.0, 0.1, 0.7]], dtype=dt, requires_grad=True)

    def fn(x, w):
        return torch.tanh(w @ x) * x[:2]

    ok = torch.autograd.gradcheck(fn, (x, w))
    ok2 = torch.autograd.gradgradcheck(fn, (x, w))

    class BadSquare(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * g  # wrong on purpose

    bad = torch.autograd.gradcheck(BadSquare.apply, (x,), raise_exception=False)
    return {"ok": ok, "ok2": ok2, "bad": bad}


def scenario_grad_fn_names(torch):
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    v = torch.tensor([0.5, -1.5], requires_grad=True)
    r = {
        "add": x + 1, "sub": x - v, "mul": x * v, "div": x / 2, "neg": -x, "pow": x ** 2,
        "exp": x.exp(), "log": x.log(), "sin": x.sin(), "tanh": x.tanh(), "sigmoid": x.sigmoid(),
        "relu": x.relu(), "mm": x.mm(x), "matmul_mv": x @ v, "sum": x.sum(), "sum_dim": x.sum(0),
        "mean": x.mean(), "t": x.t(), "view": x.view(4), "reshape": x.reshape(4),
        "transpose": x.transpose(0, 1), "unsqueeze": v.unsqueeze(0), "select": x[0],
        "slice": x[:, :1], "cat": torch.cat([x, x]), "stack": torch.stack([v, v]),
        "clone": x.clone(), "abs": x.abs(), "sqrt": x.sqrt(), "max": x.max(),
        "expand": v.expand(2, 2),
    }
    return {k: _fn_name(t.grad_fn) for k, t in r.items()}


def scenario_saved_version_error(torch):
    out = {}
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # ExpBackward0 saves its output
    y.add_(1)
    try:
        y.sum().backward()
        out["exp_raised"] = False
    except RuntimeError as e:
        out["exp_raised"] = "modified by an inplace operation" in str(e)
    x2 = torch.tensor([1.0, 2.0], requires_grad=True)
    y2 = x2 * 2
    z2 = y2 + 1  # AddBackward0 saves nothing: modifying y2 afterwards is fine
    y2.mul_(2)
    z2.sum().backward()
    out["add_ok_grad"] = x2.grad
    x3 = torch.tensor([1.0, 2.0], requires_grad=True)
    y3 = x3 * 1
    z3 = y3 * y3  # MulBackward0 saves both operands
    y3.zero_()
    try:
        z3.sum().backward()
        out["mul_raised"] = False
    except RuntimeError as e:
        out["mul_raised"] = "modified by an inplace operation" in str(e)
    out["y3_version"] = y3._version
    return out


SCENARIOS = {name[len("scenario_"):]: fn for name, fn in sorted(globals().items())
             if name.startswith("scenario_")}
