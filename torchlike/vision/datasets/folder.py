"""torchvision.datasets.DatasetFolder / ImageFolder: <root>/<class>/**/<file>."""

from __future__ import annotations

import os

from .vision import VisionDataset

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename: str, extensions) -> bool:
    """torchvision.datasets.folder.has_file_allowed_extension."""
    return filename.lower().endswith(extensions if isinstance(extensions, str)
                                     else tuple(extensions))


def is_image_file(filename: str) -> bool:
    """torchvision.datasets.folder.is_image_file."""
    return filename.lower().endswith(IMG_EXTENSIONS)


def find_classes(directory):
    """torchvision.datasets.folder.find_classes: sorted subfolder names and their indices."""
    classes = sorted(e.name for e in os.scandir(directory) if e.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {c: i for i, c in enumerate(classes)}


def _files_under(folder):
    """Every file below `folder` (links followed): directories in sorted order, names sorted."""
    for here, _dirs, names in sorted(os.walk(folder, followlinks=True)):
        for name in sorted(names):
            yield os.path.join(here, name)


def make_dataset(directory, class_to_idx=None, extensions=None, is_valid_file=None,
                 allow_empty: bool = False):
    """torchvision.datasets.folder.make_dataset: sorted (path, class_index) pairs."""
    base = os.path.expanduser(directory)
    if class_to_idx is None:
        class_to_idx = find_classes(base)[1]
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the "
                         "same time")
    keep = is_valid_file
    if extensions is not None:
        def keep(p):
            return has_file_allowed_extension(p, extensions)

    pairs, found = [], set()
    for name in sorted(class_to_idx):
        folder = os.path.join(base, name)
        if os.path.isdir(folder):
            hits = [(p, class_to_idx[name]) for p in _files_under(folder) if keep(p)]
            pairs += hits
            found.update([name] if hits else [])
    missing = sorted(set(class_to_idx) - found)
    if missing and not allow_empty:
        msg = f"Found no valid file for the classes {', '.join(missing)}. "
        if extensions is not None:
            listed = extensions if isinstance(extensions, str) else ", ".join(extensions)
            msg += f"Supported extensions are: {listed}"
        raise FileNotFoundError(msg)
    return pairs


class DatasetFolder(VisionDataset):
    """torchvision.datasets.DatasetFolder: one class per subfolder of root."""

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None,
                 is_valid_file=None, allow_empty: bool = False) -> None:
        super().__init__(root, None, transform, target_transform)
        self.classes, self.class_to_idx = self.find_classes(self.root)
        self.samples = self.make_dataset(self.root, class_to_idx=self.class_to_idx,
                                         extensions=extensions, is_valid_file=is_valid_file,
                                         allow_empty=allow_empty)
        self.loader, self.extensions = loader, extensions
        self.targets = [label for _, label in self.samples]

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None,
                     allow_empty: bool = False):
        """The (path, class_index) list; override to change how samples are found."""
        if class_to_idx is None:
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions=extensions,
                            is_valid_file=is_valid_file, allow_empty=allow_empty)

    def find_classes(self, directory):
        """(classes, class_to_idx); override for another folder layout."""
        return find_classes(directory)

    def __getitem__(self, index: int):
        path, label = self.samples[index]
        return self._transformed(self.loader(path), label)

    def __len__(self) -> int:
        return len(self.samples)


def pil_loader(path):
    """torchvision.datasets.folder.pil_loader: the file as an RGB PIL image."""
    from ..transforms._pil import pil

    with open(path, "rb") as f:
        return pil().open(f).convert("RGB")


def default_loader(path):
    """torchvision.datasets.folder.default_loader (the PIL backend)."""
    return pil_loader(path)


class ImageFolder(DatasetFolder):
    """torchvision.datasets.ImageFolder."""

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader,
                 is_valid_file=None, allow_empty: bool = False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None,
                         transform=transform, target_transform=target_transform,
                         is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
