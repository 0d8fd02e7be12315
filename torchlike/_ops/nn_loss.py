"""torch.nn.functional losses, each one fused jnp kernel (elementwise loss + reduction).

Integer and bool operands compute in the default float dtype (torch's results for them are
float).  Legacy ``size_average``/``reduce`` arguments map to ``reduction`` as torch's
``_Reduction.legacy_get_string`` does.
"""

from __future__ import annotations

import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from .._core import dtypes as _dt
from .._core.registry import Op, broadcast_shapes
from .._core.tensor import Tensor
from .._core.tracing import concrete_or_break, is_traced
from .linalg_norms import pnorm
from .nn_activation import check_tensor, float_of, fused, opmath

# ---------------------------------------------------------------- helpers


def _reduction(reduction: str, size_average=None, reduce=None, msg: str | None = None) -> str:
    if size_average is not None or reduce is not None:
        sa = True if size_average is None else size_average
        rd = True if reduce is None else reduce
        return "none" if not rd else ("mean" if sa else "sum")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(msg or f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(x, red: str):
    if red == "mean":
        return jnp.mean(x)
    if red == "sum":
        return jnp.sum(x)
    return x


def _common_dtype(*tensors) -> _dt.dtype:
    dt = None
    for t in tensors:
        if t is None:
            continue
        dt = t._dtype if dt is None else _dt.promote_types(dt, t._dtype)
    return float_of(dt)


def _pointwise_loss(op: Op, fname: str, body, tensors, red: str, params=(), *, check_shape=True,
                    names=("input", "target"), nodiff=(), broadcast=True):
    """An elementwise loss ``body(*arrays, *params)`` over broadcast operands, then ``red``."""
    for i, (t, n) in enumerate(zip(tensors, names, strict=False)):
        check_tensor(t, fname, n, i + 1)
    shapes = [tuple(t.shape) for t in tensors if t is not None]
    if check_shape and len(shapes) >= 2 and shapes[0] != shapes[1]:
        warnings.warn(f"Using a target size ({list(shapes[1])}) that is different to the input "
                      f"size ({list(shapes[0])}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", stacklevel=3)
    if broadcast:
        broadcast_shapes(*shapes)
    dt = _common_dtype(*tensors)
    key = (dtypes_key(tensors), dt, red, params)

    def build():
        cdt, onp = opmath(dt), dt.np

        def f(*arrays):
            arrays = [None if a is None else a.astype(cdt) for a in arrays]
            return _reduce(body(*arrays, *params), red).astype(onp)

        return f

    return fused(op, key, build, tensors, dt, nodiff=nodiff)


def dtypes_key(tensors) -> tuple:
    return tuple(None if t is None else (t._dtype, t.dim()) for t in tensors)


# ---------------------------------------------------------------- regression losses

_l1, _mse = Op("l1_loss", "MeanBackward0"), Op("mse_loss")
_huber, _smooth_l1 = Op("huber_loss"), Op("smooth_l1_loss")


def _weighted(loss, w):
    return loss if w is None else loss * w


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """torch.nn.functional.l1_loss."""
    red = _reduction(reduction, size_average, reduce)
    return _pointwise_loss(_l1, "l1_loss", lambda x, t, w: _weighted(jnp.abs(x - t), w),
                           (input, target, weight), red)


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """torch.nn.functional.mse_loss."""
    red = _reduction(reduction, size_average, reduce)
    return _pointwise_loss(_mse, "mse_loss", lambda x, t, w: _weighted((x - t) ** 2, w),
                           (input, target, weight), red)


def _huber_body(x, t, w, delta):
    z = jnp.abs(x - t)
    return _weighted(jnp.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta)), w)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """torch.nn.functional.huber_loss."""
    red = _reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    return _pointwise_loss(_huber, "huber_loss", _huber_body, (input, target, weight), red,
                           (float(delta),))


def _smooth_l1_body(x, t, beta):
    z = jnp.abs(x - t)
    if beta == 0:
        return z
    return jnp.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """torch.nn.functional.smooth_l1_loss."""
    red = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _pointwise_loss(_smooth_l1, "smooth_l1_loss", _smooth_l1_body, (input, target), red,
                           (float(beta),))


_soft_margin = Op("soft_margin_loss")


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """torch.nn.functional.soft_margin_loss: log(1 + exp(-target * input))."""
    red = _reduction(reduction, size_average, reduce)
    return _pointwise_loss(_soft_margin, "soft_margin_loss",
                           lambda x, t: jnp.log1p(jnp.exp(-t * x)), (input, target), red,
                           check_shape=False)


