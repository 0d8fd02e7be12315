"""torch.nn activation layers and MultiheadAttention.

The activations are declarations: constructor arguments (which are also the functional's
keywords), the op, and the ``extra_repr`` fields; :func:`._oplayer.op_layer` makes the
classes.  Hardtanh/ReLU6 (deprecated keyword aliases), PReLU (a parameter) and
MultiheadAttention (parameters, init, layout handling) are written out.
"""

from __future__ import annotations

import warnings
from typing import Any

import torchlike as torch

from ..._core.tensor import Tensor
from ..._ops import nn_attention as _attn
from .. import functional as F
from ..init import constant_, xavier_normal_, xavier_uniform_
from ..parameter import Parameter
from ._oplayer import infer_hints, op_forward, op_layer, stateless
from ._spec import Arg, fmt_fields, layer
from .linear import NonDynamicallyQuantizableLinear
from .module import Module

__all__ = [
    "Threshold",
    "ReLU",
    "RReLU",
    "Hardtanh",
    "ReLU6",
    "Sigmoid",
    "Hardsigmoid",
    "Tanh",
    "SiLU",
    "Mish",
    "Hardswish",
    "ELU",
    "CELU",
    "SELU",
    "GLU",
    "GELU",
    "Hardshrink",
    "LeakyReLU",
    "LogSigmoid",
    "Softplus",
    "Softshrink",
    "MultiheadAttention",
    "PReLU",
    "Softsign",
    "Tanhshrink",
    "Softmin",
    "Softmax",
    "Softmax2d",
    "LogSoftmax",
]

_INPLACE = Arg("inplace", False)
_IP = "inplace?"  # torch's reprs mention inplace only when it is set


def _act(name: str, op: str, args: list, repr: Any = None, **kwargs: Any) -> type:
    return op_layer(name, op, args, repr=repr, module=__name__, **kwargs)


def _inplace_only(name: str, repr: bool = True) -> type:
    return _act(name, name.lower(), [_INPLACE], [_IP] if repr else None)


def _keep_dim_on_unpickle(self: Module, state: dict) -> None:
    # pickles from before ``dim`` existed load as the implicit-dim form, as torch's do
    Module.__setstate__(self, state)
    self.__dict__.setdefault("dim", None)


def _softmax_like(name: str, op: str) -> type:
    return _act(name, op, [Arg("dim", None)], ["dim"], extra={"_stacklevel": 5},
                __setstate__=_keep_dim_on_unpickle)


def _softmax2d(self: Module, input: Tensor) -> Tensor:
    if input.dim() not in (3, 4):
        raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead")
    return F.softmax(input, dim=-3, _stacklevel=5)


Threshold = _act("Threshold", "threshold", [Arg("threshold"), Arg("value"), _INPLACE],
                 ["threshold", "value", _IP], hints={"threshold": float, "value": float})
ReLU = _inplace_only("ReLU")
SiLU = _inplace_only("SiLU")
Mish = _inplace_only("Mish")
SELU = _inplace_only("SELU")
Hardsigmoid = _inplace_only("Hardsigmoid", repr=False)
Hardswish = _inplace_only("Hardswish", repr=False)
RReLU = _act("RReLU", "rrelu", [Arg("lower", 1.0 / 8), Arg("upper", 1.0 / 3), _INPLACE],
             ["lower", "upper", _IP], training=True)
ELU = _act("ELU", "elu", [Arg("alpha", 1.0), _INPLACE], ["alpha", _IP])
CELU = _act("CELU", "celu", [Arg("alpha", 1.0), _INPLACE], ["alpha", _IP])
LeakyReLU = _act("LeakyReLU", "leaky_relu", [Arg("negative_slope", 0.01), _INPLACE],
                 ["negative_slope", _IP], constants=["inplace", "negative_slope"])
GLU = _act("GLU", "glu", [Arg("dim", -1)], ["dim"])
GELU = _act("GELU", "gelu", [Arg("approximate", "none")],
            lambda self: f"approximate={self.approximate!r}")
Hardshrink = _act("Hardshrink", "hardshrink", [Arg("lambd", 0.5)], ["=lambd"])
Softshrink = _act("Softshrink", "softshrink", [Arg("lambd", 0.5)], ["=lambd"])
Softplus = _act("Softplus", "softplus", [Arg("beta", 1.0), Arg("threshold", 20.0)],
                ["beta", "threshold"])
