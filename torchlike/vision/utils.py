"""torchvision.utils: make_grid, save_image, draw_bounding_boxes, draw_segmentation_masks."""

from __future__ import annotations

import math
import warnings

import jax.numpy as jnp
import numpy as np

import torchlike as torch
import torchlike.nn.functional as _nnf
from torchlike.interop import torch_op

from .transforms import _pil

__all__ = ["make_grid", "save_image", "draw_bounding_boxes", "draw_segmentation_masks"]


def make_grid(tensor, nrow: int = 8, padding: int = 2, normalize: bool = False,
              value_range=None, scale_each: bool = False, pad_value: float = 0.0):
    """torchvision.utils.make_grid: tile a (B, C, H, W) batch into one (C, H', W') image."""
    if not torch.is_tensor(tensor):
        if isinstance(tensor, list):
            for t in tensor:
                if not torch.is_tensor(t):
                    raise TypeError(
                        f"tensor or list of tensors expected, got a list containing {type(t)}")
        else:
            raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if isinstance(tensor, list):
        tensor = torch.stack(tensor, dim=0)
    if tensor.dim() == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:
        if tensor.size(0) == 1:
            tensor = torch.cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 4 and tensor.size(1) == 1:
        tensor = torch.cat((tensor, tensor, tensor), 1)
    if normalize is True:
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max "
                            "are numbers")

        def norm(t):
            lo, hi = value_range if value_range is not None else (float(t.min()), float(t.max()))
            return t.clamp(min=lo, max=hi).sub(lo).div(max(hi - lo, 1e-5))

        tensor = torch.stack([norm(t) for t in tensor]) if scale_each is True else norm(tensor)
    if tensor.size(0) == 1:
        return tensor.squeeze(0)
    n, c, h, w = tensor.shape
    xmaps = min(nrow, n)
    ymaps = int(math.ceil(float(n) / xmaps))
    # each cell is the image with `padding` pad_value rows/cols above and left of it; the
    # missing cells of the last row are all pad_value; one more padding closes the grid
    cells = _nnf.pad(tensor, [padding, 0, padding, 0], value=float(pad_value))
    if ymaps * xmaps > n:
        blank = torch.full((ymaps * xmaps - n, c, h + padding, w + padding), pad_value,
                           dtype=tensor.dtype)
        cells = torch.cat((cells, blank), 0)
    grid = cells.reshape(ymaps, xmaps, c, h + padding, w + padding).permute(2, 0, 3, 1, 4)
    grid = grid.reshape(c, ymaps * (h + padding), xmaps * (w + padding))
    return _nnf.pad(grid, [0, padding, 0, padding], value=float(pad_value))


def save_image(tensor, fp, format=None, **kwargs) -> None:
    """torchvision.utils.save_image: make_grid, scale to uint8 and write with Pillow."""
    with torch.no_grad():
        grid = make_grid(tensor, **kwargs)
        arr = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(torch.uint8).numpy()
    _pil.pil().fromarray(arr).save(fp, format=format)


def _generate_color_palette(num_objects: int):
    palette = np.array([2 ** 25 - 1, 2 ** 15 - 1, 2 ** 21 - 1], dtype=np.int64)
    return [tuple(int(v) for v in i * palette % 255) for i in range(num_objects)]


def _parse_colors(colors, *, num_objects: int, dtype=torch.uint8):
    if colors is None:
        colors = _generate_color_palette(num_objects)
    elif isinstance(colors, list):
        if len(colors) < num_objects:
            raise ValueError("Number of colors must be equal or larger than the number of "
                             f"objects, but got {len(colors)} < {num_objects}.")
    elif not isinstance(colors, (tuple, str)):
        raise ValueError(
            f"colors must be a tuple or a string, or a list thereof, but got {colors}.")
    elif isinstance(colors, tuple) and len(colors) != 3:
        raise ValueError(
            f"If passed as tuple, colors should be an RGB triplet, but got {colors}.")
    else:
        colors = [colors] * num_objects
    if any(isinstance(c, str) for c in colors):
        _pil.pil()
        from PIL import ImageColor

        colors = [ImageColor.getrgb(c) if isinstance(c, str) else c for c in colors]
    if dtype.is_floating_point:
        colors = [tuple(v / 255 for v in c) for c in colors]
    return colors


def _to_uint8(image):
    from .transforms._tensor import convert_image_dtype

    return convert_image_dtype(image, torch.uint8)


