"""Case programs for torchlike.vision, shared by the recorder (torch + torchvision) and the tests.

Every case takes a namespace `ns` with `torch`, `F` (transforms.functional), `T` (transforms),
`ops`, `utils`, `datasets`, `Image` (PIL.Image) and returns arrays / numbers / strings, so the
same code runs under torchvision (compat_tests/record/record_vision.py) and under
torchlike.vision (tests/test_vision_*.py).  Needs only numpy and Pillow itself.
"""

from __future__ import annotations

import os
import pickle

import numpy as np

# a 3 x 8 x 10 uint8 image with every channel different
IMG = ((np.arange(240).reshape(3, 8, 10) * 37 + 11) % 256).astype(np.uint8)
IMG[1] = np.flip(IMG[1], axis=1)
IMG[2] = (IMG[2].astype(np.int64) * 3 // 4).astype(np.uint8)


def as_np(x):
    """numpy value of a tensor, a PIL image, a tuple of them, or a number."""
    if isinstance(x, (tuple, list)):
        return np.stack([as_np(v) for v in x])
    if hasattr(x, "getbands"):
        return np.array(x)
    if hasattr(x, "detach"):
        return x.detach().numpy()
    return np.asarray(x)


def u8(ns):
    return ns.torch.from_numpy(IMG.copy())


def f32(ns):
    return u8(ns).float() / 255


def pil(ns):
    return ns.Image.fromarray(np.ascontiguousarray(IMG.transpose(1, 2, 0)))


def _im(ns):
    return ns.F.InterpolationMode


# name -> fn(ns) -> value (tensor / PIL / tuple); compared with the recorded numpy value
TENSOR_CASES = {
    "resize_bilinear_u8": lambda ns: ns.F.resize(u8(ns), [5, 6]),
    "resize_bilinear_f_noaa": lambda ns: ns.F.resize(f32(ns), [5, 7], antialias=False),
    "resize_bicubic_up": lambda ns: ns.F.resize(f32(ns), [12, 7], _im(ns).BICUBIC),
    "resize_nearest_short": lambda ns: ns.F.resize(u8(ns), 5, _im(ns).NEAREST),
    "resize_max_size": lambda ns: ns.F.resize(f32(ns), 4, max_size=5),
    "center_crop_pad": lambda ns: ns.F.center_crop(u8(ns), [10, 6]),
    "crop_outside": lambda ns: ns.F.crop(f32(ns), -1, 2, 5, 10),
    "pad_constant": lambda ns: ns.F.pad(u8(ns), [1, 2], fill=7),
    "pad_edge": lambda ns: ns.F.pad(u8(ns), [1, 2, 3, 0], padding_mode="edge"),
    "pad_reflect": lambda ns: ns.F.pad(f32(ns), 2, padding_mode="reflect"),
    "pad_symmetric": lambda ns: ns.F.pad(u8(ns), [2, 1, 0, 3], padding_mode="symmetric"),
    "hflip": lambda ns: ns.F.hflip(u8(ns)),
    "vflip": lambda ns: ns.F.vflip(f32(ns)),
    "rotate_nearest": lambda ns: ns.F.rotate(f32(ns), 30.0),
    "rotate_bilinear_expand": lambda ns: ns.F.rotate(
        u8(ns), 45.0, _im(ns).BILINEAR, expand=True, fill=[10.0, 20.0, 30.0]),
    "rotate_center": lambda ns: ns.F.rotate(f32(ns), -20.0, center=[2, 3]),
    "affine_bilinear": lambda ns: ns.F.affine(f32(ns), 15.0, [1, -2], 1.2, [5.0, 3.0],
                                              _im(ns).BILINEAR),
    "affine_nearest_fill": lambda ns: ns.F.affine(u8(ns), -10.0, [0, 1], 0.9, 10.0,
                                                  fill=[5.0, 5.0, 5.0]),
    "perspective": lambda ns: ns.F.perspective(
        f32(ns), [[0, 0], [9, 0], [9, 7], [0, 7]], [[1, 0], [8, 1], [9, 6], [0, 7]]),
    "brightness_f": lambda ns: ns.F.adjust_brightness(f32(ns), 1.3),
    "brightness_u8": lambda ns: ns.F.adjust_brightness(u8(ns), 0.6),
    "contrast_f": lambda ns: ns.F.adjust_contrast(f32(ns), 0.7),
    "contrast_u8": lambda ns: ns.F.adjust_contrast(u8(ns), 1.4),
    "saturation_f": lambda ns: ns.F.adjust_saturation(f32(ns), 0.5),
    "saturation_u8": lambda ns: ns.F.adjust_saturation(u8(ns), 1.7),
    "hue_u8": lambda ns: ns.F.adjust_hue(u8(ns), -0.3),
    "gamma_f": lambda ns: ns.F.adjust_gamma(f32(ns), 0.8),
    "sharpness_u8": lambda ns: ns.F.adjust_sharpness(u8(ns), 2.0),
    "gray_f": lambda ns: ns.F.rgb_to_grayscale(f32(ns)),
    "gray3_u8": lambda ns: ns.F.rgb_to_grayscale(u8(ns), 3),
    "blur_f": lambda ns: ns.F.gaussian_blur(f32(ns), [3, 5], [0.8, 1.2]),
    "blur_u8": lambda ns: ns.F.gaussian_blur(u8(ns), 3),
    "normalize": lambda ns: ns.F.normalize(f32(ns), [0.5, 0.4, 0.3], [0.2, 0.25, 0.3]),
    "to_u8": lambda ns: ns.F.convert_image_dtype(f32(ns), ns.torch.uint8),
    "u8_to_f": lambda ns: ns.F.convert_image_dtype(u8(ns), ns.torch.float32),
    "u8_to_i32": lambda ns: ns.F.convert_image_dtype(u8(ns), ns.torch.int32),
    "invert": lambda ns: ns.F.invert(u8(ns)),
    "posterize": lambda ns: ns.F.posterize(u8(ns), 3),
    "solarize": lambda ns: ns.F.solarize(u8(ns), 128),
    "autocontrast": lambda ns: ns.F.autocontrast(f32(ns)),
    "equalize": lambda ns: ns.F.equalize(u8(ns)),
    "erase": lambda ns: ns.F.erase(f32(ns), 1, 2, 3, 4, ns.torch.tensor(0.5)),
    "five_crop": lambda ns: ns.F.five_crop(u8(ns), [4, 5]),
    "ten_crop_v": lambda ns: ns.F.ten_crop(f32(ns), 3, vertical_flip=True),
}

PIL_CASES = {
    "to_tensor_pil": lambda ns: ns.F.to_tensor(pil(ns)),
    "pil_to_tensor": lambda ns: ns.F.pil_to_tensor(pil(ns)),
    "to_tensor_nd_u8": lambda ns: ns.F.to_tensor(np.ascontiguousarray(IMG.transpose(1, 2, 0))),
    "to_tensor_nd_f": lambda ns: ns.F.to_tensor(IMG[0].astype(np.float32) / 7),
    "to_pil_f": lambda ns: ns.F.to_pil_image(f32(ns)),
    "to_pil_gray": lambda ns: ns.F.to_pil_image(u8(ns)[:1]),
    "pil_resize_bilinear": lambda ns: ns.F.resize(pil(ns), [5, 6]),
    "pil_resize_bicubic": lambda ns: ns.F.resize(pil(ns), 4, _im(ns).BICUBIC),
    "pil_center_crop_pad": lambda ns: ns.F.center_crop(pil(ns), [10, 6]),
    "pil_pad_reflect": lambda ns: ns.F.pad(pil(ns), [1, 2], padding_mode="reflect"),
    "pil_pad_fill": lambda ns: ns.F.pad(pil(ns), 1, fill=(1, 2, 3)),
    "pil_rotate": lambda ns: ns.F.rotate(pil(ns), 30.0, _im(ns).BILINEAR, expand=True),
    "pil_affine": lambda ns: ns.F.affine(pil(ns), 15.0, [1, -2], 1.2, [5.0, 3.0]),
    "pil_perspective": lambda ns: ns.F.perspective(
        pil(ns), [[0, 0], [9, 0], [9, 7], [0, 7]], [[1, 0], [8, 1], [9, 6], [0, 7]]),
    "pil_hue": lambda ns: ns.F.adjust_hue(pil(ns), 0.2),
    "pil_brightness": lambda ns: ns.F.adjust_brightness(pil(ns), 1.3),
    "pil_contrast": lambda ns: ns.F.adjust_contrast(pil(ns), 0.7),
    "pil_saturation": lambda ns: ns.F.adjust_saturation(pil(ns), 0.5),
    "pil_gamma": lambda ns: ns.F.adjust_gamma(pil(ns), 0.8),
    "pil_blur": lambda ns: ns.F.gaussian_blur(pil(ns), 3),
    "pil_gray3": lambda ns: ns.F.to_grayscale(pil(ns), 3),
    "pil_crop": lambda ns: ns.F.crop(pil(ns), 1, 2, 4, 5),
    "pil_hflip": lambda ns: ns.F.hflip(pil(ns)),
    "pil_pipeline": lambda ns: ns.T.Compose([
        ns.T.Resize(6), ns.T.CenterCrop(5), ns.T.ToTensor(),
        ns.T.Normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25])])(pil(ns)),
}


