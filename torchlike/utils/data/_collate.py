"""torch.utils.data default_collate / default_convert.

Both walk a sample's containers the same way (``_rebuild`` keeps each container's type where
torch does); they differ only in what happens at the leaves: ``default_convert`` turns numpy
values into tensors, ``collate`` transposes a batch and applies a per-type rule from a table.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, MutableMapping, MutableSequence, Sequence

import numpy as np

from ..._core.dtypes import float64
from ..._core.tensor import Tensor

__all__ = ["collate", "default_collate", "default_collate_fn_map", "default_convert",
           "materialize", "numpy_collate"]

# numpy dtype kinds that cannot become tensors: bytes, str, void-ish and object arrays
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = ("default_collate: batch must contain tensors, numpy arrays, "
                                  "numbers, dicts or lists; found {}")

Rule = Callable[..., object]


def _rebuild(template, values):
    """``values`` (a dict for mappings, else a list) in a container shaped like ``template``.

    namedtuples keep their type and plain tuples become lists, as in torch.  Other containers
    are shallow-copied and refilled when mutable (so extra attributes survive) or rebuilt from
    ``values`` when not; a type that allows neither yields the plain dict/list.
    """
    if isinstance(template, tuple):
        return type(template)(*values) if hasattr(template, "_fields") else values
    as_map = isinstance(values, dict)
    try:
        if isinstance(template, MutableMapping if as_map else MutableSequence):
            out = copy.copy(template)
            if as_map:
                out.update(values)
            else:
                for pos, value in enumerate(values):
                    out[pos] = value
            return out
        return type(template)(values)
    except TypeError:
        return values


def default_convert(data):
    """torch.utils.data.default_convert."""
    from ... import as_tensor

    if isinstance(data, Tensor):
        return data
    kind = type(data)
    if kind.__module__ == "numpy" and kind.__name__ not in ("str_", "string_"):
        if kind.__name__ == "ndarray" and np_str_obj_array_pattern.search(data.dtype.str):
            return data
        return as_tensor(data)
    if isinstance(data, Mapping):
        return _rebuild(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild(data, [default_convert(item) for item in data])
    return data


def _rule_for(elem, table: dict | None) -> Rule | None:
    """The exact type's rule, else the first registered base class (insertion order)."""
    if not table:
        return None
    if type(elem) in table:
        return table[type(elem)]
    return next((rule for kinds, rule in table.items() if isinstance(elem, kinds)), None)


def collate(batch, *, collate_fn_map: dict | None = None):
    """torch.utils.data._utils.collate.collate (leaves by ``collate_fn_map``)."""
    first = batch[0]
    rule = _rule_for(first, collate_fn_map)
    if rule is not None:
        return rule(batch, collate_fn_map=collate_fn_map)

    def inner(samples):
        return collate(samples, collate_fn_map=collate_fn_map)

    if isinstance(first, Mapping):
        return _rebuild(first, {key: inner([sample[key] for sample in batch]) for key in first})
    if isinstance(first, Sequence):
        # namedtuples are zipped as they are; other sequences must agree in length first
        record = isinstance(first, tuple) and hasattr(first, "_fields")
        if not record and len({len(sample) for sample in batch}) > 1:
            raise RuntimeError("each element in list of batch should be of equal size")
        return _rebuild(first, [inner(column) for column in zip(*batch, strict=False)])
    raise TypeError(default_collate_err_msg_format.format(type(first)))


def collate_tensor_fn(batch, *, collate_fn_map: dict | None = None):
    """Tensors stack along a new leading dimension."""
    from ... import stack

    return stack(list(batch), 0)


