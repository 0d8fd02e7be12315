"""torch.nn.functional: dropout family, linear/bilinear, embedding/embedding_bag, one_hot, pad,
distances (cosine_similarity, pairwise_distance, pdist), channel_shuffle.

Dropout masks come from torchlike's generator machinery (JAX streams, not torch's): the kernel
takes the generator's key words and counter, so the mask is drawn inside the same fused kernel
and its vjp recomputes the same mask.
"""

from __future__ import annotations

import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from .._core import dtypes as _dt
from .._core.grad_mode import no_grad
from .._core.registry import Op, export, wrap_dim
from .._core.registry import inplace as _inplace
from .._core.tensor import Tensor
from .._core.tracing import concrete_or_break, is_traced
from . import random as _random
from .nn_activation import check_tensor, dtypes_of, float_of, fused, opmath
from .nn_loss import _pnorm

_make = Tensor._make
_HIGHEST = lax.Precision.HIGHEST

# ---------------------------------------------------------------- dropout

_dropout = Op("dropout", "NativeDropoutBackward0")
_ALPHA = 1.7580993408473766  # -SELU scale * alpha: what alpha dropout drops to


def _dropout_impl(input, p, training, inplace, fname, feature: bool, alpha: bool,
                  generator=None):
    check_tensor(input, fname)
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0 or input.numel() == 0:
        return input
    dt = input._dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f'"bernoulli_scalar_cpu_" not implemented for \'{dt._tag}\'')
    shape = tuple(input.shape)
    if feature:
        if len(shape) < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        mshape = shape[:2] + (1,) * (len(shape) - 2)
    else:
        mshape = shape
    g = generator if generator is not None else _random.default_generator
    words, counter = g._next()
    key = (dt, shape, mshape, float(p), alpha)

    def build():
        cdt, onp = opmath(dt), dt.np
        q = 1.0 - p

        def f(x, w, c):
            k = jax.random.fold_in(jax.random.wrap_key_data(w, impl="threefry2x32"), c)
            keep = jax.random.bernoulli(k, q, mshape).astype(cdt)
            x = x.astype(cdt)
            if alpha:
                if p == 1:
                    return (x * 0).astype(onp)
                a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * q)
                b = (keep - 1) * (_ALPHA * a) + _ALPHA * a * p
                return (x * (keep * a) + b).astype(onp)
            if p == 1:
                return (x * 0).astype(onp)
            return (x * (keep / q)).astype(onp)

        return f

    r = fused(_dropout, key, build, (input,), dt, (words, counter))
    return _inplace(input, r) if inplace else r


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """torch.nn.functional.dropout (mask from JAX's stream, not torch's)."""
    return _dropout_impl(input, p, training, inplace, "dropout", False, False)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """torch.nn.functional.alpha_dropout (keeps SELU's mean and variance)."""
    return _dropout_impl(input, p, training, inplace, "alpha_dropout", False, True)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """torch.nn.functional.feature_alpha_dropout: alpha dropout of whole channels."""
    return _dropout_impl(input, p, training, inplace, "feature_alpha_dropout", True, True)


def _feature_dropout(input, p, training, inplace, fname, want: int):
    check_tensor(input, fname)
    nd = input.dim()
    if nd not in (want, want + 1):
        if fname == "dropout2d" and nd in (2, 3):
            pass
        else:
            raise RuntimeError(f"{fname}: Expected {want}D or {want + 1}D input, but received a "
                               f"{nd}D input. Note that {fname} exists to provide channel-wise "
                               "dropout on inputs with 2 spatial dimensions, a channel dimension, "
                               "and an optional batch dimension (i.e. 3D or 4D inputs).")
    if fname == "dropout2d" and nd == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), "
                      "where C is the channel dim. This behavior will change in a future release "
                      "to interpret the input as one without a batch dimension, i.e. shape (C, H, "
                      "W). To maintain the 1D channel-wise dropout behavior, please switch to "
                      "using dropout1d instead.", stacklevel=3)
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    unbatched = nd == want
    if unbatched and not (fname == "dropout2d" and nd == 3):
        x = input.unsqueeze(0)
        r = _dropout_impl(x, p, training, False, fname, True, False)
        r = r.squeeze(0) if r is not x else input
        return _inplace(input, r) if inplace and r is not input else r
    return _dropout_impl(input, p, training, inplace, fname, True, False)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """torch.nn.functional.dropout1d: zero whole channels of (N, C, L) or (C, L)."""
    return _feature_dropout(input, p, training, inplace, "dropout1d", 2)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """torch.nn.functional.dropout2d: zero whole channels of (N, C, H, W) or (C, H, W)."""
    return _feature_dropout(input, p, training, inplace, "dropout2d", 3)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """torch.nn.functional.dropout3d: zero whole channels of (N, C, D, H, W) or (C, D, H, W)."""
    return _feature_dropout(input, p, training, inplace, "dropout3d", 4)


