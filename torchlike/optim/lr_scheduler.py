# ruff: noqa: E501 (torch's warning and error texts stay on one line each)
"""torch.optim.lr_scheduler: torch 2.13's schedulers, as one base plus a rule per scheduler.

``LRScheduler`` does the bookkeeping every scheduler shares: ``initial_lr``/``base_lrs``,
``last_epoch``, the step-order warnings, writing the new values into the param groups,
``get_last_lr`` and a ``state_dict`` that is the instance ``__dict__`` minus the optimizer
(so its keys are torch's attribute names).  Most schedulers are ``_Rule`` subclasses that
only say how one group's lr moves: ``_factor`` (the chainable multiplier for this step, None
to keep the lr) or ``_next`` (the new lr from the current and base ones), and ``_closed`` (the
lr at ``last_epoch`` from the base lr, used when ``step(epoch)`` is given).  Learning rates
are Python doubles; each rule keeps torch's order of operations, so the values equal torch's
to the last bit.  Tensor learning rates are updated in place.
"""

from __future__ import annotations

import math
import types
import warnings
from bisect import bisect_right
from collections import Counter
from contextlib import contextmanager
from math import inf
from typing import TYPE_CHECKING, Any, Literal, SupportsFloat

from .._core.tensor import Tensor
from .optimizer import Optimizer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

__all__ = [
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "SequentialLR",
    "CosineAnnealingLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
    "CyclicLR",
    "CosineAnnealingWarmRestarts",
    "OneCycleLR",
    "PolynomialLR",
    "LRScheduler",
]

EPOCH_DEPRECATION_WARNING = "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from None, the closed form is used instead of the new chainable form, where available. Please open an issue if you are unable to replicate your use case: https://github.com/pytorch/pytorch/issues/new/choose."

_DOCS = "See more details at https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"

Lr = Any  # a float, or a 1-element Tensor for tensor learning rates


# ---------------------------------------------------------------- param-group values


def _own(value: Lr) -> Lr:
    """A value that does not alias the group's (tensor values are cloned)."""
    return value.clone() if isinstance(value, Tensor) else value


def _values(optimizer: Optimizer, key: str) -> list[Lr]:
    return [_own(g[key]) for g in optimizer.param_groups]


def _store(group: dict[str, Any], key: str, value: Lr) -> None:
    held = group[key]
    if not isinstance(held, Tensor):
        group[key] = value
        return
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        value = value.item()
    held.fill_(value)


def _per_group(name: str, optimizer: Optimizer, value: Any) -> list[Any]:
    """``value`` for each param group: a scalar repeated, or a list of the groups' length."""
    n = len(optimizer.param_groups)
    if not isinstance(value, (list, tuple)):
        value = [value] * n
    elif len(value) != n:
        raise ValueError(
            f"{name} must have the same length as optimizer.param_groups. {name} has {len(value)} values, param_groups has {n}."
        )
    return [_own(v) for v in value]


def _require_optimizer(optimizer: Any) -> None:
    if isinstance(optimizer, Optimizer):
        return
    raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def _callable_state(fn: Any) -> dict[str, Any] | None:
    """What a state_dict keeps of a user callable: a plain function is not saved, a callable
    object's attributes are."""
    if fn is None or isinstance(fn, types.FunctionType):
        return None
    return fn.__dict__.copy()


@contextmanager
def _raised(sched: LRScheduler, flag: str) -> Iterator[None]:
    setattr(sched, flag, True)
    try:
        yield
    finally:
        setattr(sched, flag, False)


def _watch_optimizer_steps(optimizer: Optimizer) -> None:
    # Optimizer.step sets ``_opt_called``; as in torch, only steps taken after the first
    # scheduler is attached count for the step-order warning.
    if not optimizer.__dict__.get("_lr_sched_attached", False):
        optimizer._lr_sched_attached = True
        optimizer._opt_called = False


def _warn_step_order(optimizer: Optimizer) -> None:
    if not getattr(optimizer.step, "_hooked", False):
        warnings.warn(
            f"Seems like `optimizer.step()` has been overridden after learning rate scheduler initialization. Please, make sure to call `optimizer.step()` before `lr_scheduler.step()`. {_DOCS}",
            UserWarning,
            stacklevel=3,
        )
    elif not getattr(optimizer, "_opt_called", False):
        warnings.warn(
            f"Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the first value of the learning rate schedule. {_DOCS}",
            UserWarning,
            stacklevel=3,
        )


