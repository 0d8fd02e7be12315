"""torch.nn distance layers, declared over their functionals."""

from __future__ import annotations

from ._oplayer import op_layer
from ._spec import Arg

__all__ = ["PairwiseDistance", "CosineSimilarity"]

_PAIR = ("x1", "x2")

# torch stores PairwiseDistance's ``p`` as ``norm``
PairwiseDistance = op_layer(
    "PairwiseDistance", "pairwise_distance",
    [Arg("p", 2.0, attr="norm"), Arg("eps", 1e-06), Arg("keepdim", False)],
    inputs=_PAIR, module=__name__,
)
CosineSimilarity = op_layer(
    "CosineSimilarity", "cosine_similarity", [Arg("dim", 1), Arg("eps", 1e-08)],
    inputs=_PAIR, module=__name__,
)
