"""SummaryWriter.add_embedding: the projector plugin's files (torch's _embedding counterpart)."""

from __future__ import annotations

import io
import math
import os

import numpy as np

from . import _summary as S


def _write(path: str, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)


def _sprite(imgs: np.ndarray) -> bytes:
    # Thumbnails in a square grid, padded to a square canvas, as the projector expects.
    Image = S._pil()
    grid = S.make_grid(imgs, ncols=math.ceil(imgs.shape[0] ** 0.5))
    side = grid.shape[2]
    canvas = np.zeros((side, side, 3))
    hwc = grid.transpose(1, 2, 0)
    canvas[:hwc.shape[0]] = hwc
    buf = io.BytesIO()
    Image.fromarray(np.uint8((canvas * 255).clip(0, 255))).save(buf, format="PNG")
    return buf.getvalue()


def add_embedding(writer, mat, metadata, label_img, global_step, tag, metadata_header):
    """Write tensors.tsv (+ metadata.tsv, sprite.png) and update projector_config.pbtxt."""
    from google.protobuf import text_format
    from tensorboard.plugins.projector.projector_config_pb2 import (
        EmbeddingInfo,
        ProjectorConfig,
    )

    from .writer import _escape
    step = 0 if global_step is None else global_step
    subdir = f"{str(step).zfill(5)}/{_escape(tag)}"
    root = writer._get_file_writer().get_logdir()
    save_path = os.path.join(root, subdir)
    if os.path.exists(save_path):
        if not os.path.isdir(save_path):
            raise NotADirectoryError(
                f"Path: `{save_path}` exists, but is a file. Cannot proceed.")
        print("warning: Embedding dir exists, did you set global_step for add_embedding()?")
    else:
        os.makedirs(save_path)

    if metadata is not None:
        if mat.shape[0] != len(metadata):
            raise AssertionError("#labels should equal with #data points")
        if not metadata_header:
            rows = [str(x) for x in metadata]
        else:
            if len(metadata_header) != len(metadata[0]):
                raise AssertionError(
                    "len of header must be equal to the number of columns in metadata")
            rows = ["\t".join(str(e) for e in r) for r in [metadata_header] + list(metadata)]
        _write(os.path.join(save_path, "metadata.tsv"), ("\n".join(rows) + "\n").encode())
    imgs = None
    if label_img is not None:
        imgs = S.to_numpy(label_img)
        if mat.shape[0] != imgs.shape[0]:
            raise AssertionError("#images should equal with #data points")
        _write(os.path.join(save_path, "sprite.png"), _sprite(imgs))
    if mat.ndim != 2:
        raise AssertionError("mat should be 2D, where mat.size(0) is the number of data points")
    lines = ("\t".join(str(v.item()) for v in row) + "\n" for row in mat)
    _write(os.path.join(save_path, "tensors.tsv"), "".join(lines).encode())

    info = EmbeddingInfo(tensor_name=f"{tag}:{str(step).zfill(5)}",
                         tensor_path=f"{subdir}/tensors.tsv")
    if metadata is not None:
        info.metadata_path = f"{subdir}/metadata.tsv"
    if imgs is not None:
        info.sprite.image_path = f"{subdir}/sprite.png"
        info.sprite.single_image_dim.extend([imgs.shape[3], imgs.shape[2]])
    if not hasattr(writer, "_projector_config"):
        writer._projector_config = ProjectorConfig()
    writer._projector_config.embeddings.extend([info])
    _write(os.path.join(root, "projector_config.pbtxt"),
           text_format.MessageToString(writer._projector_config).encode())