def _warn_epoch_argument() -> None:
    warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=3)


def _warn_outside_step(sched: LRScheduler) -> None:
    if not sched._get_lr_called_within_step:
        warnings.warn(
            "To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
            UserWarning,
            stacklevel=2,  # torch attributes it to get_lr itself (one report per process)
        )


def _cosine(base: float, eta_min: float, t: float, period: float) -> float:
    """Half-cosine from ``base`` (t = 0) to ``eta_min`` (t = period)."""
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / period)) / 2


# ---------------------------------------------------------------- the base


class LRScheduler:
    """torch.optim.lr_scheduler.LRScheduler."""

    # flags raised while a step computes (instance attributes once set: part of the state)
    _is_initial = False
    _get_lr_called_within_step = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        _require_optimizer(optimizer)
        self.optimizer = optimizer
        groups = optimizer.param_groups
        if last_epoch == -1:
            for group in groups:
                group.setdefault("initial_lr", _own(group["lr"]))
        else:
            lacking = [i for i, group in enumerate(groups) if "initial_lr" not in group]
            if lacking:
                raise KeyError(
                    f"param 'initial_lr' is not specified in param_groups[{lacking[0]}] when resuming scheduler with last_epoch >= 0.\nThis typically happens when:\n1. You're trying to resume training from a checkpoint but haven't properly loaded the optimizer state\n2. You're using last_epoch >= 0 for a fresh training run (not recommended)"
                )
        self.base_lrs: list[Lr] = _values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        _watch_optimizer_steps(optimizer)
        self._initial_step()

    def _initial_step(self):
        self._step_count = 0
        with _raised(self, "_is_initial"):
            self.step()

    def state_dict(self) -> dict[str, Any]:
        """torch.optim.lr_scheduler.LRScheduler.state_dict: every attribute but the optimizer
        (callables and nested schedulers encoded as torch does)."""
        state = {k: v for k, v in self.__dict__.items() if k != "optimizer"}
        self._encode_state(state)
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """torch.optim.lr_scheduler.LRScheduler.load_state_dict."""
        self._decode_state(state_dict)

    def _encode_state(self, state: dict[str, Any]) -> None:
        pass

    def _decode_state(self, state: dict[str, Any]) -> None:
        vars(self).update(state)

    def _decode_all_but(self, state: dict[str, Any], key: str, give_back: bool = True) -> Any:
        """Load every entry but ``key`` and return that one (put back into ``state`` unless
        ``give_back`` is false, as torch's CyclicLR leaves it out)."""
        held = state.pop(key)
        vars(self).update(state)
        if give_back:
            state[key] = held
        return held

    def get_last_lr(self) -> list[Lr]:
        """torch.optim.lr_scheduler.LRScheduler.get_last_lr (copies of the groups' lrs)."""
        return self._last_lr

    def get_lr(self) -> list[Lr]:
        """torch.optim.lr_scheduler.LRScheduler.get_lr: the chainable form (subclasses)."""
        raise NotImplementedError

    def step(self, epoch: int | None = None) -> None:
        """torch.optim.lr_scheduler.LRScheduler.step (``epoch`` is deprecated, as in torch)."""
        if self._step_count == 1:
            _warn_step_order(self.optimizer)
        self._step_count += 1
        if epoch is not None:
            _warn_epoch_argument()
        self._advance(epoch)

    def _closed_lrs(self) -> list[Lr] | None:
        """The lrs at ``last_epoch`` in closed form; None where the scheduler has none."""
        hook = getattr(self, "_get_closed_form_lr", None)  # torch's hook, for ported subclasses
        return None if hook is None else list(hook())

    def _advance(self, epoch: int | None) -> None:
        with _raised(self, "_get_lr_called_within_step"):
            if epoch is None:
                self.last_epoch += 1
                lrs = self.get_lr()
            else:
                self.last_epoch = epoch
                closed = self._closed_lrs()
                lrs = self.get_lr() if closed is None else closed
        self._publish(lrs)

    def _publish(self, lrs: Iterable[Lr]) -> None:
        for group, lr in zip(self.optimizer.param_groups, lrs, strict=True):
            _store(group, "lr", lr)
        self._last_lr: list[Lr] = _values(self.optimizer, "lr")


