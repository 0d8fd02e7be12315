"""safetensors files for torchlike tensors, interchangeable with ``safetensors.torch``.

``save_file``/``load_file``/``save``/``load``/``save_model``/``load_model`` behave as
``safetensors.torch``'s do (same checks, messages and metadata), written through the
``safetensors`` package's framework-free API (``serialize``/``deserialize``), so files go
both ways between torch and torchlike.  ``safetensors`` is an optional dependency
(``pip install safetensors``); without it these functions raise ImportError.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict

import numpy as np

from .._core import dtypes as _dt
from .._core.tensor import Tensor

__all__ = ["save", "save_file", "load", "load_file", "save_model", "load_model"]

# safetensors dtype codes (file header) <-> torchlike dtypes
_CODES = {"F64": _dt.float64, "F32": _dt.float32, "F16": _dt.float16, "BF16": _dt.bfloat16,
          "I64": _dt.int64, "I32": _dt.int32, "I16": _dt.int16, "I8": _dt.int8, "U8": _dt.uint8,
          "BOOL": _dt.bool, "C64": _dt.complex64}
_NO_TORCHLIKE_DTYPE = ("U16", "U32", "U64", "F8_E4M3", "F8_E4M3FNUZ", "F8_E5M2", "F8_E5M2FNUZ",
                       "F8_E8M0", "F4")


def _st():
    try:
        import safetensors
    except ImportError as e:
        raise ImportError("torchlike.utils.safetensors needs the `safetensors` package: "
                          "pip install safetensors") from e
    return safetensors


# ---------------------------------------------------------------- shared tensors


def _span(t: Tensor):
    """(first, one past the last) element position of t in its storage."""
    off = t.storage_offset()
    if not t.numel():
        return off, off
    last = off + sum((s - 1) * st for s, st in zip(t.shape, t.stride(), strict=True))
    return off, last + 1


def _storage_nbytes(t: Tensor) -> int:
    a = t._storage.array
    return int(a.size) * a.dtype.itemsize


def _filter_shared_not_shared(groups, state_dict):
    out = []
    for shared in groups:
        if len(shared) < 2:
            out.append(shared)
            continue
        areas = sorted((*_span(state_dict[n]), n) for n in shared)
        _, last_stop, last_name = areas[0]
        out.append({last_name})
        for start, stop, name in areas[1:]:
            if start >= last_stop:
                out.append({name})
            else:
                out[-1].add(name)
            last_stop = stop
    return out


def _find_shared_tensors(state_dict) -> list:
    groups = defaultdict(set)
    for k, v in state_dict.items():
        if _storage_nbytes(v):
            groups[(str(v.device), id(v._storage), _storage_nbytes(v))].add(k)
    return _filter_shared_not_shared(sorted(groups.values(), key=sorted), state_dict)


def _is_complete(t: Tensor) -> bool:
    return t.storage_offset() == 0 and t.numel() * t.element_size() == _storage_nbytes(t)


def _remove_duplicate_names(state_dict, *, preferred_names=None, discard_names=None):
    preferred_names = set(preferred_names or [])
    discard_names = set(discard_names or [])
    to_remove = defaultdict(list)
    for shared in _find_shared_tensors(state_dict):
        complete = {n for n in shared if _is_complete(state_dict[n])}
        if not complete:
            raise RuntimeError(
                "Error while trying to find names to remove to save state dict, but found no "
                f"suitable name to keep for saving amongst: {shared}. None is covering the entire "
                "storage.Refusing to save/load the model since you could be storing much more "
                "memory than needed. Please refer to "
                "https://huggingface.co/docs/safetensors/torch_shared_tensors for more "
                "information. Or open an issue.")
        keep = sorted(complete)[0]
        preferred = complete - discard_names
        if preferred:
            keep = sorted(preferred)[0]
        if preferred_names:
            pref = preferred_names & complete
            if pref:
                keep = sorted(pref)[0]
        for name in sorted(shared):
            if name != keep:
                to_remove[keep].append(name)
    return to_remove


# ---------------------------------------------------------------- save


def _check_for_save(tensors) -> None:
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    for k, v in tensors.items():
        if not isinstance(v, Tensor):
            raise ValueError(f"Key `{k}` is invalid, expected torch.Tensor but received "
                             f"{type(v)}")
    failing = [names for names in _find_shared_tensors(tensors) if len(names) > 1]
    if failing:
        raise RuntimeError(f"""
            Some tensors share memory, this will lead to duplicate memory on disk and potential differences when loading them again: {failing}.
            A potential way to correctly save your model is to use `save_model`.
            More information at https://huggingface.co/docs/safetensors/torch_shared_tensors
            """)  # noqa: E501 - safetensors.torch's message


def _flatten(tensors, keep: list) -> dict:
    st = _st()
    _check_for_save(tensors)
    out = {}
    for k, v in tensors.items():
        if not v.is_contiguous():
            raise ValueError(
                f"You are trying to save a non contiguous tensor: `{k}` which is not allowed. It "
                "either means you are trying to save tensors which are reference of each other in "
                "which case it's recommended to save only the full tensors, and reslice at load "
                "time, or simply call `.contiguous()` on your tensor to pack it before saving.")
        if v.dtype not in _CODES.values():
            raise TypeError(f"safetensors cannot store dtype {v.dtype}")
        a = np.ascontiguousarray(np.asarray(v._data)).reshape(-1)
        if sys.byteorder == "big" and a.dtype.itemsize > 1:
            a = a.byteswap()
        a = a.view(np.uint8)
        keep.append(a)
        if hasattr(st, "TensorSpec"):
            out[k] = st.TensorSpec(dtype=v.dtype.name, shape=list(v.shape),
                                   data_ptr=a.ctypes.data, data_len=a.nbytes)
        else:  # safetensors < 0.6: dicts of bytes
            out[k] = {"dtype": v.dtype.name, "shape": list(v.shape), "data": a.tobytes()}
    return out


def save(tensors: dict, metadata: dict | None = None) -> bytes:
    """safetensors.torch.save: the bytes of a safetensors file holding ``tensors``."""
    keep: list = []
    return bytes(_st().serialize(_flatten(tensors, keep), metadata=metadata))


def save_file(tensors: dict, filename, metadata: dict | None = None) -> None:
    """safetensors.torch.save_file."""
    keep: list = []
    _st().serialize_file(_flatten(tensors, keep), os.fspath(filename), metadata=metadata)


# ---------------------------------------------------------------- load


def _place(device):
    from ..serialization._restore import _default_restore, _explicit_device

    if device is None:
        return None
    if isinstance(device, int):
        device = f"cuda:{device}"
    if isinstance(device, str) and device == "cpu":
        return _default_restore("cpu")
    return _explicit_device(device)


def _to_tensors(flat, device="cpu") -> dict:
    import jax
    import jax.numpy as jnp

    from .._core.device import to_jax

    dev = _place(device)
    out = {}
    for name, info in flat:
        code = info["dtype"]
        dt = _CODES.get(code)
        if dt is None:
            what = "a dtype torchlike does not support" if code in _NO_TORCHLIKE_DTYPE else \
                "an unknown dtype"
            raise TypeError(f"safetensors tensor {name!r} has dtype {code}, {what}")
        shape = tuple(int(s) for s in info["shape"])
        raw = info["data"]
        n = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if dt is _dt.bool:
            a = np.frombuffer(raw, dtype=np.uint8, count=n) != 0
        else:
            npd = dt.np if dt is _dt.bfloat16 or dt.itemsize == 1 else dt.np.newbyteorder("<")
            if dt is _dt.bfloat16 and sys.byteorder == "big":
                a = np.frombuffer(raw, "<u2", count=n).astype(np.uint16).view(dt.np)
            else:
                a = np.frombuffer(raw, dtype=npd, count=n).astype(dt.np, copy=False)
        arr = jnp.array(a.reshape(shape), copy=True)
        if dev is not None:
            arr = jax.device_put(arr, to_jax(dev))
        out[name] = Tensor._make(arr, dt)
    return out


def load(data: bytes) -> dict:
    """safetensors.torch.load: tensors from the bytes of a safetensors file."""
    return _to_tensors(_st().deserialize(bytes(data)))


def load_file(filename, device="cpu") -> dict:
    """safetensors.torch.load_file."""
    st = _st()
    with open(os.fspath(filename), "rb") as f:
        data = f.read()
    return _to_tensors(st.deserialize(data), device)


def save_model(model, filename, metadata: dict | None = None,
               force_contiguous: bool = True) -> None:
    """safetensors.torch.save_model: the model's state_dict, tied tensors written once (the
    dropped names are recorded in the metadata, pointing at the name kept)."""
    state_dict = model.state_dict()
    for kept, removed in _remove_duplicate_names(state_dict).items():
        for name in removed:
            if metadata is None:
                metadata = {}
            if name not in metadata:
                metadata[name] = kept
            del state_dict[name]
    if force_contiguous:
        state_dict = {k: v.contiguous() for k, v in state_dict.items()}
    try:
        save_file(state_dict, filename, metadata=metadata)
    except ValueError as e:
        raise ValueError(str(e) + " Or use save_model(..., force_contiguous=True), read the docs "
                         "for potential caveats.") from None


def load_model(model, filename, strict: bool = True, device="cpu"):
    """safetensors.torch.load_model: returns ``(missing, unexpected)`` key lists."""
    state_dict = load_file(filename, device=device)
    to_removes = _remove_duplicate_names(model.state_dict(), preferred_names=state_dict.keys())
    missing, unexpected = model.load_state_dict(state_dict, strict=False)
    missing = set(missing)
    unexpected = list(unexpected)
    for group in to_removes.values():
        for name in group:
            if name not in missing:
                unexpected.append(name)
            else:
                missing.remove(name)
    if strict and (missing or unexpected):
        missing_keys = ", ".join(f'"{k}"' for k in sorted(missing))
        unexpected_keys = ", ".join(f'"{k}"' for k in sorted(unexpected))
        error = f"Error(s) in loading state_dict for {model.__class__.__name__}:"
        if missing:
            error += f"\n    Missing key(s) in state_dict: {missing_keys}"
        if unexpected:
            error += f"\n    Unexpected key(s) in state_dict: {unexpected_keys}"
        raise RuntimeError(error)
    return missing, unexpected
