"""torch.nn loss layers: one declaration per loss (its arguments, functional and inputs).

Every loss stores its options under the functional's keyword names and forwards them, so
:func:`._oplayer.op_layer` builds them from the table below.  ``_Loss`` and
``_WeightedLoss`` keep torch's base-class names and constructors (custom losses subclass
them); the legacy ``size_average``/``reduce`` flags fold into ``reduction`` there.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from ..._core.tensor import Tensor
from .. import functional as F
from ._oplayer import op_forward, op_layer
from ._spec import Arg
from .distance import PairwiseDistance
from .linear import Linear
from .module import Module

__all__ = [
    "L1Loss",
    "NLLLoss",
    "NLLLoss2d",
    "PoissonNLLLoss",
    "GaussianNLLLoss",
    "KLDivLoss",
    "MSELoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "HingeEmbeddingLoss",
    "MultiLabelMarginLoss",
    "SmoothL1Loss",
    "HuberLoss",
    "SoftMarginLoss",
    "CrossEntropyLoss",
    "MultiLabelSoftMarginLoss",
    "CosineEmbeddingLoss",
    "MarginRankingLoss",
    "MultiMarginLoss",
    "TripletMarginLoss",
    "TripletMarginWithDistanceLoss",
    "CTCLoss",
    "LinearCrossEntropyLoss",
]


def _legacy_reduction(size_average: Any, reduce: Any) -> str:
    """torch.nn._reduction.legacy_get_string: an unset flag counts as True."""
    if reduce is not None and not reduce:
        mode = "none"
    elif size_average is not None and not size_average:
        mode = "sum"
    else:
        mode = "mean"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{mode}' "
        "instead.",
        stacklevel=2,
    )
    return mode


class _Loss(Module):
    """torch.nn.modules.loss._Loss."""

    reduction: str

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean"):
        super().__init__()
        legacy = size_average is not None or reduce is not None
        self.reduction = _legacy_reduction(size_average, reduce) if legacy else reduction


class _WeightedLoss(_Loss):
    """torch.nn.modules.loss._WeightedLoss: ``weight`` is a (state_dict) buffer."""

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
    ):
        _Loss.__init__(self, size_average, reduce, reduction)
        self.register_buffer("weight", weight)


_S, _R, _M, _W = ("size_average", None), ("reduce", None), ("reduction", "mean"), ("weight", None)
_LEGACY = [_S, _R, _M]
_PAIR = ("input", "target")
_RANKED = ("input1", "input2", "target")
_TRIPLET = ("anchor", "positive", "negative")
_BASE_ARGS = {_Loss: {"size_average", "reduce", "reduction"}}
_BASE_ARGS[_WeightedLoss] = _BASE_ARGS[_Loss] | {"weight"}


def _loss(
    name: str,
    op: str,
    args: list,
    inputs: tuple[str, ...] = _PAIR,
    constants: str = "reduction",
    **kwargs: Any,
) -> type:
    names = [a.name if isinstance(a, Arg) else a[0] for a in args]
    base = _WeightedLoss if "weight" in names else _Loss
    return op_layer(
        name,
        op,
        args,
        inputs=inputs,
        skip=("size_average", "reduce"),
        constants=constants.split(),
        base=base,
        base_args=[n for n in names if n in _BASE_ARGS[base]],
        module=__name__,
        **kwargs,
    )


def _kw(*args: tuple) -> list[Arg]:
    return [Arg(*a, kw_only=True) for a in args]


def _positive_margin(self: Module) -> None:
    if self.margin <= 0:
        raise ValueError(
            f"{type(self).__name__}: expected margin to be greater than 0, got {self.margin} "
            "instead"
        )


def _huber_check(self: Module) -> None:
    if not isinstance(self.delta, (float, int)):
        raise TypeError(f"delta must be a float or int, got: {type(self.delta)}")


def _multi_margin_check(self: Module) -> None:
    if self.p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if self.weight is not None and self.weight.dim() != 1:
        raise ValueError(
            "MultiMarginLoss: expected weight to be None or 1D tensor, got "
            f"{self.weight.dim()}D instead"
        )


def _default_distance(fn: Any) -> Any:
    return PairwiseDistance() if fn is None else fn


L1Loss = _loss("L1Loss", "l1_loss", _LEGACY)
MSELoss = _loss("MSELoss", "mse_loss", _LEGACY)
SoftMarginLoss = _loss("SoftMarginLoss", "soft_margin_loss", _LEGACY)
MultiLabelMarginLoss = _loss("MultiLabelMarginLoss", "multilabel_margin_loss", _LEGACY)
KLDivLoss = _loss("KLDivLoss", "kl_div", [*_LEGACY, ("log_target", False)])
SmoothL1Loss = _loss("SmoothL1Loss", "smooth_l1_loss", [*_LEGACY, ("beta", 1.0)])
HuberLoss = _loss("HuberLoss", "huber_loss", [_M, ("delta", 1.0)], constants="reduction delta",
                  check=_huber_check)
NLLLoss = _loss("NLLLoss", "nll_loss", [_W, _S, ("ignore_index", -100), _R, _M],
                constants="ignore_index reduction")
CrossEntropyLoss = _loss("CrossEntropyLoss", "cross_entropy",
                         [_W, _S, ("ignore_index", -100), _R, _M, ("label_smoothing", 0.0)],
                         constants="ignore_index reduction label_smoothing")
BCELoss = _loss("BCELoss", "binary_cross_entropy", [_W, *_LEGACY])
MultiLabelSoftMarginLoss = _loss("MultiLabelSoftMarginLoss", "multilabel_soft_margin_loss",
                                 [_W, *_LEGACY])
PoissonNLLLoss = _loss("PoissonNLLLoss", "poisson_nll_loss",
                       [("log_input", True), ("full", False), _S, ("eps", 1e-08), _R, _M],
                       inputs=("log_input", "target"), constants="log_input full eps reduction")
GaussianNLLLoss = _loss("GaussianNLLLoss", "gaussian_nll_loss",
                        _kw(("full", False), ("eps", 1e-06), _M),
                        inputs=("input", "target", "var"), constants="full eps reduction")
HingeEmbeddingLoss = _loss("HingeEmbeddingLoss", "hinge_embedding_loss",
                           [("margin", 1.0), *_LEGACY], constants="margin reduction")
CosineEmbeddingLoss = _loss("CosineEmbeddingLoss", "cosine_embedding_loss",
                            [("margin", 0.0), *_LEGACY], inputs=_RANKED,
                            constants="margin reduction")
MarginRankingLoss = _loss("MarginRankingLoss", "margin_ranking_loss",
                          [("margin", 0.0), *_LEGACY], inputs=_RANKED,
                          constants="margin reduction")
MultiMarginLoss = _loss("MultiMarginLoss", "multi_margin_loss",
                        [("p", 1), ("margin", 1.0), _W, *_LEGACY],
                        constants="p margin reduction", check=_multi_margin_check)
TripletMarginLoss = _loss("TripletMarginLoss", "triplet_margin_loss",
                          [("margin", 1.0), ("p", 2.0), ("eps", 1e-06), ("swap", False),
                           *_LEGACY],
                          inputs=_TRIPLET, constants="margin p eps swap reduction",
                          check=_positive_margin)
TripletMarginWithDistanceLoss = _loss(
    "TripletMarginWithDistanceLoss",
    "triplet_margin_with_distance_loss",
    [Arg("distance_function", None, _default_distance, kw_only=True),
     *_kw(("margin", 1.0), ("swap", False), _M)],
    inputs=_TRIPLET,
    constants="margin swap reduction",
    check=_positive_margin,
)
CTCLoss = _loss("CTCLoss", "ctc_loss", [("blank", 0), _M, ("zero_infinity", False)],
                inputs=("log_probs", "targets", "input_lengths", "target_lengths"),
                constants="blank reduction")


_NLL2D_DEPRECATED = (
    "`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in replacement "
    "and see https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for more details."
)


class NLLLoss2d(NLLLoss):  # type: ignore[misc,valid-type]
    """torch.nn.NLLLoss2d: NLLLoss under its deprecated name (warns on construction)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> NLLLoss2d:
        if cls is NLLLoss2d:
            warnings.warn(_NLL2D_DEPRECATED, FutureWarning, stacklevel=2)
        return super().__new__(cls)