class _LRScheduler(LRScheduler):
    """torch.optim.lr_scheduler._LRScheduler (the old name, kept as a subclass)."""


class _Rule(LRScheduler):
    """A scheduler given per param group: ``_next`` (chainable form) and ``_closed``.

    ``_next(i, lr)`` is group i's new lr from its current one; the base lr, where a rule
    needs it, is ``self.base_lrs[i]``.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1, **hyper: Any) -> None:
        vars(self).update(hyper)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Lr]:
        _warn_outside_step(self)
        return [self._next(i, lr) for i, lr in enumerate(_values(self.optimizer, "lr"))]

    def _next(self, i: int, lr: Lr) -> Lr:
        factor = self._factor(i)
        return lr if factor is None else lr * factor

    def _factor(self, i: int) -> float | None:
        raise NotImplementedError

    def _closed(self, base: Lr) -> Lr:
        raise NotImplementedError

    def _closed_lrs(self) -> list[Lr] | None:
        return [self._closed(base) for base in self.base_lrs]


# ---------------------------------------------------------------- rules


class _LambdaRule(_Rule):
    """Lambda-driven rules: one callable per group; callable objects' attributes are state."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        n = len(optimizer.param_groups)
        self.optimizer = optimizer
        if not isinstance(lr_lambda, (tuple, list)):
            lr_lambda = [lr_lambda] * n
        elif len(lr_lambda) != n:
            raise ValueError(f"Expected {n} lr_lambdas, but got {len(lr_lambda)}")
        self.lr_lambdas: list[Callable[[int], float]] = list(lr_lambda)
        self._check_lambdas()
        super().__init__(optimizer, last_epoch)

    def _check_lambdas(self) -> None:
        pass

    _closed_lrs = LRScheduler._closed_lrs  # no closed form: step(epoch) runs the rule

    def _encode_state(self, state):
        state["lr_lambdas"] = [_callable_state(fn) for fn in self.lr_lambdas]

    def _decode_state(self, state):
        saved = self._decode_all_but(state, "lr_lambdas")
        for fn, attrs in zip(self.lr_lambdas, saved, strict=False):
            if attrs is not None:
                fn.__dict__.update(attrs)


class LambdaLR(_LambdaRule):
    """torch.optim.lr_scheduler.LambdaLR."""

    def _next(self, i, lr):
        return self.base_lrs[i] * self.lr_lambdas[i](self.last_epoch)


class MultiplicativeLR(_LambdaRule):
    """torch.optim.lr_scheduler.MultiplicativeLR."""

    def _check_lambdas(self) -> None:
        bad = next((fn for fn in self.lr_lambdas if not callable(fn)), None)
        if bad is not None:
            raise TypeError(f"lr_lambda should be a function, but got {type(bad).__name__}")

    def _factor(self, i):
        return None if self._is_initial else self.lr_lambdas[i](self.last_epoch)


