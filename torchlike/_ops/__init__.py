"""Op declarations by family. Importing this package attaches every op to Tensor."""

from . import (  # noqa: F401
    blas,
    convert,
    creation,
    indexing,
    indexing_ext,
    layout,
    meta,
    pointwise,
    products,
    random,
    reduction,
    scans,
    shape,
    sorting,
    ufuncs,
)
