"""torch.nn.functional: re-exports of the nn op families declared in torchlike/_ops/nn_*.py."""

from .._ops.nn_activation import *  # noqa: F403
from .._ops.nn_attention import *  # noqa: F403
from .._ops.nn_conv import *  # noqa: F403
from .._ops.nn_loss import *  # noqa: F403
from .._ops.nn_misc import *  # noqa: F403
from .._ops.nn_norm import *  # noqa: F403
from .._ops.nn_pool import *  # noqa: F403
from .._ops.nn_sample import *  # noqa: F403
