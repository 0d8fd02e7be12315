"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode."""

from __future__ import annotations

import functools

# One mutable cell read on every op; a list is cheaper to read than a thread-local.
GRAD_ENABLED = [True]


def is_grad_enabled() -> bool:
    """torch.is_grad_enabled."""
    return GRAD_ENABLED[0]


class _GradMode:
    """Base of the grad-mode context managers; each also works as a decorator."""

    _mode = True

    def __enter__(self):
        self._prev = GRAD_ENABLED[0]
        GRAD_ENABLED[0] = self._mode
        return self

    def __exit__(self, *exc):
        GRAD_ENABLED[0] = self._prev
        return False

    def __call__(self, fn):
        if not callable(fn):
            raise TypeError(f"{type(self).__name__} expects a callable when used as a decorator")

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)._clone(self):
                return fn(*args, **kwargs)

        return wrapper

    def _clone(self):
        return type(self)()

    def clone(self):
        return self._clone()


class no_grad(_GradMode):
    """torch.no_grad."""

    _mode = False

    def __new__(cls, orig_func=None):
        # torch allows a bare @no_grad on a function as well as @no_grad().
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class enable_grad(_GradMode):
    """torch.enable_grad."""

    _mode = True


class set_grad_enabled(_GradMode):
    """torch.set_grad_enabled: a function, a context manager and a decorator."""

    def __init__(self, mode: bool):
        self._mode = bool(mode)
        self._prev = GRAD_ENABLED[0]
        GRAD_ENABLED[0] = self._mode  # takes effect immediately when called as a function

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        GRAD_ENABLED[0] = self._prev
        return False

    def __call__(self, fn):
        GRAD_ENABLED[0] = self._prev  # as a decorator, only the decorated call changes the mode
        return super().__call__(fn)

    def _clone(self):
        return set_grad_enabled(self._mode)


class inference_mode(_GradMode):
    """torch.inference_mode: like no_grad here (no separate inference tensors)."""

    def __new__(cls, mode=True):
        if callable(mode):
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True):
        self._mode = not mode

    def __enter__(self):
        self._prev_inf = _INFERENCE[0]
        _INFERENCE[0] = not self._mode
        return super().__enter__()

    def __exit__(self, *exc):
        _INFERENCE[0] = self._prev_inf
        return super().__exit__(*exc)

    def _clone(self):
        return inference_mode(not self._mode)


_INFERENCE = [False]


def is_inference_mode_enabled() -> bool:
    """torch.is_inference_mode_enabled."""
    return _INFERENCE[0]
