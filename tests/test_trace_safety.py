"""Ops on JAX tracers (what torchlike.compile and torchlike.func run): each op traces, or raises
GraphBreak when it needs concrete values.  Expected numbers were recorded from torch 2.13."""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import torchlike as torch
import torchlike.nn.functional as F
from compat_tests._fixtures import Decoder, Unsupported, all_metas, load_op, pick_call
from compat_tests._replay import TOLERANCES, Comparison, make_caller
from torchlike._core.tensor import Tensor
from torchlike._core.tracing import GraphBreak

_DTYPES = ("float32", "float64", "int64")


def _first_case(meta):
    """The first recorded float/int case torchlike can call: (case, call kind, dtype) or None."""
    if meta.get("random"):
        return None
    for dt in _DTYPES:
        for case in meta["cases"].get(dt, ()):
            kind = pick_call(torch, meta["name"], case["calls"])
            if kind is not None:
                return case, kind, dt
    return None


def _keys() -> list[str]:
    return [k for k, m in all_metas().items() if _first_case(m) is not None]


def _leaves(v, out):
    if isinstance(v, Tensor):
        out.append(v)
    elif isinstance(v, (list, tuple)):
        for x in v:
            _leaves(x, out)
    elif isinstance(v, dict):
        for x in v.values():
            _leaves(x, out)
    return out


def _rebuild(v, it):
    if isinstance(v, Tensor):
        return next(it)
    if isinstance(v, list):
        return [_rebuild(x, it) for x in v]
    if isinstance(v, tuple):
        return tuple(_rebuild(x, it) for x in v)
    if isinstance(v, dict):
        return {k: _rebuild(x, it) for k, x in v.items()}
    return v


def _refill(v, it):
    """``v`` with its tensors replaced by the next of ``it``, keeping namedtuple types."""
    if isinstance(v, Tensor):
        return next(it)
    if isinstance(v, (list, tuple)):
        vals = [_refill(x, it) for x in v]
        if type(v) in (list, tuple):
            return type(v)(vals)
        try:
            return type(v)(vals)
        except TypeError:
            return type(v)(*vals)
    return v


def _traceable(key):
    """(function of the tensor arguments' arrays calling the op, those arrays, case, dtype)."""
    meta, arrays = load_op(key)
    case, kind, dt = _first_case(meta)
    try:
        sample = Decoder(torch, arrays).sample(case)
    except Unsupported as e:
        pytest.skip(str(e))
    fn = make_caller(torch, meta["name"], kind)
    tensors = _leaves(sample, [])
    dts = [t._dtype for t in tensors]

    def call(*arrs):
        it = iter(Tensor._make(a, d) for a, d in zip(arrs, dts, strict=True))
        inp, args, kwargs = _rebuild(sample, it)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(inp, *args, **kwargs)

    return call, [t._data for t in tensors], case, dt, arrays


@pytest.mark.parametrize("key", _keys())
def test_op_traces_or_breaks(key):
    call, arrs, *_ = _traceable(key)
    try:
        jax.make_jaxpr(lambda *a: [t._data for t in _leaves(call(*a), [])])(*arrs)
    except GraphBreak:
        pass


# Ops whose traced programs are compiled and compared with torch's recorded outputs.
_JIT_KEYS = [
    "add", "mul", "div.floor_rounding", "remainder", "matmul", "sum", "mean", "cumsum",
    "softmax", "nn.functional.cross_entropy", "nn.functional.nll_loss",
    "nn.functional.embedding", "nn.functional.embedding_bag", "nn.functional.multi_margin_loss",
    "nn.functional.gaussian_nll_loss", "nn.functional.instance_norm", "nn.functional.layer_norm",
    "nn.functional.linear", "nn.functional.conv2d", "nn.functional.gelu", "index_select",
    "gather", "scatter_add", "index_add", "take", "where", "clamp", "sort", "topk",
    "searchsorted", "__getitem__", "linalg.solve", "masked_fill",
]


@pytest.mark.parametrize("key", _JIT_KEYS)
def test_op_jit_matches_torch(key):
    call, arrs, case, dt, arrays = _traceable(key)
    seen = {}

    def arrays_out(*a):
        seen["out"] = call(*a)
        return [t._data for t in _leaves(seen["out"], [])]

    res = jax.jit(arrays_out)(*arrs)
    dts = [t._dtype for t in _leaves(seen["out"], [])]
    out = _refill(seen["out"], iter(Tensor._make(r, d) for r, d in zip(res, dts, strict=True)))
    cmp = Comparison(torch, arrays, TOLERANCES, dt)
    cmp.walk(case["output"], out)
    cmp.check_values()
    assert not cmp.problems, cmp.problems


# ---------------------------------------------------------------- Python values of a tracer


def _traced_scalar(fn):
    return jax.make_jaxpr(lambda a: fn(Tensor._make(a)) and a)(jnp.ones((), jnp.int64))


