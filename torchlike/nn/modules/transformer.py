"""torch.nn Transformer and its encoder/decoder stacks and layers.

A transformer layer here is a list of residual sublayers (self-attention, for the decoder
cross-attention, then the feed-forward net), sublayer ``i`` owning ``norm{i}`` and
``dropout{i}``; ``norm_first`` only moves the norm inside or outside the residual.  The
encoder and decoder layers differ by which attention modules they hold, the stacks by the
encoder's nested-tensor bookkeeping.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from typing import Any

import torchlike as torch

from ..._core.tensor import Tensor
from ..._core.tracing import is_traced
from ..._ops.nn_attention import _canonical_mask
from .. import functional as F
from ..init import xavier_uniform_
from .activation import GELU, MultiheadAttention, ReLU
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

__all__ = [
    "Transformer",
    "TransformerEncoder",
    "TransformerDecoder",
    "TransformerEncoderLayer",
    "TransformerDecoderLayer",
]

Activation = str | Callable[[Tensor], Tensor]
Mask = Tensor | None


def _generate_square_subsequent_mask(
    sz: int, device: Any = None, dtype: Any = None
) -> Tensor:
    """-inf strictly above the diagonal, 0 elsewhere."""
    grid = torch.full((sz, sz), float("-inf"), dtype=dtype or torch.float32, device=device)
    return grid.triu(1)


def _detect_is_causal_mask(
    mask: Tensor | None, is_causal: bool | None = None, size: int | None = None
) -> bool:
    """torch's causal-mask detection: an explicit hint wins; without one, compare ``mask``
    with the square subsequent mask of the sequence length."""
    if is_causal is not None or mask is None:
        return is_causal is True
    if is_traced(mask):
        return False  # only a hint: the explicit mask then applies, with the same result
    n = mask.size(-2) if size is None else size
    causal = _generate_square_subsequent_mask(n, device=mask.device, dtype=mask.dtype)
    return tuple(mask.shape) == tuple(causal.shape) and bool((mask == causal).all())


def _time_steps(src: Tensor, batch_first: bool) -> int:
    return src.size(1 if batch_first and src.dim() == 3 else 0)


def _get_clones(module: Module, N: int) -> ModuleList:
    return ModuleList(copy.deepcopy(module) for _ in range(N))


_ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


def _activation_fn(spec: Activation) -> Callable[[Tensor], Tensor]:
    if not isinstance(spec, str):
        return spec
    if spec not in _ACTIVATIONS:
        raise RuntimeError(f"activation should be relu/gelu, not {spec}")
    return _ACTIVATIONS[spec]


def _fast_path_code(activation: Any) -> int:
    """torch's activation_relu_or_gelu: 1 for relu, 2 for gelu (function or module), else 0."""
    for code, (fn, cls) in enumerate(((F.relu, ReLU), (F.gelu, GELU)), 1):
        if activation is fn or isinstance(activation, cls):
            return code
    return 0


def _masks(kpm: Mask, kpm_name: str, mask: Mask, mask_name: str, target: Any
           ) -> tuple[Mask, Mask]:
    """Both masks as additive float masks of ``target`` dtype (warning on mixed types)."""
    kpm = _canonical_mask(kpm, kpm_name, None if mask is None else mask.dtype, mask_name, target)
    return kpm, _canonical_mask(mask, mask_name, None, "", target, False)