_poisson = Op("poisson_nll_loss", "MeanBackward0")


def _poisson_body(x, t, log_input, full, eps):
    loss = jnp.exp(x) - t * x if log_input else x - t * jnp.log(x + eps)
    if full:
        safe = jnp.where(t > 1, t, 1.0)
        stirling = safe * jnp.log(safe) - safe + 0.5 * jnp.log(2 * math.pi * safe)
        loss = loss + jnp.where(t > 1, stirling, 0.0)
    return loss


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """torch.nn.functional.poisson_nll_loss."""
    red = _reduction(reduction, size_average, reduce)
    return _pointwise_loss(_poisson, "poisson_nll_loss", _poisson_body, (input, target), red,
                           (bool(log_input), bool(full), float(eps)), check_shape=False)


_gaussian = Op("gaussian_nll_loss", "MeanBackward0")


def _gaussian_body(x, t, v, full, eps):
    # torch clamps a clone of var under no_grad: the gradient passes straight through.
    v = v + lax.stop_gradient(jnp.maximum(v, eps) - v)
    loss = 0.5 * (jnp.log(v) + (x - t) ** 2 / v)
    return loss + 0.5 * math.log(2 * math.pi) if full else loss


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """torch.nn.functional.gaussian_nll_loss."""
    check_tensor(input, "gaussian_nll_loss")
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = Tensor._make(jnp.full(input._data.shape, float(var), input._dtype.np), input._dtype)
    elif not is_traced(var) and bool(np.any(np.asarray(var._data) < 0)):
        raise ValueError("var has negative entry/entries")
    ish, vsh = tuple(input.shape), tuple(var.shape)
    if vsh != ish:
        if ish[:-1] == vsh:
            var = var.unsqueeze(-1)
        elif not (len(ish) == len(vsh)
                  and sum(y for x, y in zip(ish, vsh, strict=True) if x != y) == 1):
            raise ValueError("var is of incorrect size")
    red = _reduction(reduction, msg=f"{reduction} is not valid")
    return _pointwise_loss(_gaussian, "gaussian_nll_loss", _gaussian_body, (input, target, var),
                           red, (bool(full), float(eps)), check_shape=False,
                           names=("input", "target", "var"))


_kl_div = Op("kl_div")


def _kl_body(x, t, log_target):
    if log_target:
        return jnp.exp(t) * (t - x)
    return jnp.where(t > 0, t * jnp.log(jnp.where(t > 0, t, 1.0)), 0.0) - t * x


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """torch.nn.functional.kl_div (reduction='batchmean' divides the sum by the batch size)."""
    if size_average is not None or reduce is not None:
        red = _reduction(reduction, size_average, reduce)
    elif reduction == "batchmean":
        red = "batchmean"
    else:
        if reduction not in ("none", "mean", "sum"):
            raise ValueError(f"{reduction} is not a valid value for reduction")
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                          "the support size.'batchmean' divides only by the batch size, and "
                          "aligns with the KL div math definition.'mean' will be changed to "
                          "behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        red = reduction
    if red == "batchmean":
        n = input.shape[0] if input.dim() != 0 else 1
        r = _pointwise_loss(_kl_div, "kl_div", _kl_body, (input, target), "sum",
                            (bool(log_target),), check_shape=False)
        return r / n if n != 1 else r
    return _pointwise_loss(_kl_div, "kl_div", _kl_body, (input, target), red,
                           (bool(log_target),), check_shape=False)


# ---------------------------------------------------------------- binary classification

_bce, _bce_logits = Op("binary_cross_entropy"), Op("binary_cross_entropy_with_logits")