# ---------------------------------------------------------------- linear, bilinear

_linear = Op("linear", "AddmmBackward0")
_bilinear = Op("bilinear", "BilinearBackward0")


def _same_dtype(fname, *tensors):
    tags = [t._dtype._tag for t in tensors if t is not None]
    for b in tags[1:]:
        if b != tags[0]:
            raise RuntimeError(f"{fname}(): expected m1 and m2 to have the same dtype, but got: "
                               f"{tags[0]} != {b}")


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """torch.nn.functional.linear: input @ weight.T + bias."""
    check_tensor(input, "linear")
    check_tensor(weight, "linear", "weight", 2)
    _same_dtype("linear", input, weight, bias)
    if input.dim() == 0 or weight.dim() not in (1, 2):
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{input.dim()}D and {weight.dim()}D")
    k = weight.shape[-1]
    if input.shape[-1] != k:
        rows = math.prod(input.shape[:-1])
        w2 = (weight.shape[0], k) if weight.dim() == 2 else (k, 1)
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input.shape[-1]} "
                           f"and {w2[1]}x{w2[0]})")
    dt = input._dtype
    key = (dt, input.dim(), weight.dim(), dtypes_of(bias))

    def build():
        def f(x, w, b):
            y = jnp.matmul(x, w.T, precision=_HIGHEST)
            return (y + b if b is not None else y).astype(dt.np)

        return f

    return fused(_linear, key, build, (input, weight, bias), dt)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """torch.nn.functional.bilinear: x1^T A x2 + b per output feature."""
    for i, (t, n) in enumerate(((input1, "input1"), (input2, "input2"), (weight, "weight"))):
        check_tensor(t, "bilinear", n, i + 1)
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and "
                           f"{input2.dim()}")
    if weight.dim() != 3:
        raise RuntimeError(f"bilinear(): weight must be three-dimensional, but got {weight.dim()}")
    if input1.shape[-1] != weight.shape[1] or input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input1/input2 size does not match weight size: got "
                           f"{input1.shape[-1]}, {input2.shape[-1]} but expected "
                           f"{weight.shape[1]}, {weight.shape[2]}")
    dt = input1._dtype
    key = (dt, input1.dim(), dtypes_of(input2, weight, bias))

    def build():
        def f(a, b, w, bias_):
            y = jnp.einsum("...i,oij,...j->...o", a, w, b, precision=_HIGHEST)
            return (y + bias_ if bias_ is not None else y).astype(dt.np)

        return f

    return fused(_bilinear, key, build, (input1, input2, weight, bias), dt)


# ---------------------------------------------------------------- embedding

_embedding = Op("embedding", "EmbeddingBackward0")
_embedding_bag = Op("embedding_bag", "EmbeddingBagBackward0")


def _check_indices(idx, fname):
    if idx._dtype not in (_dt.int64, _dt.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {idx._dtype._tag} instead "
                           f"(while checking arguments for {fname})")


