"""torch.nn.utils.parametrizations: orthogonal, weight_norm, spectral_norm via parametrize.

Each public function builds one parametrization module and registers it on
``module.<name>``; the state_dict keys (``parametrizations.<name>.original``,
``...original0/1``, ``...0.base``, ``...0._u/_v``) are torch's.
"""

from __future__ import annotations

from enum import Enum, auto

import torchlike as torch

from ..._core.tensor import Tensor
from ..modules.module import Module
from . import parametrize  # noqa: F401  (torch's module exposes it too)
from ._reparam import _weight_norm, as_matrix, norm_except_dim, output_dim, unit
from .parametrize import register_parametrization

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


def _tensor_attr(module: Module, name: str) -> Tensor:
    found = getattr(module, name, None)
    if not isinstance(found, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    return found


# ---- orthogonal ---------------------------------------------------------------------------

def _diag(x: Tensor) -> Tensor:
    return x.diagonal(dim1=-2, dim2=-1)


def _is_orthogonal(Q: Tensor, eps=None) -> bool:
    """Q^H Q == I up to 10 * n ulps (``eps`` is ignored, as in torch)."""
    n, k = Q.shape[-2:]
    tol = 10.0 * n * torch.finfo(Q.dtype).eps
    return torch.allclose(Q.mH @ Q, torch.eye(k, dtype=Q.dtype, device=Q.device), atol=tol)


def _make_orthogonal(A: Tensor) -> Tensor:
    """The Q of A's QR decomposition, its columns signed so that R's diagonal is positive."""
    reflectors, tau = torch.geqrf(A)
    Q = torch.linalg.householder_product(reflectors, tau)
    return Q * _diag(reflectors).sgn().unsqueeze(-2)


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


def _skew_map(kind: _OrthMaps, X: Tensor) -> Tensor:
    """matrix_exp / cayley: an orthogonal matrix from the skew-symmetric A built from X's
    lower triangle (X is tall: n x k, k <= n); its first k columns."""
    n, k = X.shape[-2:]
    low = X.tril()
    if n != k:
        low = torch.cat([low, low.new_zeros(n, n - k).expand(*low.shape[:-2], -1, -1)], dim=-1)
    A = low - low.mH
    if kind is _OrthMaps.matrix_exp:
        Q = torch.matrix_exp(A)
    else:
        eye = torch.eye(n, dtype=A.dtype, device=A.device)
        Q = torch.linalg.solve(eye - 0.5 * A, eye + 0.5 * A)
    return Q[..., :k]


def _householder_map(X: Tensor) -> Tensor:
    """householder: X's strictly lower part as unit-norm-scaled reflectors, each column
    signed by X's (integer-truncated) diagonal."""
    reflectors = X.tril(diagonal=-1)
    tau = 2.0 / (1.0 + (reflectors * reflectors).sum(dim=-2))
    return torch.linalg.householder_product(reflectors, tau) * _diag(X).int().unsqueeze(-2)


class _Orthogonal(Module):
    """The orthogonal parametrization.  With ``use_trivialization`` the result is
    ``base @ map(X)`` and assigning sets ``base`` (a buffer) while X restarts at the point
    that maps to the identity."""

    base: Tensor

    def __init__(self, weight, orthogonal_map: _OrthMaps, *, use_trivialization=True) -> None:
        super().__init__()
        if orthogonal_map is _OrthMaps.householder and weight.is_complex():
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape, self.orthogonal_map = weight.shape, orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def _trivialized(self) -> bool:
        return "base" in self._buffers

    def forward(self, X: Tensor) -> Tensor:
        # work on the tall orientation; a wide matrix is its transpose's transpose
        wide = X.size(-2) < X.size(-1)
        tall = X.mT if wide else X
        if self.orthogonal_map is _OrthMaps.householder:
            Q = _householder_map(tall)
        else:
            Q = _skew_map(self.orthogonal_map, tall)
        if self._trivialized():
            Q = self.base @ Q
        return Q.mT if wide else Q

    @torch.no_grad()
    def right_inverse(self, Q: Tensor) -> Tensor:
        if Q.shape != self.shape:
            raise ValueError(
                f"Expected a matrix or batch of matrices of shape {self.shape}. Got a "
                f"tensor of shape {Q.shape}."
            )
        wide = Q.size(-2) < Q.size(-1)
        tall = Q.mT if wide else Q
        n, k = tall.shape[-2:]
        if not self._trivialized():
            if self.orthogonal_map is not _OrthMaps.householder:
                raise NotImplementedError(
                    "It is not possible to assign to the matrix exponential or the Cayley "
                    "parametrizations when use_trivialization=False."
                )
            # householder maps the QR reflectors of Q, with the diagonal's signs, back to Q
            A, tau = torch.geqrf(tall)
            signs = _diag(A).sign()
            signs = torch.where(tau == 0.0, -signs, signs)
            on_diag = torch.eye(n, k, dtype=torch.bool, device=A.device)
            A = torch.where(on_diag, signs.unsqueeze(-2), A)
            return A.mT if wide else A
        if n != k:
            # complete the columns to a square orthogonal matrix with random ones
            extra = torch.randn(*tall.shape[:-2], n, n - k, dtype=tall.dtype, device=tall.device)
            self.base = _make_orthogonal(torch.cat([tall, extra], dim=-1))
        elif _is_orthogonal(tall):
            self.base = tall.clone()
        else:
            self.base = _make_orthogonal(tall)
        # the X that every map sends to the identity (in the original orientation)
        start = torch.zeros_like(Q)
        _diag(start).fill_(-1.0)
        return start


def orthogonal(
    module: Module,
    name: str = "weight",
    orthogonal_map: str | None = None,
    *,
    use_trivialization: bool = True,
) -> Module:
    """torch.nn.utils.parametrizations.orthogonal."""
    weight = _tensor_attr(module, name)
    if weight.ndim < 2:
        raise ValueError(
            f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions."
        )
    if orthogonal_map is None:
        square = weight.size(-2) == weight.size(-1)
        orthogonal_map = "matrix_exp" if square or weight.is_complex() else "householder"
    kind = getattr(_OrthMaps, orthogonal_map, None)
    if kind is None:
        raise ValueError(
            'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". Got: '
            f"{orthogonal_map}"
        )
    orth = _Orthogonal(weight, kind, use_trivialization=use_trivialization)
    register_parametrization(module, name, orth, unsafe=True)
    return module


# ---- weight_norm --------------------------------------------------------------------------

class _WeightNorm(Module):
    """``(g, v) -> g * v / ||v||``; its right inverse splits a weight into (||w||, w)."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, g: Tensor, v: Tensor) -> Tensor:
        return _weight_norm(v, g, self.dim)

    def right_inverse(self, w: Tensor) -> tuple[Tensor, Tensor]:
        return norm_except_dim(w, 2, self.dim), w


def weight_norm(module: Module, name: str = "weight", dim: int = 0):
    """torch.nn.utils.parametrizations.weight_norm (also loads the hook version's
    ``<name>_g`` / ``<name>_v`` state_dict keys)."""
    register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def rename_old_keys(state_dict, prefix, *_) -> None:
        old = [f"{prefix}{name}_g", f"{prefix}{name}_v"]
        if all(k in state_dict for k in old):
            for i, k in enumerate(old):
                state_dict[f"{prefix}parametrizations.{name}.original{i}"] = state_dict.pop(k)

    module._register_load_state_dict_pre_hook(rename_old_keys)
    return module


# ---- spectral_norm ------------------------------------------------------------------------

class _SpectralNorm(Module):
    """``W -> W / sigma(W)``, sigma from the power-iteration estimates in the ``_u`` / ``_v``
    buffers (advanced at each call in training mode).  1-D weights are just normalized."""

    def __init__(
        self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ) -> None:
        super().__init__()
        ndim = weight.ndim
        if not -ndim <= dim < ndim:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] "
                f"but got {dim})"
            )
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but got "
                f"n_power_iterations={n_power_iterations}"
            )
        self.dim = dim % ndim
        self.eps = eps
        if ndim == 1:
            return
        self.n_power_iterations = n_power_iterations
        mat = self._reshape_weight_to_matrix(weight)
        for buf, size in (("_u", mat.size(0)), ("_v", mat.size(1))):
            self.register_buffer(buf, unit(mat.new_empty(size).normal_(0, 1), eps))
        self._power_method(mat, 15)  # start from a good estimate

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        return as_matrix(weight, self.dim)

    @torch.no_grad()
    def _power_method(self, mat: Tensor, steps: int) -> None:
        # u first, then v (the hook version updates v first)
        for _ in range(steps):
            self._u.copy_(unit(torch.mv(mat, self._v), self.eps))
            self._v.copy_(unit(torch.mv(mat.H, self._u), self.eps))

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return unit(weight, self.eps)
        mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(mat, self.n_power_iterations)
        # clones: later in-place updates of the buffers must not reach this graph
        sigma = torch.vdot(self._u.clone(), torch.mv(mat, self._v.clone()))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        # assigning W stores W itself: the estimate of sigma is kept, not solved for
        return value


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Module:
    """torch.nn.utils.parametrizations.spectral_norm."""
    weight = _tensor_attr(module, name)
    dim = output_dim(module) if dim is None else dim
    norm = _SpectralNorm(weight, n_power_iterations, dim, eps)
    register_parametrization(module, name, norm)
    return module