def _bce_body(x, t, w):
    lx = jnp.maximum(jnp.log(x), -100.0)
    l1x = jnp.maximum(jnp.log1p(-x), -100.0)
    return _weighted(-(t * lx + (1 - t) * l1x), w)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.binary_cross_entropy (log terms clamped at -100, as torch)."""
    red = _reduction(reduction, size_average, reduce)
    check_tensor(input, "binary_cross_entropy")
    check_tensor(target, "binary_cross_entropy", "target", 2)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")
    if weight is not None:
        broadcast_shapes(tuple(weight.shape), tuple(input.shape))
    return _pointwise_loss(_bce, "binary_cross_entropy", _bce_body, (input, target, weight), red,
                           check_shape=False)


def _bce_logits_body(x, t, w, pw):
    log_sig = -jax.nn.softplus(-x)
    if pw is not None:
        log_sig = log_sig * ((pw - 1) * t + 1)
    return _weighted((1 - t) * x - log_sig, w)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """torch.nn.functional.binary_cross_entropy_with_logits."""
    red = _reduction(reduction, size_average, reduce)
    check_tensor(input, "binary_cross_entropy_with_logits")
    check_tensor(target, "binary_cross_entropy_with_logits", "target", 2)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    return _pointwise_loss(_bce_logits, "binary_cross_entropy_with_logits", _bce_logits_body,
                           (input, target, weight, pos_weight), red, check_shape=False)


# ---------------------------------------------------------------- margin / embedding losses

_hinge = Op("hinge_embedding_loss", "MeanBackward0")
_margin_ranking = Op("margin_ranking_loss", "MeanBackward0")
_cosine_emb = Op("cosine_embedding_loss", "MeanBackward0")


def _hinge_body(x, t, margin):
    zero = jnp.zeros_like(x)
    return jnp.where(t != 1, jnp.maximum(margin - x, 0), zero) + jnp.where(t != -1, x, zero)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.hinge_embedding_loss."""
    red = _reduction(reduction, size_average, reduce)
    return _pointwise_loss(_hinge, "hinge_embedding_loss", _hinge_body, (input, target), red,
                           (float(margin),), check_shape=False, nodiff=(1,))


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.margin_ranking_loss: max(0, -target * (input1 - input2) + margin)."""
    red = _reduction(reduction, size_average, reduce)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.shape}, input2: {input2.shape}, "
                           f"target: {target.shape} ")
    return _pointwise_loss(_margin_ranking, "margin_ranking_loss",
                           lambda a, b, t, m: jnp.maximum(-t * (a - b) + m, 0),
                           (input1, input2, target), red, (float(margin),), check_shape=False,
                           names=("input1", "input2", "target"))


def _cos_emb_body(a, b, t, margin):
    eps = 1e-12
    prod = jnp.sum(a * b, axis=-1)
    m1 = jnp.sum(a * a, axis=-1) + eps
    m2 = jnp.sum(b * b, axis=-1) + eps
    cos = prod / jnp.sqrt(m1 * m2)
    zero = jnp.zeros_like(cos)
    return jnp.where(t == 1, 1 - cos, zero) + jnp.where(t == -1, jnp.maximum(cos - margin, 0),
                                                         zero)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.cosine_embedding_loss."""
    red = _reduction(reduction, size_average, reduce)
    td = target.dim()
    if td not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input1.dim() != input2.dim() or input1.dim() != td + 1:
        raise RuntimeError(f"{td}D target tensor expects {td + 1}D input tensors, but found "
                           f"inputs with sizes {list(input1.shape)} and {list(input2.shape)}.")
    # the (N,) target pairs with the rows of the (N, D) inputs, not with their last dim
    broadcast_shapes(tuple(input1.shape), tuple(input2.shape))
    if tuple(target.shape) != tuple(input1.shape[:-1]):
        raise RuntimeError(f"The size of tensor a ({input1.shape[0] if td else 1}) must match the "
                           f"size of tensor b ({target.shape[0] if td else 1}) at non-singleton "
                           f"dimension 0")
    return _pointwise_loss(_cosine_emb, "cosine_embedding_loss", _cos_emb_body,
                           (input1, input2, target), red, (float(margin),), check_shape=False,
                           names=("input1", "input2", "target"), nodiff=(2,), broadcast=False)


def _pairwise(a, b, p, eps, keepdim=False):
    d = a - b + eps
    ax = -1 if d.ndim else None
    if d.ndim == 0:
        d = d.reshape(1)
        ax = -1
    return _pnorm(d, p, ax, keepdim)


def _pnorm(d, p, axis, keepdim=False):
    """||d||_p over ``axis`` with torch's gradient conventions at 0 (see linalg_norms.pnorm)."""
    return pnorm(d, p, axis if isinstance(axis, tuple) else (axis,), keepdim)


_triplet = Op("triplet_margin_loss", "MeanBackward0")


def _triplet_body(a, pos, neg, margin, p, eps, swap):
    d_ap = _pairwise(a, pos, p, eps)
    d_an = _pairwise(a, neg, p, eps)
    if swap:
        d_an = jnp.minimum(d_an, _pairwise(pos, neg, p, eps))
    return jnp.maximum(margin + d_ap - d_an, 0)