class StepLR(_Rule):
    """torch.optim.lr_scheduler.StepLR."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        super().__init__(optimizer, last_epoch, step_size=step_size, gamma=gamma)

    def _factor(self, i):
        epoch = self.last_epoch
        return self.gamma if epoch != 0 and epoch % self.step_size == 0 else None

    def _closed(self, base):
        return base * self.gamma ** (self.last_epoch // self.step_size)


class MultiStepLR(_Rule):
    """torch.optim.lr_scheduler.MultiStepLR (a milestone listed k times decays k times)."""

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        super().__init__(optimizer, last_epoch, milestones=Counter(milestones), gamma=gamma)

    def _factor(self, i):
        hits = self.milestones.get(self.last_epoch, 0)
        return self.gamma ** hits if hits else None

    def _closed(self, base):
        passed = bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return base * self.gamma ** passed


class ConstantLR(_Rule):
    """torch.optim.lr_scheduler.ConstantLR."""

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if factor < 0 or factor > 1.0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        super().__init__(optimizer, last_epoch, factor=factor, total_iters=total_iters)

    def _factor(self, i):
        if self.last_epoch == 0:
            return self.factor
        return 1.0 / self.factor if self.last_epoch == self.total_iters else None

    def _closed(self, base):
        done = self.last_epoch >= self.total_iters
        return base * (self.factor + done * (1 - self.factor))


class LinearLR(_Rule):
    """torch.optim.lr_scheduler.LinearLR."""

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        if start_factor <= 0 or start_factor > 1.0:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."
            )
        if end_factor < 0 or end_factor > 1.0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        super().__init__(optimizer, last_epoch, start_factor=start_factor,
                         end_factor=end_factor, total_iters=total_iters)

    def _factor(self, i):
        epoch, first, span = self.last_epoch, self.start_factor, self.end_factor - self.start_factor
        if epoch == 0:
            return first
        if self._is_initial or epoch > self.total_iters:
            return None
        # ratio of consecutive points of the line first + span * t / total_iters
        return 1.0 + span / (self.total_iters * first + (epoch - 1) * span)

    def _closed(self, base):
        span = self.end_factor - self.start_factor
        return base * (self.start_factor + span * min(self.total_iters, self.last_epoch)
                       / self.total_iters)


class ExponentialLR(_Rule):
    """torch.optim.lr_scheduler.ExponentialLR."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        super().__init__(optimizer, last_epoch, gamma=gamma)

    def _factor(self, i):
        return None if self._is_initial else self.gamma

    def _closed(self, base):
        return base * self.gamma ** self.last_epoch


class PolynomialLR(_Rule):
    """torch.optim.lr_scheduler.PolynomialLR."""

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        super().__init__(optimizer, last_epoch, total_iters=total_iters, power=power)

    def _factor(self, i):
        epoch, n = self.last_epoch, self.total_iters
        if self._is_initial or epoch > n:
            return None
        return ((1.0 - epoch / n) / (1.0 - (epoch - 1) / n)) ** self.power

    def _closed(self, base):
        n = self.total_iters
        return base * (1.0 - min(n, self.last_epoch) / n) ** self.power