class BCEWithLogitsLoss(_Loss):
    """torch.nn.BCEWithLogitsLoss: a plain ``_Loss`` holding two buffers, as in torch."""

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean", pos_weight: Tensor | None = None,
    ) -> None:
        _Loss.__init__(self, size_average, reduce, reduction)
        for key, value in (("weight", weight), ("pos_weight", pos_weight)):
            self.register_buffer(key, value)

    forward = op_forward(
        "binary_cross_entropy_with_logits", _PAIR, ("weight", "pos_weight", "reduction")
    )


_LCE_OPTIONS = ("weight", "reduction", "ignore_index", "label_smoothing", "options")


class LinearCrossEntropyLoss(_WeightedLoss):
    """torch.nn.LinearCrossEntropyLoss: cross_entropy(linear(input)) without the logits tensor.

    The projection lives in a 2-D ``linear`` (``Linear`` has no N-D weight); forward views it
    as ``(num_classes, *out_features, in_features)``.
    """

    __constants__ = ["num_classes", "out_features", "reduction", "ignore_index", "label_smoothing"]

    def __init__(
        self,
        in_features: int,
        num_classes: int,
        *,
        out_features: tuple[int, ...] = (), bias: bool = False,
        device: Any = None, dtype: Any = None,
        reduction: str = "mean", weight: Tensor | None = None,
        ignore_index: int | None = None, label_smoothing: float = 0.0,
        options: Any = None,
    ) -> None:
        if weight is not None and tuple(weight.shape) != (num_classes,):
            raise RuntimeError(
                f"expected weight shape to be {(num_classes,)}, got {tuple(weight.shape)}"
            )
        outside = label_smoothing < 0 or label_smoothing > 1.0
        if outside:
            raise RuntimeError(
                f"expected label_smoothing to be in range [0, 1], got {label_smoothing}"
            )
        super().__init__(weight, reduction=reduction)
        self.num_classes, self.out_features = num_classes, out_features
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing
        rows = math.prod(out_features, start=num_classes)
        self.linear = Linear(in_features, rows, bias=bias, device=device, dtype=dtype)
        self.options = options

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        lead = (self.num_classes, *self.out_features)
        proj = self.linear
        return F.linear_cross_entropy(
            input,
            proj.weight.reshape((*lead, proj.in_features)),
            target,
            linear_bias=None if proj.bias is None else proj.bias.reshape(lead),
            **{k: getattr(self, k) for k in _LCE_OPTIONS},
        )

    def extra_repr(self) -> str:
        fields = {
            "in_features": self.linear.in_features,
            "num_classes": self.num_classes,
            "out_features": self.out_features,
            "bias": self.linear.bias is not None,
            "reduction": self.reduction,
            "ignore_index": self.ignore_index,
            "label_smoothing": self.label_smoothing,
            "options": self.options,
        }
        return ", ".join(f"{k}={v}" for k, v in fields.items())