def draw_bounding_boxes(image, boxes, labels=None, colors=None, fill=False, width: int = 1,
                        font=None, font_size=None, label_colors=None,
                        label_background_colors=None, fill_labels: bool = False):
    """torchvision.utils.draw_bounding_boxes (axis-aligned xyxy boxes, drawn by Pillow)."""
    if not isinstance(image, torch.Tensor):
        raise TypeError(f"Tensor expected, got {type(image)}")
    if not (image.dtype == torch.uint8 or image.is_floating_point()):
        raise ValueError(f"The image dtype must be uint8 or float, got {image.dtype}")
    if image.dim() != 3:
        raise ValueError("Pass individual images, not batches")
    if image.size(0) not in {1, 3}:
        raise ValueError("Only grayscale and RGB images are supported")
    box_list = boxes.to(torch.int64).tolist() if boxes.shape[0] else []
    if boxes.shape[-1] == 4:
        b = boxes.numpy()
        if (b[:, 0] > b[:, 2]).any() or (b[:, 1] > b[:, 3]).any():
            raise ValueError("Boxes need to be in (xmin, ymin, xmax, ymax) format. Use "
                             "torchvision.ops.box_convert to convert them")
    n = boxes.shape[0]
    if n == 0:
        warnings.warn("boxes doesn't contain any box. No box was drawn", stacklevel=2)
        return image
    if labels is None:
        labels = [None] * n
    elif len(labels) != n:
        raise ValueError(f"Number of boxes ({n}) and labels ({len(labels)}) mismatch. Please "
                         "specify labels for each box.")
    colors = _parse_colors(colors, num_objects=n)
    if label_colors or fill_labels:
        label_colors = _parse_colors(label_colors if label_colors else "black", num_objects=n)
    else:
        label_colors = list(colors)
    if fill_labels and label_background_colors:
        label_background_colors = _parse_colors(label_background_colors, num_objects=n)
    else:
        label_background_colors = list(colors)
    _pil.pil()
    from PIL import ImageDraw, ImageFont

    if font is None:
        if font_size is not None:
            warnings.warn("Argument 'font_size' will be ignored since 'font' is not set.",
                          stacklevel=2)
        txt_font = ImageFont.load_default()
    else:
        txt_font = ImageFont.truetype(font=font, size=font_size or 10)
    if image.size(0) == 1:
        image = torch.tile(image, (3, 1, 1))
    dtype = image.dtype
    arr = (_to_uint8(image) if dtype.is_floating_point else image).permute(1, 2, 0).numpy()
    canvas = _pil.fromarray(np.ascontiguousarray(arr), "RGB")
    draw = ImageDraw.Draw(canvas, "RGBA") if fill else ImageDraw.Draw(canvas)
    for bbox, color, label, lcolor, bg in zip(box_list, colors, labels, label_colors,
                                               label_background_colors, strict=False):
        if len(bbox) > 4:
            raise NotImplementedError("draw_bounding_boxes: oriented (8-coordinate) boxes are "
                                      "not supported by torchlike.vision")
        draw.rectangle(bbox, width=width, outline=color,
                       fill=(tuple(color) + (100,)) if fill else None)
        if label is not None:
            margin = width + 1
            if fill_labels:
                left, top, right, bottom = draw.textbbox((bbox[0] + margin, bbox[1] + margin),
                                                         label, font=txt_font)
                draw.rectangle((left - 1, top - 1, right + 1, bottom + 1), fill=bg)
            draw.text((bbox[0] + margin, bbox[1] + margin), label, fill=lcolor, font=txt_font)
    out = torch.from_numpy(np.array(canvas, copy=True).transpose(2, 0, 1).copy())
    if dtype.is_floating_point:
        out = out.to(dtype) / 255.0
    return out


def draw_segmentation_masks(image, masks, alpha: float = 0.8, colors=None):
    """torchvision.utils.draw_segmentation_masks: blend each boolean mask's colour in."""
    if not isinstance(image, torch.Tensor):
        raise TypeError(f"The image must be a tensor, got {type(image)}")
    if not (image.dtype == torch.uint8 or image.is_floating_point()):
        raise ValueError(f"The image dtype must be uint8 or float, got {image.dtype}")
    if image.dim() != 3:
        raise ValueError("Pass individual images, not batches")
    if image.size()[0] != 3:
        raise ValueError("Pass an RGB image. Other Image formats are not supported")
    if masks.ndim == 2:
        masks = masks[None, :, :]
    if masks.ndim != 3:
        raise ValueError("masks must be of shape (H, W) or (batch_size, H, W)")
    if masks.dtype != torch.bool:
        raise ValueError(f"The masks must be of dtype bool. Got {masks.dtype}")
    if masks.shape[-2:] != image.shape[-2:]:
        raise ValueError("The image and the masks must have the same height and width")
    n = masks.size()[0]
    if n == 0:
        warnings.warn("masks doesn't contain any mask. No mask was drawn", stacklevel=2)
        return image
    dtype = image.dtype
    npdt = {torch.uint8: np.uint8, torch.float64: np.float64}.get(dtype, np.float32)
    cols = np.asarray(_parse_colors(colors, num_objects=n, dtype=dtype), dtype=npdt)
    return _blend_masks(image.detach(), masks, cols, float(alpha))


@torch_op(name="vision_draw_segmentation_masks")
def _blend_masks(image, masks, colors, alpha):
    n = masks.shape[0]
    # a later mask paints over an earlier one; pixels under two or more masks go black
    owner = jnp.max(jnp.where(masks, jnp.arange(n)[:, None, None], -1), axis=0)
    painted = jnp.transpose(colors.astype(image.dtype)[jnp.maximum(owner, 0)], (2, 0, 1))
    drawn = jnp.where(owner >= 0, painted, image)
    drawn = jnp.where(masks.sum(0) > 1, jnp.zeros_like(drawn), drawn)
    if jnp.issubdtype(image.dtype, jnp.floating):
        out = image * (1 - alpha) + drawn * alpha
    else:
        # uint8 * float gives float32 in torch; the sum is truncated back to uint8
        f = jnp.float32
        out = image.astype(f) * f(1 - alpha) + drawn.astype(f) * f(alpha)
    return out.astype(image.dtype)
