"""torchvision.datasets.MNIST, FashionMNIST, KMNIST, EMNIST: idx files in <root>/<Class>/raw."""

from __future__ import annotations

import os
import shutil
import string
import warnings
from urllib.error import URLError

import numpy as np

import torchlike as torch

from ..transforms._pil import fromarray
from .utils import check_integrity, download_and_extract_archive, extract_archive, verify_str_arg
from .vision import VisionDataset

# idx type codes -> big-endian numpy dtypes
_IDX_TYPES = {8: np.uint8, 9: np.int8, 11: np.dtype(">i2"), 12: np.dtype(">i4"),
              13: np.dtype(">f4"), 14: np.dtype(">f8")}


def read_sn3_pascalvincent_ndarray(path, strict: bool = True) -> np.ndarray:
    """Read an idx (SN3 / pascal-vincent) file into a native-endian numpy array."""
    with open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    nd, ty = magic % 256, magic // 256
    if not (1 <= nd <= 3 and 8 <= ty <= 14) or ty not in _IDX_TYPES:
        raise ValueError(f"{path} is not an idx file (magic number {magic})")
    shape = [int.from_bytes(data[4 * (i + 1):4 * (i + 2)], "big") for i in range(nd)]
    dt = np.dtype(_IDX_TYPES[ty])
    flat = np.frombuffer(data, dtype=dt, offset=4 * (nd + 1))
    if strict and flat.shape[0] != int(np.prod(shape)):
        raise ValueError(f"{path}: header says {shape} but holds {flat.shape[0]} values")
    return flat.astype(dt.newbyteorder("="), copy=True).reshape(shape)


def read_sn3_pascalvincent_tensor(path, strict: bool = True):
    """torchvision.datasets.mnist.read_sn3_pascalvincent_tensor."""
    return torch.from_numpy(read_sn3_pascalvincent_ndarray(path, strict))


def _read_images(path) -> np.ndarray:
    x = read_sn3_pascalvincent_ndarray(path, strict=False)
    if x.dtype != np.uint8:
        raise TypeError(f"x should be of dtype torch.uint8 instead of {torch.from_numpy(x).dtype}")
    if x.ndim != 3:
        raise ValueError(f"x should have 3 dimension instead of {x.ndim}")
    return x


def _read_labels(path) -> np.ndarray:
    x = read_sn3_pascalvincent_ndarray(path, strict=False)
    if x.dtype != np.uint8:
        raise TypeError(f"x should be of dtype torch.uint8 instead of {torch.from_numpy(x).dtype}")
    if x.ndim != 1:
        raise ValueError(f"x should have 1 dimension instead of {x.ndim}")
    return x.astype(np.int64)


def read_image_file(path):
    """torchvision.datasets.mnist.read_image_file: uint8 (N, H, W)."""
    return torch.from_numpy(_read_images(path))


def read_label_file(path):
    """torchvision.datasets.mnist.read_label_file: int64 (N,)."""
    return torch.from_numpy(_read_labels(path))


class _NumpyBacked:
    """A Tensor attribute kept as numpy until first read.

    Items are served from the numpy array, so DataLoader workers never build a JAX array;
    assigning a Tensor to the attribute replaces both.
    """

    def __init__(self, name):
        self.np_name, self.t_name = f"_{name}_np", f"_{name}_t"

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        t = obj.__dict__.get(self.t_name)
        if t is None:
            t = torch.from_numpy(obj.__dict__[self.np_name])
            obj.__dict__[self.t_name] = t
        return t

    def __set__(self, obj, value):
        if isinstance(value, np.ndarray):
            obj.__dict__[self.np_name], obj.__dict__[self.t_name] = value, None
        else:
            obj.__dict__[self.np_name], obj.__dict__[self.t_name] = None, value

    def numpy(self, obj) -> np.ndarray:
        arr = obj.__dict__.get(self.np_name)
        if arr is None:
            arr = obj.__dict__[self.t_name].numpy()
            obj.__dict__[self.np_name] = arr
        return arr