def _triplet_checks(anchor, positive, negative, margin, fname):
    for i, (t, n) in enumerate(((anchor, "anchor"), (positive, "positive"),
                                (negative, "negative"))):
        check_tensor(t, fname, n, i + 1)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, p, n = anchor.dim(), positive.dim(), negative.dim()
    if not (a == p == n):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {a}D, positive {p}D, and "
                           f"negative {n}D inputs")
    broadcast_shapes(tuple(anchor.shape), tuple(positive.shape))
    broadcast_shapes(tuple(anchor.shape), tuple(negative.shape))


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.triplet_margin_loss."""
    red = _reduction(reduction, size_average, reduce)
    _triplet_checks(anchor, positive, negative, margin, "triplet_margin_loss")
    return _pointwise_loss(_triplet, "triplet_margin_loss", _triplet_body,
                           (anchor, positive, negative), red,
                           (float(margin), float(p), float(eps), bool(swap)), check_shape=False,
                           names=("anchor", "positive", "negative"))


_triplet_dist = Op("triplet_margin_with_distance_loss", "MeanBackward0")


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function=None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.triplet_margin_with_distance_loss (default distance:
    pairwise_distance)."""
    red = _reduction(reduction)
    _triplet_checks(anchor, positive, negative, margin, "triplet_margin_with_distance_loss")
    if distance_function is None:
        return _pointwise_loss(_triplet_dist, "triplet_margin_with_distance_loss", _triplet_body,
                               (anchor, positive, negative), red,
                               (float(margin), 2.0, 1e-6, bool(swap)), check_shape=False,
                               names=("anchor", "positive", "negative"))
    d_ap = distance_function(anchor, positive)
    d_an = distance_function(anchor, negative)
    if swap:
        d_an = distance_function(positive, negative).minimum(d_an)
    return _pointwise_loss(_triplet_dist, "triplet_margin_with_distance_loss",
                           lambda ap, an, m: jnp.maximum(m + ap - an, 0), (d_ap, d_an), red,
                           (float(margin),), check_shape=False)


_soft_multilabel = Op("multilabel_soft_margin_loss", "MeanBackward0")


def _ml_soft_body(x, t, w):
    loss = -(t * -jax.nn.softplus(-x) + (1 - t) * -jax.nn.softplus(x))
    loss = _weighted(loss, w)
    return jnp.sum(loss, axis=-1) / x.shape[-1] if x.ndim else loss


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average=None, reduce=None,
                                reduction: str = "mean") -> Tensor:
    """torch.nn.functional.multilabel_soft_margin_loss."""
    red = _reduction(reduction, size_average, reduce)
    return _pointwise_loss(_soft_multilabel, "multilabel_soft_margin_loss", _ml_soft_body,
                           (input, target, weight), red, check_shape=False)


def _check_margin_input(input, name):
    nd = input.dim()
    if not ((nd == 1 and input.numel() > 0) or (nd == 2 and input.shape[1] > 0) or nd == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {list(input.shape)}")


_multi_margin = Op("multi_margin_loss")


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average=None, reduce=None,
                      reduction: str = "mean") -> Tensor:
    """torch.nn.functional.multi_margin_loss (p = 1 or 2)."""
    red = _reduction(reduction, size_average, reduce)
    check_tensor(input, "multi_margin_loss")
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    _check_margin_input(input, "multi_margin_loss")
    nframe = input.shape[0] if input.dim() == 2 else 1
    if not (target.dim() <= 1 and target.numel() == nframe):
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the "
                           f"number of input samples (batch size). Expected target size "
                           f"[{nframe}], but got {list(target.shape)}.")
    dim = input.shape[-1] if input.dim() else 1
    if not is_traced(target):
        tv = np.asarray(target._data)
        if tv.size and (tv.min() < 0 or tv.max() >= dim):
            raise RuntimeError("target out of range")
    dt = _common_dtype(input, weight)
    nd = input.dim()
    key = (dt, nd, p, float(margin), red, weight is not None, nframe, dim)

    def build():
        cdt, onp = opmath(dt), dt.np

        def f(x, t, w):
            x2 = x.astype(cdt).reshape(nframe, dim)
            t2 = t.reshape(nframe).astype(jnp.int64)
            xy = jnp.take_along_axis(x2, t2[:, None], axis=1)
            z = jnp.maximum(margin - xy + x2, 0)
            if p == 2:
                z = z * z
            if w is not None:
                z = z * w.astype(cdt)[t2][:, None]
            z = jnp.where(jnp.arange(dim)[None, :] == t2[:, None], 0.0, z)
            loss = jnp.sum(z, axis=1) / dim
            if nd <= 1:
                loss = loss.reshape(())
            return _reduce(loss, red).astype(onp)

        return f

    return fused(_multi_margin, key, build, (input, target, weight), dt)