@pytest.mark.parametrize(("what", "fn"), [
    ("Tensor.item", lambda t: t.item()),
    ("Tensor.tolist", lambda t: t.tolist()),
    ("Tensor.numpy", lambda t: t.numpy()),
    ("Tensor.__array__", lambda t: np.asarray(t)),
    ("Tensor.__bool__", lambda t: bool(t)),
    ("Tensor.__int__", lambda t: int(t)),
    ("Tensor.__float__", lambda t: float(t)),
    ("Tensor.__index__", lambda t: [0, 1][t]),
    ("Tensor.__repr__", lambda t: str(t)),
    ("Tensor.__format__", lambda t: f"{t:.2f}"),
])
def test_python_values_graph_break(what, fn):
    with pytest.raises(GraphBreak) as e:
        _traced_scalar(fn)
    assert e.value.op == what
    assert fn(torch.tensor(1)) is not None  # eagerly they still work


def test_data_dependent_shapes_graph_break():
    def brk(fn, *arrs):
        with pytest.raises(GraphBreak) as e:
            jax.make_jaxpr(lambda *a: fn(*(Tensor._make(x) for x in a))._data)(*arrs)
        return e.value.op

    x = jnp.asarray([[0.5, -1.0], [2.0, 0.0]], jnp.float32)
    i = jnp.asarray([0, 2, 1], jnp.int64)
    assert brk(lambda t: t[t > 0], x) == "Tensor.__getitem__ (boolean mask)"
    assert brk(lambda t: t.nonzero(), x) == "nonzero"
    assert brk(lambda t: torch.unique(t), i) == "unique"
    assert brk(lambda t: torch.bincount(t), i) == "bincount"
    assert brk(lambda t: F.one_hot(t), i) == "one_hot"
    assert brk(lambda t: t.repeat_interleave(t), i) == "repeat_interleave"
    assert brk(lambda t: torch.tensor_split(torch.arange(6), t), i) == "tensor_split"
    with pytest.raises(GraphBreak, match="allclose"):
        jax.make_jaxpr(lambda a: torch.allclose(Tensor._make(a), Tensor._make(a)) and a)(x)


# ---------------------------------------------------------------- eager checks skipped when traced

_X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [0.1, 0.2, 0.3]], np.float32)
_T = np.array([0, 2, 1], np.int64)
_W = np.array([[0.5, -1.0], [1.5, 0.25], [0.1, 0.2], [2.0, -3.0]], np.float32)


def _jit(fn, *arrs):
    return jax.jit(lambda *a: fn(*(Tensor._make(x) for x in a)))(*(jnp.asarray(a) for a in arrs))


def _close(t, want, atol=1e-6):
    np.testing.assert_allclose(np.asarray(t._data if isinstance(t, Tensor) else t),
                               np.asarray(want, np.float32), rtol=1e-5, atol=atol)


def test_losses_with_traced_targets():
    _close(_jit(lambda x, t: F.nll_loss(x.log_softmax(1), t), _X, _T), 1.7317352294921875)
    _close(_jit(lambda x, t: F.multi_margin_loss(x, t), _X, _T), 1.0277777910232544)
    _close(_jit(lambda x: F.gaussian_nll_loss(x, x * 0.5, x.abs() + 0.1), _X),
           -0.17132435739040375)
    lp = np.array([[[0.5, -1.0, 2.0]], [[1.5, 0.25, -0.5]], [[0.1, 0.2, 0.3]],
                   [[0.3, 0.0, -0.2]]], np.float32)
    _close(_jit(lambda x, t, il, tl: F.ctc_loss(x.log_softmax(2), t, il, tl), lp,
                np.array([[1, 2]]), np.array([4]), np.array([2])), 1.6225394010543823)


def test_embedding_bag_traced_offsets():
    idx, off = np.array([0, 2, 1, 3, 3, 1]), np.array([0, 2, 2, 5])
    want = {"sum": [[0.6, -0.8], [0.0, 0.0], [5.5, -5.75], [1.5, 0.25]],
            "mean": [[0.3, -0.4], [0.0, 0.0], [1.8333333730697632, -1.9166666269302368],
                     [1.5, 0.25]],
            "max": [[0.5, 0.2], [0.0, 0.0], [2.0, 0.25], [1.5, 0.25]]}
    for mode, w in want.items():
        _close(_jit(lambda i, w, o, m=mode: F.embedding_bag(i, w, o, mode=m), idx, _W, off), w)
    last = _jit(lambda i, w, o: F.embedding_bag(i, w, o, mode="sum", include_last_offset=True),
                idx, _W, off)
    _close(last, want["sum"][:3])


def test_embedding_max_norm_traced():
    def f(i, w):
        out = F.embedding(i, w, max_norm=1.0)
        return out, w  # the renormed rows are written into the traced weight

    out, w = _jit(f, np.array([[0, 3], [3, 1]]), _W)
    _close(out, [[[0.4472135603427887, -0.8944271206855774],
                  [0.5547001957893372, -0.8320503234863281]],
                 [[0.5547001957893372, -0.8320503234863281],
                  [0.9863938093185425, 0.16439896821975708]]])
    _close(w, [[0.4472135603427887, -0.8944271206855774], [0.9863938093185425, 0.16439896821975708],
               [0.1, 0.2], [0.5547001957893372, -0.8320503234863281]])


