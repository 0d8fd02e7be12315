"""torch.nn.modules.container: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict.

Sequential and ModuleList are both "modules under the keys 0..n-1" and share one base
(``_IndexedModules``) for positional access, assignment, deletion (which renumbers),
append and pop; they differ only in how they slice, join, grow and print.  The two
dict-like containers share the validation of their ``update`` argument
(``_update_pairs``); the two parameter containers share the wrapping of plain tensors and
the lines of their repr.
"""

from __future__ import annotations

import operator
import warnings
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain, groupby
from typing import Any

from ..._core.tensor import Tensor
from ..parameter import Parameter
from .module import Module, _addindent, _typename

__all__ = ["Container", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]


def _position(idx: Any, size: int) -> int:
    """``idx`` as a non-negative position among ``size`` entries (IndexError outside)."""
    i = operator.index(idx)
    if i < -size or i >= size:
        raise IndexError(f"index {i} is out of range")
    return i + size if i < 0 else i


def _as_parameter(value: Any) -> Any:
    """Parameter containers store plain tensors as Parameters; other objects as they are."""
    return Parameter(value) if isinstance(value, Tensor) and not isinstance(value, Parameter) \
        else value


def _entry_line(key: Any, value: Any, type_text) -> str:
    """One line of a ParameterList/ParameterDict repr."""
    if isinstance(value, Tensor):
        kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
        size = "x".join(str(n) for n in value.size())
        where = f" ({value.device})" if value.device.type == "cuda" else ""
        return f"  ({key}): {kind} containing: [{type_text(value)} of size {size}{where}]"
    return f"  ({key}): Object of type: {type(value).__name__}"


def _update_pairs(source: Any, owner: str, label: str, ordered: tuple,
                  sort_other_mappings: bool) -> Iterator[tuple[Any, Any]]:
    """The (key, value) pairs of a dict container's ``update`` argument, validated as torch.

    ``ordered`` types keep their order; other mappings keep it too unless
    ``sort_other_mappings`` (ParameterDict sorts a plain dict's keys); anything else must be
    a sequence of pairs.
    """
    if not isinstance(source, Iterable):
        raise TypeError(
            f"{label}.update should be called with an iterable of key/value pairs, but got "
            + type(source).__name__
        )
    if isinstance(source, ordered):
        yield from list(source.items())
        return
    if isinstance(source, Mapping):
        pairs = list(source.items())
        yield from (sorted(pairs) if sort_other_mappings else pairs)
        return
    # Pairs are checked one at a time, so those before a bad one are already stored.
    for j, pair in enumerate(source):
        if not isinstance(pair, Iterable):
            raise TypeError(
                f"{owner} update sequence element #{j} should be Iterable; is"
                + type(pair).__name__
            )
        if len(pair) != 2:
            raise ValueError(
                f"{owner} update sequence element #{j} has length {len(pair)}; 2 is required"
            )
        yield pair[0], pair[1]


def _table_method(table: str, method: str, doc: str | None = None) -> Any:
    """A method that forwards to the same-named method of the ``table`` attribute."""

    def forwarded(self, *args: Any) -> Any:
        return getattr(getattr(self, table), method)(*args)

    forwarded.__name__ = forwarded.__qualname__ = method
    forwarded.__doc__ = doc
    return forwarded


def _dir_without_indices(self: Module) -> list[str]:
    """``dir()`` of an indexed container: its numeric entry names are left out."""
    return [n for n in Module.__dir__(self) if not n.isdigit()]


def _refuse_call(kind: str) -> Any:
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{kind} should not be called.")

    return __call__


class Container(Module):
    """torch.nn.Container (deprecated in torch: subclass Module instead)."""

    def __init__(self, **kwargs: Any) -> None:
        warnings.warn(
            "`nn.Container` is deprecated. All of its functionality is now implemented "
            "in `nn.Module`. Subclass that instead.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__()
        for name in kwargs:
            self.add_module(name, kwargs[name])


class _IndexedModules(Module):
    """Modules reached by position; keys are renumbered 0..n-1 after a deletion."""

    _modules: dict[str, Module]

    def _key_at(self, idx: Any) -> str:
        keys = list(self._modules)
        return keys[_position(idx, len(keys))]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    __dir__ = _dir_without_indices

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, self._key_at(idx), module)

    def __delitem__(self, idx: int | slice) -> None:
        doomed = list(self._modules)[idx] if isinstance(idx, slice) else [self._key_at(idx)]
        for key in doomed:
            delattr(self, key)
        self._modules = OrderedDict(
            (str(i), m) for i, m in enumerate(self._modules.values())
        )

    def append(self, module: Module) -> Any:
        """Add ``module`` under the next index."""
        self.add_module(str(len(self)), module)
        return self

    def pop(self, key: int | slice) -> Any:
        """Remove and return the entry (or slice) at ``key``."""
        taken = self[key]
        del self[key]
        return taken

    def _shift_in(self, index: int, module: Module) -> None:
        table = self._modules
        for i in range(len(table), index, -1):
            table[str(i)] = table[str(i - 1)]
        table[str(index)] = module


