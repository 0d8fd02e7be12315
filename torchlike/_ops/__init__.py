"""Op declarations by family. Importing this package attaches every op to Tensor."""

from . import convert, creation, indexing, meta, pointwise, products, reduction, shape  # noqa: F401