_multilabel_margin = Op("multilabel_margin_loss")


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """torch.nn.functional.multilabel_margin_loss (target: class indices ended by -1)."""
    red = _reduction(reduction, size_average, reduce)
    check_tensor(input, "multilabel_margin_loss")
    _check_margin_input(input, "multilabel_margin_loss")
    nd = input.dim()
    dim = input.shape[-1] if nd else 1
    nframe = input.shape[0] if nd == 2 else 1
    if tuple(target.shape) != tuple(input.shape) and not (nd <= 1 and target.numel() == dim):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    dt = _common_dtype(input)
    key = (dt, nd, red, nframe, dim)

    def build():
        cdt, onp = opmath(dt), dt.np

        def f(x, t):
            x2 = x.astype(cdt).reshape(nframe, dim)
            t2 = t.reshape(nframe, dim).astype(jnp.int64)
            # Targets count up to the first -1.
            valid = jnp.cumprod((t2 >= 0).astype(jnp.int32), axis=1).astype(bool)
            idx = jnp.where(valid, t2, 0)
            is_target = jnp.zeros((nframe, dim), bool).at[
                jnp.arange(nframe)[:, None], idx].max(valid)
            xt = jnp.take_along_axis(x2, idx, axis=1)  # (n, dim): x at each listed target
            z = jnp.maximum(1 - (xt[:, :, None] - x2[:, None, :]), 0)
            z = z * (valid[:, :, None] & ~is_target[:, None, :])
            loss = jnp.sum(z, axis=(1, 2)) / dim
            if nd <= 1:
                loss = loss.reshape(())
            return _reduce(loss, red).astype(onp)

        return f

    return fused(_multilabel_margin, key, build, (input, target), dt)


# ---------------------------------------------------------------- nll / cross entropy

_nll = Op("nll_loss", "NllLossBackward0")
_ce = Op("cross_entropy", "NllLossBackward0")


def _class_checks(input, target, weight, fname):
    check_tensor(input, fname)
    check_tensor(target, fname, "target", 2)
    nd = input.dim()
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd >= 2 and target.dim() >= 1 and input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0]}).")
    c = input.shape[1] if nd >= 2 else input.shape[0]
    if weight is not None and (weight.dim() != 1 or weight.numel() != c):
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no "
                           f"classes but got weight tensor of shape: {list(weight.shape)}")
    return c


def _check_targets(target, c, ignore_index):
    if target._dtype.is_floating_point or target._dtype.is_complex or target._dtype is _dt.bool:
        raise RuntimeError(f"expected scalar type Long but found {target._dtype._tag}")
    if is_traced(target):
        return  # validation only; see docs/differences.md (under torchlike.compile)
    tv = np.asarray(target._data)
    bad = (tv != ignore_index) & ((tv < 0) | (tv >= c))
    if bad.any():
        raise IndexError(f"Target {int(tv[bad].flat[0])} is out of bounds.")