class MNIST(VisionDataset):
    """torchvision.datasets.MNIST: <root>/MNIST/raw/{train,t10k}-{images,labels}-idx*-ubyte."""

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    training_file = "training.pt"
    test_file = "test.pt"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six",
               "7 - seven", "8 - eight", "9 - nine"]

    data = _NumpyBacked("data")
    targets = _NumpyBacked("targets")

    @property
    def train_labels(self):
        warnings.warn("train_labels has been renamed targets", stacklevel=2)
        return self.targets

    @property
    def test_labels(self):
        warnings.warn("test_labels has been renamed targets", stacklevel=2)
        return self.targets

    @property
    def train_data(self):
        warnings.warn("train_data has been renamed data", stacklevel=2)
        return self.data

    @property
    def test_data(self):
        warnings.warn("test_data has been renamed data", stacklevel=2)
        return self.data

    def __init__(self, root, train: bool = True, transform=None, target_transform=None,
                 download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if self._check_legacy_exist():
            self.data, self.targets = self._load_legacy_data()
            return
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        self.data, self.targets = self._load_data()

    def _check_legacy_exist(self):
        if not os.path.exists(self.processed_folder):
            return False
        return all(check_integrity(os.path.join(self.processed_folder, f))
                   for f in (self.training_file, self.test_file))

    def _load_legacy_data(self):
        f = self.training_file if self.train else self.test_file
        return torch.load(os.path.join(self.processed_folder, f), weights_only=True)

    def _load_data(self):
        split = "train" if self.train else "t10k"
        data = _read_images(os.path.join(self.raw_folder, f"{split}-images-idx3-ubyte"))
        targets = _read_labels(os.path.join(self.raw_folder, f"{split}-labels-idx1-ubyte"))
        return data, targets

    def _item(self, index):
        img = type(self).data.numpy(self)[index]
        target = int(type(self).targets.numpy(self)[index])
        return img, target

    def __getitem__(self, index: int):
        pixels, target = self._item(index)
        return self._transformed(fromarray(pixels, "L"), target)

    def __len__(self) -> int:
        return len(type(self).data.numpy(self))

    def __getstate__(self):
        # pickle (e.g. to spawned DataLoader workers) the numpy arrays, not the Tensors
        state = dict(self.__dict__)
        for desc in (type(self).data, type(self).targets):
            desc.numpy(self)
            state[desc.t_name] = None
        state["_data_np"] = type(self).data.numpy(self)
        state["_targets_np"] = type(self).targets.numpy(self)
        return state

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, type(self).__name__, "raw")

    @property
    def processed_folder(self) -> str:
        return os.path.join(self.root, type(self).__name__, "processed")

    @property
    def class_to_idx(self) -> dict:
        return {c: i for i, c in enumerate(self.classes)}

    def _check_exists(self) -> bool:
        return all(check_integrity(os.path.join(
            self.raw_folder, os.path.splitext(os.path.basename(url))[0]))
            for url, _ in self.resources)

    def download(self) -> None:
        """Fetch the gzipped idx files from the mirrors (RuntimeError listing each failure)."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            errors = []
            for mirror in self.mirrors:
                try:
                    download_and_extract_archive(f"{mirror}{filename}",
                                                 download_root=self.raw_folder,
                                                 filename=filename, md5=md5)
                except (RuntimeError, URLError, OSError) as e:
                    errors.append(e)
                    continue
                break
            else:
                msg = f"Error downloading {filename}:\n"
                for mirror, err in zip(self.mirrors, errors, strict=False):
                    msg += f"Tried {mirror}, got:\n{err}\n"
                raise RuntimeError(msg)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """torchvision.datasets.FashionMNIST."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]


class KMNIST(MNIST):
    """torchvision.datasets.KMNIST."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


class EMNIST(MNIST):
    """torchvision.datasets.EMNIST: raw/emnist-<split>-<train|test>-{images,labels}-idx*-ubyte."""

    url = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
    md5 = "58c8d27c78d21e728a6bc7b3cc06412e"
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    _merged_classes = {"c", "i", "j", "k", "l", "m", "o", "p", "s", "u", "v", "w", "x", "y", "z"}
    _all_classes = set(string.digits + string.ascii_letters)
    classes_split_dict = {
        "byclass": sorted(_all_classes),
        "bymerge": sorted(_all_classes - _merged_classes),
        "balanced": sorted(_all_classes - _merged_classes),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(self, root, split: str, **kwargs) -> None:
        self.split = verify_str_arg(split, "split", self.splits)
        self.training_file = f"training_{split}.pt"
        self.test_file = f"test_{split}.pt"
        super().__init__(root, **kwargs)
        self.classes = self.classes_split_dict[self.split]

    @property
    def _file_prefix(self) -> str:
        return f"emnist-{self.split}-{'train' if self.train else 'test'}"

    @property
    def images_file(self) -> str:
        return os.path.join(self.raw_folder, f"{self._file_prefix}-images-idx3-ubyte")

    @property
    def labels_file(self) -> str:
        return os.path.join(self.raw_folder, f"{self._file_prefix}-labels-idx1-ubyte")

    def _load_data(self):
        return _read_images(self.images_file), _read_labels(self.labels_file)

    def _check_exists(self) -> bool:
        return all(check_integrity(f) for f in (self.images_file, self.labels_file))

    def download(self) -> None:
        """Fetch and unpack NIST's gzip.zip."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        download_and_extract_archive(self.url, download_root=self.raw_folder, md5=self.md5)
        gz = os.path.join(self.raw_folder, "gzip")
        for name in os.listdir(gz):
            if name.endswith(".gz"):
                extract_archive(os.path.join(gz, name), self.raw_folder)
        shutil.rmtree(gz)
