"""torchlike: the torch API on JAX.  ``import torchlike as torch``.

This module only re-exports: the engine lives in ``_core``, ops in ``_ops`` by family.
"""

from __future__ import annotations

import jax as _jax

# torch's float64 and int64 are real dtypes: JAX must not silently narrow them.
_jax.config.update("jax_enable_x64", True)

# Compiled kernels persist on disk across runs (docs/caches.md); before anything compiles.
from ._core import config as _config  # noqa: E402

_config.setup_persistent_cache()

from . import _ops  # noqa: E402,F401 - attaches every op to Tensor
from . import autograd, return_types  # noqa: E402,F401
from ._core.device import device, get_default_device, set_default_device  # noqa: E402,F401
from ._core.dtypes import (  # noqa: E402,F401
    bfloat16, bool, can_cast, cdouble, cfloat, complex64, complex128, double, dtype, finfo, float,
    float16, float32, float64, get_default_dtype, half, iinfo, int, int8, int16, int32, int64, long,
    promote_types, set_default_dtype, short, uint8,
)
from ._core.grad_mode import (  # noqa: E402,F401
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
    set_grad_enabled,
)
from ._core.printing import get_printoptions, printoptions, set_printoptions  # noqa: E402,F401
from ._core.tensor import Size, Tensor  # noqa: E402
from ._core.memory_format import (  # noqa: E402,F401
    channels_last, channels_last_3d, contiguous_format, memory_format, preserve_format,
)
from ._ops.convert import *  # noqa: E402,F401,F403
from ._ops.creation import *  # noqa: E402,F401,F403
from ._ops.indexing import *  # noqa: E402,F401,F403
from ._ops.pointwise import *  # noqa: E402,F401,F403
from ._ops.products import *  # noqa: E402,F401,F403
from ._ops.reduction import *  # noqa: E402,F401,F403
from ._ops.shape import *  # noqa: E402,F401,F403
from ._ops.blas import *  # noqa: E402,F401,F403
from ._ops.indexing_ext import *  # noqa: E402,F401,F403
from ._ops.layout import *  # noqa: E402,F401,F403
from ._ops.scans import *  # noqa: E402,F401,F403
from ._ops.sorting import *  # noqa: E402,F401,F403
from ._ops.ufuncs import *  # noqa: E402,F401,F403
from ._ops.random import *  # noqa: E402,F401,F403
from ._ops.nn_activation import _torch_log_softmax as log_softmax  # noqa: E402,F401
from ._ops.nn_activation import _torch_softmax as softmax  # noqa: E402,F401
from ._ops.nn_misc import constant_pad_nd, pdist  # noqa: E402,F401
from ._ops.nn_sample import grid_sampler_2d, grid_sampler_3d  # noqa: E402,F401
from ._ops.nn_norm import (  # noqa: E402,F401
    native_batch_norm, native_group_norm, native_layer_norm,
)
from . import fft, random  # noqa: E402,F401
from ._ops.meta import (  # noqa: E402,F401
    broadcast_shapes, is_complex, is_floating_point, is_tensor, numel, result_type,
)
from ._core.threads import (  # noqa: E402,F401
    get_num_interop_threads, get_num_threads, set_num_interop_threads, set_num_threads,
)

__version__ = "0.1.0"
# torch's math constants (torch.pi, torch.e, torch.inf, torch.nan) and numpy's newaxis alias.
from math import e, inf, nan, pi  # noqa: E402,F401

newaxis = None
from . import serialization  # noqa: E402
from .serialization import load, save  # noqa: E402,F401
from . import special, masked, signal  # noqa: E402,F401
from ._ops.windows import *  # noqa: E402,F401,F403
from ._ops.stft import *  # noqa: E402,F401,F403
from . import linalg  # noqa: E402
from . import optim  # noqa: E402
from . import nn  # noqa: E402
from . import utils  # noqa: E402
from . import cuda  # noqa: E402,F401
from . import accelerator, backends, version  # noqa: E402,F401
from .backends import (  # noqa: E402,F401
    get_float32_matmul_precision, set_float32_matmul_precision,
)
from . import func, interop  # noqa: E402,F401
from .func import vmap  # noqa: E402,F401
from . import _dynamo, compiler  # noqa: E402,F401
from . import testing  # noqa: E402,F401 - torch.testing (its names load on first use)
from . import distributed, multiprocessing  # noqa: E402,F401
from ._dynamo.module import optimize as compile  # noqa: E402,F401,A001

# torch's top-level aliases of nn.functional ops whose signatures match F's.
from .nn import functional as _F  # noqa: E402
for _n in ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "conv_tbc", "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d",
           "adaptive_avg_pool1d", "adaptive_max_pool1d", "pixel_shuffle", "pixel_unshuffle",
           "channel_shuffle", "native_channel_shuffle", "layer_norm", "group_norm",
           "cosine_similarity", "pairwise_distance", "prelu", "rrelu", "selu", "celu",
           "hardshrink", "threshold", "bilinear"):
    globals()[_n] = getattr(_F, _n)
del _n
