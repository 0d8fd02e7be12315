"""The model registry and pretrained-weights enums of torchvision.models (torchvision 0.28)."""

from __future__ import annotations

import enum
import fnmatch
import functools
import hashlib
import inspect
import os
import re
import sys
import tempfile
import typing
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import urlparse

__all__ = ["WeightsEnum", "Weights", "get_model", "get_model_builder", "get_model_weights",
           "get_weight", "list_models"]


@dataclass
class Weights:
    """torchvision.models.Weights: a checkpoint's url, its preprocessing factory and metadata."""

    url: str
    transforms: Callable
    meta: dict[str, Any]

    def __eq__(self, other: Any) -> bool:
        # Enum aliasing (DEFAULT = IMAGENET1K_V1) and copy.deepcopy compare values; a deep-copied
        # functools.partial is a new object, so partials compare by what they would call.
        if not isinstance(other, Weights):
            return NotImplemented
        if self.url != other.url or self.meta != other.meta:
            return False
        a, b = self.transforms, other.transforms
        if isinstance(a, functools.partial) and isinstance(b, functools.partial):
            return (a.func, a.args, a.keywords) == (b.func, b.args, b.keywords)
        return a == b

    __hash__ = None  # type: ignore[assignment]


_ENUMS: dict[str, type] = {}


class WeightsEnum(enum.Enum):
    """torchvision.models.WeightsEnum: the base of every ``<Model>_Weights`` enum."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _ENUMS[cls.__name__] = cls

    @classmethod
    def verify(cls, obj: Any) -> Any:
        """Accept None, a member, or a member's name ('IMAGENET1K_V1' or 'Cls.IMAGENET1K_V1')."""
        if obj is None:
            return None
        if type(obj) is str:
            return cls[obj.replace(cls.__name__ + ".", "")]
        if not isinstance(obj, cls):
            raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but received "
                            f"{obj.__class__.__name__}.")
        return obj

    def get_state_dict(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The checkpoint's state_dict, read from the torch hub cache (downloaded if it can be)."""
        return load_state_dict_from_url(self.url, *args, **kwargs)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self) -> str:
        return self.value.url

    @property
    def transforms(self) -> Callable:
        return self.value.transforms

    @property
    def meta(self) -> dict[str, Any]:
        return self.value.meta


# ---------------------------------------------------------------- the hub cache


def _hub_dir() -> str:
    """torch.hub.get_dir(): $TORCH_HOME/hub, TORCH_HOME defaulting to $XDG_CACHE_HOME/torch."""
    home = os.environ.get("TORCH_HOME")
    if home is None:
        cache = os.environ.get("XDG_CACHE_HOME", os.path.join("~", ".cache"))
        home = os.path.join(cache, "torch")
    return os.path.join(os.path.expanduser(home), "hub")


_HASH_PREFIX = re.compile(r"-([a-f0-9]*)\.")
_DOWNLOAD_TIMEOUT_S = 10.0