Softmin = _softmax_like("Softmin", "softmin")
Softmax = _softmax_like("Softmax", "softmax")
LogSoftmax = _softmax_like("LogSoftmax", "log_softmax")

Sigmoid = stateless("Sigmoid", lambda self, input: torch.sigmoid(input), __name__)
Tanh = stateless("Tanh", lambda self, input: torch.tanh(input), __name__)
LogSigmoid = stateless("LogSigmoid", op_forward("logsigmoid"), __name__)
Softsign = stateless("Softsign", op_forward("softsign"), __name__)
Tanhshrink = stateless("Tanhshrink", op_forward("tanhshrink"), __name__)
Softmax2d = stateless("Softmax2d", _softmax2d, __name__)


class Hardtanh(Module):
    """torch.nn.Hardtanh (``min_value``/``max_value``: deprecated spellings, FutureWarning)."""

    __constants__ = ["min_val", "max_val", "inplace"]

    def __init__(
        self,
        min_val: float = -1.0,
        max_val: float = 1.0,
        inplace: bool = False,
        min_value: float | None = None, max_value: float | None = None,
    ) -> None:
        super().__init__()
        bounds = {"min_val": min_val, "max_val": max_val}
        for old, new in (("min_value", min_value), ("max_value", max_value)):
            if new is not None:
                current = old.replace("value", "val")
                warnings.warn(
                    f"keyword argument `{old}` is deprecated and renamed to `{current}`",
                    FutureWarning,
                    stacklevel=2,
                )
                bounds[current] = new
        lo, hi = bounds["min_val"], bounds["max_val"]
        self.min_val, self.max_val, self.inplace = lo, hi, inplace
        if hi <= lo:  # (a NaN bound passes, as in torch)
            raise AssertionError(f"max_val ({hi}) must be greater than min_val ({lo})")

    forward = op_forward("hardtanh", options=("min_val", "max_val", "inplace"))

    def extra_repr(self) -> str:
        return fmt_fields(self, ["min_val", "max_val", _IP])


def _relu6_bounds(self: Module) -> None:
    self.min_val, self.max_val = 0.0, 6.0


ReLU6 = infer_hints(layer(
    "ReLU6", [_INPLACE], base=Hardtanh, base_args=["inplace"], check=_relu6_bounds, repr=[_IP],
    doc="torch.nn.ReLU6: Hardtanh clamped to [0, 6].", module=__name__,
))