def repr_cases(ns):
    """Transforms whose repr is compared (constructed only, not run)."""
    T = ns.T
    return [
        T.Compose([T.Resize(6), T.CenterCrop(5), T.ToTensor(), T.Normalize([0.5], [0.2])]),
        T.Resize((4, 5), interpolation=_im(ns).NEAREST, antialias=False),
        T.RandomCrop(5, padding=2), T.RandomHorizontalFlip(), T.RandomVerticalFlip(0.3),
        T.RandomResizedCrop(8, scale=(0.2, 0.9)), T.FiveCrop(3), T.TenCrop((3, 4), True),
        T.Pad([1, 2], fill=3, padding_mode="edge"), T.ColorJitter(0.4, 0.3, (0.5, 1.5), 0.1),
        T.RandomRotation(30, center=(1, 2)), T.RandomAffine(10, translate=(0.1, 0.2),
                                                            scale=(0.9, 1.1), shear=5, fill=1),
        T.Grayscale(3), T.RandomGrayscale(), T.GaussianBlur(3, sigma=(0.1, 1.0)),
        T.RandomErasing(), T.RandomApply([T.RandomHorizontalFlip()], p=0.3),
        T.RandomChoice([T.Grayscale(), T.ToTensor()]), T.RandomOrder([T.ToTensor()]),
        T.Lambda(lambda x: x), T.ToPILImage(), T.ToPILImage("RGB"), T.PILToTensor(),
        T.ConvertImageDtype(ns.torch.float32), T.RandomPerspective(), T.RandomInvert(),
        T.RandomPosterize(4), T.RandomSolarize(100, p=0.2), T.RandomAdjustSharpness(2),
        T.RandomAutocontrast(), T.RandomEqualize(), T.CenterCrop([3]),
    ]


