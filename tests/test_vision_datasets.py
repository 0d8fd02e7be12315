"""torchlike.vision.datasets on tiny files in torchvision's formats, against torchvision 0.28.

The files are written by compat_tests/vision_cases.py; the expected attributes, items, reprs
and errors were recorded by compat_tests/record/record_vision.py from torchvision on the same
files.
"""

from __future__ import annotations

import json
import os
import pathlib
import pickle
import time

import numpy as np
import pytest

pytest.importorskip("PIL")
from PIL import Image  # noqa: E402

import torchlike as torch  # noqa: E402
from compat_tests import vision_cases as C  # noqa: E402
from torchlike.vision import datasets  # noqa: E402
from torchlike.vision import transforms as T  # noqa: E402

FIX = pathlib.Path(__file__).resolve().parents[1] / "compat_tests" / "fixtures" / "vision"
META = json.loads((FIX / "vision.json").read_text())
ARR = dict(np.load(FIX / "vision.npz"))


def kind(x):
    if hasattr(x, "getbands"):
        return "PIL:" + x.mode
    if not hasattr(x, "dtype"):
        return type(x).__name__
    return str(x.dtype).replace("torch.", "")


def check(prefix, ds, root, items=2):
    want = META["datasets"][prefix]
    assert len(ds) == want["len"]
    assert repr(ds).replace(str(root), "<root>") == want["repr"]
    for attr in ("classes", "class_to_idx"):
        if attr in want:
            assert getattr(ds, attr) == want[attr]
    if "data_type" in want:
        assert type(ds.data).__name__ == want["data_type"]
        np.testing.assert_array_equal(C.as_np(ds.data), ARR[f"ds__{prefix}__data"])
    if "targets" in want:
        tg = ds.targets
        assert type(tg).__name__ == want["targets_type"]
        assert (tg.tolist() if hasattr(tg, "tolist") else list(tg)) == want["targets"]
        if isinstance(tg, torch.Tensor):
            assert tg.dtype == torch.int64
    if "samples" in want:
        assert [[os.path.relpath(p, root), c] for p, c in ds.samples] == want["samples"]
    for i, (k, target, ttype) in enumerate(want["items"][:items]):
        img, t = ds[i]
        assert kind(img) == k and t == target and type(t).__name__ == ttype
        got = C.as_np(img)
        exp = ARR[f"ds__{prefix}__item{i}"]
        if exp.dtype.kind == "f":
            np.testing.assert_allclose(got, exp, rtol=1e-6, atol=1e-6)
        else:
            np.testing.assert_array_equal(got, exp)


def test_mnist_family(tmp_path):
    C.write_mnist(tmp_path, "MNIST", 5, True)
    C.write_mnist(tmp_path, "MNIST", 3, False)
    for cls in ("FashionMNIST", "KMNIST"):
        C.write_mnist(tmp_path, cls, 2, True)
        C.write_mnist(tmp_path, cls, 2, False)
    C.write_emnist(tmp_path, "letters")
    tf = T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))])
    check("mnist_train", datasets.MNIST(str(tmp_path), transform=tf,
                                        target_transform=T.Lambda(int)), tmp_path)
    check("mnist_test", datasets.MNIST(str(tmp_path), train=False), tmp_path)
    check("fashion", datasets.FashionMNIST(str(tmp_path)), tmp_path, 1)
    check("kmnist", datasets.KMNIST(str(tmp_path)), tmp_path, 1)
    check("emnist", datasets.EMNIST(str(tmp_path), split="letters"), tmp_path, 1)
    # pickles (e.g. for spawned DataLoader workers) carry numpy arrays, items unchanged
    ds = pickle.loads(pickle.dumps(datasets.MNIST(str(tmp_path), train=False)))
    assert ds.__dict__["_data_t"] is None
    np.testing.assert_array_equal(np.array(ds[1][0]), ARR["ds__mnist_test__item1"])


def test_cifar(tmp_path, monkeypatch):
    C.write_cifar10(tmp_path)
    C.write_cifar100(tmp_path)
    err = META["dataset_errors"]["cifar_md5"]
    with pytest.raises(RuntimeError) as e:  # the fake batches fail torchvision's md5 checks
        datasets.CIFAR10(str(tmp_path))
    assert [type(e.value).__name__, str(e.value)] == err
    import torchlike.vision.datasets.cifar as cifar_mod

    monkeypatch.setattr(cifar_mod, "check_integrity", lambda fpath, md5=None: os.path.isfile(fpath))
    check("cifar10_train", datasets.CIFAR10(str(tmp_path), transform=T.PILToTensor()), tmp_path)
    check("cifar10_test", datasets.CIFAR10(str(tmp_path), train=False), tmp_path, 1)
    check("cifar100", datasets.CIFAR100(str(tmp_path)), tmp_path, 1)


def test_folders(tmp_path):
    folder = tmp_path / "folder"
    C.write_image_folder(str(folder), Image)
    check("imagefolder", datasets.ImageFolder(str(folder), transform=T.ToTensor(),
                                              allow_empty=True), folder)
    check("datasetfolder", datasets.DatasetFolder(
        str(folder), loader=lambda p: os.path.getsize(p), extensions=(".txt", ".md"),
        allow_empty=True), folder)


def test_errors(tmp_path):
    errs = META["dataset_errors"]
    root = tmp_path
    empty = root / "none"
    empty.mkdir()
    C.write_emnist(root, "letters")
    folder = root / "folder"
    C.write_image_folder(str(folder), Image)
    cases = {
        "mnist_missing": lambda: datasets.MNIST(str(empty)),
        "cifar_missing": lambda: datasets.CIFAR10(str(empty)),
        "emnist_split": lambda: datasets.EMNIST(str(root), split="bad"),
        "folder_no_class": lambda: datasets.ImageFolder(str(empty)),
        "folder_empty_class": lambda: datasets.ImageFolder(str(folder)),
    }
    for name, fn in cases.items():
        with pytest.raises(Exception) as e:
            fn()
        assert [type(e.value).__name__, str(e.value).replace(str(root), "<root>")] == errs[name]


def test_fakedata():
    want = META["fakedata"]
    fake = datasets.FakeData(size=3, image_size=(3, 4, 5), num_classes=4,
                             transform=T.ToTensor())
    img, target = fake[1]
    assert len(fake) == want["len"] and repr(fake) == want["repr"]
    assert list(img.shape) == want["shape"] and kind(img) == want["dtype"]
    assert type(target).__name__ == want["target_type"]
    with pytest.raises(IndexError, match=want["index_error"][1]):
        fake[3]
    # the same index gives the same sample, and the caller's generator state is kept
    torch.manual_seed(7)
    a = torch.rand(2)
    torch.manual_seed(7)
    again, t2 = fake[1]
    assert torch.equal(again, img) and t2 == target
    assert torch.equal(torch.rand(2), a)


def test_download_offline_fails_fast(tmp_path, monkeypatch):
    # an unreachable mirror (nothing listens on port 9 of localhost): a clear error, no hang
    monkeypatch.setattr(datasets.MNIST, "mirrors", ["http://127.0.0.1:9/"])
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"Error downloading train-images-idx3-ubyte.gz:\n"
                                           r"Tried http://127.0.0.1:9/, got:\n"):
        datasets.MNIST(str(tmp_path), download=True)
    assert time.monotonic() - start < 30
    assert not any(p.is_file() for p in (tmp_path / "MNIST" / "raw").iterdir())