class PReLU(Module):
    """torch.nn.PReLU."""

    __constants__ = ["num_parameters"]

    def __init__(
        self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(torch.empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        constant_(self.weight, self.init)

    forward = op_forward("prelu", options=("weight",))

    def extra_repr(self) -> str:
        return fmt_fields(self, ["num_parameters"])


def _canonical_mask(
    mask: Tensor | None,
    mask_name: str,
    other_type: Any,
    other_name: str,
    target_type: Any,
    check_other: bool = True,
) -> Tensor | None:
    """torch.nn.functional._canonical_mask, with torch's keyword names (Transformer uses it)."""
    return _attn._canonical_mask(mask, mask_name, other_type, other_name, target_type,
                                 check_other)


def _seq_first(*tensors: Tensor) -> tuple[Tensor, ...]:
    # one transpose per distinct tensor: the functional projects q/k/v in one matmul only
    # when it sees the same object
    moved: dict[int, Tensor] = {}
    for t in tensors:
        if id(t) not in moved:
            moved[id(t)] = t.transpose(1, 0)
    return tuple(moved[id(t)] for t in tensors)


_SPLIT_PROJ = ("q_proj_weight", "k_proj_weight", "v_proj_weight")


class MultiheadAttention(Module):
    """torch.nn.MultiheadAttention.

    torch has a fused inference kernel for some configurations; it computes what
    ``multi_head_attention_forward`` computes, which is the path taken here in all cases.
    """

    __constants__ = ["batch_first"]
    bias_k: Tensor | None
    bias_v: Tensor | None

    def __init__(
        self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
        add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None, dtype=None,
    ) -> None:
        if min(embed_dim, num_heads) <= 0:
            raise ValueError(
                "embed_dim and num_heads must be greater than 0, got "
                f"embed_dim={embed_dim} and num_heads={num_heads} instead"
            )
        super().__init__()
        e = embed_dim
        self.embed_dim = e
        self.kdim = e if kdim is None else kdim
        self.vdim = e if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == e and self.vdim == e
        self.num_heads, self.dropout, self.batch_first = num_heads, dropout, batch_first
        self.head_dim = e // num_heads
        if self.head_dim * num_heads != e:
            raise AssertionError("embed_dim must be divisible by num_heads")

        def new(*shape: int) -> Parameter:
            return Parameter(torch.empty(shape, device=device, dtype=dtype))

        # The layout not in use stays registered as None parameters, after the used one.
        if self._qkv_same_embed_dim:
            used = {"in_proj_weight": (3 * e, e)}
        else:
            used = dict(zip(_SPLIT_PROJ, ((e, e), (e, self.kdim), (e, self.vdim)), strict=True))
        for pname in (*used, *_SPLIT_PROJ, "in_proj_weight"):
            if pname not in self._parameters:
                self.register_parameter(pname, new(*used[pname]) if pname in used else None)
        self.register_parameter("in_proj_bias", new(3 * e) if bias else None)
        self.out_proj = NonDynamicallyQuantizableLinear(e, e, bias=bias, device=device,
                                                        dtype=dtype)
        # without add_bias_kv these are plain None attributes, not None parameters
        self.bias_k, self.bias_v = (new(1, 1, e), new(1, 1, e)) if add_bias_kv else (None, None)
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """torch's init: xavier-uniform projections, zero biases, xavier-normal bias_k/v."""
        for pname in ("in_proj_weight", *_SPLIT_PROJ):
            if getattr(self, pname) is not None:
                xavier_uniform_(getattr(self, pname))
        zero = [] if self.in_proj_bias is None else [self.in_proj_bias, self.out_proj.bias]
        for b in zero:
            constant_(b, 0.0)
        for b in (self.bias_k, self.bias_v):
            if b is not None:
                xavier_normal_(b)

    def __setstate__(self, state: dict[str, Any]) -> None:
        # pickles from before the separate-projection option were always packed
        state.setdefault("_qkv_same_embed_dim", True)
        super().__setstate__(state)

    def forward(
        self, query: Tensor, key: Tensor, value: Tensor,
        key_padding_mask: Tensor | None = None, need_weights: bool = True,
        attn_mask: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        mask_dtype = None if attn_mask is None else attn_mask.dtype
        masks = {
            "key_padding_mask": _canonical_mask(
                key_padding_mask, "key_padding_mask", mask_dtype, "attn_mask", query.dtype),
            "attn_mask": _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, False),
        }
        swap = self.batch_first and query.dim() == 3
        if swap:
            query, key, value = _seq_first(query, key, value)
        separate: dict[str, Any] = {} if self._qkv_same_embed_dim else {
            "use_separate_proj_weight": True, **{n: getattr(self, n) for n in _SPLIT_PROJ}}
        out, weights = F.multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads,
            self.in_proj_weight, self.in_proj_bias, self.bias_k, self.bias_v,
            self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, need_weights=need_weights, is_causal=is_causal,
            average_attn_weights=average_attn_weights, **masks, **separate,
        )
        return (out.transpose(1, 0) if swap else out), weights

    def merge_masks(self, attn_mask: Tensor | None, key_padding_mask: Tensor | None,
                    query: Tensor) -> tuple[Tensor | None, int | None]:
        """torch.nn.MultiheadAttention.merge_masks: the fused kernel's single mask and its
        type (1: key padding only, 2: an (N, num_heads, L, L) mask)."""
        if attn_mask is None:
            return key_padding_mask, None if key_padding_mask is None else 1
        n, length, _ = query.shape
        if attn_mask.dim() == 3:
            merged = attn_mask.view(n, -1, length, length)
        else:
            merged = attn_mask.view(1, 1, length, length).expand(n, self.num_heads, -1, -1)
        if key_padding_mask is None:
            return merged, 2
        padding = key_padding_mask.view(n, 1, 1, length)
        return merged + padding.expand(-1, self.num_heads, -1, -1), 2
