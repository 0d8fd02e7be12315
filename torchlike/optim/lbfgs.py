"""torch.optim.LBFGS: limited-memory BFGS with an optional strong-Wolfe line search.

The method, as torch runs it: each outer iteration turns the gradient into a search
direction with the two-loop recursion over the last ``history_size`` curvature pairs
(s = step taken, y = change of gradient; pairs with y.s <= 1e-10 are skipped), scaled by
H_diag = y.s / y.y of the newest pair.  The step length is ``lr`` (the very first one is
shrunk to lr / sum|g| when that is smaller), or comes from a strong-Wolfe search that
extrapolates by cubic interpolation until it brackets an acceptable point and then zooms in.
The loop stops on max_iter, max_eval, a small gradient, a small step or a small change of
the loss.

It is Python control flow around a few vector operations, so it runs eagerly on the
flattened parameters (jax arrays; complex parameters as (re, im) pairs).  Losses are Python
floats and dot products 0-dim arrays, exactly where torch has floats and 0-dim tensors, so
the float32/float64 arithmetic is torch's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax.numpy as jnp

from .._core import views as _views
from .._core.grad_mode import enable_grad, no_grad
from .._core.tensor import Tensor
from .optimizer import Optimizer, check_lr

__all__ = ["LBFGS"]


def _root(x):
    return jnp.sqrt(x) if hasattr(x, "dtype") else x ** 0.5


def _sup_norm(v) -> Any:
    return jnp.max(jnp.abs(v))


@dataclass
class _Probe:
    """A point tried along the search direction: step t, loss f, gradient g, slope g.d."""

    t: Any
    f: Any
    g: Any
    slope: Any


def _cubic_step(a: _Probe, b: _Probe, bounds: tuple[Any, Any] | None = None) -> Any:
    """Minimiser of the cubic through (t, f, slope) at ``a`` and ``b``, clamped to ``bounds``
    (default: between the two points); their midpoint when the cubic has no minimum."""
    lo, hi = (a, b) if a.t <= b.t else (b, a)
    left, right = bounds if bounds is not None else (lo.t, hi.t)
    # the formula is symmetric in the two points up to exact sign flips, so ordering them
    # by t changes no rounding
    d1 = lo.slope + hi.slope - 3 * (lo.f - hi.f) / (lo.t - hi.t)
    disc = d1 ** 2 - lo.slope * hi.slope
    if not disc >= 0:
        return (left + right) / 2.0
    d2 = _root(disc)
    best = hi.t - (hi.t - lo.t) * ((hi.slope + d2 - d1) / (hi.slope - lo.slope + 2 * d2))
    return min(max(best, left), right)


class _WolfeSearch:
    """Strong-Wolfe line search along ``d`` from the point ``start`` (t = 0)."""

    def __init__(self, probe: Callable[[Any], _Probe], start: _Probe, d, c1: float = 1e-4,
                 c2: float = 0.9, tolerance_change: float = 1e-9, max_ls: int = 25) -> None:
        self.probe, self.start, self.c1, self.c2 = probe, start, c1, c2
        self.tol, self.budget, self.d_norm = tolerance_change, max_ls, _sup_norm(d)
        self.tries = 0  # evaluations after the first

    def _sufficient_decrease(self, p: _Probe) -> bool:
        return not p.f > self.start.f + self.c1 * p.t * self.start.slope

    def _curvature_ok(self, p: _Probe) -> bool:
        return abs(p.slope) <= -self.c2 * self.start.slope

    def run(self, t) -> tuple[_Probe, int]:
        """The accepted point and the number of loss evaluations spent."""
        found, ends = self._bracket(t)
        if not found:
            found = self._zoom(ends)
        return found, 1 + self.tries

    def _bracket(self, t) -> tuple[_Probe | None, list[_Probe]]:
        """Grow the step until the interval [prev, cur] must hold an acceptable point."""
        prev, cur = self.start, self.probe(t)
        while self.tries < self.budget:
            if not self._sufficient_decrease(cur) or (self.tries > 1 and cur.f >= prev.f):
                return None, [prev, cur]
            if self._curvature_ok(cur):
                return cur, []
            if cur.slope >= 0:
                return None, [prev, cur]
            reach = (cur.t + 0.01 * (cur.t - prev.t), cur.t * 10)
            prev, cur = cur, self.probe(_cubic_step(prev, cur, reach))
            self.tries += 1
        # out of evaluations: the better of the start and the last point
        return None, [_Probe(0, self.start.f, self.start.g, None), cur]

    def _zoom(self, ends: list[_Probe]) -> _Probe:
        """Shrink the bracket ``ends`` around an acceptable point; the best one seen."""
        def best_first() -> tuple[int, int]:
            return (0, 1) if ends[0].f <= ends[-1].f else (1, 0)

        low, high = best_first()
        stalled = False
        while self.tries < self.budget:
            a, b = ends[0].t, ends[1].t
            if abs(b - a) * self.d_norm < self.tol:
                break
            t = _cubic_step(ends[0], ends[1])
            top, bottom = max(a, b), min(a, b)
            margin = 0.1 * (top - bottom)
            if not min(top - t, t - bottom) < margin:
                stalled = False
            elif stalled or t >= top or t <= bottom:
                # too near an end twice running, or outside: step a margin in from the end
                t = top - margin if abs(t - top) < abs(t - bottom) else bottom + margin
                stalled = False
            else:
                stalled = True
            p = self.probe(t)
            self.tries += 1
            if not self._sufficient_decrease(p) or p.f >= ends[low].f:
                ends[high] = p
                low, high = best_first()
                continue
            if self._curvature_ok(p):
                ends[low] = p
                return p
            if p.slope * (ends[high].t - ends[low].t) >= 0:
                ends[high] = ends[low]
            ends[low] = p
        return ends[low]


def _two_loop(g, steps: list, diffs: list, rho: list, h_diag, alpha: list):
    """-H g for the L-BFGS inverse-Hessian H of the stored pairs (alpha: scratch, kept)."""
    q = -g
    for i in reversed(range(len(diffs))):
        alpha[i] = jnp.dot(steps[i], q) * rho[i]
        q = q + (-alpha[i]).astype(q.dtype) * diffs[i]
    r = q * h_diag
    for i in range(len(diffs)):
        beta = jnp.dot(diffs[i], r) * rho[i]
        r = r + (alpha[i] - beta).astype(r.dtype) * steps[i]
    return r


def _as_arrays(x):
    if isinstance(x, Tensor):
        return x._data
    return [_as_arrays(v) for v in x] if isinstance(x, list) else x


def _as_tensors(x):
    if isinstance(x, list):
        return [_as_tensors(v) for v in x]
    return Tensor._make(jnp.asarray(x)) if hasattr(x, "dtype") and hasattr(x, "shape") else x


def _real_view(a):
    return jnp.stack([a.real, a.imag], -1) if jnp.iscomplexobj(a) else a


# the search state kept between step() calls, under torch's state keys
_CARRIED = ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss")


class LBFGS(Optimizer):
    """torch.optim.LBFGS (``step(closure)``; ``line_search_fn='strong_wolfe'`` or None)."""

    _tensor_step = False

    def __init__(self, params, lr: float | Tensor = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        check_lr(lr)
        defaults = {"lr": lr, "max_iter": max_iter,
                    "max_eval": max_iter * 5 // 4 if max_eval is None else max_eval,
                    "tolerance_grad": tolerance_grad, "tolerance_change": tolerance_change,
                    "history_size": history_size, "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) > 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # ------------------------------------------------------------ the flat parameter vector

    def _flat_grad(self):
        parts = []
        for p in self._params:
            if p.grad is not None:
                parts.append(_real_view(p.grad._data).reshape(-1))
                continue
            real = jnp.zeros((), p.dtype.np).real.dtype
            parts.append(jnp.zeros(p.numel() * (2 if p.is_complex() else 1), real))
        return jnp.concatenate(parts, 0)

    def _move(self, t, d) -> None:
        """Parameters += t * d (d flat, in the parameters' order)."""
        at = 0
        for p in self._params:
            a = p._data
            flat = _real_view(a)
            n = flat.size
            flat = flat + jnp.asarray(t, flat.dtype) * d[at:at + n].reshape(flat.shape)
            _views.write(p, flat[..., 0] + 1j * flat[..., 1] if jnp.iscomplexobj(a) else flat)
            at += n

    def _restore(self, arrays) -> None:
        for p, a in zip(self._params, arrays, strict=True):
            _views.write(p, a)

    def step(self, closure: Callable):
        """torch.optim.LBFGS.step: ``closure`` (required) re-evaluates the loss and gradients."""
        with no_grad():
            return self._minimise(closure)

    def _minimise(self, closure):
        opts = self.param_groups[0]
        lr = opts["lr"].item() if isinstance(opts["lr"], Tensor) else opts["lr"]
        history, tol_change = opts["history_size"], opts["tolerance_change"]

        def evaluate():
            with enable_grad():
                return closure()

        def small(g) -> bool:
            return _sup_norm(g) <= opts["tolerance_grad"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        first_loss = evaluate()
        loss, g = float(first_loss), self._flat_grad()
        evals = 1
        state["func_evals"] += 1
        if small(g):
            return first_loss
        carried = {k: _as_arrays(state.get(k)) for k in _CARRIED}
        d, t, h_diag = carried["d"], carried["t"], carried["H_diag"]
        diffs, steps, rho = carried["old_dirs"], carried["old_stps"], carried["ro"]
        prev_g, prev_loss = carried["prev_flat_grad"], carried["prev_loss"]
        for n_iter in range(1, opts["max_iter"] + 1):
            state["n_iter"] += 1
            fresh = state["n_iter"] == 1
            if fresh:
                d, h_diag = -g, 1
                diffs, steps, rho = [], [], []
            else:
                y = g - prev_g
                s = d * jnp.asarray(t, d.dtype)
                ys = jnp.dot(y, s)
                if ys > 1e-10:  # keep only pairs with positive curvature
                    if len(diffs) == history:
                        del diffs[0], steps[0], rho[0]
                    diffs.append(y)
                    steps.append(s)
                    rho.append(1.0 / ys)
                    h_diag = ys / jnp.dot(y, y)
                alpha = _as_arrays(state.setdefault("al", [None] * history))
                d = _two_loop(g, steps, diffs, rho, h_diag, alpha)
                state["al"] = _as_tensors(alpha)
            prev_g, prev_loss = g, loss
            t = min(1.0, 1.0 / jnp.sum(jnp.abs(g))) * lr if fresh else lr
            slope = jnp.dot(g, d)
            if slope > -tol_change:  # not a descent direction any more
                break
            spent = 0
            converged = False
            if opts["line_search_fn"] is not None:
                if opts["line_search_fn"] != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                found, spent = self._line_search(evaluate, d, t, _Probe(0, loss, g, slope),
                                                 opts["max_eval"] - evals)
                loss, g, t = found.f, found.g, found.t
                self._move(t, d)
                converged = small(g)
            else:
                self._move(t, d)
                if n_iter != opts["max_iter"]:
                    loss, g = float(evaluate()), self._flat_grad()
                    converged = small(g)
                    spent = 1
            evals += spent
            state["func_evals"] += spent
            if (n_iter == opts["max_iter"] or evals >= opts["max_eval"] or converged
                    or _sup_norm(d * jnp.asarray(t, d.dtype)) <= tol_change
                    or abs(loss - prev_loss) < tol_change):
                break
        carried = {"d": d, "t": t, "old_dirs": diffs, "old_stps": steps, "ro": rho,
                   "H_diag": h_diag, "prev_flat_grad": prev_g}
        state.update({k: _as_tensors(v) for k, v in carried.items()})
        state["prev_loss"] = prev_loss
        return first_loss

    def _line_search(self, evaluate, d, t, start: _Probe, budget: int):
        # torch's search keeps its own tolerance_change (1e-9), not the group's
        origin = [p._data for p in self._params]

        def probe(step) -> _Probe:
            self._move(step, d)
            f = float(evaluate())
            g = self._flat_grad()
            self._restore(origin)
            return _Probe(step, f, g, jnp.dot(g, d))

        return _WolfeSearch(probe, start, d, max_ls=budget).run(t)
