"""Window functions: torch.signal.windows.* and the top-level hann_window family.

Windows are constants of a length known in Python, so they are computed on the host in numpy,
in the requested dtype and with torch's formulas step by step (torch's linspace/arange kernels,
float32 rounding included), then placed on the device once.  Under ``torchlike.compile`` they
become constants of the program.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Iterable

import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core.tensor import Tensor
from .creation import _check_dtype, _finish, _linspace_np

# ---------------------------------------------------------------- torch.signal.windows


def _checks(name: str, M, dtype, layout) -> _dt.dtype:
    dt = _check_dtype(dtype) or _dt.get_default_dtype()
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    if layout is not None and str(layout) not in ("torch.strided", "strided"):
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    if dt not in (_dt.float32, _dt.float64):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dt}")
    return dt


def _out(arr: np.ndarray, dt, device, requires_grad) -> Tensor:
    return _finish(jnp.asarray(np.asarray(arr).astype(dt.np)), dt, device, requires_grad)


def _linspace(start, end, M, dt) -> np.ndarray:
    return _linspace_np(float(start), float(end), M, dt.np)


def _trivial(M, dt, device, requires_grad, one: bool = True):
    """torch's early returns: an empty window for M == 0 (and ones(1) for M == 1)."""
    if M == 0:
        return _out(np.zeros((0,)), dt, device, requires_grad)
    if one and M == 1:
        return _out(np.ones((1,)), dt, device, requires_grad)
    return None