class CosineAnnealingLR(_Rule):
    """torch.optim.lr_scheduler.CosineAnnealingLR (torch's recursive form in step())."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        super().__init__(optimizer, last_epoch, T_max=T_max, eta_min=eta_min)

    def _next(self, i, lr):
        epoch, period, low = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return lr
        if self._step_count == 1 and epoch > 0:
            return _cosine(self.base_lrs[i], low, epoch, period)
        if (epoch - 1 - period) % (2 * period) == 0:
            # the trough: the ratio form below would divide by zero
            return lr + (self.base_lrs[i] - low) * (1 - math.cos(math.pi / period)) / 2
        ratio = (1 + math.cos(math.pi * epoch / period)) / (1 + math.cos(math.pi * (epoch - 1) / period))
        return ratio * (lr - low) + low

    def _closed(self, base):
        return _cosine(base, self.eta_min, self.last_epoch, self.T_max)


class CosineAnnealingWarmRestarts(_Rule):
    """torch.optim.lr_scheduler.CosineAnnealingWarmRestarts (``step(epoch)`` may be fractional)."""

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        if not T_0 > 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if not T_mult >= 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (int, float)):
            raise ValueError(
                f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}"
            )
        super().__init__(optimizer, last_epoch, T_0=T_0, T_i=T_0, T_mult=T_mult,
                         eta_min=eta_min, T_cur=last_epoch)

    _closed_lrs = LRScheduler._closed_lrs  # step(epoch) locates the cycle itself

    def _next(self, i, lr):
        return _cosine(self.base_lrs[i], self.eta_min, self.T_cur, self.T_i)

    def _locate(self, epoch: float) -> None:
        """T_cur and T_i for an absolute epoch (cycle lengths T_0 * T_mult**k)."""
        if epoch < 0:
            raise ValueError(f"Expected non-negative epoch, but got {epoch}")
        first, mult = self.T_0, self.T_mult
        if epoch < first:
            self.T_i, self.T_cur = first, epoch
        elif mult == 1:
            self.T_cur = epoch % first
        else:
            k = int(math.log(epoch / first * (mult - 1) + 1, mult))
            self.T_cur = epoch - first * (mult ** k - 1) / (mult - 1)
            self.T_i = first * mult ** k

    def step(self, epoch: float | None = None) -> None:
        """torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.step (no step-order check)."""
        if epoch is not None:
            self._locate(epoch)
        elif self.last_epoch < 0:  # the constructor's step
            epoch = 0
            self._locate(epoch)
        else:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur %= self.T_i
                self.T_i *= self.T_mult
        self.last_epoch = math.floor(epoch)
        with _raised(self, "_get_lr_called_within_step"):
            lrs = self.get_lr()
        self._publish(lrs)


# ---------------------------------------------------------------- cycles with momentum


class _MomentumCycle(LRScheduler):
    """Schedulers that also cycle ``momentum`` (or Adam's beta1) between two bounds."""

    def _setup_momentum(self, optimizer: Optimizer, bounds: dict[str, Any],
                        last_epoch: int) -> dict[str, list[Any]]:
        """Per-group ``bounds`` (checked in the given order); at a fresh start each group's
        momentum is set to its max and the bounds are stored in the group."""
        if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
            raise ValueError(
                "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
            )
        self.use_beta1 = "betas" in optimizer.defaults
        per_group = {name: _per_group(name, optimizer, v) for name, v in bounds.items()}
        if last_epoch == -1:
            tops, bottoms = per_group["max_momentum"], per_group["base_momentum"]
            for g, top, bottom in zip(optimizer.param_groups, tops, bottoms, strict=True):
                self._put_momentum(g, top)
                g["max_momentum"], g["base_momentum"] = top, bottom
        return per_group

    def _put_momentum(self, group: dict[str, Any], value: float) -> None:
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value


_CYCLIC_MODES: dict[str, tuple[str, Callable[[float, float], float]]] = {
    "triangular": ("cycle", lambda gamma, x: 1.0),
    "triangular2": ("cycle", lambda gamma, x: 1 / 2.0 ** (x - 1)),
    "exp_range": ("iterations", lambda gamma, x: gamma ** x),
}


class CyclicLR(_MomentumCycle):
    """torch.optim.lr_scheduler.CyclicLR."""

    def __init__(
        self, optimizer: Optimizer, base_lr: float | list[float], max_lr: float | list[float],
        step_size_up: int = 2000, step_size_down: int | None = None,
        mode: Literal["triangular", "triangular2", "exp_range"] = "triangular",
        gamma: float = 1.0, scale_fn: Callable[[float], float] | None = None,
        scale_mode: Literal["cycle", "iterations"] = "cycle", cycle_momentum: bool = True,
        base_momentum: float = 0.8, max_momentum: float = 0.9, last_epoch: int = -1,
    ) -> None:
        _require_optimizer(optimizer)
        self.optimizer = optimizer
        base_lrs = _per_group("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for g, lr in zip(optimizer.param_groups, base_lrs, strict=True):
                _store(g, "lr", lr)
        self.max_lrs = _per_group("max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = up if step_size_down is None else float(step_size_down)
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if scale_fn is None and mode not in _CYCLIC_MODES:
            raise ValueError("mode is invalid and scale_fn is None")
        vars(self).update(mode=mode, gamma=gamma, _scale_fn_custom=scale_fn,
                          scale_mode=scale_mode)
        self._sync_scale_mode()
        vars(self)["cycle_momentum"] = cycle_momentum
        if cycle_momentum:
            bounds = self._setup_momentum(
                optimizer, {"base_momentum": base_momentum, "max_momentum": max_momentum},
                last_epoch)
            self.base_momentums = bounds["base_momentum"]
            self.max_momentums = bounds["max_momentum"]
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _sync_scale_mode(self) -> None:
        # a built-in mode fixes what its scale function counts (cycles or iterations)
        if self._scale_fn_custom is None:
            self.scale_mode = _CYCLIC_MODES[self.mode][0]

    def scale_fn(self, x: float) -> float:
        """torch.optim.lr_scheduler.CyclicLR.scale_fn: the user's, or the mode's."""
        custom = self._scale_fn_custom
        if custom is None:
            return _CYCLIC_MODES[self.mode][1](self.gamma, x)
        return custom(x)

    def get_lr(self) -> list[Lr]:
        _warn_outside_step(self)
        it, size, ratio = self.last_epoch, self.total_size, self.step_ratio
        cycle = math.floor(1 + it / size)
        x = 1.0 + it / size - cycle  # position within the cycle, in [0, 1)
        rise = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else it)
        lrs = [low + (high - low) * rise * scale
               for low, high in zip(self.base_lrs, self.max_lrs, strict=True)]
        if self.cycle_momentum:
            bounds = zip(self.optimizer.param_groups, self.base_momentums, self.max_momentums,
                         strict=True)
            for g, low, high in bounds:
                self._put_momentum(g, high - (high - low) * rise * scale)
        return lrs

    def _encode_state(self, state):
        state["_scale_fn_custom"] = _callable_state(state["_scale_fn_custom"])

    def _decode_state(self, state):
        attrs = self._decode_all_but(state, "_scale_fn_custom", give_back=False)
        if attrs is not None:
            self._scale_fn_custom.__dict__.update(attrs)
        self._sync_scale_mode()


def _anneal_cos(start: float, end: float, pct: float) -> float:
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


def _anneal_linear(start: float, end: float, pct: float) -> float:
    return start + (end - start) * pct


_ANNEAL = {"cos": _anneal_cos, "linear": _anneal_linear}


class OneCycleLR(_MomentumCycle):
    """torch.optim.lr_scheduler.OneCycleLR."""

    def __init__(
        self, optimizer: Optimizer, max_lr: float | list[float], total_steps: int | None = None,
        epochs: int | None = None, steps_per_epoch: int | None = None, pct_start: float = 0.3,
        anneal_strategy: Literal["cos", "linear"] = "cos", cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85, max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0, final_div_factor: float = 10000.0, three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        _require_optimizer(optimizer)
        self.optimizer = optimizer
        self.total_steps = self._count_steps(total_steps, epochs, steps_per_epoch)
        if pct_start > 1 or pct_start < 0 or not isinstance(pct_start, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in _ANNEAL:
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        vars(self).update(_schedule_phases=self._phases(pct_start, three_phase),
                          _anneal_func_type=anneal_strategy)
        max_lrs = _per_group("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for g, top in zip(optimizer.param_groups, max_lrs, strict=True):
                g["initial_lr"] = top / div_factor
                g["max_lr"] = top
                g["min_lr"] = g["initial_lr"] / final_div_factor
        vars(self)["cycle_momentum"] = cycle_momentum
        if cycle_momentum:
            self._setup_momentum(
                optimizer, {"max_momentum": max_momentum, "base_momentum": base_momentum},
                last_epoch)
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _count_steps(total: int | None, epochs: int | None, per_epoch: int | None) -> int:
        if total is not None:
            if not total > 0 or not isinstance(total, int):
                raise ValueError(f"Expected positive integer total_steps, but got {total}")
            return total
        if epochs is None or per_epoch is None:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not (isinstance(epochs, int) and epochs > 0):
            raise ValueError(f"Expected positive integer epochs, but got {epochs}")
        if not (isinstance(per_epoch, int) and per_epoch > 0):
            raise ValueError(f"Expected positive integer steps_per_epoch, but got {per_epoch}")
        return epochs * per_epoch

    def _phases(self, pct_start: float, three_phase: bool) -> list[dict[str, Any]]:
        """Each phase: the step it ends at and the group keys it anneals between."""
        warm = float(pct_start * self.total_steps) - 1
        last = self.total_steps - 1
        if three_phase:
            rows = [(warm, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                    (float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr",
                     "base_momentum", "max_momentum"),
                    (last, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        else:
            rows = [(warm, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                    (last, "max_lr", "min_lr", "base_momentum", "max_momentum")]
        keys = ("end_step", "start_lr", "end_lr", "start_momentum", "end_momentum")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def _anneal_func(self, start: float, end: float, pct: float) -> float:
        kind = getattr(self, "_anneal_func_type", None)
        if kind is None:  # schedulers pickled before torch named the strategy
            return self.anneal_func(start, end, pct)
        if kind not in _ANNEAL:
            raise ValueError(f"Unknown _anneal_func_type: {kind}")
        return _ANNEAL[kind](start, end, pct)

    def get_lr(self) -> list[Lr]:
        _warn_outside_step(self)
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"Tried to step {step} times. The specified number of total steps is {self.total_steps}"
            )
        # the phase holding this step (the last one takes any overrun) and its fraction done
        begin, phase = 0.0, self._schedule_phases[-1]
        for candidate in self._schedule_phases[:-1]:
            if step <= candidate["end_step"]:
                phase = candidate
                break
            begin = candidate["end_step"]
        pct = (step - begin) / (phase["end_step"] - begin)
        lrs = []
        for g in self.optimizer.param_groups:
            lrs.append(self._anneal_func(g[phase["start_lr"]], g[phase["end_lr"]], pct))
            if self.cycle_momentum:
                self._put_momentum(g, self._anneal_func(
                    g[phase["start_momentum"]], g[phase["end_momentum"]], pct))
        return lrs


# ---------------------------------------------------------------- on a metric


class ReduceLROnPlateau(LRScheduler):
    """torch.optim.lr_scheduler.ReduceLROnPlateau."""

    def __init__(
        self, optimizer: Optimizer, mode: Literal["min", "max"] = "min", factor: float = 0.1,
        patience: int = 10, threshold: float = 1e-4,
        threshold_mode: Literal["rel", "abs"] = "rel", cooldown: int = 0,
        min_lr: list[float] | float = 0, eps: float = 1e-8,
    ) -> None:
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        self.factor = factor
        _require_optimizer(optimizer)
        self.optimizer = optimizer
        n = len(optimizer.param_groups)
        if not isinstance(min_lr, (tuple, list)):
            self.default_min_lr: float | None = min_lr
            self.min_lrs = [min_lr] * n
        elif len(min_lr) != n:
            raise ValueError(f"expected {n} min_lrs, got {len(min_lr)}")
        else:
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        self.patience, self.cooldown, self.eps = patience, cooldown, eps
        self.last_epoch = 0
        self._last_lr = _values(optimizer, "lr")
        self._init_is_better(mode=mode, threshold=threshold, threshold_mode=threshold_mode)
        self._reset()

    def _reset(self) -> None:
        self.best = self.mode_worse
        self.cooldown_counter = self.num_bad_epochs = 0

    @property
    def in_cooldown(self) -> bool:
        """torch.optim.lr_scheduler.ReduceLROnPlateau.in_cooldown."""
        return not self.cooldown_counter <= 0

    def step(self, metrics: SupportsFloat, epoch: int | None = None) -> None:  # type: ignore[override]
        """torch.optim.lr_scheduler.ReduceLROnPlateau.step: one epoch's metric."""
        value = float(metrics)
        if epoch is not None:
            _warn_epoch_argument()
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        if self._is_better(value, self.best):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:  # bad epochs during a cooldown don't count
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.patience < self.num_bad_epochs:
            self._reduce_lr(self.last_epoch)
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = _values(self.optimizer, "lr")

    def _reduce_lr(self, epoch: int) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):  # groups were added since construction
            fallback = self.default_min_lr
            if fallback is None:
                raise RuntimeError(
                    f"The number of param groups in the `optimizer` ({len(groups)}) differs from when `ReduceLROnPlateau` was initialized ({len(self.min_lrs)}), usually due to a new param group being added to the optimizer. Please modify the `min_lrs` field to match the length of the `optimizer` param groups."
                )
            self.min_lrs = [fallback] * len(groups)
        for g, floor in zip(groups, self.min_lrs, strict=True):
            old = float(g["lr"])
            new = max(old * self.factor, floor)
            if old - new > self.eps:
                _store(g, "lr", new)

    def _is_better(self, a: float, best: float) -> bool:
        up = self.mode == "max"
        if self.threshold_mode == "rel":
            bar = best * (1.0 + self.threshold if up else 1.0 - self.threshold)
        else:
            bar = best + self.threshold if up else best - self.threshold
        return a > bar if up else a < bar

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in ("min", "max"):
            raise ValueError("mode " + mode + " is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError("threshold mode " + threshold_mode + " is unknown!")
        self.mode_worse = inf if mode == "min" else -inf
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode

    def _decode_state(self, state):
        super()._decode_state(state)
        self._init_is_better(mode=self.mode, threshold=self.threshold,
                             threshold_mode=self.threshold_mode)


# ---------------------------------------------------------------- composites


class _Composite(LRScheduler):
    """Schedulers driving other schedulers of one optimizer (their states nest)."""

    _schedulers: Sequence[LRScheduler]

    def _adopt(self, optimizer: Optimizer, schedulers: Sequence[LRScheduler]) -> None:
        me = type(self).__name__
        for idx, s in enumerate(schedulers):
            if not hasattr(s, "optimizer"):
                raise TypeError(f"{me} at index {idx} should have `optimizer` as its attribute.")
            if isinstance(s, ReduceLROnPlateau):
                raise ValueError(
                    f"{me} does not support `ReduceLROnPlateau` scheduler as it requires additional kwargs to be specified when calling `step`, but got one at index {idx} in the given schedulers sequence."
                )
            if optimizer != s.optimizer:
                raise ValueError(
                    f"{me} expects all schedulers to belong to the same optimizer, but got scheduler {type(s).__name__} at index {idx} has {s.optimizer}, which is different from {type(optimizer).__name__}."
                )

    def _encode_state(self, state):
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]

    def _decode_state(self, state):
        inner = self._decode_all_but(state, "_schedulers")
        for s, sd in zip(self._schedulers, inner, strict=False):
            s.load_state_dict(sd)


class SequentialLR(_Composite):
    """torch.optim.lr_scheduler.SequentialLR."""

    def __init__(self, optimizer: Optimizer, schedulers: list[LRScheduler], milestones: list[int],
                 last_epoch: int = -1) -> None:
        if not schedulers:
            raise ValueError(
                f"{type(self).__name__} expects at least one scheduler, but got no scheduler."
            )
        self._adopt(optimizer, schedulers)
        if len(schedulers) != len(milestones) + 1:
            raise ValueError(
                f"Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers {len(schedulers)} and the number of milestones to be equal to {len(milestones)}"
            )
        self._schedulers, self._milestones = schedulers, milestones
        self.last_epoch = 1 + last_epoch
        self.optimizer = optimizer
        # the children's constructors already stepped the lrs: start over from initial_lr
        for g in optimizer.param_groups:
            _store(g, "lr", g["initial_lr"])
        self.recursive_undo()
        first = self._schedulers[bisect_right(milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def recursive_undo(self, sched: LRScheduler | None = None) -> None:
        """torch.optim.lr_scheduler.SequentialLR.recursive_undo: un-count the initial steps."""
        target: Any = self if sched is None else sched
        if hasattr(target, "_schedulers"):
            for child in target._schedulers:
                self.recursive_undo(child)
        elif hasattr(target, "last_epoch"):
            target.last_epoch -= 1

    def step(self) -> None:  # type: ignore[override]  # no epoch argument, as in torch
        """torch.optim.lr_scheduler.SequentialLR.step."""
        self.last_epoch += 1
        which = bisect_right(self._milestones, self.last_epoch)
        current = self._schedulers[which]
        if which and self._milestones[which - 1] == self.last_epoch:
            current._advance(0)  # a fresh start of the next scheduler, in closed form
        else:
            current.step()
        self._last_lr = current.get_last_lr()


class ChainedScheduler(_Composite):
    """torch.optim.lr_scheduler.ChainedScheduler."""

    def __init__(self, schedulers: Sequence[LRScheduler],
                 optimizer: Optimizer | None = None) -> None:
        if not schedulers:
            raise ValueError(
                f"{type(self).__name__} expects at least one scheduler to be chained, but got no scheduler."
            )
        optimizer = optimizer if optimizer else schedulers[0].optimizer
        self._adopt(optimizer, schedulers)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = _values(schedulers[-1].optimizer, "lr")

    def step(self) -> None:  # type: ignore[override]  # no epoch argument, as in torch
        """torch.optim.lr_scheduler.ChainedScheduler.step: every scheduler, in order."""
        for s in self._schedulers:
            s.step()
        self._last_lr = _values(self._schedulers[-1].optimizer, "lr")