def _download(url: str, dst: str, check_hash: bool) -> None:
    """Fetch url into dst (atomically), checking torch hub's sha256 filename prefix if asked."""
    import urllib.request

    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dst), suffix=".partial")
    try:
        req = urllib.request.Request(url, headers={"User-Agent": "torchlike"})
        with os.fdopen(fd, "wb") as out, \
                urllib.request.urlopen(req, timeout=_DOWNLOAD_TIMEOUT_S) as r:
            while chunk := r.read(1 << 20):
                out.write(chunk)
                digest.update(chunk)
        if check_hash:
            m = _HASH_PREFIX.search(os.path.basename(dst))
            if m and not digest.hexdigest().startswith(m.group(1)):
                raise RuntimeError(f'invalid hash value (expected "{m.group(1)}", got '
                                   f'"{digest.hexdigest()}")')
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def load_state_dict_from_url(url: str, model_dir: str | None = None, map_location: Any = None,
                             progress: bool = True, check_hash: bool = False,
                             file_name: str | None = None,
                             weights_only: bool = True) -> dict[str, Any]:
    """torch.hub.load_state_dict_from_url: read <hub dir>/checkpoints/<file>, downloading it once.

    Offline (or with TORCHLIKE_HUB_OFFLINE=1) a missing file raises at once, naming the file and
    the directory to put it in; a download is given a short socket timeout so it never hangs.
    """
    from ...serialization import load

    model_dir = model_dir if model_dir is not None else os.path.join(_hub_dir(), "checkpoints")
    name = file_name or os.path.basename(urlparse(url).path)
    path = os.path.join(model_dir, name)
    if not os.path.exists(path):
        where = (f"download {url} and save it as {path} (the torch hub cache: "
                 f"$TORCH_HOME/hub/checkpoints, TORCH_HOME defaulting to ~/.cache/torch)")
        if os.environ.get("TORCHLIKE_HUB_OFFLINE", "") not in ("", "0"):
            raise RuntimeError(f"pretrained weights {name} are not in the cache and "
                               f"TORCHLIKE_HUB_OFFLINE is set: {where}")
        os.makedirs(model_dir, exist_ok=True)
        if progress:
            sys.stderr.write(f'Downloading: "{url}" to {path}\n')
        try:
            _download(url, path, check_hash)
        except OSError as e:  # URLError, timeouts and refused connections are all OSErrors
            raise RuntimeError(f"could not download pretrained weights {name} ({e}); to use them "
                               f"offline, {where}") from e
    return load(path, map_location=map_location, weights_only=weights_only)


# ---------------------------------------------------------------- the registry


BUILTIN_MODELS: dict[str, Callable] = {}
_BUILDER_WEIGHTS: dict[Callable, type] = {}


def register_model(name: str | None = None) -> Callable[[Callable], Callable]:
    """torchvision.models.register_model: record a builder under its name (or the given one)."""

    def wrapper(fn: Callable) -> Callable:
        key = name if name is not None else fn.__name__
        if key in BUILTIN_MODELS:
            raise ValueError(f"An entry is already registered under the name '{key}'.")
        BUILTIN_MODELS[key] = fn
        return fn

    return wrapper


def list_models(module: ModuleType | None = None, include: Iterable[str] | str | None = None,
                exclude: Iterable[str] | str | None = None) -> list[str]:
    """torchvision.models.list_models: registered names, filtered by module and fnmatch patterns."""
    names = {k for k, fn in BUILTIN_MODELS.items()
             if module is None or fn.__module__.rsplit(".", 1)[0] == module.__name__}
    if include:
        pats = [include] if isinstance(include, str) else include
        names = {n for p in pats for n in fnmatch.filter(names, p)}
    if exclude:
        pats = [exclude] if isinstance(exclude, str) else exclude
        names -= {n for p in pats for n in fnmatch.filter(names, p)}
    return sorted(names)


def get_model_builder(name: str) -> Callable:
    """torchvision.models.get_model_builder."""
    try:
        return BUILTIN_MODELS[name.lower()]
    except KeyError:
        raise ValueError(f"Unknown model {name.lower()}") from None


def get_model(name: str, **config: Any):
    """torchvision.models.get_model: build a registered model with the given arguments."""
    return get_model_builder(name)(**config)


def get_model_weights(name: Callable | str) -> type[WeightsEnum]:
    """torchvision.models.get_model_weights: the weights enum class of a builder (or its name)."""
    fn = get_model_builder(name) if isinstance(name, str) else name
    if fn in _BUILDER_WEIGHTS:
        return _BUILDER_WEIGHTS[fn]
    sig = inspect.signature(fn)
    if "weights" not in sig.parameters:
        raise ValueError("The method is missing the 'weights' argument.")
    try:
        ann = typing.get_type_hints(fn).get("weights")
    except Exception:  # unresolvable string annotations: no enum to find
        ann = None
    for t in (ann, *typing.get_args(ann)):
        if isinstance(t, type) and issubclass(t, WeightsEnum):
            return t
    raise ValueError("The WeightsEnum class for the specific method couldn't be retrieved. Make "
                     "sure the typing info is correct.")


