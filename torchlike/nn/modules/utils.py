"""torch.nn.modules.utils (tuple converters, state_dict prefix stripping) and the size/ratio
aliases of torch.nn.common_types."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

__all__ = ["consume_prefix_in_state_dict_if_present"]


def _ntuple(n: int, name: str = "parse") -> Callable[[Any], tuple]:
    """A converter: an iterable becomes a tuple as it is, anything else ``n`` copies of it."""

    def parse(x: Any) -> tuple:
        return tuple(x) if isinstance(x, Iterable) else (x,) * n

    parse.__name__ = name
    return parse


_single, _pair, _triple, _quadruple = (
    _ntuple(n, f"_{word}") for n, word in enumerate(("single", "pair", "triple", "quadruple"), 1)
)


def _reverse_repeat_tuple(t: Any, n: int) -> tuple:
    """Elements of ``t`` last to first, each ``n`` times (F.pad's order from a conv padding)."""
    return tuple(chain.from_iterable((x,) * n for x in reversed(t)))


def _list_with_default(out_size: Any, defaults: list[int]) -> Any:
    """Adaptive pooling's output size: ``None`` entries take the input's trailing sizes."""
    if isinstance(out_size, int):
        return out_size
    if len(out_size) >= len(defaults):
        raise ValueError(f"Input dimension should be at least {len(out_size) + 1}")
    trailing = defaults[len(defaults) - len(out_size):]
    return [d if v is None else v for v, d in zip(out_size, trailing, strict=True)]


def _move_keys(table: dict, prefix: str, chosen: Callable[[str], bool]) -> None:
    for key in [k for k in table if chosen(k)]:
        table[key[len(prefix):]] = table.pop(key)


def consume_prefix_in_state_dict_if_present(state_dict: dict[str, Any], prefix: str) -> None:
    """torch.nn.utils.consume_prefix_in_state_dict_if_present (in place, metadata too)."""
    _move_keys(state_dict, prefix, lambda k: k.startswith(prefix))
    if hasattr(state_dict, "_metadata"):
        # Metadata is keyed without the trailing dot: "module" stands for "module.".
        bare = prefix.replace(".", "")
        _move_keys(state_dict._metadata, prefix,
                   lambda k: k != "" and (k == bare or k.startswith(prefix)))


# torch.nn.common_types
_scalar_or_tuple_any_t = Any
_size_any_t = int | tuple[int, ...]
_size_1_t = int | tuple[int]
_size_2_t = int | tuple[int, int]
_size_3_t = int | tuple[int, int, int]
_size_4_t = int | tuple[int, int, int, int]
_size_5_t = int | tuple[int, int, int, int, int]
_size_6_t = int | tuple[int, int, int, int, int, int]
_size_any_opt_t = int | None | tuple[int | None, ...]
_size_2_opt_t = int | None | tuple[int | None, int | None]
_size_3_opt_t = int | None | tuple[int | None, int | None, int | None]
_ratio_2_t = float | tuple[float, float]
_ratio_3_t = float | tuple[float, float, float]
_ratio_any_t = float | tuple[float, ...]
_tensor_list_t = Any
_maybe_indices_t = Any
_shape_t = int | list[int] | tuple[int, ...]