class Sequential(_IndexedModules):
    """torch.nn.Sequential."""

    def __init__(self, *args: Any) -> None:
        super().__init__()
        named = args[0].items() if len(args) == 1 and isinstance(args[0], OrderedDict) \
            else ((str(i), m) for i, m in enumerate(args))
        for key, module in named:
            self.add_module(key, module)

    def __getitem__(self, idx: slice | int) -> Any:
        if isinstance(idx, slice):
            # A slice keeps the modules' names (a Sequential built from an OrderedDict).
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return self._modules[self._key_at(idx)]

    @staticmethod
    def _require_sequential(other: Any) -> None:
        if not isinstance(other, Sequential):
            raise ValueError(
                "add operator supports only objects of Sequential class, but "
                f"{type(other)} is given."
            )

    def _check_factor(self, other: Any) -> None:
        if not isinstance(other, int):
            raise TypeError(f"unsupported operand type(s) for *: {type(self)} and {type(other)}")
        if other <= 0:
            raise ValueError(f"Non-positive multiplication factor {other} for {type(self)}")

    def __add__(self, other: Any) -> Sequential:
        self._require_sequential(other)
        return Sequential(*self, *other)

    def __iadd__(self, other: Any) -> Any:
        self._require_sequential(other)
        return self.extend(list(other))

    def __mul__(self, other: int) -> Sequential:
        self._check_factor(other)
        return Sequential(*(list(self) * other))

    __rmul__ = __mul__

    def __imul__(self, other: int) -> Any:
        self._check_factor(other)
        return self.extend(list(self) * (other - 1))

    def forward(self, input: Any) -> Any:
        """Feed ``input`` through each module in turn."""
        for module in self:
            input = module(input)
        return input

    def insert(self, index: int, module: Module) -> Any:
        """Put ``module`` before position ``index`` (negative counts from the end)."""
        if not isinstance(module, Module):
            raise AssertionError(f"module should be of type: {Module}")
        n = len(self)
        if not -n <= index <= n:
            raise IndexError(f"Index out of range: {index}")
        self._shift_in(index + n if index < 0 else index, module)
        return self

    def extend(self, sequential: Iterable[Module]) -> Any:
        """Append every module of ``sequential``."""
        for module in sequential:
            self.append(module)
        return self