def _embedding_renorm(weight, idx, max_norm, norm_type):
    """torch.embedding_renorm_: rescale the referenced rows whose norm exceeds max_norm."""
    if is_traced(weight, idx):
        _embedding_renorm_traced(weight, idx, max_norm, norm_type)
        return
    rows = np.unique(np.asarray(idx._data).reshape(-1))
    w = np.asarray(weight._data)
    sub = w[rows].astype(np.float64)
    if norm_type == math.inf:
        norms = np.abs(sub).max(axis=1)
    else:
        norms = (np.abs(sub) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    new = w.copy()
    new[rows] = (sub * scale[:, None]).astype(w.dtype)
    with no_grad():
        arr = jnp.asarray(new)
        from .._core import views as _views

        _views.write(weight, arr)


def _embedding_renorm_traced(weight, idx, max_norm, norm_type):
    # The host version's np.unique has no static shape: mark the referenced rows instead.
    w = weight._data
    used = jnp.zeros((w.shape[0],), bool).at[idx._data.reshape(-1)].set(True)
    sub = w.astype(jnp.float64)
    if norm_type == math.inf:
        norms = jnp.abs(sub).max(axis=1)
    else:
        norms = (jnp.abs(sub) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = jnp.where(used & (norms > max_norm), max_norm / (norms + 1e-7), 1.0)
    with no_grad():
        from .._core import views as _views

        _views.write(weight, (sub * scale[:, None]).astype(w.dtype))


def _host_bags(ov, size, include_last_offset):
    """(number of bags, bag of each input element) from concrete offsets, checked as torch."""
    if ov.size and ov[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the "
                           f"mini-batch has to start from position 0. However, got {ov[0]}")
    ends = ov[1:] if include_last_offset else np.append(ov[1:], size)
    starts = ov[:-1] if include_last_offset else ov
    if ends.size and ends[-1] > size:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {size}, "
                           f"but got offsets[-1] of {ends[-1]}")
    seg = np.zeros(size, np.int64)
    for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
        seg[s:e] = i
    return len(starts), seg


def _padding_idx(padding_idx, n):
    if padding_idx is None:
        return None
    if padding_idx > 0:
        if padding_idx >= n:
            raise AssertionError("Padding_idx must be within num_embeddings")
    elif padding_idx < 0:
        if padding_idx < -n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx += n
    return padding_idx


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """torch.nn.functional.embedding (``sparse`` gradients are dense here)."""
    check_tensor(input, "embedding")
    check_tensor(weight, "embedding", "weight", 2)
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(input, "embedding")
    n = weight.shape[0]
    pad = _padding_idx(padding_idx, n)
    if not is_traced(input):  # traced: unchecked, the gather clamps (docs/differences.md)
        iv = np.asarray(input._data)
        if iv.size and (iv.min() < 0 or iv.max() >= n):
            raise IndexError("index out of range in self")
    if max_norm is not None:
        _embedding_renorm(weight, input, max_norm, norm_type)
    dt = weight._dtype
    key = (dt, input._dtype, pad, bool(scale_grad_by_freq))

    def build():
        def f(idx, w):
            flat = idx.reshape(-1)
            if scale_grad_by_freq:
                counts = jnp.zeros((w.shape[0],), w.dtype).at[flat].add(1)
                s = (1.0 / jnp.maximum(counts, 1))[:, None]
                w = w * s + lax.stop_gradient(w - w * s)
            out = jnp.take(w, flat, axis=0)
            if pad is not None:
                keep = (flat != pad)[:, None]
                out = jnp.where(keep, out, lax.stop_gradient(out))
            return out.reshape(idx.shape + (w.shape[1],))

        return f

    return fused(_embedding, key, build, (input, weight), dt, nodiff=(0,))


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """torch.nn.functional.embedding_bag (modes sum/mean/max, offsets, per_sample_weights)."""
    check_tensor(input, "embedding_bag")
    check_tensor(weight, "embedding_bag", "weight", 2)
    if weight._dtype in (_dt.int64, _dt.int32) and input._dtype.is_floating_point:
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage "
                      "`embedding_bag(weight, input, ...)` is deprecated, and should now be "
                      "`embedding_bag(input, weight, ...)`.", stacklevel=2)
        input, weight = weight, input
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.dim()}")
    _check_indices(input, "embedding_bag")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                      f"per_sample_weights is only supported for mode='sum' (got "
                                      f"mode='{mode}'). Please open a feature request on GitHub.")
        if tuple(per_sample_weights.shape) != tuple(input.shape):
            raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) "
                             f"is not None, then it must have the same shape as the input "
                             f"({input.shape})")
    n = weight.shape[0]
    pad = _padding_idx(padding_idx, n)
    traced = is_traced(input, offsets)
    iv = input._data if traced else np.asarray(input._data)
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is "
                             "a mini-batch of fixed length sequences. However, found offsets of "
                             f"type {type(offsets).__name__}")
        b, length = iv.shape
        seg = np.repeat(np.arange(b), length)
        flat_idx = iv.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        if traced:
            # Bags from the offsets inside the program: elements at or past a last offset that
            # ends no bag get segment b, which the segment sums drop.
            ov = offsets._data.astype(jnp.int64)
            b = ov.shape[0] - 1 if include_last_offset else ov.shape[0]
            seg = jnp.searchsorted(ov, jnp.arange(iv.size), side="right") - 1
        else:
            b, seg = _host_bags(np.asarray(offsets._data).astype(np.int64), iv.size,
                                include_last_offset)
        flat_idx = iv
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")
    if not traced and flat_idx.size and (flat_idx.min() < 0 or flat_idx.max() >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _embedding_renorm(weight, input, max_norm, norm_type)
    valid = (jnp if traced else np).ones(flat_idx.shape, bool) if pad is None else flat_idx != pad
    dt = weight._dtype
    key = (dt, b, mode, dtypes_of(per_sample_weights), bool(scale_grad_by_freq))
    extra = (jnp.asarray(flat_idx.astype(np.int64)), jnp.asarray(seg), jnp.asarray(valid))

    def build():
        def f(w, psw, idx, sg, ok):
            if scale_grad_by_freq and mode != "max":
                counts = jnp.zeros((w.shape[0],), w.dtype).at[idx].add(1)
                s = (1.0 / jnp.maximum(counts, 1))[:, None]
                w = w * s + lax.stop_gradient(w - w * s)
            rows = jnp.take(w, idx, axis=0)
            if psw is not None:
                rows = rows * psw.reshape(-1)[:, None].astype(rows.dtype)
            okc = ok[:, None]
            if mode == "max":
                big = jnp.where(okc, rows, -jnp.inf)
                out = jax.ops.segment_max(big, sg, num_segments=b)
                return jnp.where(jnp.isfinite(out), out, 0).astype(dt.np)
            out = jax.ops.segment_sum(jnp.where(okc, rows, 0), sg, num_segments=b)
            if mode == "mean":
                cnt = jax.ops.segment_sum(ok.astype(rows.dtype), sg, num_segments=b)
                out = out / jnp.maximum(cnt, 1)[:, None]
            return out.astype(dt.np)

        return f

    return fused(_embedding_bag, key, build, (weight, per_sample_weights), dt, extra)


# ---------------------------------------------------------------- one_hot

_one_hot = Op("one_hot", differentiable=False)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """torch.nn.functional.one_hot: int64 indices → int64 one-hot on a new last dim."""
    check_tensor(tensor, "one_hot", "self")
    if tensor._dtype is not _dt.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    v = None if is_traced(tensor) else np.asarray(tensor._data)
    if num_classes == -1:
        if tensor.numel() == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        concrete_or_break("one_hot", tensor)  # num_classes from the data
        num_classes = int(v.max()) + 1
    elif num_classes < -1:
        raise RuntimeError("num_classes should be positive")
    if v is not None and v.size:
        if v.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if v.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    c = int(num_classes)

    def build():
        def f(x):
            return (x[..., None] == jnp.arange(c, dtype=x.dtype)).astype(jnp.int64)

        return f

    return fused(_one_hot, (c,), build, (tensor,), _dt.int64)


# ---------------------------------------------------------------- pad

_pad = Op("pad", "ConstantPadNdBackward0")
# torch names the backward of each non-constant mode by its family and padded rank.
_pad_gather = {(mode, k): Op("pad_indexed", f"{name}Pad{k}DBackward0")
               for mode, name in (("reflect", "Reflection"), ("replicate", "Replication"))
               for k in (1, 2, 3)}
_pad_gather.update({("circular", k): Op("pad_indexed", "CopySlices") for k in (1, 2, 3)})


def _pad_index(n, lo, hi, mode):
    if mode == "circular":
        # Crop first, then wrap around what is left (torch copies the padding from the
        # cropped interior).
        m = n + min(lo, 0) + min(hi, 0)
        return max(-lo, 0) + np.mod(np.arange(-max(lo, 0), m + max(hi, 0)), m)
    # Reflect and replicate index the uncropped input, then the crop drops the ends.
    j = np.arange(-lo, n + hi)
    if mode == "replicate":
        return np.clip(j, 0, n - 1)
    period = 2 * (n - 1)
    if period == 0:
        return np.zeros_like(j)
    j = np.mod(np.abs(j), period)
    return np.where(j >= n, period - j, j)


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """torch.nn.functional.pad: constant, reflect, replicate, circular (negative pads crop)."""
    check_tensor(input, "pad")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    nd = input.dim()
    if k > nd:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{nd}")
    shape = tuple(input.shape)
    pairs = [(0, 0)] * (nd - k) + [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(k))]
    dt = input._dtype
    if mode == "constant":
        for d, (lo, hi) in enumerate(pairs):
            # torch crops the left then the right side with narrow() before padding.
            if shape[d] + min(lo, 0) < 0 or shape[d] + min(lo, 0) + min(hi, 0) < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        val = 0 if value is None else value
        key = (dt, tuple(pairs), val)

        def build():
            def f(x):
                fill = jnp.asarray(val).astype(x.dtype)
                return lax.pad(x, fill, [(lo, hi, 0) for lo, hi in pairs])

            return f

        return fused(_pad, key, build, (input,), dt)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise ValueError(f'Padding mode "{mode}"" doesn\'t take in value argument.')
    if not (k + 1 <= nd <= k + 2) or k > 3:
        raise NotImplementedError("Only 2D, 3D, 4D, 5D padding with non-constant padding are "
                                  "supported for now")
    idxs = []
    out_shape = list(shape)
    for d, (lo, hi) in enumerate(pairs[nd - k:], start=nd - k):
        out_shape[d] = shape[d] + lo + hi
    for d, (lo, hi) in enumerate(pairs[nd - k:], start=nd - k):
        n, out = shape[d], out_shape[d]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({lo}, {hi}) at dimension {d} "
                               f"of input {list(shape)}")
        if mode == "circular":
            if lo > n or hi > n:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            if out < 0:
                raise RuntimeError("Negative padding value is resulting in an empty dimension")
            if out > 0 and n + min(lo, 0) + min(hi, 0) <= 0:
                # torch reads uninitialised memory here; there is nothing left to wrap.
                raise RuntimeError(f"circular padding of dimension {d} cropped to size "
                                   f"{n + min(lo, 0) + min(hi, 0)} has nothing to wrap around")
        elif k == 1 and out < 1:
            raise RuntimeError(f"input (W: {n}) is too small. Calculated output W: {out}")
        elif out < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {out}: "
                               f"{out_shape}")
        if n == 0 and (lo > 0 or hi > 0):
            raise RuntimeError(f"{mode} padding of an empty dimension {d} is not possible")
        idxs.append(tuple(_pad_index(n, lo, hi, mode).tolist()) if out > 0 else ())
    key = (dt, shape, mode, tuple(idxs))

    def build():
        def f(x):
            for i, ix in enumerate(idxs):
                x = jnp.take(x, jnp.asarray(ix, jnp.int64), axis=nd - k + i)
            return x

        return f

    return fused(_pad_gather[mode, k], key, build, (input,), dt)


