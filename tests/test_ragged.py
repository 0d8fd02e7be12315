"""Value-dependent sizes (issue 14 item 5): x[mask], masked_select, nonzero and what follows
them run on size-bucketed padded arrays; results are torch's (recorded from torch 2.13)."""

import jax
import pytest

import torchlike as torch
from torchlike._core import ragged

EXPECTED = {'amin': 0.25,
 'argwhere': [[1], [7], [9]],
 'assign': [5.0, -1.25, 20.0, 0.0, -0.5, 35.0, 15.0, -2.0, 2.5, -3.0],
 'count': 4,
 'empty': [[0], 0.0],
 'gt_all': True,
 'gt_any': True,
 'inplace': [2.5, 7.0, 11.5, 5.5, 1.75],
 'max': 3.5,
 'mean': 4.099999904632568,
 'ms': [10.5, 11.5, 12.5, 13.5, 14.5, 15.5, 16.5],
 'ms_bcast': [-12.5, -10.5, -9.5, -7.5, -6.5, -4.5, -3.5, -1.5, -0.5, 1.5, 2.5, 4.5, 5.5, 7.5,
              8.5, 10.5, 11.5, 13.5, 14.5, 16.5],
 'mul_sum': 15.5,
 'neg_exp': [0.6065306663513184, 0.1353352814912796, 0.03019738383591175, 0.22313016653060913,
             0.7788007855415344],
 'nz': [[7, 2], [8, 0], [8, 1], [8, 2], [9, 0], [9, 1], [9, 2]],
 'prod': 1.3125,
 'where': [[9, 9, 9], [0, 1, 2]],
 'y': [0.5, 2.0, 3.5, 1.5, 0.25],
 'y_contig': True,
 'y_plus_full': [1.5, 3.0, 4.5, 2.5, 1.25],
 'y_slice': [2.0, 3.5],
 'y_stride': [1],
 'y_times_y': [0.25, 4.0, 12.25, 2.25, 0.0625],
 'y_view': False,
 'y_view_col': [5, 1],
 'zm': [[-12.5, -11.5, -10.5], [-6.5, -5.5, -4.5], [2.5, 3.5, 4.5], [5.5, 6.5, 7.5],
        [11.5, 12.5, 13.5]],
 'zm_amax': 13.5,
 'zm_argmax1': [2, 2, 2, 2, 2],
 'zm_mean0': [0.10000000149011612, 1.100000023841858, 2.0999999046325684],
 'zm_plus_row': [[-11.5, -9.5, -7.5], [-5.5, -3.5, -1.5], [3.5, 5.5, 7.5], [6.5, 8.5, 10.5],
                 [12.5, 14.5, 16.5]],
 'zm_sum0': [0.5, 5.5, 10.5],
 'zm_sum1': [-34.5, -16.5, 10.5, 19.5, 37.5]}


@pytest.fixture(scope="module")
def data():
    x = torch.tensor([0.5, -1.25, 2.0, 0.0, -0.5, 3.5, 1.5, -2.0, 0.25, -3.0])
    z = torch.arange(30, dtype=torch.float32).reshape(10, 3) - 12.5
    return x, z, x > 0


def close(a, b):
    assert a == pytest.approx(b, rel=1e-6, abs=1e-6)


def test_mask_results_match_torch(data):
    x, z, m = data
    e = EXPECTED
    y = x[m]
    assert isinstance(y._view, ragged.PadView)  # padded to a bucket, not compiled for n=5
    assert y.tolist() == e["y"] and y.shape == (5,)
    assert y._is_view() == e["y_view"] and y.is_contiguous() == e["y_contig"]
    assert list(y.stride()) == e["y_stride"]
    close(y.mul(2).sum().item(), e["mul_sum"])
    close((y * 2 + 1).mean().item(), e["mean"])
    close(y.max().item(), e["max"])
    close(y.amin().item(), e["amin"])
    close(y.prod().item(), e["prod"])
    close((-y).exp().tolist(), e["neg_exp"])
    assert (y > 1).any().item() == e["gt_any"] and (y > 0).all().item() == e["gt_all"]
    assert torch.count_nonzero(y - 0.5).item() == e["count"]
    assert (y * y).tolist() == e["y_times_y"]
    assert (y + y.new_ones(y.shape)).tolist() == e["y_plus_full"]
    assert y[1:3].tolist() == e["y_slice"] and list(y.view(-1, 1).shape) == e["y_view_col"]
    assert y.numpy().tolist() == e["y"]


def test_rows_of_a_matrix(data):
    x, z, m = data
    e = EXPECTED
    zm = z[m]
    assert zm.tolist() == e["zm"]
    close(zm.sum(0).tolist(), e["zm_sum0"])
    close(zm.sum(1).tolist(), e["zm_sum1"])
    close(zm.mean(0).tolist(), e["zm_mean0"])
    assert zm.argmax(1).tolist() == e["zm_argmax1"]
    assert zm.amax().item() == e["zm_amax"]
    assert (zm + torch.tensor([1.0, 2.0, 3.0])).tolist() == e["zm_plus_row"]


def test_masked_select_nonzero_where(data):
    x, z, m = data
    e = EXPECTED
    assert torch.masked_select(z, z > 10).tolist() == e["ms"]
    assert torch.masked_select(z, torch.tensor([True, False, True])).tolist() == e["ms_bcast"]
    nz = torch.nonzero(z > 10)
    assert nz.dtype == torch.int64 and nz.tolist() == e["nz"]
    assert [t.tolist() for t in torch.where(z > 14)] == e["where"]
    assert torch.argwhere(x < -1).tolist() == e["argwhere"]


def test_writes_and_empty(data):
    x, z, m = data
    e = EXPECTED
    y2 = x[m]
    y2.mul_(3)
    y2.add_(1)
    close(y2.tolist(), e["inplace"])
    w = x.clone()
    w[m] = x[m] * 10
    assert w.tolist() == e["assign"]
    empty = x[x > 100]
    assert [list(empty.shape), empty.sum().item()] == e["empty"]


def test_new_sizes_compile_nothing():
    """Masks selecting 17..31 of 64 elements share one bucket: after the first, the whole
    select-scale-reduce chain runs without compiling anything."""
    compiles = []
    jax.monitoring.register_event_duration_secs_listener(
        lambda ev, d, **k: compiles.append(ev) if ev.endswith("backend_compile_duration") else 0)
    x = torch.arange(64, dtype=torch.float32)
    sums = []
    for k in range(17, 32):
        if k == 18:
            compiles.clear()
        sums.append(x[x < k].mul(2).sum().item())
    assert not compiles
    assert sums == [float(k * (k - 1)) for k in range(17, 32)]


def test_padding_holds_only_values_the_data_has():
    # integer floor division checks its divisor for zeros: padded rows must not add any
    x = torch.tensor([0, 5, 0, 3, 2])
    assert (10 // x[x > 1]).tolist() == [2, 3, 5]


def test_autograd_falls_back_to_exact_arrays(data):
    x, z, m = data
    w = x.clone().requires_grad_()
    y = w[m]
    assert not isinstance(y._view, ragged.PadView)
    (y * y).sum().backward()
    assert w.grad.tolist() == [2 * v if v > 0 else 0.0 for v in x.tolist()]
