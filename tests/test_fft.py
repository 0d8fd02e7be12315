"""torch.fft pieces the op_db fixtures don't cover: frequencies, dtypes, a §18-style spectrum."""

import math

import numpy as np
import pytest

import torchlike as torch


def test_fftfreq_rfftfreq():
    f = torch.fft.fftfreq(5, d=0.5)
    assert f.dtype == torch.float32
    np.testing.assert_allclose(f.tolist(), [0.0, 0.4, 0.8, -0.8, -0.4], rtol=1e-6)
    r = torch.fft.rfftfreq(6, dtype=torch.float64)
    assert r.dtype == torch.float64 and r.tolist() == [0.0, 1 / 6, 2 / 6, 0.5]


def test_dtypes_and_errors():
    x = torch.arange(8)
    assert torch.fft.fft(x).dtype == torch.complex64  # ints promote to the default float
    assert torch.fft.rfft(x.double()).dtype == torch.complex128
    assert torch.fft.irfft(torch.fft.rfft(x.float())).dtype == torch.float32
    with pytest.raises(IndexError):
        torch.fft.fft(torch.tensor(1.0))
    with pytest.raises(ValueError):
        torch.fft.fft(x.float(), norm="bogus")
    with pytest.raises(RuntimeError):
        torch.fft.rfft(torch.ones(4, dtype=torch.complex64))


def test_sine_spectrum_and_round_trip():
    n, k = 64, 5
    t = torch.arange(n, dtype=torch.float64)
    sig = torch.sin(2 * math.pi * k * t / n)
    mag = torch.fft.rfft(sig).abs()
    assert int(mag.argmax()) == k and abs(float(mag[k]) - n / 2) < 1e-9
    back = torch.fft.irfft(torch.fft.rfft(sig), n=n)
    np.testing.assert_allclose(back.tolist(), sig.tolist(), atol=1e-12)
    shifted = torch.fft.fftshift(torch.fft.fftfreq(4))
    assert shifted.tolist() == [-0.5, -0.25, 0.0, 0.25]
    assert torch.fft.ifftshift(shifted).tolist() == torch.fft.fftfreq(4).tolist()
