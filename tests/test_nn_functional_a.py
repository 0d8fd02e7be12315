"""torch.nn.functional part A: activations, losses, normalization, dropout, embedding, misc.

Values of deterministic ops are covered by the op_db fixtures (compat_tests); these tests cover
randomness (statistics), in-place updates and behaviours the fixtures do not record.
"""

import math

import numpy as np
import pytest

import torchlike as torch
import torchlike.nn.functional as F


def _x(shape=(4, 6), seed=0):
    return torch.tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


def test_dropout_scaling_and_zero_fraction():
    torch.manual_seed(0)
    x = torch.ones(200, 200)
    y = F.dropout(x, p=0.3, training=True)
    v = y.numpy()
    assert np.all((v == 0) | np.isclose(v, 1 / 0.7, rtol=1e-6))
    assert abs((v == 0).mean() - 0.3) < 0.02
    assert F.dropout(x, p=0.3, training=False) is x
    assert float(F.dropout(x, p=1.0).abs().sum()) == 0.0


def test_dropout_gradient_uses_the_same_mask():
    torch.manual_seed(1)
    x = torch.ones(50, 50, requires_grad=True)
    y = F.dropout(x, p=0.5)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.detach().numpy())


def test_feature_dropout_zeroes_whole_channels():
    torch.manual_seed(2)
    x = torch.ones(8, 16, 3, 3)
    y = F.dropout2d(x, p=0.5).numpy()
    per_channel = y.reshape(8, 16, -1)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2.0).all(-1))
    y1 = F.dropout1d(torch.ones(16, 5), p=0.5).numpy()  # unbatched (C, L)
    assert np.all((y1 == 0).all(-1) | (y1 == 2.0).all(-1))


def test_alpha_dropout_keeps_mean_and_variance():
    torch.manual_seed(3)
    x = torch.randn(400, 400)
    y = F.alpha_dropout(x, p=0.2, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.03
    z = F.feature_alpha_dropout(torch.ones(4, 64, 2), p=0.5, training=True).numpy()
    assert np.all(np.ptp(z, axis=-1) == 0)


def test_rrelu_training_slopes_in_range():
    torch.manual_seed(4)
    x = -torch.ones(1000)
    y = F.rrelu(x, 0.1, 0.3, training=True).numpy()
    assert (y <= -0.1 + 1e-6).all() and (y >= -0.3 - 1e-6).all() and y.std() > 0.03
    np.testing.assert_allclose(F.rrelu(x, 0.1, 0.3).numpy(), -0.2, rtol=1e-6)


def test_batch_norm_updates_running_stats_in_place():
    x = _x((6, 3, 4))
    rm, rv = torch.zeros(3), torch.ones(3)
    out = F.batch_norm(x, rm, rv, training=True, momentum=0.1)
    xn = x.numpy()
    mean = xn.mean(axis=(0, 2))
    var = xn.var(axis=(0, 2), ddof=1)
    np.testing.assert_allclose(rm.numpy(), 0.1 * mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(rv.numpy(), 0.9 + 0.1 * var, rtol=1e-5)
    ref = (xn - mean[None, :, None]) / np.sqrt(xn.var(axis=(0, 2))[None, :, None] + 1e-5)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(torch.ones(1, 3), None, None, training=True)


def test_inplace_activations_write_their_input():
    x = torch.tensor([-1.0, 0.5, 2.0])
    r = F.relu(x, inplace=True)
    assert r is x and x.tolist() == [0.0, 0.5, 2.0]
    y = torch.tensor([-2.0, 3.0])
    F.leaky_relu_(y, 0.5)
    assert y.tolist() == [-1.0, 3.0]
    z = torch.tensor([-2.0, 3.0])
    F.hardtanh_(z)
    assert z.tolist() == [-1.0, 1.0]


def test_softmax_namespaces_and_legacy_dim():
    x = _x((2, 3))
    np.testing.assert_allclose(x.softmax(1).numpy(), F.softmax(x, dim=1).numpy())
    np.testing.assert_allclose(F.softmax(x).numpy(), F.softmax(x, 1).numpy())  # dim=None → 1
    np.testing.assert_allclose(F.log_softmax(x, 1).exp().sum(1).numpy(), [1, 1], rtol=1e-6)
    assert F.softmax(x, 1, dtype=torch.float64).dtype == torch.float64


def test_cross_entropy_label_smoothing_and_ignore_index():
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [1.0, 1.0, 1.0]])
    target = torch.tensor([0, 2, -100])
    loss = F.cross_entropy(logits, target, label_smoothing=0.1)
    lp = logits.numpy()[:2] - np.log(np.exp(logits.numpy()[:2]).sum(1, keepdims=True))
    nll = -(lp[0, 0] + lp[1, 2]) / 2
    smooth = -lp.sum(1).mean()
    np.testing.assert_allclose(float(loss), 0.9 * nll + 0.1 / 3 * smooth, rtol=1e-6)
    with pytest.raises(IndexError, match="out of bounds"):
        F.nll_loss(logits, torch.tensor([0, 3, 1]))


