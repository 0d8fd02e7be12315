"""torchlike.vision: torchvision's API (`import torchlike.vision as torchvision`).

Pillow (the `vision` extra) is needed only for PIL images and image files.
"""

import importlib

from . import datasets, io, ops, transforms, utils

__version__ = "0.28.0"
__all__ = ["datasets", "io", "models", "ops", "transforms", "utils", "get_image_backend",
           "set_image_backend", "get_video_backend"]

_image_backend = "PIL"


def set_image_backend(backend: str) -> None:
    """torchvision.set_image_backend: only 'PIL' exists here (accimage is not supported)."""
    global _image_backend
    if backend not in ("PIL", "accimage"):
        raise ValueError(f"Invalid backend '{backend}'. Options are 'PIL' and 'accimage'")
    if backend == "accimage":
        raise NotImplementedError("torchlike.vision supports only the 'PIL' image backend")
    _image_backend = backend


def get_image_backend():
    """torchvision.get_image_backend."""
    return _image_backend


def get_video_backend():
    """torchvision.get_video_backend (video decoding is not provided)."""
    return "pyav"


def __getattr__(name):
    # models is written separately and may be heavy: import it on first use
    if name == "models":
        mod = importlib.import_module(".models", __name__)
        globals()["models"] = mod
        return mod
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