def get_weight(name: str) -> WeightsEnum:
    """torchvision.models.get_weight: a member by its full name, e.g. 'ResNet50_Weights.DEFAULT'."""
    try:
        enum_name, value_name = name.split(".")
    except ValueError:
        raise ValueError(f"Invalid weight name provided: '{name}'.") from None
    cls = _ENUMS.get(enum_name)
    if cls is None:
        raise ValueError(f"The weight enum '{enum_name}' for the specific method couldn't be "
                         "retrieved.")
    return cls[value_name]


# ---------------------------------------------------------------- builders


def _override(kwargs: dict, param: str, value: Any) -> None:
    """Fix a constructor argument that the weights dictate (num_classes, image_size)."""
    if param in kwargs and kwargs[param] != value:
        raise ValueError(f"The parameter '{param}' expected value {value} but got {kwargs[param]} "
                         "instead.")
    kwargs[param] = value


def builder(name: str, weights_enum: type[WeightsEnum], make: Callable, doc: str,
            legacy: WeightsEnum | None = None) -> Callable:
    """A registered torchvision-style builder ``name(*, weights=None, progress=True, **kwargs)``.

    ``make(weights, progress, kwargs)`` builds the model. As in torchvision's legacy interface, a
    positional argument or ``pretrained=`` still works with a deprecation warning,
    ``pretrained=True`` meaning ``legacy`` (the weights torchvision's old flag gave).
    """
    legacy = legacy if legacy is not None else weights_enum.DEFAULT

    def fn(*args: Any, weights: Any = None, progress: bool = True, **kwargs: Any):
        if args:
            if len(args) > 2:
                raise TypeError(f"{name}() takes at most 2 positional arguments "
                                f"({len(args)} given)")
            used = " and ".join(["weights", "progress"][:len(args)])
            warnings.warn(f"Using {used} as positional parameter(s) is deprecated since 0.13 "
                          "and may be removed in the future. Please use keyword parameter(s) "
                          "instead.", stacklevel=2)
            weights, progress = (*args, progress)[:2]
        old_style = weights is not None and not isinstance(weights, (WeightsEnum, str))
        if "pretrained" in kwargs or old_style:
            if "pretrained" in kwargs:
                pretrained = kwargs.pop("pretrained")
                warnings.warn("The parameter 'pretrained' is deprecated since 0.13 and may be "
                              "removed in the future, please use 'weights' instead.", stacklevel=2)
            else:
                pretrained = weights
            weights = legacy if pretrained else None
            msg = ("Arguments other than a weight enum or `None` for 'weights' are deprecated "
                   "since 0.13 and may be removed in the future. The current behavior is "
                   f"equivalent to passing `weights={weights}`.")
            if pretrained:
                msg += (f" You can also use `weights={weights_enum.__name__}.DEFAULT` to get the "
                        "most up-to-date weights.")
            warnings.warn(msg, stacklevel=2)
        return make(weights_enum.verify(weights), progress, kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    fn.__module__ = sys._getframe(1).f_globals.get("__name__", __name__)
    fn.__annotations__ = {"weights": weights_enum | None}
    fn.__signature__ = inspect.Signature([
        inspect.Parameter("weights", inspect.Parameter.KEYWORD_ONLY, default=None,
                          annotation=weights_enum | None),
        inspect.Parameter("progress", inspect.Parameter.KEYWORD_ONLY, default=True,
                          annotation=bool),
        inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD, annotation=Any),
    ])
    _BUILDER_WEIGHTS[fn] = weights_enum
    register_model()(fn)
    return fn


def load_weights(model, weights: WeightsEnum | None, progress: bool, remap=None):
    """Load a weights enum's checkpoint into a freshly built model (the builders' last step)."""
    if weights is not None:
        sd = weights.get_state_dict(progress=progress, check_hash=True)
        model.load_state_dict(remap(sd) if remap is not None else sd)
    return model
