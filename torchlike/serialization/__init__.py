"""torch.save / torch.load in torch's own checkpoint formats, safe by default.

Files written here are what ``torch.save`` writes (the zip format of torch >= 1.6, or the
legacy stream with ``_use_new_zipfile_serialization=False``), naming torch's globals
(``torch._utils._rebuild_tensor_v2``, ``torch.FloatStorage``, ...), so real ``torch.load``
with its default ``weights_only=True`` reads them.  Files written by torch load here with no
torch installed.

``load`` defaults to ``weights_only=True``: the file's pickle is interpreted opcode by
opcode (``_pickle.RestrictedUnpickler``) and may only build tensors, the
containers a state_dict uses and plain values; anything else is refused with
``pickle.UnpicklingError`` naming the global, and nothing from the file is imported or run.
Every size, offset and stride in the file is checked against the bytes actually present
before anything is allocated.

Storage sharing survives a round trip: tensors on one storage (views, tied weights) are
written as one record and come back on one torchlike Storage, each tensor a view of it with
torch's storage_offset and strides (a layout no chain of torchlike views can express, e.g.
overlapping windows, comes back as a copy).
"""

from ._api import (
    DEFAULT_PROTOCOL,
    MAGIC_NUMBER,
    PROTOCOL_VERSION,
    get_unsafe_globals_in_checkpoint,
    load,
    save,
)
from ._restore import (
    StorageType,
    add_safe_globals,
    clear_safe_globals,
    get_safe_globals,
    safe_globals,
)

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals", "get_unsafe_globals_in_checkpoint", "DEFAULT_PROTOCOL",
           "MAGIC_NUMBER", "PROTOCOL_VERSION", "StorageType"]