def exponential(M: int, *, center: float | None = None, tau: float = 1.0, sym: bool = True,
                dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    """torch.signal.windows.exponential: exp(-|n - center| / tau)."""
    dt = _checks("exponential", M, dtype, layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    t = _trivial(M, dt, device, requires_grad, one=False)
    if t is not None:
        return t
    if center is None:
        center = (M if not sym and M > 1 else M - 1) / 2.0
    c = 1 / tau
    k = _linspace(-center * c, (-center + (M - 1)) * c, M, dt)
    return _out(np.exp(-np.abs(k)), dt, device, requires_grad)


def cosine(M: int, *, sym: bool = True, dtype=None, layout=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """torch.signal.windows.cosine: sin(pi (n + 0.5) / M)."""
    dt = _checks("cosine", M, dtype, layout)
    t = _trivial(M, dt, device, requires_grad, one=False)
    if t is not None:
        return t
    c = math.pi / (M + 1 if not sym and M > 1 else M)
    k = _linspace(0.5 * c, (0.5 + (M - 1)) * c, M, dt)
    return _out(np.sin(k), dt, device, requires_grad)


def gaussian(M: int, *, std: float = 1.0, sym: bool = True, dtype=None, layout=None,
             device=None, requires_grad: bool = False) -> Tensor:
    """torch.signal.windows.gaussian: exp(-(n - center)^2 / (2 std^2))."""
    dt = _checks("gaussian", M, dtype, layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    t = _trivial(M, dt, device, requires_grad, one=False)
    if t is not None:
        return t
    start = -(M if not sym and M > 1 else M - 1) / 2.0
    c = 1 / (std * math.sqrt(2))
    k = _linspace(start * c, (start + (M - 1)) * c, M, dt)
    return _out(np.exp(-(k ** 2)), dt, device, requires_grad)


def kaiser(M: int, *, beta: float = 12.0, sym: bool = True, dtype=None, layout=None,
           device=None, requires_grad: bool = False) -> Tensor:
    """torch.signal.windows.kaiser: I0(beta sqrt(1 - (2n / (M - 1) - 1)^2)) / I0(beta)."""
    dt = _checks("kaiser", M, dtype, layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    t = _trivial(M, dt, device, requires_grad)
    if t is not None:
        return t
    b = dt.np.type(beta)
    start = -b
    c = dt.np.type(2.0) * b / dt.np.type(M if not sym else M - 1)
    end = min(b, start + dt.np.type(M - 1) * c)
    k = _linspace(start, end, M, dt)
    w = np.i0((b * b - k ** 2).astype(np.float64) ** 0.5) / np.i0(np.float64(b))
    return _out(w, dt, device, requires_grad)


def general_cosine(M, *, a: Iterable, sym: bool = True, dtype=None, layout=None, device=None,
                   requires_grad: bool = False) -> Tensor:
    """torch.signal.windows.general_cosine: sum_i (-1)^i a_i cos(2 pi i n / (M - 1))."""
    dt = _checks("general_cosine", M, dtype, layout)
    t = _trivial(M, dt, device, requires_grad)
    if t is not None:
        return t
    if not isinstance(a, Iterable):
        raise TypeError("Coefficients must be a list/tuple")
    a = list(a)
    if not a:
        raise ValueError("Coefficients cannot be empty")
    k = _linspace(0, (M - 1) * (2 * math.pi / (M if not sym else M - 1)), M, dt)
    a_i = np.array([(-1) ** i * w for i, w in enumerate(a)]).astype(dt.np)
    i = np.arange(len(a)).astype(dt.np)
    terms = a_i[:, None] * np.cos(i[:, None] * k[None, :])
    w = terms[0]
    for row in terms[1:]:  # torch's sum(0) adds the rows in order
        w = w + row
    return _out(w, dt, device, requires_grad)


def general_hamming(M, *, alpha: float = 0.54, sym: bool = True, dtype=None, layout=None,
                    device=None, requires_grad: bool = False) -> Tensor:
    """torch.signal.windows.general_hamming: alpha - (1 - alpha) cos(2 pi n / (M - 1))."""
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def hamming(M: int, *, sym: bool = True, dtype=None, layout=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """torch.signal.windows.hamming: general_hamming with alpha 0.54."""
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def hann(M: int, *, sym: bool = True, dtype=None, layout=None, device=None,
         requires_grad: bool = False) -> Tensor:
    """torch.signal.windows.hann: general_hamming with alpha 0.5."""
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M: int, *, sym: bool = True, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """torch.signal.windows.blackman: general_cosine with a = (0.42, 0.5, 0.08)."""
    _checks("blackman", M, dtype, layout)
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def nuttall(M: int, *, sym: bool = True, dtype=None, layout=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """torch.signal.windows.nuttall: the 4-term Nuttall general_cosine window."""
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym,
                          dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)


def bartlett(M: int, *, sym: bool = True, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """torch.signal.windows.bartlett: the triangular window 1 - |2n / (M - 1) - 1|."""
    dt = _checks("bartlett", M, dtype, layout)
    t = _trivial(M, dt, device, requires_grad)
    if t is not None:
        return t
    c = 2 / (M if not sym else M - 1)
    k = _linspace(-1, -1 + (M - 1) * c, M, dt)
    return _out(1 - np.abs(k), dt, device, requires_grad)


# ---------------------------------------------------------------- top-level *_window


def _top_checks(name: str, N, dtype) -> _dt.dtype:
    if not isinstance(N, (builtins.int, np.integer)) or isinstance(N, builtins.bool):
        raise TypeError(f"{name}(): argument 'window_length' (position 1) must be int, not "
                        f"{type(N).__name__}")
    if N < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={N}")
    dt = _check_dtype(dtype) or _dt.get_default_dtype()
    if not dt.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dt}")
    return dt


def _arange(N, dt) -> np.ndarray:
    return np.arange(N).astype(dt.np)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype=None, layout=None, device=None,
                   pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """torch.hamming_window: alpha - beta cos(2 pi n / (N - 1)), periodic drops the last point."""
    dt = _top_checks("hamming_window", window_length, dtype)
    N = int(window_length)
    if N <= 1:
        return _out(np.ones((N,)), dt, device, requires_grad)
    if periodic:
        N += 1
    f = dt.np.type
    w = _arange(N, dt) * f(math.pi * 2.0 / (N - 1))
    w = np.cos(w) * f(-beta) + f(alpha)
    return _out(w[:-1] if periodic else w, dt, device, requires_grad)


def hann_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                device=None, pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """torch.hann_window: 0.5 - 0.5 cos(2 pi n / (N - 1)), periodic drops the last point."""
    _top_checks("hann_window", window_length, dtype)
    return hamming_window(window_length, periodic, 0.5, 0.5, dtype=dtype, device=device,
                          requires_grad=requires_grad)


def blackman_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                    device=None, pin_memory: bool = False,
                    requires_grad: bool = False) -> Tensor:
    """torch.blackman_window: 0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))."""
    dt = _top_checks("blackman_window", window_length, dtype)
    N = int(window_length)
    if N <= 1:
        return _out(np.ones((N,)), dt, device, requires_grad)
    if periodic:
        N += 1
    f = dt.np.type
    w = _arange(N, dt) * f(math.pi / (N - 1))
    w = np.cos(w * f(4)) * f(0.08) - np.cos(w * f(2)) * f(0.5) + f(0.42)
    return _out(w[:-1] if periodic else w, dt, device, requires_grad)


def bartlett_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                    device=None, pin_memory: bool = False,
                    requires_grad: bool = False) -> Tensor:
    """torch.bartlett_window: the triangular window 1 - |2n / (N - 1) - 1|."""
    dt = _top_checks("bartlett_window", window_length, dtype)
    N = int(window_length)
    if N <= 1:
        return _out(np.ones((N,)), dt, device, requires_grad)
    if periodic:
        N += 1
    f = dt.np.type
    w = _arange(N, dt) * f(2.0 / (N - 1))
    half = ((N - 1) >> 1) + 1
    w[half:] = w[half:] * f(-1) + f(2)
    return _out(w[:-1] if periodic else w, dt, device, requires_grad)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *, dtype=None,
                  layout=None, device=None, pin_memory: bool = False,
                  requires_grad: bool = False) -> Tensor:
    """torch.kaiser_window: I0(beta sqrt(1 - ((n - a) / a)^2)) / I0(beta), a = (N - 1) / 2."""
    dt = _top_checks("kaiser_window", window_length, dtype)
    N = int(window_length)
    if N <= 1:
        return _out(np.ones((N,)), dt, device, requires_grad)
    if periodic:
        N += 1
    f = dt.np.type
    a = f((N - 1) / 2.0)
    x = (_arange(N, dt) - a) / a
    arg = f(beta) * np.sqrt(np.abs(f(1) - x ** f(2)))
    w = np.i0(arg.astype(np.float64)) / np.i0(np.float64(f(beta)))
    return _out(w[:-1] if periodic else w, dt, device, requires_grad)


__all__ = ["bartlett_window", "blackman_window", "hamming_window", "hann_window",
           "kaiser_window"]
SIGNAL_WINDOWS = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
                  "general_hamming", "hamming", "hann", "kaiser", "nuttall"]