# random transforms: (name, factory(ns), input kind, calls); the draws of torch.rand,
# torch.randint, torch.randperm, Tensor.uniform_ and Tensor.normal_ are logged when recording
# and replayed under torchlike, so call order, arguments and outputs are all checked
RANDOM_CASES = [
    ("random_crop", lambda ns: ns.T.RandomCrop(5, padding=1), "u8", 2),
    ("random_crop_pad_if_needed",
     lambda ns: ns.T.RandomCrop((6, 12), pad_if_needed=True, padding_mode="edge"), "u8", 1),
    ("hflip", lambda ns: ns.T.RandomHorizontalFlip(), "u8", 4),
    ("vflip", lambda ns: ns.T.RandomVerticalFlip(0.7), "f32", 3),
    ("resized_crop", lambda ns: ns.T.RandomResizedCrop(5, scale=(0.3, 1.0)), "f32", 3),
    ("resized_crop_pil", lambda ns: ns.T.RandomResizedCrop((4, 6)), "pil", 2),
    ("rotation", lambda ns: ns.T.RandomRotation(25), "f32", 2),
    ("affine", lambda ns: ns.T.RandomAffine(20, translate=(0.2, 0.1), scale=(0.8, 1.2),
                                            shear=(-5, 5, -3, 3)), "f32", 2),
    ("color_jitter", lambda ns: ns.T.ColorJitter(0.3, 0.3, 0.3, 0.1), "f32", 2),
    ("erasing_random", lambda ns: ns.T.RandomErasing(p=1.0, value="random"), "f32", 2),
    ("blur", lambda ns: ns.T.GaussianBlur(3, sigma=(0.5, 1.5)), "f32", 1),
    ("grayscale", lambda ns: ns.T.RandomGrayscale(0.5), "f32", 3),
    ("apply", lambda ns: ns.T.RandomApply([ns.T.ColorJitter(0.5)], p=0.7), "f32", 2),
    ("perspective", lambda ns: ns.T.RandomPerspective(p=1.0), "f32", 1),
]


def random_input(ns, kind):
    return {"u8": u8, "f32": f32, "pil": pil}[kind](ns)


# ---- datasets: tiny files in torchvision's on-disk formats ----

def _idx(path, arr, code):
    arr = np.asarray(arr)
    header = bytes([0, 0, code, arr.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in arr.shape)
    with open(path, "wb") as f:
        f.write(header + arr.astype(arr.dtype.newbyteorder(">")).tobytes())


def mnist_arrays(n, h=4, w=5, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, size=(n, h, w), dtype=np.uint8),
            rng.integers(0, 10, size=n).astype(np.uint8))


