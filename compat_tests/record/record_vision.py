"""Record torchvision 0.28's results on the cases of compat_tests/vision_cases.py.

Run by hand in the torch venv (never in CI):
    PYTHONPATH=/work/shared/tools /work/tvenv/bin/python compat_tests/record/record_vision.py
torchvision's compiled ops do not load on the CPU torch wheel, so nms, roi_align and roi_pool
are recorded from plain-Python references of torchvision's CPU kernels written below (and the
reference roi_align is checked against torchvision's own pure-PyTorch `_roi_align`).
Writes compat_tests/fixtures/vision/{vision.npz, vision.json}.
"""

from __future__ import annotations

import importlib
import io
import json
import math
import os
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
importlib.import_module("torchvision_cpu_shim")  # must precede torchvision's import
import torch  # noqa: E402
import torchvision  # noqa: E402
from PIL import Image  # noqa: E402
from torchvision import datasets, ops, utils  # noqa: E402
from torchvision import transforms as T  # noqa: E402
from torchvision.transforms import functional as F  # noqa: E402

from compat_tests import vision_cases as C  # noqa: E402

OUT = ROOT / "compat_tests" / "fixtures" / "vision"
ns = SimpleNamespace(torch=torch, F=F, T=T, ops=ops, utils=utils, datasets=datasets, Image=Image)
arrays: dict[str, np.ndarray] = {}
meta: dict = {"torchvision": torchvision.__version__, "torch": torch.__version__}


def kind(x):
    if isinstance(x, (tuple, list)):
        return kind(x[0])
    if hasattr(x, "getbands"):
        return "PIL:" + x.mode
    if not hasattr(x, "dtype"):
        return type(x).__name__
    return str(x.dtype).replace("torch.", "")


def record_transforms():
    info = {}
    for name, fn in {**C.TENSOR_CASES, **C.PIL_CASES}.items():
        out = fn(ns)
        arrays[f"tf__{name}"] = C.as_np(out)
        info[name] = kind(out)
    meta["transforms"] = info
    meta["reprs"] = [repr(t) for t in C.repr_cases(ns)]


def _logging(log):
    orig = (torch.rand, torch.randint, torch.randperm, torch.Tensor.uniform_,
            torch.Tensor.normal_)

    def rand(*size, **kw):
        r = orig[0](*size, **kw)
        log.append(["rand", list(r.shape), r.flatten().tolist()])
        return r

    def randint(low, high, size, **kw):
        r = orig[1](low, high, size, **kw)
        log.append(["randint", [int(low), int(high)], r.flatten().tolist()])
        return r

    def randperm(n, **kw):
        r = orig[2](n, **kw)
        log.append(["randperm", [int(n)], r.tolist()])
        return r

    def uniform_(self, a=0.0, b=1.0, **kw):
        r = orig[3](self, a, b, **kw)
        log.append(["uniform_", [float(a), float(b)], r.flatten().tolist()])
        return r

    def normal_(self, mean=0.0, std=1.0, **kw):
        r = orig[4](self, mean, std, **kw)
        log.append(["normal_", list(r.shape), r.flatten().tolist()])
        return r

    torch.rand, torch.randint, torch.randperm = rand, randint, randperm
    torch.Tensor.uniform_, torch.Tensor.normal_ = uniform_, normal_
    return orig


def _restore(orig):
    torch.rand, torch.randint, torch.randperm = orig[:3]
    torch.Tensor.uniform_, torch.Tensor.normal_ = orig[3:]


def record_random():
    info = {}
    torch.manual_seed(0)
    for name, factory, inp, calls in C.RANDOM_CASES:
        t = factory(ns)
        log: list = []
        orig = _logging(log)
        try:
            outs = [C.as_np(t(C.random_input(ns, inp))) for _ in range(calls)]
        finally:
            _restore(orig)
        for i, o in enumerate(outs):
            arrays[f"rnd__{name}__{i}"] = o
        info[name] = log
    meta["random"] = info


def _ds(prefix, ds, root, items=2):
    d = {"len": len(ds), "repr": repr(ds).replace(root, "<root>")}
    for attr in ("classes", "class_to_idx"):
        if hasattr(ds, attr):
            d[attr] = getattr(ds, attr)
    if hasattr(ds, "data"):
        arrays[f"ds__{prefix}__data"] = C.as_np(ds.data)
        d["data_type"] = type(ds.data).__name__
    if hasattr(ds, "targets"):
        tg = ds.targets
        d["targets"] = tg.tolist() if hasattr(tg, "tolist") else list(tg)
        d["targets_type"] = type(tg).__name__
    if hasattr(ds, "samples"):
        d["samples"] = [[os.path.relpath(p, root), c] for p, c in ds.samples]
    its = []
    for i in range(min(items, len(ds))):
        img, target = ds[i]
        arrays[f"ds__{prefix}__item{i}"] = C.as_np(img)
        its.append([kind(img), target, type(target).__name__])
    d["items"] = its
    meta["datasets"][prefix] = d


