"""Storage: the one mutable box a tensor and all its views share."""

from __future__ import annotations

import sys

import jax
import jax.numpy as jnp
import numpy as np


class Storage:
    """Holds the current jax.Array of a base tensor and a version counter bumped by every write.

    jax arrays are immutable, so "writing" replaces ``array``; views notice by identity.
    ``torchlike.compile`` swaps tracers into ``array`` while tracing and writes results back.
    """

    # _np and _snap are used only by NumpyStorage; declaring them here keeps both classes'
    # layouts equal, so Tensor.numpy() can turn a storage into a NumPy-bound one in place
    # (every alias and view of it follows) by assigning __class__.
    __slots__ = ("array", "version", "_np", "_snap", "__weakref__")

    def __init__(self, array):
        self.array = array
        self.version = 0

    def nbytes(self) -> int:
        return self.array.size * self.array.dtype.itemsize


_ARRAY = Storage.__dict__["array"]  # the slot itself, under NumpyStorage's property
_UINT = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}
_SMALL = 8192  # below this many bytes, comparing two bytes objects beats a numpy compare


def _same(buf: np.ndarray, snap: np.ndarray) -> bool:
    """Whether ``buf`` still holds exactly the bits of ``snap`` (NaNs and -0.0 included)."""
    if buf.nbytes <= _SMALL:
        return buf.tobytes() == snap.tobytes()
    if buf.dtype.kind == "c":
        return _same(buf.real, snap.real) and _same(buf.imag, snap.imag)
    u = _UINT[buf.dtype.itemsize]
    return bool((buf.view(u) == snap.view(u)).all())


class NumpyStorage(Storage):
    """A Storage whose truth is a writable NumPy array, shared with NumPy as torch's CPU
    tensors are (``from_numpy``, ``as_tensor``, ``Tensor.numpy()``).

    ``array`` is a jax copy of the buffer: re-made when a read finds that NumPy changed the
    buffer since (a bitwise compare, no copy), so jax never sees memory that changes under
    it and queued kernels never race NumPy's writes.  A write stores the new jax value and
    copies it into the buffer before returning (these storages run synchronously).
    """

    __slots__ = ()

    def __init__(self, buf: np.ndarray):
        self.version = 0
        self._np = buf
        self._refresh()

    def _refresh(self):
        snap = np.array(self._np, order="C")  # a private copy: jax may alias it zero-copy
        snap.flags.writeable = False
        arr = jnp.asarray(snap)
        _ARRAY.__set__(self, arr)
        self._snap = snap
        return arr

    def _get(self):
        arr = _ARRAY.__get__(self) if _same(self._np, self._snap) else self._refresh()
        self._unbind_if_unseen()
        return arr

    def _set(self, new) -> None:
        if isinstance(new, jax.core.Tracer):  # traced by torchlike.compile: written back later
            _ARRAY.__set__(self, new)
            return
        buf = self._np
        if tuple(new.shape) != buf.shape:
            raise RuntimeError("Trying to resize storage that is not resizable")
        host = np.asarray(new)  # waits for the value; zero-copy on CPU
        np.copyto(buf, host, casting="unsafe")
        _ARRAY.__set__(self, new)
        self._snap = host
        del buf
        self._unbind_if_unseen()

    def _unbind_if_unseen(self) -> None:
        # A buffer this storage alone references (no NumPy view of it is alive: views keep
        # their owner referenced through .base) can no longer show anything to NumPy, so the
        # storage drops back to the plain, asynchronous kind.
        buf = self._np
        if buf.base is None and sys.getrefcount(buf) <= _UNSEEN_REFS:
            del buf
            self._np = self._snap = None
            self.__class__ = Storage

    array = property(_get, _set)


# References to an unseen buffer while _unbind_if_unseen looks: the slot, its local name, the
# argument of getrefcount.
_UNSEEN_REFS = 3


def bind_numpy(storage: Storage) -> np.ndarray:
    """Make ``storage`` NumPy-bound (a writable host copy of its array becomes the truth) and
    return that NumPy array; a storage already bound returns its own."""
    if type(storage) is NumpyStorage:
        return storage._np
    arr = storage.array
    buf = np.array(arr)
    storage._np = buf
    storage._snap = np.asarray(arr)
    storage.__class__ = NumpyStorage
    return buf
