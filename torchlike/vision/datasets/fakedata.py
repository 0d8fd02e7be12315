"""torchvision.datasets.FakeData."""

from __future__ import annotations

import contextlib

import torchlike as torch

from ..transforms import functional as F
from .vision import VisionDataset


@contextlib.contextmanager
def _seeded(seed):
    """Draw under `seed`, then give the global generator back its state."""
    saved = torch.get_rng_state()
    torch.manual_seed(seed)
    try:
        yield
    finally:
        torch.set_rng_state(saved)


class FakeData(VisionDataset):
    """torchvision.datasets.FakeData: item i is drawn with the seed i + random_offset.

    The images come from torchlike's generator, whose stream differs from torch's: the same
    index gives the same sample on every call, but not torch's pixels.
    """

    def __init__(self, size: int = 1000, image_size=(3, 224, 224), num_classes: int = 10,
                 transform=None, target_transform=None, random_offset: int = 0) -> None:
        super().__init__(None, None, transform, target_transform)
        self.size, self.num_classes = size, num_classes
        self.image_size, self.random_offset = image_size, random_offset

    def __getitem__(self, index: int):
        if index >= len(self):
            raise IndexError(f"{type(self).__name__} index out of range")
        with _seeded(index + self.random_offset):
            pixels = torch.randn(tuple(self.image_size))
            label = torch.randint(0, self.num_classes, (1,))[0]
        sample, label = self._transformed(F.to_pil_image(pixels), label)
        return sample, label.item()

    def __len__(self) -> int:
        return self.size