def test_ctc_loss_matches_brute_force():
    rng = np.random.default_rng(0)
    t_len, c = 4, 3
    logits = rng.standard_normal((t_len, 1, c))
    lp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    target = [1, 2]
    # Sum over all length-4 paths that collapse to [1, 2].
    import itertools

    total = 0.0
    for path in itertools.product(range(c), repeat=t_len):
        col = [k for i, k in enumerate(path) if k != 0 and (i == 0 or path[i - 1] != k)]
        if col == target:
            total += math.exp(sum(lp[i, 0, k] for i, k in enumerate(path)))
    got = F.ctc_loss(torch.tensor(lp), torch.tensor([target]), [t_len], [2], reduction="sum")
    np.testing.assert_allclose(float(got), -math.log(total), rtol=1e-9)


def test_embedding_padding_idx_and_max_norm():
    w = torch.tensor([[3.0, 4.0], [0.3, 0.4], [1.0, 0.0]], requires_grad=True)
    idx = torch.tensor([0, 1, 1])
    out = F.embedding(idx, w, padding_idx=1)
    out.sum().backward()
    assert w.grad.tolist() == [[1.0, 1.0], [0.0, 0.0], [0.0, 0.0]]
    w2 = torch.tensor([[3.0, 4.0], [0.3, 0.4]])
    F.embedding(torch.tensor([0]), w2, max_norm=1.0)
    np.testing.assert_allclose(w2.numpy()[0], [0.6, 0.8], rtol=1e-6)
    np.testing.assert_allclose(w2.numpy()[1], [0.3, 0.4])


def test_embedding_bag_modes():
    w = torch.arange(12.0).reshape(4, 3)
    idx = torch.tensor([0, 1, 3, 2])
    offs = torch.tensor([0, 2])
    assert F.embedding_bag(idx, w, offs, mode="sum").tolist() == [[3, 5, 7], [15, 17, 19]]
    assert F.embedding_bag(idx, w, offs, mode="max").tolist() == [[3, 4, 5], [9, 10, 11]]
    assert F.embedding_bag(idx, w, offs).tolist() == [[1.5, 2.5, 3.5], [7.5, 8.5, 9.5]]


def test_pad_modes():
    x = torch.arange(4.0).reshape(1, 1, 4)
    assert F.pad(x, (2, 1), mode="reflect").tolist() == [[[2, 1, 0, 1, 2, 3, 2]]]
    assert F.pad(x, (2, 1), mode="replicate").tolist() == [[[0, 0, 0, 1, 2, 3, 3]]]
    assert F.pad(x, (2, 1), mode="circular").tolist() == [[[2, 3, 0, 1, 2, 3, 0]]]
    assert F.pad(x, (-1, 1), value=9.0).tolist() == [[[1, 2, 3, 9]]]


def test_errors_are_torch_classes():
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.mse_loss(_x(), _x(), reduction="bad")
    with pytest.raises(RuntimeError, match="approximate"):
        F.gelu(_x(), approximate="x")
    with pytest.raises(RuntimeError, match="one_hot is only applicable"):
        F.one_hot(torch.tensor([1.0]))
    with pytest.raises(ValueError, match="dropout probability"):
        F.dropout(_x(), p=1.5)


def test_margin_and_class_losses_recompile_per_shape():
    """Kernels that bake in frame/class counts must not be reused across shapes."""
    for n, c in ((2, 4), (3, 5)):
        x = torch.zeros(n, c)
        t = torch.zeros(n, c, dtype=torch.int64)
        t[:, 1:] = -1
        assert F.multilabel_margin_loss(x, t).item() == pytest.approx((c - 1) / c)
        assert F.multi_margin_loss(x, torch.zeros(n, dtype=torch.int64)).item() == pytest.approx(
            (c - 1) / c)
        w = torch.ones(c)
        assert F.nll_loss(x, torch.zeros(n, dtype=torch.int64), w).item() == 0.0
        assert F.cross_entropy(x, torch.zeros(n, dtype=torch.int64), w).item() == pytest.approx(
            math.log(c))
