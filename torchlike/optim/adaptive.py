"""torch.optim.RMSprop, Adagrad, Adadelta, ASGD, Rprop (torch's single-tensor updates, fused)."""

from __future__ import annotations

import jax.numpy as jnp

from .._core.tensor import Tensor
from .adam import _zeros
from .optimizer import _FusedOptimizer, _scalar_tensor, cast, check_differentiable, check_lr, lerp


def _full(p: Tensor, value: float) -> Tensor:
    v = complex(value, value) if p.dtype.is_complex else value
    return Tensor._make(jnp.full(p.shape, v, p.dtype.np), p.dtype)


def _l2(static_decay, hp, p, g):
    return g + cast(hp["weight_decay"], p) * p if static_decay else g


class RMSprop(_FusedOptimizer):
    """torch.optim.RMSprop (centered, momentum, weight_decay, maximize); fused per group."""

    def __init__(self, params, lr: float | Tensor = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        check_differentiable(differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        st = {"step": _scalar_tensor(0.0), "square_avg": _zeros(p)}
        if group["momentum"] > 0:
            st["momentum_buffer"] = _zeros(p)
        if group["centered"]:
            st["grad_avg"] = _zeros(p)
        return st

    def _static(self, group):
        return (bool(group["maximize"]), group["weight_decay"] != 0, bool(group["centered"]),
                group["momentum"] > 0)

    def _hyper(self, group):
        return {k: group[k] for k in ("lr", "alpha", "eps", "weight_decay", "momentum")}

    @staticmethod
    def _update(static, hp, p, g, st):
        maximize, decay, centered, has_momentum = static
        if maximize:
            g = -g
        new = {"step": st["step"] + 1}
        g = _l2(decay, hp, p, g)
        sq = st["square_avg"] * cast(hp["alpha"], g) + cast(1 - hp["alpha"], g) * g * g
        new["square_avg"] = sq
        if centered:
            ga = lerp(st["grad_avg"], g, 1 - hp["alpha"])
            new["grad_avg"] = ga
            avg = jnp.sqrt(sq + (-ga) * ga)
        else:
            avg = jnp.sqrt(sq)
        avg = avg + cast(hp["eps"], g)
        if has_momentum:
            buf = st["momentum_buffer"] * cast(hp["momentum"], g) + g / avg
            new["momentum_buffer"] = buf
            return p + cast(-hp["lr"], p) * buf, new
        return p + cast(-hp["lr"], p) * g / avg, new


class Adagrad(_FusedOptimizer):
    """torch.optim.Adagrad (lr_decay, initial_accumulator_value); fused per group.

    Sparse gradients do not exist in torchlike, so only the dense update is implemented.
    """

    def __init__(self, params, lr: float | Tensor = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_differentiable(differentiable)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        # torch creates Adagrad's state eagerly, at construction.
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = self._init_state(p, group)

    def _init_state(self, p, group):
        return {"step": _scalar_tensor(0.0), "sum": _full(p, group["initial_accumulator_value"])}

    def _static(self, group):
        return (bool(group["maximize"]), group["weight_decay"] != 0)

    def _hyper(self, group):
        return {k: group[k] for k in ("lr", "lr_decay", "eps", "weight_decay")}

    @staticmethod
    def _update(static, hp, p, g, st):
        maximize, decay = static
        step_t = st["step"] + 1
        step = step_t.astype(jnp.float64)
        if maximize:
            g = -g
        g = _l2(decay, hp, p, g)
        clr = hp["lr"] / (1 + (step - 1) * hp["lr_decay"])
        s = st["sum"] + g * g
        std = jnp.sqrt(s) + cast(hp["eps"], s)
        return p + cast(-clr, p) * g / std, {"step": step_t, "sum": s}


class Adadelta(_FusedOptimizer):
    """torch.optim.Adadelta; fused per group."""

    def __init__(self, params, lr: float | Tensor = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        check_differentiable(differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": _scalar_tensor(0.0), "square_avg": _zeros(p), "acc_delta": _zeros(p)}

    def _static(self, group):
        return (bool(group["maximize"]), group["weight_decay"] != 0)

    def _hyper(self, group):
        return {k: group[k] for k in ("lr", "rho", "eps", "weight_decay")}

    @staticmethod
    def _update(static, hp, p, g, st):
        maximize, decay = static
        if maximize:
            g = -g
        g = _l2(decay, hp, p, g)
        rho, eps = cast(hp["rho"], g), cast(hp["eps"], g)
        one_m_rho = cast(1 - hp["rho"], g)
        sq = st["square_avg"] * rho + one_m_rho * g * g
        std = jnp.sqrt(sq + eps)
        delta = jnp.sqrt(st["acc_delta"] + eps) / std * g
        acc = st["acc_delta"] * rho + one_m_rho * delta * delta
        return p + cast(-hp["lr"], p) * delta, {"step": st["step"] + 1, "square_avg": sq,
                                                 "acc_delta": acc}


class ASGD(_FusedOptimizer):
    """torch.optim.ASGD (averaged SGD; the average is state['ax']); fused per group."""

    def __init__(self, params, lr: float | Tensor = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        check_lr(lr)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        check_differentiable(differentiable)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        lr = group["lr"]
        return {"step": _scalar_tensor(0.0),
                "eta": _scalar_tensor(float(lr.item() if isinstance(lr, Tensor) else lr)),
                "mu": _scalar_tensor(1.0), "ax": _zeros(p)}

    def _static(self, group):
        return (bool(group["maximize"]), group["weight_decay"] != 0)

    def _hyper(self, group):
        return {k: group[k] for k in ("lr", "lambd", "alpha", "t0", "weight_decay")}

    @staticmethod
    def _update(static, hp, p, g, st):
        maximize, decay = static
        if maximize:
            g = -g
        step_t = st["step"] + 1
        g = _l2(decay, hp, p, g)
        eta = st["eta"].astype(jnp.float64)
        p = p * cast(1 - hp["lambd"] * eta, p)
        p = p + cast(-eta, p) * g
        mu = st["mu"]
        ax = jnp.where(mu != 1, st["ax"] + (p - st["ax"]) * mu.astype(p.dtype), p)
        step = step_t.astype(jnp.float64)
        lr = hp["lr"]
        new_eta = (lr / ((1 + hp["lambd"] * lr * step) ** hp["alpha"])).astype(jnp.float32)
        new_mu = (1 / jnp.maximum(1.0, step - hp["t0"])).astype(jnp.float32)
        return p, {"step": step_t, "eta": new_eta, "mu": new_mu, "ax": ax}


class Rprop(_FusedOptimizer):
    """torch.optim.Rprop (resilient backpropagation); fused per group."""

    def __init__(self, params, lr: float | Tensor = 1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50),
                 *, capturable: bool = False, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False) -> None:
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        check_differentiable(differentiable)
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        lr = group["lr"]
        return {"step": _scalar_tensor(0.0), "prev": _zeros(p),
                "step_size": _full_real(p, float(lr.item() if isinstance(lr, Tensor) else lr))}

    def _static(self, group):
        return (bool(group["maximize"]),)

    def _hyper(self, group):
        (em, ep), (smin, smax) = group["etas"], group["step_sizes"]
        return {"etaminus": em, "etaplus": ep, "step_size_min": smin, "step_size_max": smax}

    @staticmethod
    def _update(static, hp, p, g, st):
        (maximize,) = static
        if maximize:
            g = -g
        prev, ss = st["prev"], st["step_size"]
        etaminus, etaplus = cast(hp["etaminus"], g), cast(hp["etaplus"], g)
        sign = jnp.sign(g * prev)
        sign = jnp.where(sign > 0, etaplus, sign)
        sign = jnp.where(sign < 0, etaminus, sign)
        sign = jnp.where(sign == 0, jnp.ones((), g.dtype), sign)
        ss = jnp.clip(ss * sign, cast(hp["step_size_min"], ss), cast(hp["step_size_max"], ss))
        g = jnp.where(sign == etaminus, jnp.zeros((), g.dtype), g)
        p = p + (-jnp.sign(g)) * ss
        return p, {"step": st["step"] + 1, "prev": g, "step_size": ss}


def _full_real(p: Tensor, value: float) -> Tensor:
    """torch's ``full_like(grad, lr)``: a complex parameter's step sizes are lr + 0j."""
    return Tensor._make(jnp.full(p.shape, value, p.dtype.np), p.dtype)
