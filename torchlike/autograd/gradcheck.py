"""torch.autograd.gradcheck / gradgradcheck: analytic vs finite-difference gradients."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .._core.grad_mode import enable_grad, no_grad
from .._core.tensor import Tensor


class GradcheckError(RuntimeError):
    """torch.autograd.gradcheck.GradcheckError."""


def _outputs(fn, inputs):
    out = fn(*inputs)
    return (out,) if isinstance(out, Tensor) else tuple(o for o in out if isinstance(o, Tensor))


def _numerical(fn, inputs, k, eps):
    """d(outputs)/d(inputs[k]) by central differences: a list of (out_numel, in_numel) arrays."""
    x = inputs[k]
    base = np.array(x.detach().numpy(), dtype=x.detach().numpy().dtype)
    cols = []
    for i in range(base.size):
        vals = []
        for sign in (1, -1):
            pert = base.copy().reshape(-1)
            pert[i] += sign * eps
            xi = Tensor._make(jnp.asarray(pert.reshape(base.shape)), x._dtype)
            xi._requires_grad = x._requires_grad
            args = list(inputs)
            args[k] = xi
            with no_grad():
                vals.append([np.asarray(o.detach().numpy(), dtype=np.complex128 if o.is_complex()
                                        else np.float64).reshape(-1) for o in _outputs(fn, args)])
        cols.append([(p - m) / (2 * eps) for p, m in zip(vals[0], vals[1], strict=False)])
    n_out = len(cols[0]) if cols else 0
    return [np.stack([c[j] for c in cols], axis=1) if cols else None for j in range(n_out)]


def _analytical(fn, inputs, k):
    from . import grad

    with enable_grad():
        outs = _outputs(fn, inputs)
        jacs = []
        for o in outs:
            flat = o.reshape(-1)
            rows = []
            for i in range(flat.numel()):
                if not o.requires_grad:
                    rows.append(np.zeros(inputs[k].numel()))
                    continue
                (g,) = grad((flat[i],), (inputs[k],), retain_graph=True, allow_unused=True)
                rows.append(np.zeros(inputs[k].numel()) if g is None else
                            np.asarray(g.detach().numpy(), dtype=np.float64).reshape(-1))
            jacs.append(np.stack(rows) if rows else np.zeros((0, inputs[k].numel())))
    return jacs


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False,
              check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
              check_backward_ad: bool = True, fast_mode: bool = False, masked=None) -> bool:
    """torch.autograd.gradcheck: compare autograd's Jacobian with central finite differences."""
    from .._ops.creation import tensor

    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    with enable_grad():
        differentiable = any(o.requires_grad for o in _outputs(func, inputs))
    for k, x in enumerate(inputs):
        if not (isinstance(x, Tensor) and x.requires_grad):
            continue
        if x.dtype.name not in ("float64", "complex128"):
            import warnings

            warnings.warn(f"Input #{k} requires gradient and is not a double precision floating "
                          "point or complex. This check will likely fail if all the inputs are not "
                          "of double precision floating point or complex.", stacklevel=2)
        num = _numerical(func, inputs, k, eps)
        if not differentiable:
            if any(n is not None and np.any(n != 0) for n in num):
                return _fail(raise_exception, "Numerical gradient for function expected to be zero")
            continue
        ana = _analytical(func, inputs, k)
        for j, (n, a) in enumerate(zip(num, ana, strict=False)):
            if n is None:
                continue
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                # torch shows the Jacobians as (input numel, output numel) tensors.
                n, a = (tensor(m.T.copy(), dtype=x.dtype) for m in (n, a))
                return _fail(raise_exception, f"Jacobian mismatch for output {j} with respect to "
                                              f"input {k},\nnumerical:{n}\nanalytical:{a}\n")
    return True


def _fail(raise_exception: bool, msg: str) -> bool:
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, nondet_tol: float = 0.0,
                  check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, check_fwd_over_rev: bool = False,
                  check_rev_over_rev: bool = True, fast_mode: bool = False,
                  masked: bool = False) -> bool:
    """torch.autograd.gradgradcheck: gradcheck of the function's vector-Jacobian product."""
    from .._ops.creation import tensor
    from . import grad

    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    with no_grad():
        outs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(tensor(rng.standard_normal(tuple(o.shape)), dtype=o.dtype)
                             for o in outs)
    else:
        grad_outputs = (grad_outputs,) if isinstance(grad_outputs, Tensor) else tuple(grad_outputs)
    diff_idx = [k for k, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def vjp_fn(*xs):
        with enable_grad():
            o = _outputs(func, xs)
            gs = grad(o, tuple(xs[k] for k in diff_idx), grad_outputs, create_graph=True,
                      allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(vjp_fn, inputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
