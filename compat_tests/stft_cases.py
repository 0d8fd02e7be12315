"""Small programs exercising windows, stft and istft, run on torch (recording) and torchlike.

Each case takes the torch-like module and returns a dict of named results (tensors, tuples of
tensors, strings).  ``record/record_stft.py`` runs them on torch into ``fixtures/stft.npz``;
``test_stft.py`` replays them on torchlike.  Inputs come from a fixed numpy generator, so both
sides see the same numbers.
"""

from __future__ import annotations

import numpy as np


def _data(shape, dtype="float32", seed=0, complex_=False):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    if complex_:
        a = a + 1j * rng.standard_normal(shape)
        return a.astype("complex64" if dtype == "float32" else "complex128")
    return a.astype(dtype)


def windows_top(t):
    out = {}
    for name in ("hann_window", "hamming_window", "blackman_window", "bartlett_window",
                 "kaiser_window"):
        fn = getattr(t, name)
        for n in (1, 5, 8):
            for periodic in (True, False):
                out[f"{name}/{n}/{periodic}"] = fn(n, periodic)
        out[f"{name}/f64"] = fn(7, dtype=t.float64)
    out["hamming_window/ab"] = t.hamming_window(9, False, 0.6, 0.3)
    out["kaiser_window/beta"] = t.kaiser_window(9, True, 5.0, dtype=t.float64)
    return out


def windows_signal(t):
    w = t.signal.windows
    out = {}
    for sym in (True, False):
        for dt in (t.float32, t.float64):
            k = f"{sym}/{str(dt)[-7:]}"
            out["bartlett/" + k] = w.bartlett(7, sym=sym, dtype=dt)
            out["blackman/" + k] = w.blackman(7, sym=sym, dtype=dt)
            out["cosine/" + k] = w.cosine(6, sym=sym, dtype=dt)
            out["gaussian/" + k] = w.gaussian(7, std=1.7, sym=sym, dtype=dt)
            out["general_cosine/" + k] = w.general_cosine(8, a=[0.5, 0.3, 0.2], sym=sym, dtype=dt)
            out["general_hamming/" + k] = w.general_hamming(7, alpha=0.6, sym=sym, dtype=dt)
            out["hamming/" + k] = w.hamming(8, sym=sym, dtype=dt)
            out["hann/" + k] = w.hann(7, sym=sym, dtype=dt)
            out["kaiser/" + k] = w.kaiser(7, beta=4.0, sym=sym, dtype=dt)
            out["nuttall/" + k] = w.nuttall(7, sym=sym, dtype=dt)
            out["exponential/" + k] = w.exponential(7, tau=2.0, sym=sym, dtype=dt)
    out["exponential/center"] = w.exponential(6, center=1.5, sym=False)
    return out


def _spec_parts(s, t):
    return (s.real, s.imag) if s.is_complex() else (s,)


def stft_forward(t):
    x = t.tensor(_data((64,)))
    x2 = t.tensor(_data((2, 40), "float64", seed=1))
    xc = t.tensor(_data((48,), seed=2, complex_=True))
    hann = t.hann_window(16)
    out = {
        "basic": t.stft(x, 16, hop_length=4, window=hann, return_complex=True),
        "default_hop": t.stft(x, 16, window=hann, return_complex=True),
        "no_window": t.stft(x, 8, return_complex=True),
        "short_window": t.stft(x, 16, hop_length=5, win_length=12, window=t.hann_window(12),
                               return_complex=True),
        "short_no_window": t.stft(x, 16, hop_length=5, win_length=11, return_complex=True),
        "no_center": t.stft(x, 16, hop_length=4, window=hann, center=False,
                            return_complex=True),
        "constant": t.stft(x, 16, hop_length=6, window=hann, pad_mode="constant",
                           return_complex=True),
        "replicate": t.stft(x, 16, hop_length=6, window=hann, pad_mode="replicate",
                            return_complex=True),
        "circular": t.stft(x, 16, hop_length=6, window=hann, pad_mode="circular",
                           return_complex=True),
        "normalized": t.stft(x, 16, hop_length=4, window=hann, normalized=True,
                             return_complex=True),
        "twosided": t.stft(x, 16, hop_length=4, window=hann, onesided=False,
                           return_complex=True),
        "real_out": t.stft(x, 16, hop_length=4, window=hann, return_complex=False),
        "batched": t.stft(x2, 10, hop_length=3, window=t.hamming_window(10, dtype=t.float64),
                          return_complex=True),
        "complex_in": t.stft(xc, 12, hop_length=3, window=t.hann_window(12),
                             return_complex=True),
        "method": x.stft(16, 4, window=hann, return_complex=True),
    }
    return {k: _spec_parts(v, t) for k, v in out.items()}


