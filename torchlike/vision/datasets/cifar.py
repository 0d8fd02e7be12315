"""torchvision.datasets.CIFAR10 / CIFAR100: python pickle batches, md5-checked."""

from __future__ import annotations

import os
import pickle

import numpy as np

from ..transforms._pil import pil
from .utils import check_integrity, download_and_extract_archive
from .vision import VisionDataset


class CIFAR10(VisionDataset):
    """torchvision.datasets.CIFAR10: <root>/cifar-10-batches-py/{data_batch_1..5,test_batch}."""

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names",
            "md5": "5ff9c542aee3614f3951f8cda6e48888"}

    def __init__(self, root, train: bool = True, transform=None, target_transform=None,
                 download: bool = False) -> None:
        super().__init__(root, None, transform, target_transform)
        self.train = train
        if download:
            self.download()
        if not self._files_ok():
            raise RuntimeError(
                "Dataset not found or corrupted. You can use download=True to download it")
        chunks, self.targets = [], []
        for name, _ in (self.train_list if self.train else self.test_list):
            with open(os.path.join(self.root, self.base_folder, name), "rb") as f:
                entry = _load_pickle(f)
            chunks.append(entry["data"])
            self.targets.extend(entry["labels"] if "labels" in entry else entry["fine_labels"])
        self.data = np.vstack(chunks).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))
        self._load_meta()

    def _load_meta(self) -> None:
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        if not check_integrity(path, self.meta["md5"]):
            raise RuntimeError("Dataset metadata file not found or corrupted. You can use "
                               "download=True to download it")
        with open(path, "rb") as f:
            self.classes = _load_pickle(f)[self.meta["key"]]
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def __getitem__(self, index: int):
        return self._transformed(pil().fromarray(self.data[index]), self.targets[index])

    def __len__(self) -> int:
        return len(self.data)

    def _files_ok(self) -> bool:
        """Every batch file is present with torchvision's md5."""
        return all(check_integrity(os.path.join(self.root, self.base_folder, name), md5)
                   for name, md5 in self.train_list + self.test_list)

    _check_integrity = _files_ok  # torchvision's name for the check

    def download(self) -> None:
        """Fetch and unpack the python-pickle archive."""
        if self._files_ok():
            return
        download_and_extract_archive(self.url, self.root, filename=self.filename,
                                     md5=self.tgz_md5)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class _BatchUnpickler(pickle.Unpickler):
    # a CIFAR batch holds only dicts, lists, strings, bytes and numpy arrays
    _ALLOWED = {("numpy.core.multiarray", "_reconstruct"),
                ("numpy._core.multiarray", "_reconstruct"),
                ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
                ("numpy._core.multiarray", "scalar"), ("_codecs", "encode"),
                ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer")}

    def find_class(self, mod, qualname):
        if (mod, qualname) in self._ALLOWED:
            return super().find_class(mod, qualname)
        raise pickle.UnpicklingError(f"CIFAR batch refers to {mod}.{qualname}, which a batch "
                                     "file never holds")


def _load_pickle(f):
    return _BatchUnpickler(f, encoding="latin1").load()


class CIFAR100(CIFAR10):
    """torchvision.datasets.CIFAR100: <root>/cifar-100-python/{train,test,meta}."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {"filename": "meta", "key": "fine_label_names",
            "md5": "7973b15100ade9c7d40fb424638fde48"}
