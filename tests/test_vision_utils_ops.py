"""torchlike.vision.utils / ops / io against torchvision 0.28 (compat_tests/fixtures/vision).

nms, batched_nms, roi_align and roi_pool are compared with plain-Python references of
torchvision's CPU kernels (recorded by compat_tests/record/record_vision.py, whose roi_align
reference is itself checked against torchvision's pure-PyTorch roi_align); the rest with
torchvision's own outputs.
"""

from __future__ import annotations

import io
import json
import pathlib

import numpy as np
import pytest

pytest.importorskip("PIL")
from PIL import Image  # noqa: E402

import torchlike as torch  # noqa: E402
from compat_tests import vision_cases as C  # noqa: E402
from torchlike.vision import io as tvio  # noqa: E402
from torchlike.vision import ops, utils  # noqa: E402

FIX = pathlib.Path(__file__).resolve().parents[1] / "compat_tests" / "fixtures" / "vision"
META = json.loads((FIX / "vision.json").read_text())
ARR = dict(np.load(FIX / "vision.npz"))


def close(got, want, tol=1e-5):
    got = C.as_np(got)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    else:
        np.testing.assert_array_equal(got, want)


def test_make_grid_and_save_image():
    b = torch.from_numpy(C.BATCH)
    close(utils.make_grid(b, nrow=2, padding=1), ARR["ut__grid_nrow2"])
    close(utils.make_grid([b[0] * 3, b[1] - 1], normalize=True, scale_each=True,
                          value_range=(0.1, 0.8)), ARR["ut__grid_scale_each"])
    close(utils.make_grid(b[:, :1], nrow=3, padding=0), ARR["ut__grid_gray"])
    buf = io.BytesIO()
    utils.save_image(b[:4], buf, format="png", nrow=2)
    close(np.array(Image.open(io.BytesIO(buf.getvalue()))), ARR["ut__save_image"])


def test_draw():
    img = torch.from_numpy(C.IMG.copy())
    boxes = torch.tensor([[1, 1, 6, 5], [0, 2, 9, 7], [4, 0, 8, 3]], dtype=torch.float32)
    close(utils.draw_bounding_boxes(img, boxes, labels=["a", "bb", "c"],
                                    colors=["red", (0, 255, 0), "#0000ff"], width=2),
          ARR["ut__boxes"])
    close(utils.draw_bounding_boxes(img, boxes[:2], fill=True), ARR["ut__boxes_fill"])
    close(utils.draw_bounding_boxes(img[:1].float() / 255, boxes[:1], colors="yellow"),
          ARR["ut__boxes_float"])
    masks = torch.from_numpy(C.MASKS)
    close(utils.draw_segmentation_masks(img, masks, alpha=0.6), ARR["ut__masks"])
    close(utils.draw_segmentation_masks(img.float() / 255, masks[0], colors="blue"),
          ARR["ut__masks_float"])
    with pytest.raises(ValueError, match="Boxes need to be in"):
        utils.draw_bounding_boxes(img, torch.tensor([[5.0, 1, 2, 4]]))


def test_box_ops():
    b1, b2 = torch.from_numpy(C.BOXES1), torch.from_numpy(C.BOXES2)
    close(ops.box_iou(b1, b2), ARR["op__box_iou"])
    close(ops.box_iou(b1, b2, fmt="cxcywh"), ARR["op__box_iou_cxcywh"])
    close(ops.generalized_box_iou(b1, b2), ARR["op__giou"])
    close(ops.distance_box_iou(b1, b2), ARR["op__diou"])
    close(ops.complete_box_iou(b1, b2), ARR["op__ciou"])
    close(ops.box_area(b1), ARR["op__area"])
    close(ops.clip_boxes_to_image(b1 * 1.5 - 1, (6, 7)), ARR["op__clip"])
    close(ops.remove_small_boxes(b1, 2.5), ARR["op__small"])
    close(ops.masks_to_boxes(torch.from_numpy(C.MASKS)), ARR["op__masks_to_boxes"])
    for a, b in (("xyxy", "xyxy"), ("xywh", "cxcywh"), ("cxcywh", "xyxy"), ("xyxy", "xywh")):
        close(ops.box_convert(b1, a, b), ARR[f"op__convert_{a}_{b}"])
    with pytest.raises(ValueError, match="Unsupported Bounding Box Conversions"):
        ops.box_convert(b1, "xyxy", "xy")


