"""Issue 12 (nn functional): negative pads in every F.pad mode, norms on zero-size inputs and
max pooling backward with dilation; expected values recorded from torch 2.13."""

import math

import pytest

import torchlike as torch
import torchlike.nn.functional as F

# ---------------------------------------------------------------- pad with negative pads

# (shape, pad, mode, output, input grad for an arange cotangent, grad_fn name); input arange.
PAD_CASES = [
    ((1, 1, 4, 4), (-1, 1, -2, 1), "circular",
     [[[[9, 10, 11, 9], [13, 14, 15, 13], [9, 10, 11, 9]]]],
     [[[[0, 0, 0, 0], [0, 0, 0, 0], [0, 22, 10, 12], [0, 11, 5, 6]]]], "CopySlices"),
    ((1, 1, 4, 4), (2, -1, -3, 1), "circular",
     [[[[13, 14, 12, 13, 14], [13, 14, 12, 13, 14]]]],
     [[[[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [9, 16, 20, 0]]]], "CopySlices"),
    ((1, 1, 4), (-1, 3), "circular", [[[1, 2, 3, 1, 2, 3]]], [[[0, 3, 5, 7]]], "CopySlices"),
    ((1, 1, 4, 4), (1, -1, 2, -2), "reflect",
     [[[[9, 8, 9, 10], [5, 4, 5, 6], [1, 0, 1, 2], [5, 4, 5, 6]]]],
     [[[[9, 18, 11, 0], [18, 36, 22, 0], [1, 2, 3, 0], [0, 0, 0, 0]]]],
     "ReflectionPad2DBackward0"),
    ((1, 1, 4, 4), (1, -1, 2, -2), "replicate",
     [[[[0, 0, 1, 2], [0, 0, 1, 2], [0, 0, 1, 2], [4, 4, 5, 6]]]],
     [[[[27, 18, 21, 0], [25, 14, 15, 0], [0, 0, 0, 0], [0, 0, 0, 0]]]],
     "ReplicationPad2DBackward0"),
    ((1, 1, 4, 4), (-1, 2, 1, -3), "constant", [[[[0, 0, 0, 0, 0], [1, 2, 3, 0, 0]]]],
     [[[[0, 5, 6, 7], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]]], "ConstantPadNdBackward0"),
]


@pytest.mark.parametrize("shape,pad,mode,out,grad,node", PAD_CASES)
def test_pad_negative(shape, pad, mode, out, grad, node):
    x = torch.arange(math.prod(shape), dtype=torch.float64).reshape(shape).requires_grad_()
    y = F.pad(x, pad, mode=mode)
    assert type(y.grad_fn).__name__ == node
    assert y.detach().long().tolist() == out
    y.backward(torch.arange(y.numel(), dtype=torch.float64).reshape(y.shape))
    assert x.grad.long().tolist() == grad


def test_pad_negative_int64():
    x = torch.arange(16).reshape(1, 1, 4, 4)
    assert F.pad(x, (-1, 1, -2, 1), mode="circular").tolist() == PAD_CASES[0][3]


@pytest.mark.parametrize("shape,pad,mode,exc,msg", [
    ((1, 4), (-2, -2), "reflect", RuntimeError,
     "input (W: 4) is too small. Calculated output W: 0"),
    ((1, 4), (-5, 0), "replicate", RuntimeError,
     "input (W: 4) is too small. Calculated output W: -1"),
    ((2, 3, 4), (0, 0, -4, 0), "replicate", RuntimeError,
     "Trying to create tensor with negative dimension -1: [2, -1, 4]"),
    ((1, 4), (-5, 0), "circular", RuntimeError,
     "Negative padding value is resulting in an empty dimension"),
    ((1, 4), (-5, 5), "circular", RuntimeError,
     "Padding value causes wrapping around more than once."),
    ((3, 4), (-5, 2), "constant", RuntimeError, "narrow(): length must be non-negative."),
])
def test_pad_negative_errors(shape, pad, mode, exc, msg):
    with pytest.raises(exc) as info:
        F.pad(torch.zeros(shape), pad, mode=mode)
    assert str(info.value) == msg


def test_pad_negative_to_empty():
    # Cropping a dimension away is allowed when more than one dimension is padded.
    assert tuple(F.pad(torch.zeros(1, 2, 4, 4), (-1, -1, -2, -2), mode="reflect").shape) == \
        (1, 2, 0, 2)
    assert tuple(F.pad(torch.zeros(1, 3, 4), (-2, -2), mode="circular").shape) == (1, 3, 0)


# ---------------------------------------------------------------- norms on zero-size input


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_empty(training):
    y = F.batch_norm(torch.empty(0), torch.empty(0), torch.empty(0), training=training)
    assert tuple(y.shape) == (0,) and y.dtype == torch.float32
    y = F.batch_norm(torch.empty(0, 3, dtype=torch.float64), None, None, training=training)
    assert tuple(y.shape) == (0, 3) and y.dtype == torch.float64
    rm, rv = torch.zeros(3), torch.ones(3)
    y = F.batch_norm(torch.empty(2, 3, 0), rm, rv, training=training)
    assert tuple(y.shape) == (2, 3, 0)
    assert rm.tolist() == [0.0, 0.0, 0.0] and rv.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(IndexError, match=r"select\(\): index 0 out of range"):
        F.batch_norm(torch.empty(0), None, None, torch.empty(0), training=training)


def test_batch_norm_empty_grad():
    x = torch.empty(0, 3, requires_grad=True)
    w = torch.ones(3, requires_grad=True)
    b = torch.zeros(3, requires_grad=True)
    y = F.batch_norm(x, None, None, w, b, training=True)
    assert type(y.grad_fn).__name__ == "AddBackward0"
    y.sum().backward()
    assert tuple(x.grad.shape) == (0, 3)
    assert w.grad.tolist() == [0.0, 0.0, 0.0] and b.grad.tolist() == [0.0, 0.0, 0.0]


def test_batch_norm_1d_errors():
    with pytest.raises(RuntimeError, match="running_mean should contain 0 elements not 5"):
        F.batch_norm(torch.ones(5), torch.zeros(5), torch.ones(5), training=True)
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.batch_norm(torch.ones(5), None, None, training=True)
    with pytest.raises(RuntimeError, match="^running_var must be defined in evaluation mode$"):
        F.batch_norm(torch.ones(2, 3), torch.zeros(3), None, training=False)


def test_other_norms_empty():
    rm, rv = torch.zeros(3), torch.ones(3)
    y = F.instance_norm(torch.empty(0, 3, 4), rm, rv, use_input_stats=True)
    assert tuple(y.shape) == (0, 3, 4)
    assert all(math.isnan(v) for v in rm.tolist() + rv.tolist())
    rm, rv = torch.zeros(3), torch.ones(3)
    F.instance_norm(torch.empty(2, 3, 0), rm, rv, use_input_stats=True)
    assert rm.tolist() == [0.0, 0.0, 0.0] and rv.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(IndexError, match=r"select\(\): index 0 out of range"):
        F.instance_norm(torch.empty(0, 3, 4), weight=torch.ones(3))
    x = torch.empty(0, 4, 2, requires_grad=True)
    w = torch.ones(4, requires_grad=True)
    y = F.group_norm(x, 2, w, torch.ones(4))
    assert tuple(y.shape) == (0, 4, 2)
    y.sum().backward()
    assert tuple(x.grad.shape) == (0, 4, 2) and w.grad.tolist() == [0.0] * 4
    assert tuple(F.group_norm(torch.empty(0, 0, 2), 1).shape) == (0, 0, 2)
    assert tuple(F.layer_norm(torch.empty(0, 3), (3,)).shape) == (0, 3)


# ---------------------------------------------------------------- max pool backward

_NAN, _INF = float("nan"), float("inf")
_X = [[[[3., 1, 4, 1, 5], [9, 2, 6, 5, 3], [5, 8, 9, 7, 9], [3, 2, 3, 8, 4], [6, 2, 6, 4, 3]]]]


def _pool_grad(fn, x):
    x = x.clone().requires_grad_()
    y = fn(x)
    y.backward(torch.arange(1., y.numel() + 1, dtype=y.dtype).reshape(y.shape))
    return y.detach().tolist(), x.grad.long().tolist()


def test_max_pool2d_dilation_backward():
    x = torch.tensor(_X, dtype=torch.float64)
    for ri in (False, True):
        def pool(x, ri=ri):
            y = F.max_pool2d(x, 2, 2, padding=1, dilation=2, ceil_mode=True, return_indices=ri)
            return y[0] if ri else y

        y, g = _pool_grad(pool, x)
        assert y == [[[[2.0, 5.0, 5.0], [2.0, 8.0, 8.0], [2.0, 8.0, 8.0]]]]
        assert g == [[[[0, 0, 0, 0, 0], [0, 5, 0, 5, 0], [0, 0, 0, 0, 0], [0, 7, 0, 28, 0],
                       [0, 0, 0, 0, 0]]]]


def test_max_pool1d_3d_dilation_backward():
    x = torch.tensor(_X, dtype=torch.float64)
    y, g = _pool_grad(lambda x: F.max_pool1d(x, 2, 1, dilation=2), x[0])
    assert y == [[[4.0, 1.0, 5.0], [9.0, 5.0, 6.0], [9.0, 8.0, 9.0], [3.0, 8.0, 4.0],
                  [6.0, 4.0, 6.0]]]
    assert g == [[[0, 2, 1, 0, 3], [4, 0, 6, 5, 0], [0, 8, 16, 0, 0], [10, 0, 0, 11, 12],
                  [13, 0, 15, 14, 0]]]
    y, g = _pool_grad(lambda x: F.max_pool3d(x, 2, 1, dilation=(1, 2, 2)),
                      torch.stack([x, x.flip(-1)], 2))
    assert y == [[[[[9.0, 8.0, 9.0], [9.0, 8.0, 9.0], [9.0, 8.0, 9.0]]]]]
    assert g == [[[[[0, 0, 0, 0, 0], [4, 0, 0, 0, 0], [0, 10, 20, 0, 0], [0, 0, 0, 5, 0],
                    [0, 0, 0, 0, 0]],
                   [[0, 0, 0, 0, 0], [0, 0, 0, 0, 6], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0],
                    [0, 0, 0, 0, 0]]]]]