def _err(fn, root):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return [type(e).__name__, str(e).replace(root, "<root>")]
    return None


def record_datasets():
    meta["datasets"] = {}
    with tempfile.TemporaryDirectory() as root:
        C.write_mnist(root, "MNIST", 5, True)
        C.write_mnist(root, "MNIST", 3, False)
        for cls in ("FashionMNIST", "KMNIST"):
            C.write_mnist(root, cls, 2, True)
            C.write_mnist(root, cls, 2, False)
        C.write_emnist(root, "letters")
        tf = T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))])
        _ds("mnist_train", datasets.MNIST(root, transform=tf, target_transform=T.Lambda(int)),
            root)
        _ds("mnist_test", datasets.MNIST(root, train=False), root)
        _ds("fashion", datasets.FashionMNIST(root), root, 1)
        _ds("kmnist", datasets.KMNIST(root), root, 1)
        _ds("emnist", datasets.EMNIST(root, split="letters"), root, 1)
        C.write_cifar10(root)
        C.write_cifar100(root)
        # the fake batches do not have the real md5s: record with the md5 check off
        import torchvision.datasets.cifar as cifar_mod

        real = cifar_mod.check_integrity
        cifar_mod.check_integrity = lambda fpath, md5=None: os.path.isfile(fpath)
        try:
            _ds("cifar10_train", datasets.CIFAR10(root, transform=T.PILToTensor()), root)
            _ds("cifar10_test", datasets.CIFAR10(root, train=False), root, 1)
            _ds("cifar100", datasets.CIFAR100(root), root, 1)
        finally:
            cifar_mod.check_integrity = real
        folder = os.path.join(root, "folder")
        C.write_image_folder(folder, Image)
        _ds("imagefolder", datasets.ImageFolder(folder, transform=T.ToTensor(),
                                                allow_empty=True), folder)
        _ds("datasetfolder", datasets.DatasetFolder(
            folder, loader=lambda p: os.path.getsize(p), extensions=(".txt", ".md"),
            allow_empty=True), folder)
        empty = os.path.join(root, "none")
        os.makedirs(empty)
        meta["dataset_errors"] = {
            "mnist_missing": _err(lambda: datasets.MNIST(empty), root),
            "cifar_md5": _err(lambda: datasets.CIFAR10(root), root),
            "cifar_missing": _err(lambda: datasets.CIFAR10(empty), root),
            "emnist_split": _err(lambda: datasets.EMNIST(root, split="bad"), root),
            "folder_no_class": _err(lambda: datasets.ImageFolder(empty), root),
            "folder_empty_class": _err(lambda: datasets.ImageFolder(folder), root),
        }
        fake = datasets.FakeData(size=3, image_size=(3, 4, 5), num_classes=4,
                                 transform=T.ToTensor())
        img, target = fake[1]
        meta["fakedata"] = {"len": len(fake), "repr": repr(fake), "shape": list(img.shape),
                            "dtype": kind(img), "target_type": type(target).__name__,
                            "index_error": _err(lambda: fake[3], root)}


def record_utils():
    b = torch.from_numpy(C.BATCH)
    grids = {
        "grid_nrow2": utils.make_grid(b, nrow=2, padding=1),
        "grid_scale_each": utils.make_grid([b[0] * 3, b[1] - 1], normalize=True,
                                           scale_each=True, value_range=(0.1, 0.8)),
        "grid_gray": utils.make_grid(b[:, :1], nrow=3, padding=0),
    }
    for k, v in grids.items():
        arrays[f"ut__{k}"] = v.numpy()
    buf = io.BytesIO()
    utils.save_image(b[:4], buf, format="png", nrow=2)
    arrays["ut__save_image"] = np.array(Image.open(io.BytesIO(buf.getvalue())))
    img = torch.from_numpy(C.IMG.copy())
    boxes = torch.tensor([[1, 1, 6, 5], [0, 2, 9, 7], [4, 0, 8, 3]], dtype=torch.float32)
    arrays["ut__boxes"] = utils.draw_bounding_boxes(
        img, boxes, labels=["a", "bb", "c"], colors=["red", (0, 255, 0), "#0000ff"],
        width=2).numpy()
    arrays["ut__boxes_fill"] = utils.draw_bounding_boxes(img, boxes[:2], fill=True).numpy()
    arrays["ut__boxes_float"] = utils.draw_bounding_boxes(img[:1].float() / 255, boxes[:1],
                                                          colors="yellow").numpy()
    masks = torch.from_numpy(C.MASKS)
    arrays["ut__masks"] = utils.draw_segmentation_masks(img, masks, alpha=0.6).numpy()
    arrays["ut__masks_float"] = utils.draw_segmentation_masks(
        img.float() / 255, masks[0], colors="blue").numpy()


