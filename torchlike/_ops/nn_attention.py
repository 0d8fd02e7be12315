"""torch.nn.functional attention: scaled_dot_product_attention, multi_head_attention_forward.

scaled_dot_product_attention is one fused kernel following torch's math backend: q and k each
scaled by sqrt(scale), masks added, a "safe" softmax (rows with every key masked give zeros, as
torch 2.13 does), dropout drawn inside the kernel from torchlike's generator (JAX's stream, not
torch's), then the product with v.  multi_head_attention_forward is a composite
of torchlike ops (projections, head split, masks, then either explicit weights or sdpa).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import jax
import jax.numpy as jnp

from .._core import dtypes as _dt
from .._core.registry import Op
from .._core.tensor import Tensor
from . import products as _products
from . import random as _random
from .nn_activation import check_tensor, fused, softmax
from .nn_misc import dropout, linear, pad

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

# torch's CPU flash kernel takes unmasked calls; masked ones go through its math composite
_sdpa = Op("scaled_dot_product_attention", "ScaledDotProductFlashAttentionForCpuBackward0")
_sdpa_math = Op("scaled_dot_product_attention", "UnsafeViewBackward0")

# torch's C++ type names in sdpa's dtype messages
_CPP = {"float32": "float", "float64": "double", "float16": "c10::Half",
        "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int", "bool": "bool"}


def _cpp(dt) -> str:
    n = str(dt).split(".")[-1]
    return _CPP.get(n, n)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """torch.nn.functional.scaled_dot_product_attention (math backend; dropout mask from JAX's
    stream)."""
    for t, n, i in ((query, "query", 1), (key, "key", 2), (value, "value", 3)):
        check_tensor(t, "scaled_dot_product_attention", n, i)
    if not (query._dtype is key._dtype is value._dtype):
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got "
                           f"query.dtype: {_cpp(query._dtype)} key.dtype: {_cpp(key._dtype)} and "
                           f"value.dtype: {_cpp(value._dtype)} instead.")
    dt = query._dtype
    if not dt.is_floating_point:
        raise RuntimeError(f"expected scalar type Float but found {dt._tag}")
    if attn_mask is not None:
        check_tensor(attn_mask, "scaled_dot_product_attention", "attn_mask", 4)
        md = attn_mask._dtype
        if not (md is _dt.bool or md is _dt.float32 or md is dt):
            raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query "
                               f"dtype, but got attn_mask.dtype: {_cpp(md)} and  query.dtype: "
                               f"{_cpp(dt)} instead.")
        if is_causal:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                               "set when is_causal=True")
    if min(query.dim(), key.dim(), value.dim()) < 2:
        raise RuntimeError("scaled_dot_product_attention: query, key and value must be at least "
                           "2-dimensional")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(f"Expected query and key to have the same embedding size, but got "
                           f"{query.shape[-1]} and {key.shape[-1]}")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"Expected key and value to have the same sequence length, but got "
                           f"{key.shape[-2]} and {value.shape[-2]}")
    rep = 1
    if enable_gqa and query.dim() >= 3 and key.dim() >= 3:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hq % hk or hq % hv or hk != hv:
            raise RuntimeError(f"Number of heads in key and value must divide the number of heads "
                               f"in query, but got query heads {hq}, key heads {hk} and value "
                               f"heads {hv}")
        rep = hq // hk
    p = float(dropout_p)
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    sc = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    extra = ()
    if p > 0:
        extra = _random.default_generator._next()
    prec = _products.PRECISION[0]
    key_ = (dt, query.dim(), key.dim(), value.dim(), None if attn_mask is None else
            (attn_mask._dtype, attn_mask.dim()), bool(is_causal), sc, rep, p, prec)

    def build():
        root = math.sqrt(sc)

        def f(q, k, v, m, *rng):
            if rep > 1:
                k = jnp.repeat(k, rep, axis=-3)
                v = jnp.repeat(v, rep, axis=-3)
            s = jnp.matmul(q * jnp.asarray(root, q.dtype),
                           jnp.swapaxes(k * jnp.asarray(root, k.dtype), -1, -2), precision=prec)
            if is_causal:
                s = jnp.where(jnp.tril(jnp.ones(s.shape[-2:], bool)), s, -jnp.inf)
            if m is not None:
                if m.dtype == jnp.bool_:
                    s = jnp.where(m, s, -jnp.inf)
                else:
                    s = s + m.astype(s.dtype)
            mx = jnp.max(s, -1, keepdims=True)
            dead = jnp.isneginf(mx)
            e = jnp.exp(s - jnp.where(dead, 0, jax.lax.stop_gradient(mx)))
            # a fully masked row has e == 0 everywhere: a denominator of 1 makes it 0, not NaN
            w = e / jnp.where(dead, 1, jnp.sum(e, -1, keepdims=True))
            if p > 0:
                words, counter = rng
                rk = jax.random.fold_in(jax.random.wrap_key_data(words, impl="threefry2x32"),
                                        counter)
                if p == 1:
                    w = w * 0
                else:
                    keep = jax.random.bernoulli(rk, 1.0 - p, w.shape)
                    w = jnp.where(keep, w / (1.0 - p), 0)
            return jnp.matmul(w, v, precision=prec).astype(dt.np)

        return f

    op = _sdpa if attn_mask is None else _sdpa_math
    return fused(op, key_, build, (query, key, value, attn_mask), dt, extra,
                 nodiff=(3,) if attn_mask is not None and attn_mask._dtype is _dt.bool else ())


def _canonical_mask(mask: Tensor | None, name: str, other_type: Any, other_name: str,
                    target: Any, check_other: bool = True) -> Tensor | None:
    """torch.nn.functional._canonical_mask: a bool mask becomes an additive float mask (-inf
    where True) of ``target`` dtype; a float mask passes through."""
    if mask is None:
        return None
    md = mask._dtype
    if md is not _dt.bool and not md.is_floating_point:
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if check_other and other_type is not None and md is not other_type:
        warnings.warn(f"Support for mismatched {name} and {other_name} is deprecated. Use same "
                      "type for both instead.", stacklevel=3)
    if md is not _dt.bool:
        return mask
    from .creation import zeros_like
    return zeros_like(mask, dtype=target).masked_fill_(mask, float("-inf"))


def _check_ranks(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None,
                 attn_mask: Tensor | None, num_heads: int) -> bool:
    """torch's rank checks; True for a batched (3-D) query."""
    rank = query.dim()
    if rank not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received "
                             f"{rank}-D query tensor")
    batched = rank == 3
    who = f"For {'batched (3-D)' if batched else 'unbatched (2-D)'} `query`, expected"
    if (key.dim(), value.dim()) != (rank, rank):
        raise AssertionError(f"{who} `key` and `value` to be {rank}-D but found {key.dim()}-D "
                             f"and {value.dim()}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != rank - 1:
        raise AssertionError(f"{who} `key_padding_mask` to be `None` or {rank - 1}-D but found "
                             f"{key_padding_mask.dim()}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(f"{who} `attn_mask` to be `None`, 2-D or 3-D but found "
                                 f"{attn_mask.dim()}-D tensor instead")
        want = (num_heads, query.shape[0], key.shape[0])
        if not batched and attn_mask.dim() == 3 and tuple(attn_mask.shape) != want:
            raise AssertionError(f"Expected `attn_mask` shape to be {want} but got "
                                 f"{attn_mask.shape}")
    return batched


def _project(query: Tensor, key: Tensor, value: Tensor, use_separate: bool,
             packed: Tensor | None, separate: tuple, bias: Tensor | None) -> list[Tensor]:
    """q, k, v through the input projections (one packed weight or three separate ones)."""
    if use_separate:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
        for w, n in zip(separate, "qkv", strict=True):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {n}_proj_weight is "
                                     "None")
        weights = separate
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key shape {key.shape} does not match value shape "
                                 f"{value.shape}")
        if packed is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        weights = packed.chunk(3)
    biases = (None,) * 3 if bias is None else bias.chunk(3)
    return [linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases, strict=True)]