class _Layer(Module):
    """Shared body of the encoder and decoder layers; ``_attention`` names the attention
    modules, one residual sublayer each, before the feed-forward sublayer."""

    __constants__ = ["norm_first"]
    _attention: tuple[str, ...] = ()
    _tag_activation = False

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: Activation = F.relu,
        layer_norm_eps: float = 1e-05,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        place = {"device": device, "dtype": dtype}
        for name in self._attention:
            setattr(self, name, MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                   batch_first=batch_first, **place))
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **place)
        self.dropout = Dropout(p=dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **place)
        self.norm_first = norm_first
        sublayers = range(1, len(self._attention) + 2)
        for i in sublayers:
            setattr(self, f"norm{i}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **place))
        for i in sublayers:
            setattr(self, f"dropout{i}", Dropout(dropout))
        activation = _activation_fn(activation)
        if self._tag_activation:
            self.activation_relu_or_gelu = _fast_path_code(activation)
        self.activation = activation

    def __setstate__(self, state: dict) -> None:
        # checkpoints from before activation was configurable
        state.setdefault("activation", F.relu)
        super().__setstate__(state)

    def _feed_forward(self, x: Tensor) -> Tensor:
        return self.linear2(self.dropout(self.activation(self.linear1(x))))

    def _run(self, x: Tensor, attend: list[tuple[Tensor | None, dict]]) -> Tensor:
        """Apply the sublayers; ``attend[i]`` is (memory, or None for self-attention; the
        attention's mask arguments)."""
        for i, (name, (memory, kw)) in enumerate(zip(self._attention, attend, strict=True), 1):

            def branch(y: Tensor, attn=getattr(self, name), memory=memory, kw=kw) -> Tensor:
                kv = y if memory is None else memory
                return attn(y, kv, kv, need_weights=False, **kw)[0]

            x = self._residual(x, i, branch)
        return self._residual(x, len(attend) + 1, self._feed_forward)

    def _residual(self, x: Tensor, i: int, branch: Callable[[Tensor], Tensor]) -> Tensor:
        norm, drop = getattr(self, f"norm{i}"), getattr(self, f"dropout{i}")
        if self.norm_first:
            return x + drop(branch(norm(x)))
        return norm(x + drop(branch(x)))


class TransformerEncoderLayer(_Layer):
    """torch.nn.TransformerEncoderLayer."""

    _attention = ("self_attn",)
    _tag_activation = True

    def forward(
        self,
        src: Tensor,
        src_mask: Mask = None,
        src_key_padding_mask: Mask = None,
        is_causal: bool = False,
    ) -> Tensor:
        kpm, mask = _masks(src_key_padding_mask, "src_key_padding_mask", src_mask, "src_mask",
                           src.dtype)
        return self._run(src, [(None, {"attn_mask": mask, "key_padding_mask": kpm,
                                       "is_causal": is_causal})])


class TransformerDecoderLayer(_Layer):
    """torch.nn.TransformerDecoderLayer."""

    _attention = ("self_attn", "multihead_attn")

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Mask = None,
        memory_mask: Mask = None,
        tgt_key_padding_mask: Mask = None,
        memory_key_padding_mask: Mask = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        return self._run(tgt, [
            (None, {"attn_mask": tgt_mask, "key_padding_mask": tgt_key_padding_mask,
                    "is_causal": tgt_is_causal}),
            (memory, {"attn_mask": memory_mask, "key_padding_mask": memory_key_padding_mask,
                      "is_causal": memory_is_causal}),
        ])


class _Stack(Module):
    """``num_layers`` deep copies of one layer, then an optional final norm."""

    __constants__ = ["norm"]

    def __init__(self, layer: Module, num_layers: int, norm: Module | None = None) -> None:
        super().__init__()
        self.layers = _get_clones(layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def _through(self, x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        for mod in self.layers:
            x = mod(x, *args, **kwargs)
        return x

    def _finish(self, x: Tensor) -> Tensor:
        return x if self.norm is None else self.norm(x)


# Why torch's nested-tensor (sparsity) fast path cannot be used with a given encoder layer,
# checked in this order; {0} is the layer's name in the warning.
_NESTED_BLOCKERS: tuple[tuple[Callable[[Any], bool], str], ...] = (
    (lambda e: not isinstance(e, TransformerEncoderLayer), "{0} was not TransformerEncoderLayer"),
    (lambda e: e.norm_first, "{0}.norm_first was True"),
    (lambda e: not e.self_attn.batch_first,
     "{0}.self_attn.batch_first was not True(use batch_first for better inference performance)"),
    (lambda e: not e.self_attn._qkv_same_embed_dim,
     "{0}.self_attn._qkv_same_embed_dim was not True"),
    (lambda e: e.self_attn.in_proj_bias is None, "{0}.self_attn was passed bias=False"),
    (lambda e: not e.activation_relu_or_gelu, "{0}.activation_relu_or_gelu was not True"),
    (lambda e: e.norm1.eps != e.norm2.eps, "{0}.norm1.eps was not equal to {0}.norm2.eps"),
    (lambda e: e.self_attn.num_heads % 2 == 1, "{0}.self_attn.num_heads is odd"),
)


def _fast_path_tensors(src: Tensor, layer: Module) -> list[Tensor | None]:
    attn = layer.self_attn
    parts = [attn.in_proj_weight, attn.in_proj_bias, attn.out_proj.weight, attn.out_proj.bias]
    for sub in (layer.norm1, layer.norm2, layer.linear1, layer.linear2):
        parts += [sub.weight, sub.bias]
    return [src, *parts]


def _left_aligned(kpm: Tensor) -> bool | Tensor:
    """Every row keeps a prefix: its kept positions never follow a padded one (traced: a 0-d
    bool tensor)."""
    keep = torch.isfinite(kpm).to(torch.int8)
    ok = (keep[..., 1:] <= keep[..., :-1]).all()
    return ok if is_traced(ok) else bool(ok)


class TransformerEncoder(_Stack):
    """torch.nn.TransformerEncoder.

    torch's eval fast path packs the batch into a NestedTensor and pads the result back with
    zeros; where it would apply, we run the ordinary path and zero the padded positions
    (before ``norm``), which gives the same values.
    """

    def __init__(
        self,
        encoder_layer: TransformerEncoderLayer,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        super().__init__(encoder_layer, num_layers, norm)
        self.enable_nested_tensor = self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        if not enable_nested_tensor:
            return
        reason = next((why for blocked, why in _NESTED_BLOCKERS if blocked(encoder_layer)), None)
        if reason is not None:
            warnings.warn(
                "enable_nested_tensor is True, but self.use_nested_tensor is False because "
                + reason.format("encoder_layer"),
                stacklevel=2,
            )
            self.use_nested_tensor = False

    def _zero_padded(self, src: Tensor, kpm: Tensor | None,
                     mask: Tensor | None) -> bool | Tensor:
        first = self.layers[0]
        if not (getattr(self, "use_nested_tensor", False) and not first.training
                and src.dim() == 3 and kpm is not None and mask is None):
            return False
        tracked = any(t is not None and t.requires_grad for t in _fast_path_tensors(src, first))
        if torch.is_grad_enabled() and tracked:
            return False
        return _left_aligned(kpm) if getattr(self, "mask_check", True) else True

    def forward(
        self,
        src: Tensor,
        mask: Mask = None,
        src_key_padding_mask: Mask = None,
        is_causal: bool | None = None,
    ) -> Tensor:
        kpm, mask = _masks(src_key_padding_mask, "src_key_padding_mask", mask, "mask", src.dtype)
        zero = self._zero_padded(src, kpm, mask)
        n = _time_steps(src, self.layers[0].self_attn.batch_first)
        causal = _detect_is_causal_mask(mask, is_causal, n)
        out = self._through(src, src_mask=mask, is_causal=causal, src_key_padding_mask=kpm)
        if zero is not False:
            filled = out.masked_fill(torch.isinf(kpm).unsqueeze(-1), 0.0)
            out = filled if zero is True else torch.where(zero, filled, out)
        return self._finish(out)


class TransformerDecoder(_Stack):
    """torch.nn.TransformerDecoder."""

    def __init__(
        self, decoder_layer: TransformerDecoderLayer, num_layers: int, norm: Module | None = None
    ) -> None:
        super().__init__(decoder_layer, num_layers, norm)

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Mask = None,
        memory_mask: Mask = None,
        tgt_key_padding_mask: Mask = None,
        memory_key_padding_mask: Mask = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        n = _time_steps(tgt, self.layers[0].self_attn.batch_first)
        causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal, n)
        masks = {"tgt_mask": tgt_mask, "memory_mask": memory_mask,
                 "tgt_key_padding_mask": tgt_key_padding_mask,
                 "memory_key_padding_mask": memory_key_padding_mask}
        out = self._through(tgt, memory, tgt_is_causal=causal, memory_is_causal=memory_is_causal,
                            **masks)
        return self._finish(out)


class Transformer(Module):
    """torch.nn.Transformer."""

    def __init__(
        self,
        d_model: int = 512,
        nhead: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: Activation = F.relu,
        custom_encoder: Any | None = None,
        custom_decoder: Any | None = None,
        layer_norm_eps: float = 1e-05,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        layer_args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                      batch_first, norm_first, bias)
        place = {"device": device, "dtype": dtype}

        def build(custom: Any, layer_cls: type, stack_cls: type, depth: int) -> Module:
            if custom is not None:
                return custom
            layer = layer_cls(*layer_args, **place)
            final_norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **place)
            return stack_cls(layer, depth, final_norm)

        self.encoder = build(custom_encoder, TransformerEncoderLayer, TransformerEncoder,
                             num_encoder_layers)
        self.decoder = build(custom_decoder, TransformerDecoderLayer, TransformerDecoder,
                             num_decoder_layers)
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(
        self,
        src: Tensor,
        tgt: Tensor,
        src_mask: Mask = None,
        tgt_mask: Mask = None,
        memory_mask: Mask = None,
        src_key_padding_mask: Mask = None,
        tgt_key_padding_mask: Mask = None,
        memory_key_padding_mask: Mask = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        batch_axis = 0 if self.batch_first else 1
        if src.dim() == 3 and src.size(batch_axis) != tgt.size(batch_axis):
            raise RuntimeError("the batch number of src and tgt must be equal")
        if {src.size(-1), tgt.size(-1)} != {self.d_model}:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        masks = {"tgt_mask": tgt_mask, "memory_mask": memory_mask,
                 "tgt_key_padding_mask": tgt_key_padding_mask,
                 "memory_key_padding_mask": memory_key_padding_mask}
        return self.decoder(tgt, memory, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal, **masks)

    @staticmethod
    def generate_square_subsequent_mask(
        sz: int, device: Any = None, dtype: Any = None
    ) -> Tensor:
        """torch.nn.Transformer.generate_square_subsequent_mask."""
        return _generate_square_subsequent_mask(sz, device=device, dtype=dtype)

    def _reset_parameters(self) -> None:
        # torch's Transformer re-draws every matrix Xavier-uniform; vectors keep their init
        for p in self.parameters():
            if p.dim() > 1:
                xavier_uniform_(p)
