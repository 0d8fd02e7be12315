"""torch.optim.SGD."""

from __future__ import annotations

from typing import Any

from .optimizer import _FusedOptimizer, cast, check_differentiable, check_lr


class SGD(_FusedOptimizer):
    """torch.optim.SGD (momentum, dampening, nesterov, weight_decay, maximize); fused per group."""

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        check_differentiable(differentiable)
        defaults: dict[str, Any] = dict(lr=lr, momentum=momentum, dampening=dampening,
                                        weight_decay=weight_decay, nesterov=nesterov,
                                        maximize=maximize, foreach=foreach,
                                        differentiable=differentiable, fused=fused)
        if nesterov and (dampening != 0 or momentum <= 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {} if group["momentum"] != 0 else None

    def _static(self, group):
        return (group["momentum"] != 0, bool(group["nesterov"]), bool(group["maximize"]),
                group["weight_decay"] != 0)

    def _hyper(self, group):
        return {"lr": group["lr"], "momentum": group["momentum"], "dampening": group["dampening"],
                "weight_decay": group["weight_decay"]}

    @staticmethod
    def _update(static, hp, p, g, st):
        has_momentum, nesterov, maximize, decay = static
        if maximize:
            g = -g
        if decay:
            g = g + cast(hp["weight_decay"], p) * p
        new = {}
        if has_momentum:
            buf = st.get("momentum_buffer")
            if buf is None:
                buf = g
            else:
                buf = buf * cast(hp["momentum"], buf) + cast(1 - hp["dampening"], buf) * g
            new["momentum_buffer"] = buf
            g = g + cast(hp["momentum"], g) * buf if nesterov else buf
        return p + cast(-hp["lr"], p) * g, new