def _square_mask(attn_mask: Tensor | None, rows: int, cols: int, stacks: int) -> Tensor | None:
    """A 2-D (L, S) or 3-D (N*H, L, S) attention mask as 3-D."""
    if attn_mask is None:
        return None
    rank = attn_mask.dim()
    want = {2: (rows, cols), 3: (stacks, rows, cols)}.get(rank)
    if want is None:
        raise RuntimeError(f"attn_mask's dimension {rank} is not supported")
    if tuple(attn_mask.shape) != want:
        raise RuntimeError(f"The shape of the {rank}D attn_mask is {attn_mask.shape}, but should "
                           f"be {want}.")
    return attn_mask if rank == 3 else attn_mask.unsqueeze(0)


def _pad_key_axis(*masks: Tensor | None) -> list[Tensor | None]:
    # a key appended to every sequence is attended to: mask value 0 in its column
    return [None if m is None else pad(m, (0, 1)) for m in masks]


def _split_heads(x: Tensor, stacks: int, head_dim: int, static: Tensor | None,
                 name: str) -> Tensor:
    """(S, N, E) -> (N*H, S, E/H), or the caller's ``static`` (N*H, S, E/H) tensor."""
    if static is None:
        return x.reshape(x.shape[0], stacks, head_dim).transpose(0, 1)
    for axis, want in ((0, stacks), (2, head_dim)):
        if static.size(axis) != want:
            raise AssertionError(f"expecting {name}.size({axis}) of {want}, but got "
                                 f"{static.size(axis)}")
    return static


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
        out_proj_bias: Tensor | None, training: bool = True,
        key_padding_mask: Tensor | None = None, need_weights: bool = True,
        attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    """torch.nn.functional.multi_head_attention_forward (dropout from JAX's stream)."""
    from .creation import zeros
    from .shape import cat

    batched = _check_ranks(query, key, value, key_padding_mask, attn_mask, num_heads)
    kpm = key_padding_mask
    if not batched:
        # an unbatched call is a batch of one, squeezed again at the end
        query, key, value = (t.unsqueeze(1) for t in (query, key, value))
        kpm = None if kpm is None else kpm.unsqueeze(0)
    L, N, E = query.shape
    kpm = _canonical_mask(kpm, "key_padding_mask",
                          None if attn_mask is None else attn_mask._dtype, "attn_mask",
                          query._dtype)
    if is_causal:
        if attn_mask is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                               "Transformer module method `generate_square_subsequent_mask` to "
                               "create this mask.")
        # sdpa builds the causal mask itself unless weights or padding need the explicit one
        if kpm is None and not need_weights:
            attn_mask = None
        elif kpm is not None:
            is_causal = False
    attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query._dtype, False)
    if E != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got "
                             f"{E}")
    head_dim, spare = divmod(E, num_heads)
    if spare:
        raise AssertionError(f"embed_dim {E} not divisible by num_heads {num_heads}")
    H = num_heads
    q, k, v = _project(query, key, value, use_separate_proj_weight, in_proj_weight,
                       (q_proj_weight, k_proj_weight, v_proj_weight), in_proj_bias)
    attn_mask = _square_mask(attn_mask, L, key.shape[0], N * H)
    if (bias_k is None) != (bias_v is None):
        raise AssertionError("bias_k is set but bias_v is None" if bias_v is None
                             else "bias_v is set but bias_k is None")
    if bias_k is not None:
        for static, what in ((static_k, "key"), (static_v, "value")):
            if static is not None:
                raise AssertionError(f"bias cannot be added to static {what}.")
        k, v = cat([k, bias_k.repeat(1, N, 1)]), cat([v, bias_v.repeat(1, N, 1)])
        attn_mask, kpm = _pad_key_axis(attn_mask, kpm)
    q = _split_heads(q, N * H, head_dim, None, "q")
    k = _split_heads(k, N * H, head_dim, static_k, "static_k")
    v = _split_heads(v, N * H, head_dim, static_v, "static_v")
    if add_zero_attn:
        blank = (N * H, 1, head_dim)
        k, v = cat([k, zeros(blank, dtype=k.dtype)], 1), cat([v, zeros(blank, dtype=v.dtype)], 1)
        attn_mask, kpm = _pad_key_axis(attn_mask, kpm)
    S = k.size(1)
    if kpm is not None:
        for axis, want in enumerate((N, S)):
            if kpm.shape[axis] != want:
                raise AssertionError(f"Expected key_padded_mask.shape[{axis}] to be {want}, but "
                                     f"got {kpm.shape[axis]}")
        per_head = kpm.reshape(N, 1, 1, S).expand(N, H, 1, S).reshape(N * H, 1, S)
        attn_mask = per_head if attn_mask is None else attn_mask + per_head
    p = dropout_p if training else 0.0

    def merge(out: Tensor) -> Tensor:
        # (L*N, E) rows back through the output projection, to (L, N, E)
        y = linear(out, out_proj_weight, out_proj_bias).reshape(L, N, -1)
        return y if batched else y.squeeze(1)

    if not need_weights:
        if attn_mask is not None:
            attn_mask = (attn_mask.unsqueeze(0) if attn_mask.dim() == 3 and attn_mask.size(0) == 1
                         else attn_mask.reshape(N, H, -1, S))
        q4, k4, v4 = (t.reshape(N, H, -1, head_dim) for t in (q, k, v))
        out = scaled_dot_product_attention(q4, k4, v4, attn_mask, p, is_causal)
        return merge(out.permute(2, 0, 1, 3).reshape(L * N, E)), None
    # torch scales q alone here (sdpa scales q and k by the root each)
    q_scaled, k_t = q * math.sqrt(1.0 / float(head_dim)), k.transpose(-2, -1)
    scores = q_scaled.bmm(k_t) if attn_mask is None else attn_mask.baddbmm(q_scaled, k_t)
    weights = softmax(scores, dim=-1)
    if p > 0.0:
        weights = dropout(weights, p=p)
    out = merge(weights.bmm(v).transpose(0, 1).reshape(L * N, E))
    weights = weights.reshape(N, H, L, S)
    if average_attn_weights:
        weights = weights.mean(dim=1)
    return out, (weights if batched else weights.squeeze(0))
