"""torch.stft / torch.istft: short-time Fourier transforms on jnp.fft, differentiable.

Each call is one cached jitted kernel (pad, frame, window, FFT; or inverse FFT, window,
overlap-add, envelope division); autograd derives from it as for any op.  Frames are gathered
with a static index matrix instead of torch's as_strided view.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core.registry import Op, method, run
from .._core.tensor import Tensor
from .._core.tracing import is_traced

_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap",
              "constant": "constant"}

# torch's autograd node is that of the last view op it applies.
_STFT_1D = Op("stft", "SqueezeBackward4", saved=None)
_STFT_2D = Op("stft", "TransposeBackward1", saved=None)
_STFT_REAL = Op("stft", "ViewAsRealBackward0", saved=None)
_ISTFT_1D = Op("istft", "SqueezeBackward1", saved=None)
_ISTFT_2D = Op("istft", "DivBackward0", saved=None)


def _describe(name, x, n_fft, hop, win, window, extra):
    w = "None" if window is None else f"torch.{_tname(window)}{{{list(window.shape)}}}"
    return (f"{name}(torch.{_tname(x)}{list(x.shape)}, n_fft={n_fft}, hop_length={hop}, "
            f"win_length={win}, window={w}{extra})")


def _tname(t: Tensor) -> str:
    names = {"float32": "FloatTensor", "float64": "DoubleTensor", "complex64": "ComplexFloatTensor",
             "complex128": "ComplexDoubleTensor", "float16": "HalfTensor"}
    return names.get(str(t._dtype).removeprefix("torch."), "Tensor")


def _window_full(w, n_fft, win_length, dtype):
    """The window zero-padded (centred) to n_fft, or the rectangular one when ``w`` is None."""
    left = (n_fft - win_length) // 2
    if w is None:
        return jnp.zeros((n_fft,), dtype).at[left:left + win_length].set(1)
    w = w.astype(dtype)
    if win_length == n_fft:
        return w
    return jnp.zeros((n_fft,), dtype).at[left:left + win_length].set(w)


def _frames_index(n_frames, n_fft, hop):
    return np.arange(n_frames)[:, None] * hop + np.arange(n_fft)[None, :]


def _check_window(desc, window, win_length):
    if window is not None and (window.dim() != 1 or window.shape[0] != win_length):
        raise RuntimeError(f"{desc}: expected a 1D window tensor of size equal to win_length="
                           f"{win_length}, but got window with size {list(window.shape)}")


def _pad_check(mode, pad, x):
    L = x.shape[-1]
    shape = [1] * (3 - x.dim()) + list(x.shape)
    if mode == "reflect" and pad >= L:
        raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                           f"input dimension, but got: padding ({pad}, {pad}) at dimension 2 of "
                           f"input {shape}")
    if mode == "circular" and pad > L:
        raise RuntimeError("Padding value causes wrapping around more than once.")
    if mode == "replicate" and L == 0:
        raise RuntimeError("input tensor must not be empty")


def stft(input: Tensor, n_fft: int, hop_length: int | None = None, win_length: int | None = None,
         window: Tensor | None = None, center: bool = True, pad_mode: str = "reflect",
         normalized: bool = False, onesided: bool | None = None,
         return_complex: bool | None = None, align_to_window: bool | None = None) -> Tensor:
    """torch.stft: frames of ``input`` times ``window``, Fourier-transformed: (freq, frames)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"stft(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if align_to_window is not None and center:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if align_to_window:
        raise NotImplementedError("torchlike.stft does not support align_to_window=True yet")
    n_fft = int(n_fft)
    hop = n_fft >> 2 if hop_length is None else int(hop_length)
    win = n_fft if win_length is None else int(win_length)
    x_complex = input._dtype.is_complex
    w_complex = window is not None and window._dtype.is_complex
    if return_complex is None:
        if not (x_complex or w_complex):
            raise RuntimeError("stft requires the return_complex parameter be given for real "
                               "inputs, and will further require that return_complex=True in a "
                               "future PyTorch release.")
        return_complex = True
    nd = input.dim()
    extra = (f", normalized={int(normalized)}, onesided={onesided}, return_complex="
             f"{int(return_complex)}, align_to_window={align_to_window})")
    if nd not in (1, 2):
        shape = list(input.shape)
        if center:
            shape[-1] += 2 * (n_fft // 2)
        raise RuntimeError(_describe("stft", input, n_fft, hop, win, window, extra).replace(
            str(list(input.shape)), str(shape), 1) + " : expected a 1D or 2D tensor")
    if pad_mode not in _PAD_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {pad_mode}")
    pad = n_fft // 2 if center else 0
    if center:
        _pad_check(pad_mode, pad, input)
    L = input.shape[-1] + 2 * pad
    desc = _describe("stft", input, n_fft, hop, win, window, extra)
    if n_fft <= 0 or n_fft > L:
        raise RuntimeError(f"{desc} : expected 0 < n_fft < {L}, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(f"{desc} : expected hop_length > 0, but got hop_length={hop}")
    if win <= 0 or win > n_fft:
        raise RuntimeError(f"{desc} : expected 0 < win_length <= n_fft, but got win_length={win}")
    _check_window(desc, window, win)
    complex_fft = x_complex or w_complex
    onesided = (not complex_fft) if onesided is None else bool(onesided)
    if complex_fft and onesided:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    src = input._dtype
    real = src if src.is_floating_point else (src.to_real() if src.is_complex else
                                              _dt.get_default_dtype())
    cdt = real.to_complex()
    wdt = None if window is None else window._dtype
    n_frames = 1 + (L - n_fft) // hop
    rc = bool(return_complex)
    key = (n_fft, hop, win, center, pad_mode, bool(normalized), onesided, rc, src, wdt,
           tuple(input.shape))

    def build():
        idx = _frames_index(n_frames, n_fft, hop)
        mode = _PAD_MODES[pad_mode]
        norm = "ortho" if normalized else "backward"
        xdt = cdt.np if complex_fft else real.np

        def f(x, *w):
            x = x.astype(cdt.np) if complex_fft else x.astype(real.np)
            if nd == 1:
                x = x[None]
            if pad:
                x = jnp.pad(x, ((0, 0), (pad, pad)), mode=mode)
            wf = _window_full(w[0] if w else None, n_fft, win, xdt)
            frames = x[:, idx] * wf
            if onesided:
                s = jnp.fft.rfft(frames, axis=-1, norm=norm)
            else:
                s = jnp.fft.fft(frames, axis=-1, norm=norm)
            s = jnp.swapaxes(s.astype(cdt.np), 1, 2)
            if nd == 1:
                s = s[0]
            if not rc:
                s = jnp.stack([s.real, s.imag], axis=-1)
            return s

        return f

    op = _STFT_REAL if not rc else (_STFT_1D if nd == 1 else _STFT_2D)
    args = (input._data,) if window is None else (input._data, window._data)
    ins = (input,) if window is None else (input, window)
    return run(op, key, build, args, ins, cdt if rc else real)


def istft(input: Tensor, n_fft: int, hop_length: int | None = None,
          win_length: int | None = None, window: Tensor | None = None, center: bool = True,
          normalized: bool = False, onesided: bool | None = None, length: int | None = None,
          return_complex: bool = False) -> Tensor:
    """torch.istft: the inverse of stft by inverse FFT, windowed overlap-add and envelope."""
    if not isinstance(input, Tensor):
        raise TypeError(f"istft(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if not input._dtype.is_complex:
        raise RuntimeError("istft requires a complex-valued input tensor matching the output "
                           "from stft with return_complex=True.")
    n_fft = int(n_fft)
    hop = n_fft >> 2 if hop_length is None else int(hop_length)
    win = n_fft if win_length is None else int(win_length)
    nd = input.dim()
    extra = (f", center={int(center)}, normalized={int(normalized)}, onesided={onesided}, "
             f"length={length}, return_complex={int(return_complex)})")
    desc = _describe("istft", input, n_fft, hop, win, window, extra)
    if nd not in (2, 3):
        raise RuntimeError(f"{desc}: expected a tensor with a 3rd dimension of size "
                           f"{n_fft // 2 + 1} or {n_fft}, but got a {nd}D tensor"
                           if nd > 3 else f"{desc}: expected a 2D or 3D tensor, got {nd}D")
    fft_size = input.shape[-2]
    n_frames = input.shape[-1]
    if hop <= 0 or hop > win:
        raise RuntimeError(f"{desc}: expected 0 < hop_length <= win_length")
    if win <= 0 or win > n_fft:
        raise RuntimeError(f"{desc}: expected 0 < win_length <= n_fft")
    _check_window(desc, window, win)
    onesided = (fft_size != n_fft) if onesided is None else bool(onesided)
    if onesided:
        if n_fft // 2 + 1 != fft_size:
            raise RuntimeError(f"{desc}: expected the frequency dimension (3rd to the last) of "
                               f"the input tensor to match n_fft / 2 + 1 when onesided=True, but "
                               f"got {fft_size}")
    elif n_fft != fft_size:
        raise RuntimeError(f"{desc}: expected the frequency dimension (3rd to the last) of the "
                           f"input tensor to match n_fft when onesided=False, but got {fft_size}")
    w_complex = window is not None and window._dtype.is_complex
    if return_complex:
        if onesided:
            raise RuntimeError("cannot have onesided output if window or input is complex")
    elif w_complex:
        raise RuntimeError("Complex windows are incompatible with return_complex=False")
    if n_frames == 0:
        raise RuntimeError(f"{desc}: input tensor cannot be empty.")
    cdt = input._dtype
    real = cdt.to_real()
    out_len = n_fft + hop * (n_frames - 1)
    start = n_fft // 2 if center else 0
    if length is not None:
        end = start + int(length)
    elif center:
        end = -(n_fft // 2)
    else:
        end = out_len
    idx = _frames_index(n_frames, n_fft, hop)
    _check_envelope(desc, window, n_fft, win, idx, out_len, start, end)
    odt = cdt if return_complex else real
    wdt = None if window is None else window._dtype
    key = (n_fft, hop, win, center, bool(normalized), onesided, length, bool(return_complex),
           cdt, wdt, tuple(input.shape))

    def build():
        norm = "ortho" if normalized else "backward"
        wcalc = cdt.np if (return_complex or w_complex) else real.np

        def f(s, *w):
            if nd == 2:
                s = s[None]
            s = jnp.swapaxes(s, 1, 2)
            if return_complex:
                y = jnp.fft.ifft(s, n=n_fft, axis=-1, norm=norm)
            else:
                if not onesided:
                    s = s[..., :n_fft // 2 + 1]
                y = jnp.fft.irfft(s, n=n_fft, axis=-1, norm=norm)
            wf = _window_full(w[0] if w else None, n_fft, win, wcalc)
            y = (y * wf).astype(odt.np)
            b = y.shape[0]
            ola = jnp.zeros((b, out_len), odt.np).at[:, idx].add(y)
            env = jnp.zeros((out_len,), wf.dtype).at[idx].add(
                jnp.broadcast_to(wf * wf, idx.shape))
            r = ola[:, start:end] / env[start:end]
            if end > out_len:
                r = jnp.pad(r, ((0, 0), (0, end - out_len)))
            r = r.astype(odt.np)
            return r[0] if nd == 2 else r

        return f

    op = _ISTFT_1D if nd == 2 else _ISTFT_2D
    args = (input._data,) if window is None else (input._data, window._data)
    ins = (input,) if window is None else (input, window)
    return run(op, key, build, args, ins, odt)


def _check_envelope(desc, window, n_fft, win, idx, out_len, start, end):
    """torch's 'window overlap add min' check, on the host when the window is concrete."""
    if window is None:
        wf = _window_full(None, n_fft, win, np.float64)
    elif is_traced(window):
        return  # validation only: a traced window is not checked
    else:
        try:
            wf = _window_full(jnp.asarray(np.asarray(window._data)), n_fft, win,
                              np.asarray(window._data).dtype)
        except Exception:  # noqa: BLE001 - a traced window (under compile): skip the check
            return
    wf = np.asarray(wf)
    env = np.zeros((out_len,), wf.dtype)
    np.add.at(env, idx, np.broadcast_to(wf * wf, idx.shape))
    env = env[start:end]
    if env.size and np.abs(env).min() < 1e-11:
        raise RuntimeError(f"{desc} window overlap add min: 1")


def _stft_method(self, n_fft, hop_length=None, win_length=None, window=None, center=True,
                 pad_mode="reflect", normalized=False, onesided=None, return_complex=None,
                 align_to_window=None):
    return stft(self, n_fft, hop_length, win_length, window, center, pad_mode, normalized,
                onesided, return_complex, align_to_window)


def _istft_method(self, n_fft, hop_length=None, win_length=None, window=None, center=True,
                  normalized=False, onesided=None, length=None, return_complex=False):
    return istft(self, n_fft, hop_length, win_length, window, center, normalized, onesided,
                 length, return_complex)


_stft_method.__doc__ = "torch.Tensor.stft."
_istft_method.__doc__ = "torch.Tensor.istft."
method(_stft_method, "stft")
method(_istft_method, "istft")

__all__ = ["stft", "istft"]