def collate_numpy_array_fn(batch, *, collate_fn_map: dict | None = None):
    """Arrays become tensors and are then collated as tensors; text/object arrays refuse."""
    from ... import as_tensor

    dtype = batch[0].dtype
    if np_str_obj_array_pattern.search(dtype.str):
        raise TypeError(default_collate_err_msg_format.format(dtype))
    return collate([as_tensor(arr) for arr in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map: dict | None = None):
    """numpy scalars keep their dtype."""
    from ... import as_tensor

    return as_tensor(list(batch))


def _python_numbers(dtype) -> Rule:
    # ints (and bools) take the inferred dtype; floats are float64 whatever the default dtype
    def rule(batch, *, collate_fn_map: dict | None = None):
        from ... import tensor

        return tensor(list(batch), dtype=dtype)

    return rule


collate_float_fn = _python_numbers(float64)
collate_int_fn = _python_numbers(None)


def collate_str_fn(batch, *, collate_fn_map: dict | None = None):
    """Strings and bytes are left as the batch sequence."""
    return batch


default_collate_fn_map: dict = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """torch.utils.data.default_collate."""
    return collate(batch, collate_fn_map=default_collate_fn_map)


# -- worker side: default_collate without Tensors ------------------------------------------
# A DataLoader worker collates with the same walk and rules, except that leaves which would
# become new Tensors are left as ``_Pending`` numpy payloads; ``materialize`` in the main
# process makes them Tensors with the very calls default_collate makes, so the batch is the
# one num_workers=0 gives and the worker never needs a JAX backend.


class _Pending:
    """A collated leaf waiting to become a Tensor in the main process."""

    __slots__ = ("kind", "payload")

    def __init__(self, kind: str, payload) -> None:
        self.kind = kind
        self.payload = payload

    def __reduce__(self):
        return (_Pending, (self.kind, self.payload))

    def make(self) -> Tensor:
        from ... import as_tensor, tensor

        if self.kind == "array":
            return tensor(self.payload)  # a copy: the unpickled buffer is not kept alive
        if self.kind == "scalars":
            return as_tensor(self.payload)
        return tensor(self.payload, dtype=float64 if self.kind == "float" else None)


def _pending_array(batch, *, collate_fn_map: dict | None = None):
    dtype = batch[0].dtype
    if np_str_obj_array_pattern.search(dtype.str):
        raise TypeError(default_collate_err_msg_format.format(dtype))
    shape = batch[0].shape
    for pos, arr in enumerate(batch):
        if arr.shape != shape:  # torch.stack's check, before numpy's own
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(arr.shape)} at entry {pos}")
    return _Pending("array", np.stack(batch))


def _pending_tensors(batch, *, collate_fn_map: dict | None = None):
    # a worker's Tensors are stacked by numpy: no stack kernel to compile in every worker
    # and nothing to pickle but the array; mixed dtypes need torch's promotion, so stack
    first = batch[0]
    if type(first) is not Tensor or any(t.dtype != first.dtype for t in batch):
        return collate_tensor_fn(batch)
    return _pending_array([np.asarray(t._data) for t in batch])


def _pending(kind: str) -> Rule:
    def rule(batch, *, collate_fn_map: dict | None = None):
        return _Pending(kind, list(batch))

    return rule


# each default rule that makes a Tensor, and its numpy stand-in
_numpy_rules: dict = {
    collate_tensor_fn: _pending_tensors,
    collate_numpy_array_fn: _pending_array,
    collate_numpy_scalar_fn: _pending("scalars"),
    collate_float_fn: _pending("float"),
    collate_int_fn: _pending("int"),
}


def numpy_collate(batch):
    """default_collate for a worker: Tensor-making leaves stay numpy (see ``materialize``).

    Rules users registered or replaced in ``default_collate_fn_map`` are kept as they are."""
    table = {kind: _numpy_rules.get(rule, rule) for kind, rule in default_collate_fn_map.items()}
    return collate(batch, collate_fn_map=table)


def materialize(data):
    """A worker's ``numpy_collate`` batch with its pending leaves made Tensors."""
    if type(data) is _Pending:
        return data.make()
    if isinstance(data, (str, bytes, Tensor)):
        return data
    if isinstance(data, Mapping):
        return _rebuild(data, {key: materialize(data[key]) for key in data})
    if isinstance(data, tuple):
        values = [materialize(item) for item in data]
        if hasattr(data, "_fields"):
            return type(data)(*values)
        try:
            return type(data)(values)
        except TypeError:
            return tuple(values)
    if isinstance(data, Sequence):
        return _rebuild(data, [materialize(item) for item in data])
    return data
