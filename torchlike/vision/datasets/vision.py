"""torchvision.datasets.VisionDataset and StandardTransform."""

from __future__ import annotations

import os

from torchlike.utils.data import Dataset


def _apply_pair(transform, target_transform, sample, target):
    """(transform(sample), target_transform(target)), each skipped when None."""
    return (sample if transform is None else transform(sample),
            target if target_transform is None else target_transform(target))


def _framed(obj, head):
    """repr(obj) with `head` before its first line and the rest indented under it."""
    first, *rest = repr(obj).splitlines()
    return [head + first] + [" " * len(head) + line for line in rest]


class VisionDataset(Dataset):
    """torchvision.datasets.VisionDataset: root, transform(s) and torchvision's repr."""

    _repr_indent = 4

    def __init__(self, root=None, transforms=None, transform=None, target_transform=None):
        self.root = os.path.expanduser(root) if isinstance(root, str) else root
        pair_given = (transform, target_transform) != (None, None)
        if pair_given and transforms is not None:
            raise ValueError("Only transforms or transform/target_transform can be passed as "
                             "argument")
        self.transform, self.target_transform = transform, target_transform
        self.transforms = StandardTransform(transform, target_transform) if pair_given \
            else transforms

    def _transformed(self, sample, target):
        # read the attributes at each call: users reassign ds.transform after construction
        return _apply_pair(self.transform, self.target_transform, sample, target)

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def __repr__(self) -> str:
        lines = [f"Number of datapoints: {self.__len__()}"]
        if self.root is not None:
            lines.append(f"Root location: {self.root}")
        lines.extend(self.extra_repr().splitlines())
        if getattr(self, "transforms", None) is not None:
            # only the first line of a multi-line transforms repr gets the indent
            lines.append(repr(self.transforms))
        indent = " " * self._repr_indent
        return "\n".join([f"Dataset {type(self).__name__}"] + [indent + ln for ln in lines])

    def _format_transform_repr(self, transform, head):
        return _framed(transform, head)

    def extra_repr(self) -> str:
        return ""


class StandardTransform:
    """torchvision.datasets.vision.StandardTransform: (transform, target_transform) as a pair."""

    def __init__(self, transform=None, target_transform=None):
        self.transform, self.target_transform = transform, target_transform

    def __call__(self, input, target):
        return _apply_pair(self.transform, self.target_transform, input, target)

    def _format_transform_repr(self, transform, head):
        return _framed(transform, head)

    def __repr__(self) -> str:
        lines = [type(self).__name__]
        if self.transform is not None:
            lines += _framed(self.transform, "Transform: ")
        if self.target_transform is not None:
            lines += _framed(self.target_transform, "Target transform: ")
        return "\n".join(lines)