# ---- references for torchvision's compiled CPU kernels (loops over the kernel's rules) ----

def ref_nms(boxes, scores, thr):
    order = sorted(range(len(scores)), key=lambda i: (-float(scores[i]), i))
    area = [(b[2] - b[0]) * (b[3] - b[1]) for b in boxes]
    dead, keep = set(), []
    for a, i in enumerate(order):
        if i in dead:
            continue
        keep.append(i)
        for j in order[a + 1:]:
            w = max(np.float32(0), min(boxes[i][2], boxes[j][2]) - max(boxes[i][0], boxes[j][0]))
            h = max(np.float32(0), min(boxes[i][3], boxes[j][3]) - max(boxes[i][1], boxes[j][1]))
            inter = w * h
            if inter / (area[i] + area[j] - inter) > thr:
                dead.add(j)
    return keep


def ref_bilinear(fm, y, x):
    hgt, wid = fm.shape
    if y < -1.0 or y > hgt or x < -1.0 or x > wid:
        return 0.0
    y, x = max(y, 0.0), max(x, 0.0)
    yl, xl = int(y), int(x)
    if yl >= hgt - 1:
        yh = yl = hgt - 1
        y = float(yl)
    else:
        yh = yl + 1
    if xl >= wid - 1:
        xh = xl = wid - 1
        x = float(xl)
    else:
        xh = xl + 1
    ly, lx = y - yl, x - xl
    hy, hx = 1 - ly, 1 - lx
    return hy * hx * fm[yl, xl] + hy * lx * fm[yl, xh] + ly * hx * fm[yh, xl] + ly * lx * fm[yh, xh]


def ref_roi_align(feat, rois, out_hw, scale, ratio, aligned):
    ph_n, pw_n = out_hw
    out = np.zeros((len(rois), feat.shape[1], ph_n, pw_n), dtype=np.float64)
    off = 0.5 if aligned else 0.0
    for k, r in enumerate(rois.astype(np.float64)):
        sw, sh = r[1] * scale - off, r[2] * scale - off
        rw, rh = r[3] * scale - off - sw, r[4] * scale - off - sh
        if not aligned:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bh, bw = rh / ph_n, rw / pw_n
        gh = ratio if ratio > 0 else math.ceil(rh / ph_n)
        gw = ratio if ratio > 0 else math.ceil(rw / pw_n)
        count = max(gh * gw, 1)
        for c in range(feat.shape[1]):
            fm = feat[int(r[0]), c].astype(np.float64)
            for ph in range(ph_n):
                for pw in range(pw_n):
                    acc = 0.0
                    for iy in range(gh):
                        y = sh + ph * bh + (iy + 0.5) * bh / gh
                        for ix in range(gw):
                            x = sw + pw * bw + (ix + 0.5) * bw / gw
                            acc += ref_bilinear(fm, y, x)
                    out[k, c, ph, pw] = acc / count
    return out


def ref_roi_pool(feat, rois, out_hw, scale):
    ph_n, pw_n = out_hw
    hgt, wid = feat.shape[2:]
    out = np.zeros((len(rois), feat.shape[1], ph_n, pw_n), dtype=np.float32)

    def rnd(v):  # std::round
        return int(math.floor(abs(v) + 0.5)) * (1 if v >= 0 else -1)

    for k, r in enumerate(rois.astype(np.float64)):
        x0, y0, x1, y1 = (rnd(v * scale) for v in r[1:])
        rh, rw = max(y1 - y0 + 1, 1), max(x1 - x0 + 1, 1)
        bh, bw = rh / ph_n, rw / pw_n
        for ph in range(ph_n):
            for pw in range(pw_n):
                hs = min(max(math.floor(ph * bh) + y0, 0), hgt)
                he = min(max(math.ceil((ph + 1) * bh) + y0, 0), hgt)
                ws = min(max(math.floor(pw * bw) + x0, 0), wid)
                we = min(max(math.ceil((pw + 1) * bw) + x0, 0), wid)
                for c in range(feat.shape[1]):
                    if he <= hs or we <= ws:
                        out[k, c, ph, pw] = 0
                    else:
                        out[k, c, ph, pw] = feat[int(r[0]), c, hs:he, ws:we].max()
    return out


