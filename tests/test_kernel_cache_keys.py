"""Kernel-cache keys must name every Python value a kernel's build closure bakes in.

Each test calls an op twice with arguments that differ only in a value the kernel bakes in;
a key missing that value would reuse the first call's kernel for the second.
"""
import numpy as np

import torchlike as torch
import torchlike.nn.functional as F


def _lrn_ref(x, size, alpha=1e-4, beta=0.75, k=1.0):
    c = x.shape[1]
    lo, hi = size // 2, (size - 1) // 2
    sq = x.astype(np.float64) ** 2
    acc = np.zeros_like(sq)
    for ch in range(c):
        a, b = max(ch - lo, 0), min(ch + hi, c - 1)
        acc[:, ch] = sq[:, a:b + 1].sum(axis=1)
    return x / (acc / size * alpha + k) ** beta


def test_local_response_norm_channel_count():
    rng = np.random.default_rng(0)
    for c in (1, 4, 3):
        x = rng.standard_normal((2, c, 5)).astype(np.float32) * 30
        got = F.local_response_norm(torch.tensor(x), 3, alpha=0.5, beta=0.75, k=1.0).numpy()
        np.testing.assert_allclose(got, _lrn_ref(x, 3, 0.5, 0.75, 1.0), rtol=1e-5, atol=1e-6)


def _scatter_sum_ref(x, d, idx, src):
    out = x.copy()
    for pos in np.ndindex(*idx.shape):
        tgt = list(pos)
        tgt[d] = idx[pos]
        out[tuple(tgt)] += src[pos]
    return out


def test_scatter_reduce_src_shape():
    x = np.zeros((3, 4), np.float32)
    idx = np.array([[0, 1], [2, 0]], np.int64)
    # Same element count, different src shapes: the kernel must not reshape to the first one.
    for sshape in ((2, 6), (3, 4), (4, 3)):
        src = np.arange(12, dtype=np.float32).reshape(sshape) + 1
        got = torch.scatter_reduce(torch.tensor(x), 0, torch.tensor(idx), torch.tensor(src),
                                   "sum").numpy()
        np.testing.assert_array_equal(got, _scatter_sum_ref(x, 0, idx, src))


def test_renorm_input_rank():
    # renorm reduces over every dim but ``dim``: a 2-D and a 3-D input at dim=0 need
    # different reduction axes.
    rng = np.random.default_rng(1)
    for shape in ((3, 4), (3, 4, 5), (3, 2)):
        x = rng.standard_normal(shape).astype(np.float32)
        got = torch.renorm(torch.tensor(x), 2, 0, 1.0).numpy()
        norms = np.sqrt((x.astype(np.float64) ** 2).reshape(shape[0], -1).sum(1))
        factor = np.where(norms > 1.0, 1.0 / (norms + 1e-7), 1.0)
        want = x * factor.reshape((-1,) + (1,) * (len(shape) - 1))
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_batch_norm_running_var_sample_count():
    # The running variance is updated with the unbiased variance, n / (n - 1) for the
    # per-channel sample count n: batches of different sizes need different factors.
    rng = np.random.default_rng(2)
    for n in (4, 8, 3):
        x = rng.standard_normal((n, 3)).astype(np.float32)
        rm, rv = torch.zeros(3), torch.ones(3)
        F.batch_norm(torch.tensor(x), rm, rv, training=True, momentum=0.5)
        xd = x.astype(np.float64)
        np.testing.assert_allclose(rm.numpy(), 0.5 * xd.mean(0), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(rv.numpy(), 0.5 + 0.5 * xd.var(0, ddof=1), rtol=1e-5,
                                   atol=1e-6)


def test_argmax_zero_dim_then_flattened():
    # argmax(0-dim, dim=0) reduces over nothing, as dim=None does; the kernel of the dim
    # branch (which bakes in the dim) must not be reused for a later dim=None call.
    assert torch.argmax(torch.tensor(3.0), dim=0).item() == 0
    assert torch.argmin(torch.tensor(3.0), dim=0).item() == 0
    x = np.array([[1.0, 2.0], [5.0, 0.0]], np.float32)
    assert torch.argmax(torch.tensor(x)).item() == 2
    assert torch.argmin(torch.tensor(x)).item() == 3