def stft_grad(t):
    x = t.tensor(_data((40,)), requires_grad=True)
    w = t.tensor(_data((12,), seed=3), requires_grad=True)
    s = t.stft(x, 12, hop_length=3, window=w, return_complex=True)
    loss = (s.real * s.real).sum() + (s.imag * 0.5).sum()
    gx, gw = t.autograd.grad(loss, (x, w))
    s2 = t.stft(x, 12, hop_length=3, window=w, return_complex=False)
    (g2,) = t.autograd.grad((s2 * s2).sum(), (x,))
    return {"gx": gx, "gw": gw, "g2": g2, "grad_fn": type(s.grad_fn).__name__,
            "grad_fn_real": type(s2.grad_fn).__name__}


def istft_forward(t):
    x = t.tensor(_data((64,)))
    hann = t.hann_window(16)
    ham = t.hamming_window(16)
    s = t.stft(x, 16, hop_length=4, window=hann, return_complex=True)
    s2 = t.stft(t.tensor(_data((2, 40), "float64", seed=1)), 10, hop_length=3,
                window=t.hann_window(10, dtype=t.float64), return_complex=True)
    sc = t.stft(t.tensor(_data((48,), seed=2, complex_=True)), 12, hop_length=3,
                window=t.hann_window(12), return_complex=True)
    spec = t.tensor(_data((9, 13), seed=4, complex_=True))
    out = {
        "roundtrip": t.istft(s, 16, hop_length=4, window=hann),
        "length_short": t.istft(s, 16, hop_length=4, window=hann, length=50),
        "length_long": t.istft(s, 16, hop_length=4, window=hann, length=70),
        "no_center": t.istft(t.stft(x, 16, hop_length=4, window=ham, center=False,
                                    return_complex=True), 16, hop_length=4, window=ham,
                             center=False),
        "normalized": t.istft(s, 16, hop_length=4, window=hann, normalized=True),
        "batched": t.istft(s2, 10, hop_length=3, window=t.hann_window(10, dtype=t.float64)),
        "complex_out": t.istft(sc, 12, hop_length=3, window=t.hann_window(12),
                               return_complex=True),
        "twosided_real": t.istft(t.stft(x, 16, hop_length=4, window=hann, onesided=False,
                                        return_complex=True), 16, hop_length=4, window=hann,
                                 onesided=False),
        "random_spec": t.istft(spec, 16, hop_length=4, window=hann),
        "short_window": t.istft(spec, 16, hop_length=4, win_length=12,
                                window=t.hann_window(12)),
        "method": s.istft(16, 4, window=hann),
    }
    return {k: _spec_parts(v, t) for k, v in out.items()}


def istft_grad(t):
    spec = t.tensor(_data((9, 13), seed=4, complex_=True), requires_grad=True)
    w = t.tensor(np.abs(_data((16,), seed=5)) + 0.5, requires_grad=True)
    y = t.istft(spec, 16, hop_length=4, window=w)
    g = t.tensor(_data(tuple(y.shape), seed=6))
    gs, gw = t.autograd.grad(y, (spec, w), g)
    return {"gs": (gs.real, gs.imag), "gw": gw, "grad_fn": type(y.grad_fn).__name__}


CASES = {
    "windows_top": windows_top,
    "windows_signal": windows_signal,
    "stft_forward": stft_forward,
    "stft_grad": stft_grad,
    "istft_forward": istft_forward,
    "istft_grad": istft_grad,
}
