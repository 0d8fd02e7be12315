"""torch.nn dropout layers: one validated base, one functional per variant."""

from __future__ import annotations

from ._oplayer import infer_hints, op_forward
from ._spec import Arg, layer
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]


def _check_p(self: Module) -> None:
    if self.p < 0 or self.p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {self.p}")


_DropoutNd = infer_hints(layer(
    "_DropoutNd", [Arg("p", 0.5), Arg("inplace", False)], check=_check_p,
    repr=["p", "inplace"], doc="torch.nn.modules.dropout._DropoutNd: p in [0, 1], inplace.",
    module=__name__, __constants__=["p", "inplace"],
))


def _variant(name: str, op: str, options: tuple[str, ...] = ("p", "inplace")) -> type:
    forward = op_forward(op, options=options, training=True)
    return type(name, (_DropoutNd,), {
        "__doc__": f"torch.nn.{name}.", "__module__": __name__, "forward": forward,
    })


Dropout = _variant("Dropout", "dropout")
Dropout1d = _variant("Dropout1d", "dropout1d")
Dropout2d = _variant("Dropout2d", "dropout2d")
Dropout3d = _variant("Dropout3d", "dropout3d")
# torch's alpha variants ignore ``inplace`` in forward (they never modify the input)
AlphaDropout = _variant("AlphaDropout", "alpha_dropout", ("p",))
FeatureAlphaDropout = _variant("FeatureAlphaDropout", "feature_alpha_dropout", ("p",))