def _nll_core(logp, t, w, ignore_index, red, c):
    """nll over class dim 1 (or 0 for unbatched) of float ``logp``; returns loss (reduced)."""
    cls_axis = 1 if logp.ndim >= 2 else 0
    valid = t != ignore_index
    safe_t = jnp.where(valid, t, 0).astype(jnp.int64)
    picked = jnp.take_along_axis(logp, jnp.expand_dims(safe_t, cls_axis), axis=cls_axis)
    picked = jnp.squeeze(picked, cls_axis)
    wt = (w[safe_t] if w is not None else jnp.ones_like(picked)) * valid
    loss = -picked * wt
    if red == "none":
        return loss, wt
    if red == "sum":
        return jnp.sum(loss), wt
    return jnp.sum(loss) / jnp.sum(wt), wt


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.nll_loss."""
    red = _reduction(reduction, size_average, reduce)
    c = _class_checks(input, target, weight, "nll_loss")
    _check_targets(target, c, ignore_index)
    dt = input._dtype
    if not dt.is_floating_point:
        raise NotImplementedError(f'"nll_loss_out_frame" not implemented for \'{dt._tag}\'')
    key = (dt, input.dim(), target.dim(), weight is not None, ignore_index, red, c)

    def build():
        cdt, onp = opmath(dt), dt.np

        def f(x, t, w):
            w = None if w is None else w.astype(cdt)
            return _nll_core(x.astype(cdt), t, w, ignore_index, red, c)[0].astype(onp)

        return f

    return fused(_nll, key, build, (input, target, weight), dt)


def _ce_body(x, t, w, probs, ignore_index, red, ls, c):
    cls_axis = 1 if x.ndim >= 2 else 0
    logp = jax.nn.log_softmax(x, axis=cls_axis)
    wshape = [1] * x.ndim
    wshape[cls_axis] = c
    if probs:
        if ls > 0:
            t = t * (1 - ls) + ls / c
        prod = logp * t
        if w is not None:
            prod = prod * w.reshape(wshape)
        loss = -jnp.sum(prod, axis=cls_axis)
        if red == "mean":
            return jnp.sum(loss) / (x.size / c) if x.size else jnp.sum(loss) / 0.0
        return _reduce(loss, red)
    nll, wt = _nll_core(logp, t, w, ignore_index, red, c)
    if ls <= 0:
        return nll
    smooth = -jnp.sum(logp * w.reshape(wshape) if w is not None else logp, axis=cls_axis)
    smooth = jnp.where(t == ignore_index, 0.0, smooth)
    if red == "mean":
        smooth = jnp.sum(smooth) / (jnp.sum(wt) if w is not None else
                                    jnp.sum(t != ignore_index))
    else:
        smooth = _reduce(smooth, red)
    return (1 - ls) * nll + (ls / c) * smooth


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                  ignore_index: int = -100, reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """torch.nn.functional.cross_entropy: class indices or class probabilities as target."""
    red = _reduction(reduction, size_average, reduce)
    c = _class_checks(input, target, weight, "cross_entropy")
    _ce_shape_checks(input, target)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    probs = tuple(input.shape) == tuple(target.shape) and target._dtype.is_floating_point
    if tuple(input.shape) == tuple(target.shape) and not probs:
        raise RuntimeError("Expected floating point type for target with class probabilities, "
                           f"got {target._dtype._tag}")
    if not probs:
        _check_targets(target, c, ignore_index)
    dt = input._dtype
    if not dt.is_floating_point:
        raise NotImplementedError(f'"log_softmax_lastdim_kernel_impl" not implemented for '
                                  f"'{dt._tag}'")
    return _cross_entropy(input, target, weight, probs, ignore_index, red, float(label_smoothing),
                          c, _ce)


def _ce_shape_checks(input, target):
    ish, tsh = tuple(input.shape), tuple(target.shape)
    if ish == tsh:
        return
    want = ish[:1] + ish[2:] if len(ish) >= 2 else ()
    if tsh != want:
        raise RuntimeError(f"Expected target size {list(want)}, got {list(tsh)}")


def _cross_entropy(input, target, weight, probs, ignore_index, red, ls, c, op,
                   linear=None):
    dt = input._dtype
    key = (dt, input.dim(), target.dim(), target._dtype, weight is not None, probs,
           ignore_index, red, ls, c,
           None if linear is None else (linear[1], linear[2][0].dim(), linear[2][0]._dtype))

    def build():
        cdt, onp = opmath(dt), dt.np

        def f(x, t, w, lw=None, lb=None):
            x = x.astype(cdt)
            if linear is not None:
                # (..., in) x (C, *K, in) -> (..., C, *K)
                x = jnp.tensordot(x, lw.astype(cdt), axes=([-1], [-1]),
                                  precision=lax.Precision.HIGHEST)
                if lb is not None:
                    x = x + lb.astype(cdt)
            w = None if w is None else w.astype(cdt)
            t = t.astype(cdt) if probs else t
            return _ce_body(x, t, w, probs, ignore_index, red, ls, c).astype(onp)

        return f

    tensors = (input, target, weight) + (linear[2] if linear is not None else ())
    return fused(op, key, build, tensors, dt)


_linear_ce = Op("linear_cross_entropy", "NllLossBackward0")


def linear_cross_entropy(input: Tensor, linear_weight: Tensor, target: Tensor, *,
                         linear_bias: Tensor | None = None, weight: Tensor | None = None,
                         reduction: str = "mean", ignore_index: int | None = None,
                         label_smoothing: float = 0.0, options=None) -> Tensor:
    """torch.nn.functional.linear_cross_entropy: cross_entropy(linear(input, W, b), target) in
    one kernel; ``options`` (torch's chunking knobs) is accepted and ignored: XLA fuses the
    product and the softmax, and the values are the same."""
    check_tensor(input, "linear_cross_entropy")
    check_tensor(linear_weight, "linear_cross_entropy", "linear_weight", 2)
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if linear_weight.dim() < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got "
                           f"{linear_weight.dim()}")
    in_features = input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions (in_features), "
                           f"got {input.shape[-1]} and {linear_weight.shape[-1]}, respectively")
    c = linear_weight.shape[0]
    out_features = tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (c, *out_features):
        raise RuntimeError(f"expected linear_bias shape {(c, *out_features)}, got "
                           f"{tuple(linear_bias.shape)}")
    if out_features and input.dim() == 1:
        raise RuntimeError(f"K-dimensional loss defined by linear_weight shape "
                           f"{tuple(linear_weight.shape)} requires batched input, (N, "
                           f"{in_features}), got unbatched input with shape {tuple(input.shape)}")
    logits_shape = (*input.shape[:-1], c, *out_features)
    probs = tuple(target.shape) == logits_shape
    if probs and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    ignore_index = -100 if ignore_index is None else ignore_index
    red = _reduction(reduction)
    if weight is not None and (weight.dim() != 1 or weight.numel() != c):
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no "
                           f"classes but got weight tensor of shape: {list(weight.shape)}")
    if not probs:
        _check_targets(target, c, ignore_index)
    return _cross_entropy(input, target, weight, probs, ignore_index, red, float(label_smoothing),
                          c, _linear_ce,
                          linear=("linear", linear_bias is not None,
                                  (linear_weight, linear_bias)))


# ---------------------------------------------------------------- CTC

_ctc = Op("ctc_loss", "CtcLossBackward0")


def _ctc_nll(lp, tg, il, tl, blank, smax):
    # lp: (T, N, C) log-probs; tg: (N, S) padded targets; il, tl: (N,) lengths.
    t_max, n, _ = lp.shape
    ext = 2 * smax + 1
    s_idx = jnp.arange(ext)
    if smax:
        lab = jnp.where(s_idx % 2 == 1, tg[:, jnp.clip((s_idx - 1) // 2, 0, smax - 1)], blank)
    else:
        lab = jnp.full((n, ext), blank)
    lab = lab.astype(jnp.int64)
    prev2 = jnp.concatenate([jnp.full((n, 2), -1, jnp.int64), lab[:, :-2]], axis=1)
    can_skip = (lab != blank) & (lab != prev2)
    neg_inf = jnp.asarray(-jnp.inf, lp.dtype)
    lp_lab = jnp.take_along_axis(lp, jnp.broadcast_to(lab[None], (t_max, n, ext)), axis=2)
    valid_s = s_idx[None, :] < (2 * tl[:, None] + 1)
    alpha0 = jnp.where(s_idx[None, :] < 2, lp_lab[0], neg_inf)
    alpha0 = jnp.where(valid_s, alpha0, neg_inf)

    def step(alpha, xs):
        lpt, t = xs
        a1 = jnp.concatenate([jnp.full((n, 1), neg_inf), alpha[:, :-1]], axis=1)
        a2 = jnp.concatenate([jnp.full((n, 2), neg_inf), alpha[:, :-2]], axis=1)
        a2 = jnp.where(can_skip, a2, neg_inf)
        m = jnp.maximum(jnp.maximum(alpha, a1), a2)
        new = _lse(m, (alpha, a1, a2)) + lpt
        new = jnp.where(valid_s, new, neg_inf)
        # Past an input's length, alpha stays frozen.
        new = jnp.where((t < il)[:, None], new, alpha)
        return new, None

    alpha, _ = lax.scan(step, alpha0, (lp_lab[1:], jnp.arange(1, t_max)))
    end = 2 * tl
    last = jnp.take_along_axis(alpha, end[:, None], axis=1)[:, 0]
    prev = jnp.take_along_axis(alpha, jnp.maximum(end - 1, 0)[:, None], axis=1)[:, 0]
    prev = jnp.where(tl > 0, prev, neg_inf)
    return -_lse(jnp.maximum(last, prev), (last, prev))


def _lse(m, terms):
    """log(sum(exp(terms))) with max ``m``; -inf (and a zero gradient, not NaN) when every
    term is -inf."""
    ok = jnp.isfinite(m)
    ms = jnp.where(ok, m, 0.0)
    total = sum(jnp.exp(t - ms) for t in terms)
    return jnp.where(ok, ms + jnp.log(jnp.where(ok, total, 1.0)), -jnp.inf)


def _ctc_torch_grad(lp, tg, il, tl, blank, smax):
    """Per-sample CTC nll whose gradient is torch's: exp(log_probs) - posterior, i.e. the
    gradient through the log_softmax torch assumes produced log_probs, zero past input_length."""

    @jax.custom_vjp
    def nll(lp):
        return _ctc_nll(lp, tg, il, tl, blank, smax)

    def fwd(lp):
        out, vjp = jax.vjp(lambda x: _ctc_nll(x, tg, il, tl, blank, smax), lp)
        return out, (lp, out, vjp)

    def bwd(res, g):
        lp, out, vjp = res
        g = jnp.where(jnp.isfinite(out), g, 0.0)
        (plain,) = vjp(g)
        live = (jnp.arange(lp.shape[0])[:, None] < il[None, :])[:, :, None]
        return (plain + jnp.where(live, jnp.exp(lp) * g[None, :, None], 0.0),)

    nll.defvjp(fwd, bwd)
    return nll(lp)


def _ctc_body(lp, tg, il, tl, blank, red, zero_inf, smax, batched):
    nll = _ctc_torch_grad(lp, tg, il, tl, blank, smax)
    if zero_inf:
        nll = jnp.where(jnp.isinf(nll), 0.0, nll)
    if red == "mean":
        return jnp.mean(nll / jnp.maximum(tl, 1).astype(nll.dtype))
    if red == "sum":
        return jnp.sum(nll)
    return nll if batched else nll[0]


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """torch.nn.functional.ctc_loss (targets padded (N, S) or concatenated 1-D)."""
    check_tensor(log_probs, "ctc_loss", "log_probs")
    red = _reduction(reduction)
    batched = log_probs.dim() == 3
    if log_probs.dim() not in (2, 3):
        raise RuntimeError(f"ctc_loss: log_probs must be 2-D or 3-D, got {log_probs.dim()}-D")
    n = log_probs.shape[1] if batched else 1
    c = log_probs.shape[-1]
    if not 0 <= blank < c:
        raise RuntimeError("blank must be in label range")

    def lengths(v, name):
        if is_traced(v):  # traced lengths go to the kernel as they are, unchecked
            arr = v._data.reshape(-1).astype(jnp.int64)
        else:
            arr = np.asarray(v._data if isinstance(v, Tensor) else v, dtype=np.int64).reshape(-1)
        if arr.size != n:
            raise RuntimeError(f"{name} must be of size batch_size")
        return arr

    il = lengths(input_lengths, "input_lengths")
    tl = lengths(target_lengths, "target_lengths")
    if not is_traced(il) and (il > log_probs.shape[0]).any():
        raise RuntimeError(f"Expected input_lengths to have value at most {log_probs.shape[0]}, "
                           f"but got value {int(il.max())}")
    if targets.dim() == 1 and batched:
        # Concatenated targets: padded to (N, max target length) on the host.
        concrete_or_break("ctc_loss", targets, tl)
    tgt = (targets._data.astype(jnp.int64) if is_traced(targets)
           else np.asarray(targets._data, dtype=np.int64))
    if tgt.ndim == 1 and batched:
        smax = int(tl.max(initial=0))
        padded = np.zeros((n, smax), np.int64)
        off = 0
        for i, ln in enumerate(tl):
            padded[i, :ln] = tgt[off:off + ln]
            off += ln
        tgt = padded
    else:
        tgt = tgt.reshape(n, -1)
        smax = tgt.shape[1]
        if not is_traced(tl) and (tl > smax).any():
            raise RuntimeError(f"Expected tensor to have size at least {int(tl.max())} at "
                               f"dimension 1, but got size {smax} for argument #2 'targets'")
    dt = log_probs._dtype
    key = (dt, batched, smax, tuple(log_probs.shape), blank, red, bool(zero_infinity))

    def build():
        cdt, onp = opmath(dt), dt.np

        def f(lp, tg, ilen, tlen):
            lp = lp.astype(cdt)
            if not batched:
                lp = lp[:, None, :]
            return _ctc_body(lp, tg, ilen, tlen, blank, red, zero_infinity, smax,
                             batched).astype(onp)

        return f

    extra = (jnp.asarray(tgt), jnp.asarray(il), jnp.asarray(tl))
    return fused(_ctc, key, build, (log_probs,), dt, extra)


__all__ = [
    "l1_loss", "mse_loss", "huber_loss", "smooth_l1_loss", "soft_margin_loss", "poisson_nll_loss",
    "gaussian_nll_loss", "kl_div", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "hinge_embedding_loss", "margin_ranking_loss", "cosine_embedding_loss", "triplet_margin_loss",
    "triplet_margin_with_distance_loss", "multilabel_soft_margin_loss", "multi_margin_loss",
    "multilabel_margin_loss", "nll_loss", "cross_entropy", "linear_cross_entropy", "ctc_loss",
]
