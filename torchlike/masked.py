"""torch.masked: reductions and normalizations over the elements a boolean ``mask`` keeps."""

from ._ops.masked import (  # noqa: F401
    __all__,  # noqa: F401
    amax,
    amin,
    argmax,
    argmin,
    cumprod,
    cumsum,
    log_softmax,
    logaddexp,
    logsumexp,
    mean,
    median,
    norm,
    normalize,
    prod,
    softmax,
    softmin,
    std,
    sum,
    var,
)