def write_mnist(root, cls="MNIST", n=5, train=True):
    raw = os.path.join(root, cls, "raw")
    os.makedirs(raw, exist_ok=True)
    split = "train" if train else "t10k"
    imgs, labels = mnist_arrays(n, seed=1 if train else 2)
    _idx(os.path.join(raw, f"{split}-images-idx3-ubyte"), imgs, 8)
    _idx(os.path.join(raw, f"{split}-labels-idx1-ubyte"), labels, 8)


def write_emnist(root, split="letters", n=4):
    raw = os.path.join(root, "EMNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    imgs, labels = mnist_arrays(n, seed=3)
    _idx(os.path.join(raw, f"emnist-{split}-train-images-idx3-ubyte"), imgs, 8)
    _idx(os.path.join(raw, f"emnist-{split}-train-labels-idx1-ubyte"), labels, 8)


def _cifar_batch(n, seed, fine):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
    labels = [int(v) for v in rng.integers(0, 10, size=n)]
    return {"data": data, ("fine_labels" if fine else "labels"): labels}


def write_cifar10(root):
    base = os.path.join(root, "cifar-10-batches-py")
    os.makedirs(base, exist_ok=True)
    for i in range(1, 6):
        with open(os.path.join(base, f"data_batch_{i}"), "wb") as f:
            pickle.dump(_cifar_batch(2, 10 + i, False), f)
    with open(os.path.join(base, "test_batch"), "wb") as f:
        pickle.dump(_cifar_batch(3, 20, False), f)
    with open(os.path.join(base, "batches.meta"), "wb") as f:
        pickle.dump({"label_names": [f"c{i}" for i in range(10)]}, f)


def write_cifar100(root):
    base = os.path.join(root, "cifar-100-python")
    os.makedirs(base, exist_ok=True)
    for name, seed, n in (("train", 30, 3), ("test", 31, 2)):
        with open(os.path.join(base, name), "wb") as f:
            pickle.dump(_cifar_batch(n, seed, True), f)
    with open(os.path.join(base, "meta"), "wb") as f:
        pickle.dump({"fine_label_names": [f"f{i}" for i in range(100)]}, f)


def write_image_folder(root, Image):
    rng = np.random.default_rng(5)
    layout = {"cat": ["b.png", "a.png", "sub/c.png", "notes.txt"], "dog": ["x.jpg.png"],
              "empty_ok": ["readme.md"]}
    for cls, files in layout.items():
        for name in files:
            path = os.path.join(root, cls, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if name.endswith(".png"):
                arr = rng.integers(0, 256, size=(3, 4, 3), dtype=np.uint8)
                Image.fromarray(arr).save(path)
            else:
                with open(path, "w") as f:
                    f.write("not an image")


# ---- utils / ops inputs ----

BATCH = ((np.arange(5 * 3 * 4 * 4).reshape(5, 3, 4, 4) * 7 % 23) / 22.0).astype(np.float32)
BOXES1 = np.array([[0, 0, 4, 4], [1, 2, 6, 5], [3, 3, 9, 8], [2, 0, 3, 7]], dtype=np.float32)
BOXES2 = np.array([[1, 1, 5, 5], [0, 0, 2, 3], [4, 4, 8, 9]], dtype=np.float32)
NMS_BOXES = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [0.5, 0, 10, 9.5], [20, 20, 30, 30],
                      [21, 19, 31, 29], [5, 5, 15, 15], [0, 0, 10, 10]], dtype=np.float32)
NMS_SCORES = np.array([0.9, 0.8, 0.85, 0.7, 0.75, 0.6, 0.3], dtype=np.float32)
NMS_IDXS = np.array([0, 1, 0, 0, 1, 1, 0], dtype=np.int64)
FEAT = (np.sin(np.arange(2 * 2 * 6 * 7).reshape(2, 2, 6, 7) * 0.37) * 3).astype(np.float32)
ROIS = np.array([[0, 0.5, 0.5, 4.2, 3.3], [1, 1.0, 1.0, 6.0, 5.0], [0, -2.0, -1.5, 3.0, 9.0],
                 [1, 2.3, 0.2, 2.9, 1.1], [0, 4.0, 3.0, 12.0, 10.0]], dtype=np.float32)
MASKS = np.zeros((3, 8, 10), dtype=bool)
MASKS[0, 1:4, 2:6] = True
MASKS[1, 3:7, 5:9] = True
MASKS[2, 0, 0] = True
