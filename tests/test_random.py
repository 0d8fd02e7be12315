"""Random numbers: reproducibility, generators and state, shapes/dtypes, distribution statistics.

Streams are JAX's, not torch's, so nothing here compares with a torch value.
"""

import math

import numpy as np
import pytest

import torchlike as torch

N = 20000


def _np(t):
    return np.asarray(t.tolist(), dtype=np.float64)


def _ks_uniform(x):
    """Kolmogorov-Smirnov statistic of x against U(0, 1)."""
    x = np.sort(x)
    n = len(x)
    return max(np.max(np.arange(1, n + 1) / n - x), np.max(x - np.arange(n) / n))


def _ks_normal(x):
    x = np.sort(x)
    n = len(x)
    cdf = 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))
    return max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))


KS_CRIT = 1.63 / math.sqrt(N)  # 1% level


def test_same_seed_same_numbers():
    torch.manual_seed(123)
    a = [torch.rand(4), torch.randn(2, 2), torch.randint(0, 100, (5,)), torch.randperm(7)]
    torch.manual_seed(123)
    b = [torch.rand(4), torch.randn(2, 2), torch.randint(0, 100, (5,)), torch.randperm(7)]
    for x, y in zip(a, b, strict=False):
        assert x.tolist() == y.tolist()
    assert torch.initial_seed() == 123
    assert torch.rand(4).tolist() != a[0].tolist()  # the stream moves on


def test_generator_is_independent_of_global_stream():
    g1 = torch.Generator().manual_seed(7)
    x = torch.rand(3, generator=g1)
    torch.manual_seed(0)
    torch.rand(10)
    g2 = torch.Generator().manual_seed(7)
    assert torch.rand(3, generator=g2).tolist() == x.tolist()
    assert g2.initial_seed() == 7


def test_rng_state_round_trip():
    torch.manual_seed(5)
    state = torch.get_rng_state()
    assert state.dtype == torch.uint8
    x = torch.randn(6)
    torch.set_rng_state(state)
    assert torch.randn(6).tolist() == x.tolist()
    g = torch.Generator().manual_seed(9)
    s = g.get_state()
    y = torch.rand(2, generator=g)
    g.set_state(s)
    assert torch.rand(2, generator=g).tolist() == y.tolist()
    with pytest.raises(RuntimeError):
        torch.set_rng_state(torch.zeros(3, dtype=torch.uint8))


def test_shapes_and_dtypes():
    assert torch.rand(2, 3).shape == torch.Size([2, 3]) and torch.rand(2).dtype == torch.float32
    assert torch.randn((4,), dtype=torch.float64).dtype == torch.float64
    assert torch.randint(3, (2, 2)).dtype == torch.int64
    assert torch.randint(0, 3, (2,), dtype=torch.int32).dtype == torch.int32
    assert torch.randperm(5).dtype == torch.int64
    x = torch.zeros(2, 3, dtype=torch.float64)
    assert torch.rand_like(x).dtype == torch.float64 and torch.randn_like(x).shape == x.shape
    assert torch.randint_like(x, 10).dtype == torch.float64
    assert torch.randn(3, dtype=torch.complex64).dtype == torch.complex64
    assert torch.rand(3, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="not implemented for 'Long'"):
        torch.rand(2, dtype=torch.int64)


def test_uniform_statistics():
    torch.manual_seed(0)
    x = _np(torch.rand(N))
    assert x.min() >= 0 and x.max() < 1
    assert abs(x.mean() - 0.5) < 0.01 and abs(x.var() - 1 / 12) < 0.005
    assert _ks_uniform(x) < KS_CRIT
    y = _np(torch.empty(N).uniform_(-2, 3))
    assert y.min() >= -2 and y.max() < 3 and abs(y.mean() - 0.5) < 0.05


def test_normal_statistics():
    torch.manual_seed(1)
    x = _np(torch.randn(N))
    assert abs(x.mean()) < 0.03 and abs(x.std() - 1) < 0.03
    assert _ks_normal(x) < KS_CRIT
    y = _np(torch.normal(3.0, 2.0, size=(N,)))
    assert abs(y.mean() - 3) < 0.06 and abs(y.std() - 2) < 0.06
    m = torch.normal(torch.tensor([0.0, 100.0]), torch.tensor([1.0, 0.0]))
    assert m.tolist()[1] == 100.0
    z = _np(torch.empty(N, dtype=torch.float64).normal_(-1, 0.5))
    assert abs(z.mean() + 1) < 0.02 and abs(z.std() - 0.5) < 0.02
    c = torch.randn(N, dtype=torch.complex64)
    assert abs(float((c.abs() ** 2).mean()) - 1) < 0.05


def test_integer_samplers_bounds():
    torch.manual_seed(2)
    r = _np(torch.randint(-3, 4, (N,)))
    assert set(np.unique(r)) == set(range(-3, 4))
    assert abs(r.mean()) < 0.1
    p = torch.randperm(50).tolist()
    assert sorted(p) == list(range(50))
    v = _np(torch.empty(N, dtype=torch.int64).random_(2, 6))
    assert v.min() == 2 and v.max() == 5
    with pytest.raises(RuntimeError):
        torch.randint(5, 5, (2,))


def test_bernoulli_multinomial_poisson():
    torch.manual_seed(3)
    b = _np(torch.bernoulli(torch.full((N,), 0.3)))
    assert set(np.unique(b)) <= {0.0, 1.0} and abs(b.mean() - 0.3) < 0.015
    assert abs(_np(torch.empty(N).bernoulli_(0.8)).mean() - 0.8) < 0.015
    probs = torch.tensor([0.1, 0.2, 0.7])
    d = _np(torch.multinomial(probs, N, replacement=True))
    assert abs((d == 2).mean() - 0.7) < 0.02 and abs((d == 0).mean() - 0.1) < 0.015
    w = torch.multinomial(torch.tensor([[1.0, 1.0, 1.0, 1.0]] * 3), 4)
    assert all(sorted(row) == [0, 1, 2, 3] for row in w.tolist())  # without replacement
    with pytest.raises(RuntimeError):
        torch.multinomial(probs, 4)
    with pytest.raises(RuntimeError):
        torch.multinomial(torch.tensor([-1.0, 2.0]), 1)
    pz = _np(torch.poisson(torch.full((N,), 4.0)))
    assert abs(pz.mean() - 4) < 0.08 and abs(pz.var() - 4) < 0.3


def test_other_inplace_samplers():
    torch.manual_seed(4)
    e = _np(torch.empty(N).exponential_(2.0))
    assert e.min() >= 0 and abs(e.mean() - 0.5) < 0.02
    g = _np(torch.empty(N).geometric_(0.25))
    assert g.min() >= 1 and abs(g.mean() - 4) < 0.15
    ln = _np(torch.empty(N, dtype=torch.float64).log_normal_(0.0, 0.5))
    assert ln.min() > 0 and abs(np.log(ln).mean()) < 0.02
    c = _np(torch.empty(N).cauchy_(1.0, 2.0))
    assert abs(np.median(c) - 1.0) < 0.1
    t = torch.zeros(3)
    assert t.normal_() is t and t._version == 1
    with pytest.raises(RuntimeError):
        torch.empty(2).uniform_(3, 1)
    with pytest.raises(RuntimeError):
        torch.empty(2).geometric_(1.5)
