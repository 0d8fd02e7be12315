"""Public names outside torch's op_db: deprecated/copy variants, reflected shifts, tensor flags,
thread and inference-mode queries.  Expected values were printed by torch 2.13."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import torchlike as torch


def vals(t):
    return t.tolist()


def test_chain_matmul():
    a = torch.arange(6.0).reshape(2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = torch.chain_matmul(a, a.T, a)
    assert vals(r) == [[42.0, 61.0, 80.0], [150.0, 214.0, 278.0]]


def test_copy_variants_do_not_share_storage():
    a = torch.arange(6.0).reshape(2, 3)
    d = torch.detach_copy(a)
    s = torch.select_copy(a, 1, 2)
    sl = torch.slice_copy(a, 1, 0, 2, 1)
    sp = torch.split_copy(a, 2, 1)
    assert vals(d) == vals(a) and vals(s) == [2.0, 5.0]
    assert vals(sl) == [[0.0, 1.0], [3.0, 4.0]]
    assert [vals(t) for t in sp] == [[[0.0, 1.0], [3.0, 4.0]], [[2.0], [5.0]]]
    for t in (d, s, sl, *sp):
        t.zero_()
    assert vals(a) == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


def test_unsafe_split_with_sizes():
    a = torch.arange(6.0).reshape(2, 3)
    assert [vals(t) for t in torch.unsafe_split_with_sizes(a, [1, 2], 1)] == [
        [[0.0], [3.0]], [[1.0, 2.0], [4.0, 5.0]]]
    assert [vals(t) for t in a.unsafe_split_with_sizes([1, 1])] == [[[0.0, 1.0, 2.0]],
                                                                     [[3.0, 4.0, 5.0]]]


def test_reflected_shift_and_division_dunders():
    x = torch.tensor([1, 2, 3])
    assert vals(2 << x) == [4, 8, 16] and vals(16 >> x) == [8, 4, 2]
    assert vals(x >> 1) == [0, 1, 1]
    assert vals(7 // x) == [7, 3, 2]
    r = 6 / x
    assert r.dtype == torch.float32 and vals(r) == [6.0, 3.0, 2.0]
    assert vals(x.__rtruediv__(6)) == [6.0, 3.0, 2.0]
    assert vals(x.__rlshift__(2)) == [4, 8, 16] and vals(x.__rrshift__(16)) == [8, 4, 2]
    assert vals(x.__rfloordiv__(7)) == [7, 3, 2] and vals(x.__rshift__(1)) == [0, 1, 1]


def test_layout_flags():
    a = torch.ones(2, 3)
    assert (a.is_conj(), a.is_neg(), a.is_pinned(), a.is_shared()) == (False,) * 4
    assert (a.is_meta, a.is_mkldnn, a.is_nested, a.is_quantized, a.is_sparse) == (False,) * 5
    assert a.pin_memory() is not None and vals(a.pin_memory()) == vals(a)
    assert a.share_memory_() is a


def test_untyped_storage_nbytes():
    a = torch.arange(6.0).reshape(2, 3)
    assert a.untyped_storage().nbytes() == 24 and a[1].untyped_storage().nbytes() == 24


def test_relu_inplace():
    x = torch.tensor([-1.0, 0.5])
    assert x.relu_() is x and vals(x) == [0.0, 0.5]


def test_threads_and_inference_mode_queries():
    n = torch.get_num_threads()
    assert isinstance(n, int) and n > 0
    torch.set_num_threads(n)
    assert torch.get_num_threads() == n
    assert torch.is_inference_mode_enabled() is False
    with torch.inference_mode():
        assert torch.is_inference_mode_enabled() is True
    assert torch.is_inference_mode_enabled() is False


def test_seed_is_nondeterministic_int_and_reseeds():
    s = torch.seed()
    assert isinstance(s, int) and torch.initial_seed() == s
    a = torch.rand(3)
    torch.manual_seed(s)
    assert np.array_equal(torch.rand(3).numpy(), a.numpy())


@pytest.mark.parametrize(("bad", "msg"), [("x", "expects an int, but got str"),
                                          (0, "expects a positive integer")])
def test_set_num_threads_rejects_bad_values(bad, msg):
    with pytest.raises(RuntimeError, match=msg):
        torch.set_num_threads(bad)


@pytest.mark.parametrize("name", ["eig", "lstsq", "symeig", "matrix_rank"])
def test_removed_linalg_functions_raise_as_torch(name):
    a = torch.tensor([[3.0, 4.0], [0.0, 0.0]])
    args = (a, a) if name == "lstsq" else (a,)
    with pytest.raises(RuntimeError, match="deprecated since version 1.9 and is now removed"):
        getattr(torch, name)(*args)
    if name != "matrix_rank":  # torch has no Tensor.matrix_rank
        with pytest.raises(RuntimeError, match="deprecated since version 1.9"):
            getattr(a, name)(*args[1:])


def test_deprecated_norms_windows_and_channel_shuffle():
    a = torch.tensor([[3.0, 4.0], [0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert torch.frobenius_norm(a, (0, 1)).item() == 5.0
        assert abs(torch.nuclear_norm(a).item() - 5.0) < 1e-6
    assert np.allclose(torch.bartlett_window(5).numpy(), [0.0, 0.4, 0.8, 0.8, 0.4])
    x = torch.arange(4.0).reshape(1, 4, 1)
    assert vals(torch.nn.functional.native_channel_shuffle(x, 2).flatten()) == [0.0, 2.0, 1.0, 3.0]
