"""Issue 12 items 4-7 against values recorded from torch 2.13: empty-index gather/scatter,
solve over an empty batch, top-level zero_, and gradients at 0 (torch's subgradients)."""

import math

import numpy as np
import pytest

import torchlike as torch

F64 = torch.float64
NAN, INF = math.nan, math.inf


def _close(t, want):
    np.testing.assert_allclose(np.asarray(t.tolist(), dtype=float).ravel(),
                               np.asarray(want, dtype=float), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- item 4: empty index


def test_gather_empty_index():
    x = torch.randn(5, requires_grad=True)
    r = torch.gather(x, 0, torch.empty(2, 0, dtype=torch.long))
    assert tuple(r.shape) == (2, 0) and r.dtype == torch.float32
    r.sum().backward()
    _close(x.grad, [0.0] * 5)
    # torch skips rank/size/dtype checks for an empty index, but still checks dim
    x2 = torch.arange(6.0).reshape(2, 3)
    assert tuple(torch.gather(x2, 1, torch.empty(3, 0, dtype=torch.long)).shape) == (3, 0)
    assert tuple(torch.gather(x2, 1, torch.empty(0, 3, 4, dtype=torch.long)).shape) == (0, 3, 4)
    with pytest.raises(IndexError, match="Dimension out of range"):
        torch.gather(x2, 5, torch.empty(2, 0, dtype=torch.long))


def test_scatter_family_empty_index():
    x2 = torch.arange(6.0).reshape(2, 3)
    e = torch.empty(2, 0, dtype=torch.long)
    for r in (torch.scatter(torch.zeros(5), 0, e, torch.ones(3, 3)),
              torch.scatter(torch.zeros(5), 0, e, value=1.0),
              torch.scatter_add(torch.zeros(5), 0, e, torch.ones(1)),
              torch.scatter_reduce(torch.zeros(5), 0, e, torch.ones(1), "amax")):
        _close(r, [0.0] * 5)
    _close(torch.scatter_add(x2, 0, torch.empty(0, 3, 4, dtype=torch.long), torch.ones(1)),
           [0, 1, 2, 3, 4, 5])
    with pytest.raises(RuntimeError, match="Expected self.dtype to be equal to src.dtype"):
        torch.scatter(x2, 1, e, torch.ones(2, 3, dtype=F64))
    x = torch.randn(2, 3, requires_grad=True)
    torch.scatter(x, 1, e, torch.ones(2, 3)).sum().backward()
    _close(x.grad, [1.0] * 6)


# ---------------------------------------------------------------- item 5: solve, empty batch


def test_solve_empty_batch_vector_rhs():
    A = torch.randn(0, 5, 5, dtype=F64, requires_grad=True)
    b = torch.randn(0, 5, dtype=F64, requires_grad=True)
    x = torch.linalg.solve(A, b)
    assert tuple(x.shape) == (0, 5)
    x.sum().backward()
    assert tuple(A.grad.shape) == (0, 5, 5) and tuple(b.grad.shape) == (0, 5)
    r, info = torch.linalg.solve_ex(torch.randn(3, 0, 5, 5), torch.randn(5))
    assert tuple(r.shape) == (3, 0, 5) and tuple(info.shape) == (3, 0)
    # info has A's batch shape, not the broadcast one
    r, info = torch.linalg.solve_ex(torch.randn(1, 5, 5), torch.randn(0, 5, 2))
    assert tuple(r.shape) == (0, 5, 2) and tuple(info.shape) == (1,)
    assert tuple(torch.linalg.solve(torch.randn(0, 0), torch.randn(0)).shape) == (0,)


def test_solve_vector_rhs_right_raises():
    with pytest.raises(RuntimeError, match=r"XA = B \(5x5 and 5x1\)"):
        torch.linalg.solve(torch.randn(2, 5, 5), torch.randn(2, 5), left=False)
    with pytest.raises(RuntimeError, match="Vector broadcasting of the left hand side"):
        torch.linalg.solve(torch.randn(1, 1), torch.randn(1), left=False)


# ---------------------------------------------------------------- item 6: top-level zero_


def test_top_level_zero_and_fill():
    t = torch.ones(3)
    assert torch.zero_(t) is t
    _close(t, [0.0, 0.0, 0.0])
    torch.fill_(t, 2.0)
    _close(t, [2.0, 2.0, 2.0])


# ---------------------------------------------------------------- item 7: gradients at zero

_Z = [0.0, 0.0, 0.0]
_MIX = [0.0, 1.0, -2.0]
_M2 = [[0.0, 1.0, -2.0], [0.0, 0.0, 3.0]]
LN = torch.linalg


def _grad(fn, data):
    x = torch.tensor(data, dtype=F64, requires_grad=True)
    fn(x).sum().backward()
    return x.grad


# name: (fn, input, torch 2.13's gradient)
_CASES = {
    "abs": (torch.abs, _MIX, [0.0, 1.0, -1.0]),
    "i0": (torch.i0, _MIX, [0.0, 0.565159, -1.590637]),
    "vector_norm_1": (lambda x: LN.vector_norm(x, 1), _Z, _Z),
    "vector_norm_inf_zero": (lambda x: LN.vector_norm(x, INF), _Z, _Z),
    "vector_norm_-inf": (lambda x: LN.vector_norm(x, -INF), _MIX, _Z),
    "norm_1": (lambda x: LN.norm(x, 1), _MIX, [0.0, 1.0, -1.0]),
    "norm_inf": (lambda x: LN.norm(x, INF), _Z, _Z),
    "torch_norm_dim": (lambda x: torch.norm(x, 1, dim=1), _M2, [0, 1, -1, 0, 0, 1]),
    "dist_1": (lambda x: torch.dist(x, torch.zeros_like(x), 1), _MIX, [0.0, 1.0, -1.0]),
    "dist_inf": (lambda x: torch.dist(x, torch.zeros_like(x), INF), _Z, _Z),
    "matrix_norm_1": (lambda x: LN.matrix_norm(x, 1), _M2, [0, 0, -1, 0, 0, 1]),
    "matrix_norm_-1": (lambda x: LN.matrix_norm(x, -1), _M2, [0] * 6),
    "matrix_norm_inf": (lambda x: LN.matrix_norm(x, INF), _M2, [0, 0.5, -0.5, 0, 0, 0.5]),
    "matrix_norm_2_zero": (lambda x: LN.matrix_norm(x, 2), [[0.0] * 3] * 2,
                           [0.5, 0, 0, 0, 0.5, 0]),
    "cdist_1": (lambda x: torch.cdist(x, torch.zeros(2, 3, dtype=F64), 1), _M2,
                [0, 2, -2, 0, 0, 2]),
    "cdist_inf": (lambda x: torch.cdist(x, torch.zeros(2, 3, dtype=F64), INF), _M2,
                  [0, 0, -2, 0, 0, 2]),
    "renorm_1": (lambda x: torch.renorm(x, 1, 0, 1.0), _M2,
                 [1 / 3, 4 / 9, 2 / 9, 1 / 3, 1 / 3, 0]),
    "std_const": (torch.std, _Z, _Z),
    "clamp_min_boundary": (lambda x: torch.clamp(x, min=0), _MIX, [1.0, 1.0, 0.0]),
    "clamp_max_boundary": (lambda x: torch.clamp(x, max=0), _MIX, [1.0, 0.0, 1.0]),
    "copysign": (lambda x: torch.copysign(x, -torch.ones_like(x)), _MIX, [0.0, -1.0, 1.0]),
    "atan2_origin": (lambda x: torch.atan2(x, x), _Z, _Z),
    "hypot_origin": (lambda x: torch.hypot(x, torch.zeros_like(x)), _MIX, [NAN, 1.0, -1.0]),
    "logit": (torch.logit, _MIX, [INF, INF, NAN]),
    "pow_exp_0": (lambda x: x ** 0, _MIX, _Z),
    "pow_base_0": (lambda x: torch.pow(torch.zeros_like(x), x), _MIX, [0.0, 0.0, -INF]),
    "pow_self": (lambda x: torch.pow(x, x), _MIX, [0.0, 1.0, NAN]),
}


@pytest.mark.parametrize("name", list(_CASES))
def test_gradient_at_zero(name):
    fn, data, want = _CASES[name]
    _close(_grad(fn, data), want)


# ---------------------------------------------------------------- item 8: lstsq float32 grad


def test_lstsq_float32_gradient_near_orthogonal():
    # singular values all near 1: differentiating the SVD's U, V was off by 1.5e-2 in float32
    A = torch.tensor([[0.4151, 0.8949, -0.1581], [0.7375, -0.23, 0.6336],
                      [-0.5309, 0.3801, 0.7563]], requires_grad=True)
    B = torch.tensor([[2.8211, -4.7024, 4.1631], [1.822, -3.5221, -4.4145],
                      [2.3285, 8.3972, 4.3191]], requires_grad=True)
    ga, gb = torch.autograd.grad(torch.linalg.lstsq(A, B, driver="gelsd").solution.sum(), (A, B))
    np.testing.assert_allclose(np.asarray(ga.tolist()).ravel(), [
        13.35288, -10.59374, -8.25372, 13.22606, -10.49311, -8.17532, 7.01371, -5.56446,
        -4.33533], atol=2e-4)
    np.testing.assert_allclose(np.asarray(gb.tolist()).ravel(),
                               [1.15375] * 3 + [1.1428] * 3 + [0.60602] * 3, atol=2e-4)


@pytest.mark.parametrize("p", [0.5, 1.0, 3.0, float("inf")])
def test_pdist_gradient_at_zero(p):
    # torch 2.13: rows 0 and 2 coincide; their distance contributes no gradient
    x = torch.tensor([[0., 0.], [1., 0.], [0., 0.]], requires_grad=True)
    torch.pdist(x, p).sum().backward()
    assert x.grad.tolist() == [[-1.0, 0.0], [2.0, 0.0], [-1.0, 0.0]]
    z = torch.zeros(3, 2, requires_grad=True)
    torch.pdist(z, p).sum().backward()
    assert z.grad.tolist() == [[0.0, 0.0]] * 3


def test_std_mean_gradient_at_constant_row():
    y = torch.tensor([[2., 2.], [1., 3.]], requires_grad=True)
    s, m = torch.std_mean(y, 1)
    (s.sum() + m.sum()).backward()
    assert torch.allclose(y.grad, torch.tensor([[0.5, 0.5], [-0.20710677, 1.2071068]]))