# ---------------------------------------------------------------- distances, channel_shuffle

_cos_sim = Op("cosine_similarity", "SumBackward1")
_pairwise = Op("pairwise_distance", "NormBackward1")
_pdist = Op("pdist", "PdistBackward0")


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """torch.nn.functional.cosine_similarity (norms clamped at eps, gradient straight through)."""
    check_tensor(x1, "cosine_similarity", "x1")
    check_tensor(x2, "cosine_similarity", "x2", 2)
    from .._core.registry import broadcast_shapes

    shape = broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    d = wrap_dim(dim, max(len(shape), 1))
    dt = float_of(_dt.promote_types(x1._dtype, x2._dtype))
    key = (dt, dtypes_of(x1, x2), shape, d, float(eps))

    def build():
        cdt, onp = opmath(dt), dt.np

        def f(a, b):
            a = jnp.broadcast_to(a.astype(cdt), shape)
            b = jnp.broadcast_to(b.astype(cdt), shape)
            if not shape:
                a, b = a.reshape(1), b.reshape(1)
            n1 = _pnorm(a, 2, d, keepdim=True)
            n2 = _pnorm(b, 2, d, keepdim=True)
            n1 = n1 + lax.stop_gradient(jnp.maximum(n1, eps) - n1)
            n2 = n2 + lax.stop_gradient(jnp.maximum(n2, eps) - n2)
            return jnp.sum((a / n1) * (b / n2), axis=d).astype(onp)

        return f

    return fused(_cos_sim, key, build, (x1, x2), dt)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """torch.nn.functional.pairwise_distance: ||x1 - x2 + eps||_p over the last dim."""
    check_tensor(x1, "pairwise_distance", "x1")
    check_tensor(x2, "pairwise_distance", "x2", 2)
    dt = float_of(_dt.promote_types(x1._dtype, x2._dtype))
    key = (dt, dtypes_of(x1, x2), x1.dim(), x2.dim(), float(p), float(eps), bool(keepdim))

    def build():
        cdt, onp = opmath(dt), dt.np

        def f(a, b):
            diff = a.astype(cdt) - b.astype(cdt) + eps
            if diff.ndim == 0:
                return _pnorm(diff.reshape(1), p, -1, False).astype(onp)
            return _pnorm(diff, p, -1, keepdim).astype(onp)

        return f

    return fused(_pairwise, key, build, (x1, x2), dt)


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """torch.nn.functional.pdist: the upper-triangle pairwise p-norm distances of the rows."""
    check_tensor(input, "pdist")
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    dt = input._dtype
    if not dt.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    n = input.shape[0]
    iu, ju = np.triu_indices(n, 1)
    key = (dt, n, float(p))

    def build():
        cdt, onp = opmath(dt), dt.np

        def f(x):
            x = x.astype(cdt)
            diff = x[iu] - x[ju]
            return _pnorm(diff, p, -1).astype(onp)

        return f

    return fused(_pdist, key, build, (input,), dt)


_channel_shuffle = Op("channel_shuffle", "ViewBackward0")


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """torch.nn.functional.channel_shuffle: (N, g*k, *) → channels interleaved by group."""
    check_tensor(input, "channel_shuffle")
    if input.dim() < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    c = input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and "
                           f"{groups} groups.")
    shape = tuple(input.shape)
    dt = input._dtype

    def build():
        def f(x):
            y = x.reshape((shape[0], groups, c // groups) + shape[2:])
            return jnp.swapaxes(y, 1, 2).reshape(shape)

        return f

    return fused(_channel_shuffle, (dt, shape, int(groups)), build, (input,), dt)


native_channel_shuffle = channel_shuffle


_pad_fn = pad


def constant_pad_nd(input: Tensor, pad, value: float = 0) -> Tensor:
    """torch.constant_pad_nd: F.pad in constant mode."""
    return _pad_fn(input, pad, "constant", value)


export(constant_pad_nd, method=False)
export(pdist, method=False)

__all__ = [
    "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout",
    "linear", "bilinear", "embedding", "embedding_bag", "one_hot", "pad", "cosine_similarity",
    "pairwise_distance", "pdist", "channel_shuffle", "native_channel_shuffle",
]