def test_sigmoid_focal_loss():
    x = torch.linspace(-2, 2, 6, requires_grad=True)
    t = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    for red in ("none", "mean", "sum"):
        close(ops.sigmoid_focal_loss(x, t, alpha=0.3, gamma=1.5, reduction=red),
              ARR[f"op__focal_{red}"])
    ops.sigmoid_focal_loss(x, t, reduction="sum").backward()
    close(x.grad, ARR["op__focal_grad"])


def test_box_losses_and_frozen_bn():
    m1 = torch.from_numpy(C.BOXES1[:3]).requires_grad_(True)
    m2 = torch.from_numpy(C.BOXES2)
    close(ops.generalized_box_iou_loss(m1, m2), ARR["op__giou_loss"])
    close(ops.distance_box_iou_loss(m1, m2, "mean"), ARR["op__diou_loss_mean"])
    ciou = ops.complete_box_iou_loss(m1, m2, "sum")
    close(ciou, ARR["op__ciou_loss_sum"])
    ciou.backward()
    close(m1.grad, ARR["op__ciou_loss_grad"])
    fbn = ops.FrozenBatchNorm2d(2, eps=1e-3)
    bn = torch.nn.BatchNorm2d(2)
    bn.running_mean.fill_(0.5)
    bn.running_var.fill_(2.0)
    bn.weight.data.fill_(1.5)
    fbn.load_state_dict(bn.state_dict())  # BatchNorm's num_batches_tracked is dropped
    close(fbn(torch.from_numpy(C.FEAT)), ARR["op__frozen_bn"])
    assert repr(fbn) == META["frozen_bn_repr"]


def test_nms():
    nb, ns_ = torch.from_numpy(C.NMS_BOXES), torch.from_numpy(C.NMS_SCORES)
    assert ops.nms(nb, ns_, 0.5).tolist() == META["nms"]["nms_05"]
    assert ops.nms(nb, ns_, 0.3).tolist() == META["nms"]["nms_03"]
    keep = ops.batched_nms(nb, ns_, torch.from_numpy(C.NMS_IDXS), 0.5)
    assert keep.dtype == torch.int64 and keep.tolist() == META["nms"]["batched_05"]
    assert ops.nms(torch.zeros(0, 4), torch.zeros(0), 0.5).shape == (0,)


def test_roi_align_pool():
    feat, rois = torch.from_numpy(C.FEAT), torch.from_numpy(C.ROIS)
    # differentiable: gradients flow back to the feature map
    f = feat.clone().requires_grad_(True)
    out = ops.roi_align(f, rois, (2, 3), 1.0, -1, False)
    close(out, ARR["op__ra_adaptive"], 1e-4)
    out.sum().backward()
    assert f.grad.shape == f.shape and float(f.grad.abs().sum()) > 0
    close(ops.RoIAlign((3, 2), 0.5, 2, aligned=True)(feat, rois), ARR["op__ra_ratio2_aligned"],
          1e-4)
    # a list of per-image boxes is the same as the (K, 5) form
    per_image = [torch.from_numpy(C.ROIS[C.ROIS[:, 0] == i][:, 1:]) for i in range(2)]
    order = np.argsort(C.ROIS[:, 0], kind="stable")
    close(ops.roi_pool(feat, per_image, (2, 3)), ARR["op__roi_pool"][order])


def test_io_round_trip(tmp_path):
    img = torch.from_numpy(C.IMG.copy())
    tvio.write_png(img, str(tmp_path / "a.png"))
    assert torch.equal(tvio.read_image(str(tmp_path / "a.png")), img)
    gray = tvio.read_image(str(tmp_path / "a.png"), tvio.ImageReadMode.GRAY)
    assert gray.shape == (1, 8, 10) and gray.dtype == torch.uint8
    data = tvio.read_file(str(tmp_path / "a.png"))
    assert data.dtype == torch.uint8 and data.dim() == 1
    assert tvio.decode_image(data, "RGB_ALPHA").shape == (4, 8, 10)
    smooth = torch.from_numpy(np.broadcast_to(np.arange(0, 160, 16, dtype=np.uint8),
                                              (3, 8, 10)).copy())
    tvio.write_jpeg(smooth, str(tmp_path / "a.jpg"), quality=95)
    back = tvio.decode_jpeg(tvio.read_file(str(tmp_path / "a.jpg")))
    assert back.shape == smooth.shape and (back.int() - smooth.int()).abs().max() < 8
    with pytest.raises(RuntimeError, match="Input tensor dtype should be uint8"):
        tvio.encode_png(img.float())
    with pytest.raises(ValueError, match="Image quality should be"):
        tvio.encode_jpeg(img, quality=0)
