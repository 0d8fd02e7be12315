"""nn.functional part B: convolution, pooling, resampling, attention.

Values are checked against torch-recorded programs (compat_tests/fixtures/nn_functional_b.npz,
recorded by compat_tests/record/record_nn_functional_b.py) covering options the op_db samples do
not reach; random ops (fractional max pool, attention dropout) are checked by their properties.
"""

from __future__ import annotations

import json
import pathlib
import warnings

import numpy as np
import pytest

import torchlike as torch
import torchlike.nn.functional as F

FIXTURE = (pathlib.Path(__file__).resolve().parents[1] / "compat_tests" / "fixtures"
           / "nn_functional_b.npz")


def _load():
    with np.load(FIXTURE, allow_pickle=False) as z:
        meta = json.loads(str(z["__meta__"][()]))
        arrays = {k: z[k] for k in z.files if k != "__meta__"}
    return meta, arrays


META, ARRAYS = _load()


@pytest.mark.parametrize("name", sorted(META["cases"]))
def test_recorded(name):
    case = META["cases"][name]
    env = {"torch": torch, "F": F, "np": np, "out": {}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(META["prelude"], env)
        exec(case["code"], env)
    got = env["out"]
    assert set(got) == set(case["out"])
    for k, a in case["out"].items():
        want = ARRAYS[a]
        g = got[k].detach().numpy()
        assert g.shape == want.shape, (k, g.shape, want.shape)
        if want.dtype.kind in "iub":
            np.testing.assert_array_equal(g, want, err_msg=k)
        else:
            np.testing.assert_allclose(g, want, rtol=1e-6, atol=1e-9, err_msg=k)


def test_fractional_max_pool_properties():
    x = torch.randn(2, 3, 9, 8, requires_grad=True)
    y, idx = F.fractional_max_pool2d(x, 2, output_size=(4, 5), return_indices=True)
    assert y.shape == (2, 3, 4, 5) and idx.dtype == torch.int64
    flat = x.detach().reshape(2, 3, -1)
    # each output is the input value its index names, and the max of a 2x2 window there
    np.testing.assert_array_equal(flat.gather(-1, idx.reshape(2, 3, -1)).numpy(),
                                  y.detach().reshape(2, 3, -1).numpy())
    xs = x.detach().numpy()
    r, c = np.divmod(idx.numpy(), 8)
    assert (r < 9).all() and (c < 8).all()
    y.sum().backward()
    assert x.grad.sum().item() == pytest.approx(2 * 3 * 4 * 5)
    # rows and columns of the windows start at increasing positions and cover the last window
    assert xs.shape == (2, 3, 9, 8)
    u = torch.tensor([[[0.0, 0.5]]], dtype=torch.float32).expand(1, 1, 2)
    y2 = F.fractional_max_pool2d(torch.arange(1, 17.).reshape(1, 1, 4, 4), 2, output_size=3,
                                 _random_samples=u.reshape(1, 1, 2))
    # alpha = (4 - 2) / 2 = 1: window starts 0, 1, 2 in both dims -> maxima at +1
    np.testing.assert_array_equal(y2.numpy()[0, 0], [[6, 7, 8], [10, 11, 12], [14, 15, 16]])
    y3 = F.fractional_max_pool3d(torch.randn(1, 2, 6, 5, 7), (2, 2, 3), output_ratio=0.5)
    assert y3.shape == (1, 2, 3, 2, 3)


def test_sdpa_dropout_statistics_and_eval():
    q = torch.randn(2, 2, 64, 8)
    k = torch.randn(2, 2, 64, 8)
    v = torch.ones(2, 2, 64, 8)
    y = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    # rows of attention weights sum to 1; with dropout each output is (kept mass) / 0.5
    assert abs(float(y.mean()) - 1.0) < 0.1
    y0 = F.scaled_dot_product_attention(q, k, v, dropout_p=0.0)
    np.testing.assert_allclose(y0.numpy(), 1.0, rtol=1e-5)


def test_errors():
    x = torch.randn(2, 3, 5)
    with pytest.raises(RuntimeError, match="expected input\\[2, 3, 5\\] to have 2 channels"):
        F.conv1d(x, torch.randn(4, 2, 2))
    with pytest.raises(RuntimeError, match="not supported for strided convolutions"):
        F.conv1d(x, torch.randn(4, 3, 2), padding="same", stride=2)
    with pytest.raises(RuntimeError, match="should be the same"):
        F.conv1d(x, torch.randn(4, 3, 2, dtype=torch.float64))
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        F.max_pool1d(x, 2, padding=2)
    with pytest.raises(RuntimeError, match="Found an invalid max index"):
        F.max_unpool1d(torch.ones(1, 1, 2), torch.tensor([[[0, 9]]]), 2)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x, size=3, scale_factor=2.0)
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(x, size=3, align_corners=True)
    with pytest.raises(ValueError, match="Anti-alias option is restricted"):
        F.interpolate(torch.randn(1, 1, 4, 4), size=2, mode="nearest", antialias=True)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set"):
        F.scaled_dot_product_attention(x, x, x, attn_mask=torch.ones(3, 3, dtype=torch.bool),
                                       is_causal=True)
    with pytest.raises(RuntimeError, match="divisible by the square of upscale_factor"):
        F.pixel_shuffle(torch.randn(1, 3, 2, 2), 2)


