"""torch.optim.Adam, AdamW, Adamax, NAdam, RAdam (torch's single-tensor updates, fused)."""

from __future__ import annotations

import jax.numpy as jnp

from .._core.tensor import Tensor
from .optimizer import (
    _FusedOptimizer,
    _scalar_tensor,
    cast,
    check_betas,
    check_differentiable,
    check_lr,
    lerp,
)


def _zeros(p: Tensor) -> Tensor:
    return Tensor._make(jnp.zeros(p.shape, p.dtype.np), p.dtype)


def _check_common(lr, eps, betas, weight_decay, differentiable) -> None:
    check_lr(lr)
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    check_betas(betas)
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
    check_differentiable(differentiable)


def _decay(static_decay, decoupled, hp, p, g):
    """torch's weight decay: L2 into the gradient, or AdamW-style decoupled shrinking."""
    if static_decay:
        if decoupled:
            p = p * cast(1 - hp["lr"] * hp["weight_decay"], p)
        else:
            g = g + cast(hp["weight_decay"], p) * p
    return p, g


class Adam(_FusedOptimizer):
    """torch.optim.Adam (amsgrad, weight_decay, decoupled_weight_decay, maximize); fused."""

    def __init__(self, params, lr: float | Tensor = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        _check_common(lr, eps, betas, weight_decay, differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        st = {"step": _scalar_tensor(0.0), "exp_avg": _zeros(p), "exp_avg_sq": _zeros(p)}
        if group["amsgrad"]:
            st["max_exp_avg_sq"] = _zeros(p)
        return st

    def _static(self, group):
        return (bool(group["amsgrad"]), bool(group["maximize"]), group["weight_decay"] != 0,
                bool(group.get("decoupled_weight_decay", False)))

    def _hyper(self, group):
        b1, b2 = group["betas"]
        return {"lr": group["lr"], "beta1": b1, "beta2": b2, "eps": group["eps"],
                "weight_decay": group["weight_decay"]}

    @staticmethod
    def _update(static, hp, p, g, st):
        amsgrad, maximize, decay, decoupled = static
        if maximize:
            g = -g
        step_t = st["step"] + 1
        p, g = _decay(decay, decoupled, hp, p, g)
        b1, b2 = hp["beta1"], hp["beta2"]
        m = lerp(st["exp_avg"], g, 1 - b1)
        v = st["exp_avg_sq"] * cast(b2, g) + cast(1 - b2, g) * g * g
        step = step_t.astype(jnp.float64)
        step_size = hp["lr"] / (1 - b1 ** step)
        bc2_sqrt = (1 - b2 ** step) ** 0.5
        new = {"step": step_t, "exp_avg": m, "exp_avg_sq": v}
        if amsgrad:
            vmax = jnp.maximum(st["max_exp_avg_sq"], v)
            new["max_exp_avg_sq"] = vmax
            denom = jnp.sqrt(vmax) / cast(bc2_sqrt, p) + cast(hp["eps"], p)
        else:
            denom = jnp.sqrt(v) / cast(bc2_sqrt, p) + cast(hp["eps"], p)
        return p + cast(-step_size, p) * m / denom, new


class AdamW(Adam):
    """torch.optim.AdamW: Adam with decoupled weight decay (default 1e-2); fused per group."""

    def __init__(self, params, lr: float | Tensor = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True


class Adamax(_FusedOptimizer):
    """torch.optim.Adamax (infinity-norm Adam); fused per group."""

    def __init__(self, params, lr: float | Tensor = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        _check_common(lr, eps, betas, weight_decay, differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": _scalar_tensor(0.0), "exp_avg": _zeros(p), "exp_inf": _zeros(p)}

    def _static(self, group):
        return (bool(group["maximize"]), group["weight_decay"] != 0)

    def _hyper(self, group):
        b1, b2 = group["betas"]
        return {"lr": group["lr"], "beta1": b1, "beta2": b2, "eps": group["eps"],
                "weight_decay": group["weight_decay"]}

    @staticmethod
    def _update(static, hp, p, g, st):
        maximize, decay = static
        if maximize:
            g = -g
        step_t = st["step"] + 1
        p, g = _decay(decay, False, hp, p, g)
        m = lerp(st["exp_avg"], g, 1 - hp["beta1"])
        u = jnp.maximum(st["exp_inf"] * cast(hp["beta2"], g), jnp.abs(g) + cast(hp["eps"], g))
        clr = hp["lr"] / (1 - hp["beta1"] ** step_t.astype(jnp.float64))
        return p + cast(-clr, p) * m / u, {"step": step_t, "exp_avg": m, "exp_inf": u}


class NAdam(_FusedOptimizer):
    """torch.optim.NAdam (momentum_decay, decoupled_weight_decay); fused per group."""

    def __init__(self, params, lr: float | Tensor = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_common(lr, eps, betas, weight_decay, differentiable)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": _scalar_tensor(0.0), "mu_product": _scalar_tensor(1.0),
                "exp_avg": _zeros(p), "exp_avg_sq": _zeros(p)}

    def _static(self, group):
        return (bool(group["maximize"]), group["weight_decay"] != 0,
                bool(group["decoupled_weight_decay"]))

    def _hyper(self, group):
        b1, b2 = group["betas"]
        return {"lr": group["lr"], "beta1": b1, "beta2": b2, "eps": group["eps"],
                "weight_decay": group["weight_decay"], "momentum_decay": group["momentum_decay"]}

    @staticmethod
    def _update(static, hp, p, g, st):
        maximize, decay, decoupled = static
        if maximize:
            g = -g
        step_t = st["step"] + 1
        step = step_t.astype(jnp.float64)
        b1, b2, lr = hp["beta1"], hp["beta2"], hp["lr"]
        bc2 = 1 - b2 ** step
        p, g = _decay(decay, decoupled, hp, p, g)
        mu = b1 * (1.0 - 0.5 * (0.96 ** (step * hp["momentum_decay"])))
        mu_next = b1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * hp["momentum_decay"])))
        mu_product = st["mu_product"] * mu.astype(st["mu_product"].dtype)
        m = lerp(st["exp_avg"], g, 1 - b1)
        v = st["exp_avg_sq"] * cast(b2, g) + cast(1 - b2, g) * g * g
        denom = jnp.sqrt(v / cast(bc2, v)) + cast(hp["eps"], v)
        mp = mu_product.astype(jnp.float64)
        mu_product_next = mp * mu_next
        p = p + cast(-lr * (1.0 - mu) / (1.0 - mp), p) * g / denom
        p = p + cast((-lr * mu_next) / (1.0 - mu_product_next), p) * m / denom
        return p, {"step": step_t, "mu_product": mu_product, "exp_avg": m, "exp_avg_sq": v}


class RAdam(_FusedOptimizer):
    """torch.optim.RAdam (rectified Adam; decoupled_weight_decay); fused per group."""

    def __init__(self, params, lr: float | Tensor = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_common(lr, eps, betas, weight_decay, differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": _scalar_tensor(0.0), "exp_avg": _zeros(p), "exp_avg_sq": _zeros(p)}

    def _static(self, group):
        return (bool(group["maximize"]), group["weight_decay"] != 0,
                bool(group["decoupled_weight_decay"]))

    def _hyper(self, group):
        b1, b2 = group["betas"]
        return {"lr": group["lr"], "beta1": b1, "beta2": b2, "eps": group["eps"],
                "weight_decay": group["weight_decay"]}

    @staticmethod
    def _update(static, hp, p, g, st):
        maximize, decay, decoupled = static
        if maximize:
            g = -g
        step_t = st["step"] + 1
        step = step_t.astype(jnp.float64)
        b1, b2 = hp["beta1"], hp["beta2"]
        p, g = _decay(decay, decoupled, hp, p, g)
        m = lerp(st["exp_avg"], g, 1 - b1)
        v = st["exp_avg_sq"] * cast(b2, g) + cast(1 - b2, g) * g * g
        bc1 = 1 - b1 ** step
        bc2 = 1 - b2 ** step
        bcm = m / cast(bc1, m)
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * step * (b2 ** step) / bc2
        rect = jnp.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        adaptive = cast(bc2 ** 0.5, v) / (jnp.sqrt(v) + cast(hp["eps"], v))
        lr = cast(hp["lr"], p)
        rectified = p - bcm * lr * adaptive * cast(rect, p)
        plain = p - bcm * lr
        p = jnp.where(rho_t > 5.0, rectified, plain)
        return p, {"step": step_t, "exp_avg": m, "exp_avg_sq": v}
