"""torch.fft: discrete Fourier transforms on jnp.fft, with torch's argument names and dtypes."""

from __future__ import annotations

import jax.numpy as jnp

from .._core import dtypes as _dt
from .._core.registry import Op, run, set_out, wrap_dim
from .._core.tensor import Tensor
from .creation import _check_dtype, _finish

_NORMS = (None, "backward", "ortho", "forward")
_SWAP = {None: "forward", "backward": "forward", "forward": "backward", "ortho": "ortho"}


def _complex_of(dt: _dt.dtype) -> _dt.dtype:
    if dt.is_complex:
        return dt
    if dt.category <= _dt.INT:
        dt = _dt.get_default_dtype()
    if dt in (_dt.float16, _dt.bfloat16):
        raise NotImplementedError(f"FFTs of {dt} need complex32, which torchlike does not support")
    return dt.to_complex()


def _real_of(dt: _dt.dtype) -> _dt.dtype:
    return _complex_of(dt).to_real()


def _check(input, name, norm):
    if not isinstance(input, Tensor):
        raise TypeError(f"fft_{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if norm not in _NORMS:
        raise ValueError(f'Invalid normalization mode: "{norm}"')
    if input.dim() == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")


def _dims_1d(input, n, dim, name):
    d = wrap_dim(dim, input.dim())
    if n is not None and n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return (None if n is None else (int(n),)), (d,)


def _dims_nd(input, s, dim, default_last):
    nd = input.dim()
    if dim is None:
        if s is not None:
            dims = tuple(range(nd - len(s), nd))
        elif default_last:
            dims = tuple(range(nd - default_last, nd)) if nd >= default_last else tuple(range(nd))
        else:
            dims = tuple(range(nd))
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = tuple(wrap_dim(d, nd) for d in dims)
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
    if s is not None:
        s = tuple(int(v) for v in s)
        if len(s) != len(dims):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        for v in s:
            if v < 1 and v != -1:
                raise RuntimeError(f"Invalid number of data points ({v}) specified")
        s = tuple(input.shape[d] if v == -1 else v for v, d in zip(s, dims, strict=False))
    return s, dims


def _hfftn(a, s, axes, norm):
    return jnp.fft.irfftn(jnp.conj(a), s, axes, _SWAP[norm])


def _ihfftn(a, s, axes, norm):
    return jnp.conj(jnp.fft.rfftn(a, s, axes, _SWAP[norm]))


# kind → (jnp function taking (a, s, axes, norm), input cast, output dtype rule)
_KINDS = {
    "fft": (lambda a, s, ax, nm: jnp.fft.fftn(a, s, ax, nm), _complex_of, _complex_of),
    "ifft": (lambda a, s, ax, nm: jnp.fft.ifftn(a, s, ax, nm), _complex_of, _complex_of),
    "rfft": (lambda a, s, ax, nm: jnp.fft.rfftn(a, s, ax, nm), "real", _complex_of),
    "irfft": (lambda a, s, ax, nm: jnp.fft.irfftn(a, s, ax, nm), _complex_of, _real_of),
    "hfft": (_hfftn, _complex_of, _real_of),
    "ihfft": (_ihfftn, "real", _complex_of),
}
_OPS = {k: Op("fft_" + k, "Fft" + k.capitalize() + "Backward0", saved=None) for k in _KINDS}


def _transform(kind, name, input, s, dims, norm, out):
    _check(input, name, norm)
    fn, incast, outrule = _KINDS[kind]
    src = input._dtype
    if incast == "real":
        if src.is_complex:
            raise RuntimeError(f"{name} expects a real input tensor, but got {src._tag}")
        cin = _real_of(src)
    else:
        cin = incast(src)
    dst = outrule(src)
    key = (name, s, dims, norm, src)

    def build():
        n = cin.np
        o = dst.np
        return lambda a: fn(a.astype(n), s, dims, norm).astype(o)

    r = run(_OPS[kind], key, build, (input._data,), (input,), dst)
    return r if out is None else set_out(out, r)


def _one(kind, name, doc):
    def f(input, n=None, dim=-1, norm=None, *, out=None):
        _check(input, name, norm)
        s, dims = _dims_1d(input, n, dim, name)
        return _transform(kind, name, input, s, dims, norm, out)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


def _many(kind, name, doc, default_last):
    def f(input, s=None, dim=None if not default_last else (-2, -1), norm=None, *, out=None):
        _check(input, name, norm)
        s2, dims = _dims_nd(input, s, dim, default_last)
        return _transform(kind, name, input, s2, dims, norm, out)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


fft = _one("fft", "fft", "torch.fft.fft: 1-D DFT.")
ifft = _one("ifft", "ifft", "torch.fft.ifft.")
rfft = _one("rfft", "rfft", "torch.fft.rfft: the non-negative frequencies of a real signal.")
irfft = _one("irfft", "irfft", "torch.fft.irfft.")
hfft = _one("hfft", "hfft", "torch.fft.hfft: real spectrum of a Hermitian-symmetric signal.")
ihfft = _one("ihfft", "ihfft", "torch.fft.ihfft.")
fft2 = _many("fft", "fft2", "torch.fft.fft2.", 2)
ifft2 = _many("ifft", "ifft2", "torch.fft.ifft2.", 2)
rfft2 = _many("rfft", "rfft2", "torch.fft.rfft2.", 2)
irfft2 = _many("irfft", "irfft2", "torch.fft.irfft2.", 2)
hfft2 = _many("hfft", "hfft2", "torch.fft.hfft2.", 2)
ihfft2 = _many("ihfft", "ihfft2", "torch.fft.ihfft2.", 2)
fftn = _many("fft", "fftn", "torch.fft.fftn.", 0)
ifftn = _many("ifft", "ifftn", "torch.fft.ifftn.", 0)
rfftn = _many("rfft", "rfftn", "torch.fft.rfftn.", 0)
irfftn = _many("irfft", "irfftn", "torch.fft.irfftn.", 0)
hfftn = _many("hfft", "hfftn", "torch.fft.hfftn.", 0)
ihfftn = _many("ihfft", "ihfftn", "torch.fft.ihfftn.", 0)


def _freq(n, d, dtype, device, requires_grad, real):
    dt = _check_dtype(dtype) or _dt.get_default_dtype()
    arr = jnp.fft.rfftfreq(n, d) if real else jnp.fft.fftfreq(n, d)
    return _finish(arr.astype(dt.np), dt, device, requires_grad)


def fftfreq(n: int, d: float = 1.0, *, out=None, dtype=None, layout=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """torch.fft.fftfreq: sample frequencies of fft."""
    r = _freq(n, d, dtype, device, requires_grad, False)
    return r if out is None else set_out(out, r)


def rfftfreq(n: int, d: float = 1.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """torch.fft.rfftfreq: sample frequencies of rfft."""
    r = _freq(n, d, dtype, device, requires_grad, True)
    return r if out is None else set_out(out, r)


_shift = Op("fftshift", "RollBackward0", saved=None)


def _roll(input, dim, inverse):
    nd = input.dim()
    dims = tuple(range(nd)) if dim is None else tuple(
        wrap_dim(d, nd) for d in ((dim,) if isinstance(dim, int) else dim))
    shifts = tuple((-(input.shape[d] // 2) if inverse else input.shape[d] // 2) for d in dims)
    return run(_shift, (dims, shifts), lambda: (lambda a: jnp.roll(a, shifts, dims)),
               (input._data,), (input,), input._dtype)


def fftshift(input, dim=None) -> Tensor:
    """torch.fft.fftshift: zero frequency to the centre."""
    return _roll(input, dim, False)


def ifftshift(input, dim=None) -> Tensor:
    """torch.fft.ifftshift: the inverse of fftshift."""
    return _roll(input, dim, True)


__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2",
           "hfft2", "ihfft2", "fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn", "fftfreq",
           "rfftfreq", "fftshift", "ifftshift"]