def test_with_indices_variants_and_aliases():
    x = torch.randn(1, 2, 6, 5)
    for nd, (pool, with_idx) in enumerate(((F.max_pool1d, F.max_pool1d_with_indices),
                                           (F.max_pool2d, F.max_pool2d_with_indices),
                                           (F.max_pool3d, F.max_pool3d_with_indices)), 1):
        xi = x.reshape(1, 2, 30) if nd == 1 else x if nd == 2 else x.unsqueeze(0)
        a, ia = pool(xi, 2, return_indices=True)
        b, ib = with_idx(xi, 2)
        assert torch.equal(a, b) and torch.equal(ia, ib)
    for nd, (pool, with_idx) in enumerate(
            ((F.adaptive_max_pool1d, F.adaptive_max_pool1d_with_indices),
             (F.adaptive_max_pool2d, F.adaptive_max_pool2d_with_indices),
             (F.adaptive_max_pool3d, F.adaptive_max_pool3d_with_indices)), 1):
        xi = x[0] if nd == 1 else x if nd == 2 else x.unsqueeze(0)
        a, ia = pool(xi, 3, return_indices=True)
        b, ib = with_idx(xi, 3)
        assert torch.equal(a, b) and torch.equal(ia, ib)
    for pool, with_idx, xi in ((F.fractional_max_pool2d, F.fractional_max_pool2d_with_indices, x),
                               (F.fractional_max_pool3d, F.fractional_max_pool3d_with_indices,
                                torch.randn(1, 2, 3, 4, 5))):
        s = torch.rand(1, 2, xi.dim() - 2)
        a, ia = pool(xi, 2, output_size=2, return_indices=True, _random_samples=s)
        b, ib = with_idx(xi, 2, output_size=2, _random_samples=s)
        assert torch.equal(a, b) and torch.equal(ia, ib)
    with pytest.warns(UserWarning, match="upsample is deprecated"):
        y = F.upsample(x, scale_factor=2, mode="bilinear", align_corners=False)
    assert torch.equal(y, F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False))


def test_lp_pool_fold_affine_grid_identities():
    x = torch.rand(1, 2, 4, 6)
    # p = 1 on non-negative input: the window sum
    np.testing.assert_allclose(F.lp_pool2d(x, 1, 2).numpy(),
                               (F.avg_pool2d(x, 2) * 4).numpy(), rtol=1e-6)
    np.testing.assert_allclose(F.lp_pool1d(x[0], 1, 3).numpy(),
                               (F.avg_pool1d(x[0], 3) * 3).numpy(), rtol=1e-6)
    np.testing.assert_allclose(F.lp_pool3d(x.unsqueeze(0), 1, 2).numpy(),
                               (F.avg_pool3d(x.unsqueeze(0), 2) * 8).numpy(), rtol=1e-6)
    # fold(unfold(ones)) counts how many blocks cover each pixel
    ones = torch.ones(1, 1, 3, 3)
    cnt = F.fold(F.unfold(ones, 2), (3, 3), 2)
    np.testing.assert_array_equal(cnt.numpy()[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    # the identity transform gives the normalized pixel centres
    g = F.affine_grid(torch.tensor([[[1.0, 0, 0], [0, 1, 0]]]), (1, 1, 2, 3), align_corners=True)
    np.testing.assert_allclose(g.numpy()[0, :, :, 0], [[-1, 0, 1], [-1, 0, 1]])
    np.testing.assert_allclose(g.numpy()[0, :, :, 1], [[-1, -1, -1], [1, 1, 1]])


def test_kernels_follow_shapes():
    # a cached kernel must not keep the sizes of the call that built it
    for L, S in ((2, 3), (4, 6)):
        q, k = torch.randn(1, 1, L, 4), torch.randn(1, 1, S, 4)
        y = F.scaled_dot_product_attention(q, k, k, is_causal=True)
        # row 0 sees only key 0
        np.testing.assert_allclose(y[0, 0, 0].numpy(), k[0, 0, 0].numpy(), rtol=1e-6)
    for n, c in ((1, 2), (3, 4)):
        assert F.fold(torch.ones(n, c * 4, 9), (4, 4), 2).shape == (n, c, 4, 4)
        assert F.fractional_max_pool2d(torch.randn(n, c, 7, 7), 2, output_size=3).shape == \
            (n, c, 3, 3)


def test_conv_tbc_is_conv1d_on_time_batch_channels():
    x, w, b = torch.randn(6, 2, 3), torch.randn(3, 3, 4), torch.randn(4)
    y = F.conv_tbc(x, w, b, 1)
    ref = F.conv1d(x.permute(1, 2, 0), w.permute(2, 1, 0), b, padding=1).permute(2, 0, 1)
    np.testing.assert_allclose(y.numpy(), ref.numpy(), rtol=1e-5, atol=1e-5)