def test_instance_norm_running_stats_traced():
    xi = np.array([[[0.5, -1.0, 2.0, 0.0], [1.5, 0.25, -0.5, 1.0]],
                   [[0.1, 0.2, 0.3, 0.4], [2.0, -2.0, 1.0, 0.0]]], np.float32)

    def f(x, rm, rv):
        out = F.instance_norm(x, rm, rv, use_input_stats=True, momentum=0.2)
        return out, rm, rv

    out, rm, rv = _jit(f, xi, np.zeros(2, np.float32), np.ones(2, np.float32))
    _close(out[0, 0], [0.11546957492828369, -1.270165205001831, 1.5011043548583984,
                       -0.3464086651802063])
    _close(rm, [0.0625, 0.08125000447034836])
    _close(rv, [0.9579167366027832, 1.168229103088379])


def test_one_hot_traced():
    r = _jit(lambda t: F.one_hot(t, 4), _T)
    assert r.dtype == torch.int64
    np.testing.assert_array_equal(np.asarray(r._data), [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]])


def test_transformer_padding_mask_traced():
    layer = torch.nn.TransformerEncoderLayer(4, 2, 4, dropout=0.0, batch_first=True)
    enc = torch.nn.TransformerEncoder(layer, 1, enable_nested_tensor=True)
    with torch.no_grad():
        for i, p in enumerate(enc.parameters()):
            p.copy_(torch.sin(torch.arange(p.numel(), dtype=torch.float32) * 0.37 + i)
                    .reshape(p.shape))
    enc.eval()
    src = np.sin(np.arange(24.0, dtype=np.float32)).reshape(2, 3, 4)
    kpm = np.array([[False, False, True], [False, True, True]])
    with torch.no_grad():
        out = _jit(lambda s, m: enc(s, src_key_padding_mask=m), src, kpm)
    _close(out, [[[-1.1681182384490967, -2.0490736961364746, -0.437487930059433,
                   0.9309496283531189],
                  [-0.65458083152771, -2.0881683826446533, -1.1148545742034912,
                   0.736598014831543], [0.0, 0.0, 0.0, 0.0]],
                 [[-1.1380047798156738, -2.076395034790039, -0.4357966184616089,
                   0.9077043533325195], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]])


# ---------------------------------------------------------------- gradients on tracers

_CE_GRAD = [[-0.2526809573173523, 0.0019264117581769824, 0.25075453519821167],
            [0.22332686185836792, 0.05605649575591087, -0.2793833613395691],
            [0.08909207582473755, -0.2003694474697113, 0.11127734184265137]]


def test_jax_grad_through_ops():
    t = jnp.asarray(_T)
    g = jax.grad(lambda a: F.cross_entropy(Tensor._make(a), Tensor._make(t),
                                           label_smoothing=0.1)._data)(jnp.asarray(_X))
    _close(g, _CE_GRAD)
    w = np.arange(9, dtype=np.float32).reshape(3, 3)
    g = jax.grad(lambda a: (F.layer_norm(Tensor._make(a), (3,)) * Tensor._make(w)).sum()._data)(
        jnp.asarray(_X))
    _close(g, [[-0.8164938688278198, 0.40824419260025024, 0.4082496762275696],
               [0.07419586181640625, -0.19790315628051758, 0.12370777130126953],
               [-0.018329620361328125, 0.0, 0.018329620361328125]], atol=5e-5)


def test_eager_backward_on_tracers():
    def ce(x, t):
        x.requires_grad_()
        loss = F.cross_entropy(x, t, label_smoothing=0.1)
        loss.backward()
        return loss.detach(), x.grad

    loss, g = _jit(ce, _X, _T)
    _close(loss, 1.7011797428131104)
    _close(g, _CE_GRAD)

    def emb(i, w):
        w.requires_grad_()
        F.embedding(i, w).sum().backward()
        return w.grad

    _close(_jit(emb, np.array([0, 3, 3]), _W), [[1.0, 1.0], [0.0, 0.0], [0.0, 0.0], [2.0, 2.0]])


def test_scalar_first_seen_inside_a_trace_does_not_leak():
    # Python scalars are cached as device arrays; one first met while jax.jit traces must not
    # be cached as that trace's tracer (later eager calls and compiled programs would get it)
    from torchlike._core import registry

    jax.jit(lambda a: (Tensor._make(a) * 0.3173 + 0.5)._data)(jnp.ones(3))
    assert not any(isinstance(v, jax.core.Tracer) for v in registry._SCALARS.values())
    assert (torch.ones(3) * 0.3173).tolist() == pytest.approx([0.3173] * 3)
    f = torch.compile(lambda t: t * 0.3173 + 1)
    assert f(torch.ones(2)).tolist() == pytest.approx([1.3173] * 2)
