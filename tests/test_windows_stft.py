"""Windows, stft and istft: argument checks and errors as torch raises them, round trips.
Values against torch are replayed by compat_tests/test_stft.py (fixtures/stft.npz)."""

from __future__ import annotations

import numpy as np
import pytest

import torchlike as torch
from torchlike.signal import windows as W


def test_window_values_and_dtypes():
    np.testing.assert_allclose(torch.hann_window(4).numpy(), [0.0, 0.5, 1.0, 0.5], atol=1e-7)
    np.testing.assert_allclose(W.hann(5).numpy(), [0.0, 0.5, 1.0, 0.5, 0.0], atol=1e-7)
    assert torch.hann_window(0).shape == (0,) and torch.kaiser_window(1).tolist() == [1.0]
    assert torch.blackman_window(5, dtype=torch.float64).dtype == torch.float64
    assert W.gaussian(3, dtype=torch.float64).dtype == torch.float64
    assert W.bartlett(5).tolist() == [0.0, 0.5, 1.0, 0.5, 0.0]


def test_window_errors():
    with pytest.raises(ValueError, match="non-negative window length, got M=-1"):
        W.hann(-1)
    with pytest.raises(ValueError, match="expects float32 or float64 dtypes"):
        W.cosine(3, dtype=torch.int64)
    with pytest.raises(ValueError, match="Tau must be positive"):
        W.exponential(3, tau=0.0)
    with pytest.raises(ValueError, match="Center must be None"):
        W.exponential(3, center=1.0)
    with pytest.raises(RuntimeError, match="expects floating point dtypes"):
        torch.hann_window(4, dtype=torch.int64)
    with pytest.raises(RuntimeError, match="non-negative window_length"):
        torch.hamming_window(-1)


def test_stft_istft_round_trip():
    x = torch.tensor(np.random.default_rng(0).standard_normal(50).astype("float32"))
    w = torch.hann_window(16)
    s = torch.stft(x, 16, 4, window=w, return_complex=True)
    assert s.shape == (9, 13) and s.dtype == torch.complex64
    y = torch.istft(s, 16, 4, window=w, length=50)
    np.testing.assert_allclose(y.numpy(), x.numpy(), atol=1e-5)
    assert x.stft(16, 4, window=w, return_complex=False).shape == (9, 13, 2)


def test_stft_errors():
    x = torch.zeros(40)
    with pytest.raises(RuntimeError, match="requires the return_complex parameter"):
        torch.stft(x, 8)
    with pytest.raises(RuntimeError, match="expected hop_length > 0"):
        torch.stft(x, 8, hop_length=0, return_complex=True)
    with pytest.raises(RuntimeError, match="expected 0 < win_length <= n_fft"):
        torch.stft(x, 8, win_length=9, return_complex=True)
    with pytest.raises(RuntimeError, match="expected a 1D window tensor of size equal"):
        torch.stft(x, 8, window=torch.ones(5), return_complex=True)
    with pytest.raises(RuntimeError, match="onesided output"):
        torch.stft(x.to(torch.complex64), 8, onesided=True)
    with pytest.raises(RuntimeError, match="expected a 1D or 2D tensor"):
        torch.stft(torch.zeros(2, 2, 10), 4, return_complex=True)
    with pytest.raises(RuntimeError, match="align_to_window should only be set"):
        torch.stft(x, 8, return_complex=True, align_to_window=True)


def test_istft_errors():
    with pytest.raises(RuntimeError, match="complex-valued input"):
        torch.istft(torch.zeros(5, 4), 8)
    with pytest.raises(RuntimeError, match="window overlap add min"):
        torch.istft(torch.zeros(5, 4, dtype=torch.complex64), 8, window=torch.zeros(8))
    with pytest.raises(RuntimeError, match="n_fft / 2 \\+ 1"):
        torch.istft(torch.zeros(6, 4, dtype=torch.complex64), 8, onesided=True)