def test_max_pool_nan_and_inf_picks():
    # torch keeps a window's last NaN and, among equal maxima (all -inf too), its first
    # in-bounds element.
    x = torch.tensor(_X, dtype=torch.float64)
    y, g = _pool_grad(lambda x: F.max_pool2d(x, 2, 1, dilation=2), torch.where(x > 8, _NAN, x))
    assert g == [[[[0, 0, 0, 0, 0], [4, 0, 6, 0, 0], [0, 10, 8, 0, 12], [0, 0, 0, 5, 0],
                   [0, 0, 0, 0, 0]]]]
    y, g = _pool_grad(lambda x: F.max_pool2d(x, 2, 2, 1),
                      torch.full((1, 1, 3, 3), -_INF, dtype=torch.float64))
    assert g == [[[[1, 2, 0], [3, 4, 0], [0, 0, 0]]]]
    x1 = torch.tensor([[[1., _NAN, 3., _NAN, 2., -_INF, -_INF, -_INF]]])
    assert F.max_pool1d(x1, 3, 2, 1, return_indices=True)[1].tolist() == [[[1, 3, 3, 5]]]
    assert F.adaptive_max_pool1d(x1, 2, return_indices=True)[1].tolist() == [[[3, 4]]]


def test_max_pool_dilation_double_backward():
    x = torch.tensor(_X, dtype=torch.float64, requires_grad=True)
    y = F.max_pool2d(x, 2, 1, dilation=2)
    gx, = torch.autograd.grad(y.sum(), x, create_graph=True)
    gg, = torch.autograd.grad((gx * x).sum(), x)
    assert gg.long().tolist() == [[[[0, 0, 0, 0, 0], [1, 0, 1, 0, 0], [0, 2, 4, 0, 0],
                                    [0, 0, 0, 1, 0], [0, 0, 0, 0, 0]]]]
