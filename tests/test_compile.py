"""torchlike.compile: whole training steps as one program, giving eager torchlike's results.

Models are tiny (a few elements) so that each trace compiles fast; every comparison is with the
same code run eagerly from the same initial state.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

import torchlike as torch
import torchlike.nn as nn
import torchlike.nn.functional as F
from torchlike._dynamo.utils import counters


def _net(seed=0, bn=False, drop=0.0):
    torch.manual_seed(seed)
    layers = [nn.Linear(4, 5)]
    if bn:
        layers.append(nn.BatchNorm1d(5))
    layers += [nn.Tanh()]
    if drop:
        layers.append(nn.Dropout(drop))
    layers.append(nn.Linear(5, 3))
    return nn.Sequential(*layers)


def _data(n=6, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 4, generator=g), torch.randint(0, 3, (n,), generator=g)


def _assert_same(m1, m2, tol=1e-6):
    for (k, a), (_, b) in zip(m1.state_dict().items(), m2.state_dict().items(), strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=tol, atol=tol, err_msg=k)


OPTIMIZERS = {
    "SGD": lambda p: torch.optim.SGD(p, lr=0.1),
    "SGD-nesterov": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True,
                                              weight_decay=0.01),
    "Adam": lambda p: torch.optim.Adam(p, lr=0.05),
    "Adam-amsgrad": lambda p: torch.optim.Adam(p, lr=0.05, amsgrad=True, weight_decay=0.1),
    "AdamW": lambda p: torch.optim.AdamW(p, lr=0.05),
    "Adamax": lambda p: torch.optim.Adamax(p, lr=0.05),
    "NAdam": lambda p: torch.optim.NAdam(p, lr=0.05),
    "RAdam": lambda p: torch.optim.RAdam(p, lr=0.05),
    "Adagrad": lambda p: torch.optim.Adagrad(p, lr=0.1),
    "Adadelta": lambda p: torch.optim.Adadelta(p),
    "RMSprop": lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True),
    "Rprop": lambda p: torch.optim.Rprop(p),
    "ASGD": lambda p: torch.optim.ASGD(p, lr=0.05),
}
# several optimizers share one compiled step (one program per group keeps compiling cheap)
OPT_GROUPS = [["SGD", "SGD-nesterov", "Adam", "Adam-amsgrad", "AdamW"],
              ["Adamax", "NAdam", "RAdam", "Adagrad"], ["Adadelta", "RMSprop", "Rprop", "ASGD"]]


@pytest.mark.parametrize("names", OPT_GROUPS, ids=lambda g: "-".join(g))
def test_training_step_every_optimizer(names):
    crit = nn.CrossEntropyLoss()
    x, y = _data()
    runs = []
    for compiled in (False, True):
        models = [_net(seed=i) for i in range(len(names))]
        opts = [OPTIMIZERS[n](m.parameters()) for n, m in zip(names, models, strict=True)]

        def step(x, y, models=models, opts=opts):
            losses = []
            for m, o in zip(models, opts, strict=True):
                o.zero_grad()
                loss = crit(m(x), y)
                loss.backward()
                o.step()
                losses.append(loss)
            return losses

        fn = torch.compile(step) if compiled else step
        losses = [[v.item() for v in fn(x, y)] for _ in range(3)]
        runs.append((losses, models))
    (le, me), (lc, mc) = runs
    np.testing.assert_allclose(lc, le, rtol=1e-6)
    for a, b in zip(me, mc, strict=True):
        _assert_same(a, b)
        # .grad is visible after the call, equal to eager's
        for pe, pc in zip(a.parameters(), b.parameters(), strict=True):
            np.testing.assert_allclose(pc.grad.numpy(), pe.grad.numpy(), rtol=1e-6, atol=1e-7)


def _losses(out, t) -> list:
    """Every loss of torchlike.nn on a (6, 3) output (AdaptiveLogSoftmaxWithLoss and
    LinearCrossEntropyLoss aside: they graph-break on their data-dependent row selection)."""
    lsm = F.log_softmax(out, 1)
    sign0 = t["sign"][:, 0]
    return [
        nn.CrossEntropyLoss(label_smoothing=0.1)(out, t["cls"]),
        nn.NLLLoss()(lsm, t["cls"]),
        nn.MSELoss()(out, t["reg"]),
        nn.L1Loss()(out, t["reg"]),
        nn.SmoothL1Loss()(out, t["reg"]),
        nn.HuberLoss(delta=0.5)(out, t["reg"]),
        nn.BCEWithLogitsLoss()(out, t["bin"]),
        nn.BCELoss()(torch.sigmoid(out), t["bin"]),
        nn.KLDivLoss(reduction="batchmean")(lsm, t["prob"]),
        nn.PoissonNLLLoss()(out, t["bin"]),
        nn.GaussianNLLLoss()(out, t["reg"], F.softplus(out) + 0.1),
        nn.MultiMarginLoss()(out, t["cls"]),
        nn.MultiLabelMarginLoss()(out, t["labels"]),
        nn.MultiLabelSoftMarginLoss()(out, t["bin"]),
        nn.SoftMarginLoss()(out, t["sign"]),
        nn.HingeEmbeddingLoss()(out, t["sign"]),
        nn.MarginRankingLoss(0.1)(out[:, 0], out[:, 1], sign0),
        nn.CosineEmbeddingLoss()(out[:, :2], out[:, 1:], sign0),
        nn.TripletMarginLoss()(out, t["reg"], out.flip(0)),
        nn.TripletMarginWithDistanceLoss()(out, t["reg"], out.flip(0)),
        nn.CTCLoss()(lsm.unsqueeze(1), torch.tensor([[1, 2]]), torch.tensor([6]),
                     torch.tensor([2])),
    ]


def test_training_step_losses():
    x, y = _data()
    targets = {"cls": y, "reg": torch.randn(6, 3), "bin": torch.rand(6, 3).round(),
               "prob": F.softmax(torch.randn(6, 3), 1), "sign": torch.randn(6, 3).sign(),
               "labels": torch.tensor([[0, 2, -1], [1, -1, 0]] * 3)}
    counters.clear()
    res = []
    for compiled in (False, True):
        model = _net()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)

        def step(model=model, opt=opt):
            opt.zero_grad()
            each = _losses(model(x), targets)
            torch.stack(each).sum().backward()   # every loss's backward runs in the program
            opt.step()
            return each

        fn = torch.compile(step) if compiled else step
        res.append(([[v.item() for v in fn()] for _ in range(2)], model))
    assert counters["stats"]["graph_breaks"] == 0
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-5, atol=1e-6)
    _assert_same(res[0][1], res[1][1], tol=1e-5)


def test_lbfgs_closure_runs_as_eager():
    # LBFGS reads loss values on the host (its line search): the step graph-breaks, as in torch,
    # and gives eager's result
    runs = []
    for compiled in (False, True):
        model = _net()
        opt = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=3)
        x, y = _data()

        def step(model=model, opt=opt, x=x, y=y):
            def closure():
                opt.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                return loss

            return opt.step(closure)

        fn = torch.compile(step) if compiled else step
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            runs.append(([fn().item() for _ in range(2)], model))
    np.testing.assert_allclose(runs[1][0], runs[0][0], rtol=1e-6)
    _assert_same(runs[0][1], runs[1][1])


def test_scheduler_changes_lr_without_retrace():
    counters.clear()
    out = []
    for compiled in (False, True):
        model = _net()
        opt = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
        x, y = _data()

        def step(model=model, opt=opt, x=x, y=y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            opt.step()
            return loss

        fn = torch.compile(step) if compiled else step
        losses = []
        for _ in range(5):
            losses.append(fn().item())
            sched.step()
        out.append((losses, model))
    np.testing.assert_allclose(out[1][0], out[0][0], rtol=1e-6)
    _assert_same(out[0][1], out[1][1])
    # first call (momentum buffers created) and second call (state exists): two traces only
    assert counters["stats"]["unique_graphs"] == 2
    assert counters["stats"]["cache_hits"] == 3


@pytest.mark.parametrize("train", [True, False])
def test_batchnorm_dropout_train_eval(train):
    out = []
    for compiled in (False, True):
        model = _net(bn=True, drop=0.5)
        model.train(train)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        x, y = _data()
        torch.manual_seed(7)

        def step(model=model, opt=opt, x=x, y=y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss

        fn = torch.compile(step) if compiled else step
        out.append(([fn().item() for _ in range(3)], model))
    np.testing.assert_allclose(out[1][0], out[0][0], rtol=1e-6)
    _assert_same(out[0][1], out[1][1])  # includes running_mean/var and num_batches_tracked
    if train:  # fresh dropout masks each call: losses differ between calls
        assert len(set(out[1][0])) == 3


def test_random_ops_draw_fresh_numbers_and_follow_seed():
    f = torch.compile(lambda x: x + torch.rand(3))
    torch.manual_seed(0)
    a, b = f(torch.zeros(3)), f(torch.zeros(3))
    assert not np.allclose(a.numpy(), b.numpy())
    torch.manual_seed(0)
    e1, e2 = torch.rand(3), torch.rand(3)  # eager draws the same stream
    np.testing.assert_allclose(a.numpy(), e1.numpy())
    np.testing.assert_allclose(b.numpy(), e2.numpy())


def test_tied_weights_and_inplace_args():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(5, 3)
            self.out = nn.Linear(3, 5, bias=False)
            self.out.weight = self.emb.weight

        def forward(self, i):
            return self.out(self.emb(i))

    res = []
    for compiled in (False, True):
        torch.manual_seed(0)
        m = Tied()
        opt = torch.optim.Adam(m.parameters(), lr=0.1)
        idx = torch.tensor([0, 2, 4])
        acc = torch.zeros(3)

        def step(idx, acc, m=m, opt=opt):
            opt.zero_grad()
            loss = F.cross_entropy(m(idx), idx)
            loss.backward()
            opt.step()
            acc.add_(1.0)          # in-place on an argument
            acc[0] = loss.detach()  # through a view
            return {"loss": loss, "n": acc.sum()}

        fn = torch.compile(step) if compiled else step
        outs = [fn(idx, acc) for _ in range(3)]
        res.append((m, acc, [o["loss"].item() for o in outs], [o["n"].item() for o in outs]))
        assert m.out.weight is m.emb.weight
    _assert_same(res[0][0], res[1][0])
    np.testing.assert_allclose(res[1][1].numpy(), res[0][1].numpy(), rtol=1e-6)
    np.testing.assert_allclose(res[1][2], res[0][2], rtol=1e-6)
    np.testing.assert_allclose(res[1][3], res[0][3], rtol=1e-6)


@dataclasses.dataclass
class Batch:
    x: torch.Tensor
    y: torch.Tensor


def test_no_grad_blocks_and_structured_io():
    model = _net()

    @torch.compile
    def evaluate(batch: Batch, extra: tuple):
        with torch.no_grad():
            out = model(batch.x)
        return Batch(out, out.argmax(1)), (extra[0] * 2, [out.sum()])

    x, y = _data()
    got, (two, (s,)) = evaluate(Batch(x, y), (torch.ones(2),))
    with torch.no_grad():
        want = model(x)
    assert isinstance(got, Batch)
    np.testing.assert_allclose(got.x.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)
    assert got.y.tolist() == want.argmax(1).tolist()
    assert not got.x.requires_grad
    assert two.tolist() == [2.0, 2.0]
    np.testing.assert_allclose(s.item(), want.sum().item(), rtol=1e-5)


def test_compiled_module_forward_then_eager_backward():
    m1, m2 = _net(), _net()
    cm = torch.compile(m2)
    x, y = _data()
    F.cross_entropy(m1(x), y).backward()
    loss = F.cross_entropy(cm(x), y)
    assert loss.requires_grad and loss.grad_fn is not None
    loss.backward()
    for p1, p2 in zip(m1.parameters(), m2.parameters(), strict=True):
        np.testing.assert_allclose(p2.grad.numpy(), p1.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_optimized_module_wrapper_as_torch():
    m = nn.Linear(2, 3)
    c = torch.compile(m)
    # recorded from torch 2.13
    assert repr(c) == ("OptimizedModule(\n  (_orig_mod): Linear(in_features=2, out_features=3, "
                       "bias=True)\n)")
    assert list(c.state_dict()) == ["_orig_mod.weight", "_orig_mod.bias"]
    assert type(c).__name__ == "OptimizedModule" and c._orig_mod is m
    assert c.in_features == 2 and c.weight is m.weight
    c.eval()
    assert not m.training
    x = torch.randn(4, 2)
    np.testing.assert_allclose(c(x).detach().numpy(), m(x).detach().numpy(), rtol=1e-6)


def test_module_compile_in_place():
    m = _net()
    x, _ = _data()
    want = m(x).detach().numpy()
    counters.clear()
    m.compile()
    np.testing.assert_allclose(m(x).detach().numpy(), want, rtol=1e-5, atol=1e-6)
    m(x)
    assert counters["stats"]["unique_graphs"] == 1 and counters["stats"]["cache_hits"] == 1


def test_compile_arguments_as_torch():
    # messages recorded from torch 2.13
    with pytest.raises(torch._dynamo.exc.InvalidBackend, match="Invalid backend: 'xyz', see"):
        torch.compile(lambda x: x, backend="xyz")
    with pytest.raises(RuntimeError, match="Unrecognized mode=fast, should be one of: default, "
                       "lite, reduce-overhead, max-autotune-no-cudagraphs, max-autotune"):
        torch.compile(lambda x: x, mode="fast")
    with pytest.raises(RuntimeError, match="Either mode or options can be specified"):
        torch.compile(lambda x: x, mode="default", options={})
    with pytest.raises(AssertionError, match="A callable function is expected"):
        torch.compile(3)
    assert torch._dynamo.list_backends() == ["cudagraphs", "inductor", "openxla", "tvm"]
    f = lambda x: x  # noqa: E731
    assert torch.compile(f, disable=True) is f
    for kw in ({"mode": "max-autotune"}, {"backend": "eager"}, {"dynamic": True}):
        assert torch.compile(lambda x: x * 2, **kw)(torch.ones(1)).item() == 2.0


def test_graph_break_falls_back_to_eager_with_one_warning():
    def f(x):
        if x.sum().item() > 0:  # a concrete value steers Python
            return x * 2
        return x - 1

    cf = torch.compile(f)
    with pytest.warns(UserWarning, match=r"graph break in .*item.*test_compile.py:\d+"):
        assert cf(torch.ones(2)).tolist() == [2.0, 2.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cf(torch.ones(2)).tolist() == [2.0, 2.0]   # same entry: eager, no new warning
    assert cf(-torch.ones(2) * 3).tolist() == [-4.0, -4.0]  # same entry: eager, other branch

    with pytest.raises(torch._dynamo.exc.Unsupported, match=r"test_compile.py:\d+"):
        torch.compile(f, fullgraph=True)(torch.ones(2))

    def g(x):
        return x[x > 0].sum()   # data-dependent shape

    with pytest.warns(UserWarning, match="graph break"):
        assert torch.compile(g)(torch.tensor([1.0, -2.0, 3.0])).item() == 4.0


def test_graph_break_rolls_back_state():
    model = _net()
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    eager_m = _net()
    eager_o = torch.optim.Adam(eager_m.parameters(), lr=0.1)
    x, y = _data()

    def step(model, opt):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        print_value = float(loss)  # breaks the graph after the step already ran once traced
        return print_value

    with pytest.warns(UserWarning, match="graph break"):
        got = torch.compile(step)(model, opt)
    want = step(eager_m, eager_o)
    assert got == pytest.approx(want, rel=1e-6)
    _assert_same(eager_m, model)
    assert len(opt.state) == len(eager_o.state)


def test_recompiles_per_shape_then_cache_limit():
    counters.clear()
    f = torch.compile(lambda x: (x * 2).sum())
    for n in (1, 2, 3, 1, 2):
        assert f(torch.ones(n)).item() == 2.0 * n
    assert counters["stats"]["unique_graphs"] == 3 and counters["stats"]["cache_hits"] == 2
    old = torch._dynamo.config.cache_size_limit
    torch._dynamo.config.cache_size_limit = 3
    try:
        with pytest.warns(UserWarning, match=r"hit config.recompile_limit \(3\)"):
            assert f(torch.ones(7)).item() == 14.0
    finally:
        torch._dynamo.config.cache_size_limit = old
    torch.compiler.reset()
    assert not counters["stats"]


def test_is_compiling_explain_reset():
    seen = []

    def f(x):
        seen.append(torch.compiler.is_compiling())
        return x + 1

    torch.compile(f)(torch.ones(1))
    assert seen == [True] and not torch.compiler.is_compiling()

    def h(x):
        y = x.sin()
        if y.sum() > 0:
            return y
        return -y

    ex = torch._dynamo.explain(h)(torch.ones(3))
    assert ex.graph_count == 0 and ex.graph_break_count == 1
    assert "h" in str(ex.break_reasons[0]) or "test_compile" in str(ex.break_reasons[0])
    ok = torch._dynamo.explain(lambda x: x.sin() * 2)(torch.ones(3))
    assert ok.graph_count == 1 and ok.graph_break_count == 0 and ok.op_count >= 1


def test_written_buffers_are_donated():
    model = nn.Linear(3, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.randn(4, 3)

    @torch.compile
    def step():
        opt.zero_grad()
        model(x).sum().backward()
        opt.step()

    for _ in range(3):
        step()
    ptr = model.weight._data.unsafe_buffer_pointer()
    step()
    assert model.weight._data.unsafe_buffer_pointer() == ptr  # updated in place: flat memory
    held = torch.Tensor._make(model.weight.jax())  # another tensor on the same jax array
    step()
    assert not held.jax().is_deleted()
    assert not np.allclose(held.numpy(), model.weight.detach().numpy())


def test_fast_path_follows_state_changes_between_calls():
    model = _net(bn=True)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = _data()

    @torch.compile
    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    twin = _net(bn=True)
    topt = torch.optim.SGD(twin.parameters(), lr=0.1)

    def eager():
        topt.zero_grad()
        loss = F.cross_entropy(twin(x), y)
        loss.backward()
        topt.step()
        return loss

    for _ in range(3):
        step(), eager()
    kept = model[0].weight.grad          # a reference the user keeps: must not change
    kept_vals = kept.numpy().copy()
    step(), eager()
    np.testing.assert_array_equal(kept.numpy(), kept_vals)
    assert model[0].weight.grad is not kept
    model.eval(), twin.eval()           # train/eval flip: another program
    step(), eager()
    model.train(), twin.train()
    with torch.no_grad():               # eager writes between calls are seen
        model[0].weight.mul_(0.5), twin[0].weight.mul_(0.5)
    for group in (opt.param_groups[0], topt.param_groups[0]):
        group["lr"] = 0.05
    got, want = step(), eager()
    assert got.item() == pytest.approx(want.item(), rel=1e-6)
    _assert_same(twin, model)


def test_return_types_and_namedtuples_come_back():
    vals, idx = torch.compile(lambda x: torch.sort(x, descending=True))(torch.tensor([1.0, 3.0]))
    assert vals.tolist() == [3.0, 1.0] and idx.tolist() == [1, 0]
    r = torch.compile(lambda x: x.max(0))(torch.tensor([1.0, 3.0, 2.0]))
    assert type(r).__name__ == "max" and r.values.item() == 3.0 and r.indices.item() == 1


def test_composes_with_func_and_interop():
    from torchlike.func import functional_call, grad, vmap

    model = nn.Linear(3, 2)
    params = {k: v.detach() for k, v in model.named_parameters()}

    def loss(p, x, y):
        return F.mse_loss(functional_call(model, p, (x,)), y)

    def per_sample(x, y):
        return vmap(grad(loss), in_dims=(None, 0, 0))(params, x, y)

    x, y = torch.randn(4, 3), torch.randn(4, 2)
    want, got = per_sample(x, y), torch.compile(per_sample)(x, y)
    for k in want:
        np.testing.assert_allclose(got[k].numpy(), want[k].numpy(), rtol=1e-6, atol=1e-7)
    # a compiled function inside a transform inlines into it
    g = grad(torch.compile(lambda w: (w.sin() * w).sum()))(torch.tensor([0.5, 1.0]))
    w = torch.tensor([0.5, 1.0])
    np.testing.assert_allclose(g.numpy(), (w.cos() * w + w.sin()).numpy(), rtol=1e-6)
    # a JAX function wrapped as an op, under compile, differentiated eagerly afterwards
    import jax.numpy as jnp

    from torchlike import interop

    twice_sin = interop.torch_op(lambda a: jnp.sin(a) * 2)
    w = torch.randn(3, requires_grad=True)
    out = torch.compile(lambda w: twice_sin(w).sum())(w)
    out.backward()
    np.testing.assert_allclose(w.grad.numpy(), (w.detach().cos() * 2).numpy(), rtol=1e-6)


def test_module_hyperparameters_are_guarded():
    m = nn.Sequential(nn.Dropout(0.0), nn.LeakyReLU(0.1))
    f = torch.compile(m)
    x = torch.tensor([-1.0, 2.0])
    assert f(x).tolist() == pytest.approx([-0.1, 2.0])
    m[1].negative_slope = 0.5           # torch guards on it: a new program
    assert f(x).tolist() == pytest.approx([-0.5, 2.0])


def test_scheduler_stepping_inside_the_compiled_call():
    res = []
    for compiled in (False, True):
        model = _net()
        opt = torch.optim.SGD(model.parameters(), lr=0.5)
        sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        x, y = _data()

        def step(model=model, opt=opt, sched=sched, x=x, y=y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            sched.step()      # writes group["lr"]: retraced each call, still eager's values
            return loss

        fn = torch.compile(step) if compiled else step
        res.append(([fn().item() for _ in range(4)], model, sched.get_last_lr()))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-6)
    _assert_same(res[0][1], res[1][1])
    assert res[1][2] == res[0][2] == [0.5 * 0.5 ** 4]