def record_ops():
    b1, b2 = torch.from_numpy(C.BOXES1), torch.from_numpy(C.BOXES2)
    res = {
        "box_iou": ops.box_iou(b1, b2), "box_iou_cxcywh": ops.box_iou(b1, b2, fmt="cxcywh"),
        "giou": ops.generalized_box_iou(b1, b2), "diou": ops.distance_box_iou(b1, b2),
        "ciou": ops.complete_box_iou(b1, b2), "area": ops.box_area(b1),
        "clip": ops.clip_boxes_to_image(b1 * 1.5 - 1, (6, 7)),
        "small": ops.remove_small_boxes(b1, 2.5),
        "masks_to_boxes": ops.masks_to_boxes(torch.from_numpy(C.MASKS)),
    }
    for a, b in (("xyxy", "xyxy"), ("xywh", "cxcywh"), ("cxcywh", "xyxy"), ("xyxy", "xywh")):
        res[f"convert_{a}_{b}"] = ops.box_convert(b1, a, b)
    x = torch.linspace(-2, 2, 6, requires_grad=True)
    t = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    for red in ("none", "mean", "sum"):
        res[f"focal_{red}"] = ops.sigmoid_focal_loss(x, t, alpha=0.3, gamma=1.5, reduction=red)
    m1 = torch.from_numpy(C.BOXES1[:3]).requires_grad_(True)
    m2 = torch.from_numpy(C.BOXES2)
    res["giou_loss"] = ops.generalized_box_iou_loss(m1, m2)
    res["diou_loss_mean"] = ops.distance_box_iou_loss(m1, m2, "mean")
    ciou = ops.complete_box_iou_loss(m1, m2, "sum")
    ciou.backward()
    res["ciou_loss_sum"], res["ciou_loss_grad"] = ciou, m1.grad
    fbn = ops.FrozenBatchNorm2d(2, eps=1e-3)
    bn = torch.nn.BatchNorm2d(2)
    bn.running_mean.fill_(0.5)
    bn.running_var.fill_(2.0)
    bn.weight.data.fill_(1.5)
    fbn.load_state_dict(bn.state_dict())
    res["frozen_bn"] = fbn(torch.from_numpy(C.FEAT))
    meta["frozen_bn_repr"] = repr(fbn)
    loss = ops.sigmoid_focal_loss(x, t, reduction="sum")
    loss.backward()
    res["focal_grad"] = x.grad
    for k, v in res.items():
        arrays[f"op__{k}"] = v.detach().numpy()
    nb, nsc = C.NMS_BOXES, C.NMS_SCORES
    nms = {"nms_05": ref_nms(nb, nsc, 0.5), "nms_03": ref_nms(nb, nsc, 0.3)}
    keep = []
    for cls in sorted(set(C.NMS_IDXS.tolist())):
        idx = [i for i in range(len(nsc)) if C.NMS_IDXS[i] == cls]
        keep += [idx[j] for j in ref_nms(nb[idx], nsc[idx], 0.5)]
    nms["batched_05"] = sorted(keep, key=lambda i: (-float(nsc[i]), i))
    meta["nms"] = nms
    feat = C.FEAT
    for name, (hw, scale, ratio, aligned) in {
            "ra_adaptive": ((2, 3), 1.0, -1, False),
            "ra_ratio2_aligned": ((3, 2), 0.5, 2, True)}.items():
        arrays[f"op__{name}"] = ref_roi_align(feat, C.ROIS, hw, scale, ratio, aligned)
    arrays["op__roi_pool"] = ref_roi_pool(feat, C.ROIS, (2, 3), 1.0)
    # the in-image rois agree with torchvision's own pure-PyTorch roi_align
    from torchvision.ops.roi_align import _roi_align

    inner = C.ROIS[[0, 1, 3]]
    fn = getattr(_roi_align, "__wrapped__", _roi_align)
    tv = fn(torch.from_numpy(feat), torch.from_numpy(inner), 1.0, 2, 3, -1, False)
    np.testing.assert_allclose(tv.numpy(), ref_roi_align(feat, inner, (2, 3), 1.0, -1, False),
                               rtol=1e-5, atol=1e-5)


def main():
    record_transforms()
    record_random()
    record_datasets()
    record_utils()
    record_ops()
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT / "vision.npz", **arrays)
    (OUT / "vision.json").write_text(json.dumps(meta, indent=1, sort_keys=True))
    print("wrote", len(arrays), "arrays;", (OUT / "vision.npz").stat().st_size, "bytes")


if __name__ == "__main__":
    main()