class ModuleList(_IndexedModules):
    """torch.nn.ModuleList."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[str(_position(idx, len(self)))]

    def __iadd__(self, modules: Iterable[Module]) -> Any:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList(chain(self, other))

    def __repr__(self) -> str:
        texts = [repr(m) for m in self]
        if not texts:
            return f"{self._get_name()}()"
        # Runs of identical entries print once, as "(first-last): count x repr".
        lines, start = [], 0
        for text, run in groupby(texts):
            count = len(list(run))
            last = start + count - 1
            label = f"({start}): {text}" if count == 1 else f"({start}-{last}): {count} x {text}"
            lines.append(_addindent(label, 2))
            start = last + 1
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"

    def insert(self, index: int, module: Module) -> None:
        """Put ``module`` before position ``index``."""
        self._shift_in(index, module)

    def extend(self, modules: Iterable[Module]) -> Any:
        """Append every module of ``modules``."""
        if not isinstance(modules, Iterable):
            raise TypeError(
                "ModuleList.extend should be called with an iterable, but got "
                + type(modules).__name__
            )
        for module in modules:
            self.append(module)
        return self


class ModuleDict(Module):
    """torch.nn.ModuleDict."""

    _modules: dict[str, Module]

    def __init__(self, modules: Mapping[str, Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    # The mapping protocol is _modules' own; only insertion goes through add_module.
    __getitem__ = _table_method("_modules", "__getitem__")
    __delitem__ = _table_method("_modules", "__delitem__")
    __len__ = _table_method("_modules", "__len__")
    __iter__ = _table_method("_modules", "__iter__")
    __contains__ = _table_method("_modules", "__contains__")
    clear = _table_method("_modules", "clear", "Remove every entry.")
    pop = _table_method("_modules", "pop", "Remove and return the module under ``key``.")
    keys = _table_method("_modules", "keys", "The keys, in insertion order.")
    items = _table_method("_modules", "items", "The (key, module) pairs, in insertion order.")
    values = _table_method("_modules", "values", "The modules, in insertion order.")

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def update(self, modules: Any) -> None:
        """Add (or replace) entries from a mapping or a sequence of pairs."""
        for key, module in _update_pairs(modules, "ModuleDict", "ModuleDict",
                                         (OrderedDict, ModuleDict), False):
            self[key] = module


class ParameterList(Module):
    """torch.nn.ParameterList."""

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return type(self)([self[i] for i in range(len(self))[idx]])
        return getattr(self, str(_position(idx, len(self))))

    def __setitem__(self, idx: int, param: Any) -> None:
        setattr(self, str(_position(idx, len(self))), _as_parameter(param))

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(len(self)))

    def __iadd__(self, parameters: Iterable[Any]) -> Any:
        return self.extend(parameters)

    __dir__ = _dir_without_indices
    __call__ = _refuse_call("ParameterList")

    def append(self, value: Any) -> Any:
        """Add ``value`` (a tensor becomes a Parameter) at the end."""
        self._size += 1
        self[self._size - 1] = value
        return self

    def extend(self, values: Iterable[Any]) -> Any:
        """Append every entry of ``values``."""
        if isinstance(values, Tensor) or not isinstance(values, Iterable):
            raise TypeError(
                "ParameterList.extend should be called with an iterable, but got "
                + type(values).__name__
            )
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        """One line per entry: kind, dtype and size (torch prints the dtype here)."""
        return "\n".join(_entry_line(i, v, lambda t: t.dtype) for i, v in enumerate(self))


class ParameterDict(Module):
    """torch.nn.ParameterDict."""

    _keys: dict[str, None]

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        self._keys = {}
        if parameters is not None:
            self.update(parameters)

    @staticmethod
    def _key_to_attr(key: Any) -> str:
        if isinstance(key, str):
            return key
        raise TypeError(
            "Index given to ParameterDict cannot be used as a key as it is not a "
            f"string (type is '{type(key).__name__}'). Open an issue on github if "
            "you need non-string keys."
        )

    def __getitem__(self, key: str) -> Any:
        return getattr(self, self._key_to_attr(key))

    def __setitem__(self, key: str, value: Any) -> None:
        attr = self._key_to_attr(key)
        self._keys[key] = None
        setattr(self, attr, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        delattr(self, self._key_to_attr(key))

    # Order and membership live in _keys (the values are attributes named by the keys).
    __len__ = _table_method("_keys", "__len__")
    __iter__ = _table_method("_keys", "__iter__")
    __reversed__ = _table_method("_keys", "__reversed__")
    __contains__ = _table_method("_keys", "__contains__")
    keys = _table_method("_keys", "keys", "The keys, in insertion order.")

    def copy(self) -> ParameterDict:
        """A new ParameterDict holding the same objects."""
        return ParameterDict(OrderedDict(self.items()))

    def setdefault(self, key: str, default: Any | None = None) -> Any:
        """``self[key]``, first storing ``default`` there if the key is new."""
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        """Remove every entry."""
        for key in list(self._keys):
            del self[key]

    def pop(self, key: str) -> Any:
        """Remove and return the entry under ``key``."""
        value = self[key]
        del self[key]
        return value

    def popitem(self) -> tuple[str, Any]:
        """Remove and return the most recently added (key, value)."""
        if not self._keys:
            raise KeyError("popitem(): dictionary is empty")
        key = next(reversed(self._keys))
        return key, self.pop(key)

    def get(self, key: str, default: Any | None = None) -> Any:
        """``self[key]`` if present, else ``default``."""
        return self[key] if key in self else default

    def fromkeys(self, keys: Iterable[str], default: Any | None = None) -> ParameterDict:
        """A new ParameterDict with ``keys`` all mapped to ``default``."""
        return ParameterDict([(k, default) for k in keys])

    def items(self) -> Iterator[tuple[str, Any]]:
        """The (key, value) pairs, in insertion order."""
        return ((key, self[key]) for key in list(self._keys))

    def values(self) -> Iterator[Any]:
        """The values, in insertion order."""
        return (self[key] for key in list(self._keys))

    def update(self, parameters: Any) -> None:
        """Add (or replace) entries; a plain dict's keys are taken in sorted order."""
        for key, value in _update_pairs(parameters, "ParameterDict", "ParametersDict",
                                        (OrderedDict, ParameterDict), True):
            self[key] = value

    def extra_repr(self) -> str:
        """One line per entry: kind, tensor type and size."""
        return "\n".join(_entry_line(k, v, _typename) for k, v in self.items())

    __call__ = _refuse_call("ParameterDict")

    def __or__(self, other: ParameterDict) -> ParameterDict:
        return _merged(self, other)

    def __ror__(self, other: ParameterDict) -> ParameterDict:
        return _merged(other, self)

    def __ior__(self, other: ParameterDict) -> Any:
        self.update(other)
        return self


def _merged(first: Any, second: Any) -> ParameterDict:
    """``first | second`` for ParameterDicts: a copy of ``first`` updated by ``second``."""
    out = first.copy()
    out.update(second)
    return out
