"""Summary protos for SummaryWriter (torch.utils.tensorboard.summary counterpart).

Every builder takes torchlike Tensors, NumPy arrays or Python numbers, turns them into NumPy
with `to_numpy` and fills tensorboard's own protos; the bytes on disk are written by
tensorboard's EventFileWriter.
"""

from __future__ import annotations

import io
import json
import math

import numpy as np
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto

from ..._core import dtypes as _dt
from ..._core.tensor import Tensor


def to_numpy(x) -> np.ndarray:
    """torch.utils.tensorboard._convert_np.make_np: Tensor / array / number to ndarray."""
    if isinstance(x, np.ndarray):
        return x
    if np.isscalar(x):
        return np.array([x])
    if isinstance(x, Tensor):
        if x.dtype is _dt.bfloat16:  # NumPy has no bfloat16; torch logs it as float16
            x = x.to(_dt.float16)
        return np.array(x.detach().cpu().numpy())
    raise NotImplementedError(
        f"Got {type(x)}, but numpy array or torch tensor are expected.")


def _plugin_metadata(name: str, content: bytes = b"") -> SummaryMetadata:
    return SummaryMetadata(
        plugin_data=SummaryMetadata.PluginData(plugin_name=name, content=content))


def _shape(*dims: int) -> TensorShapeProto:
    return TensorShapeProto(dim=[TensorShapeProto.Dim(size=int(d)) for d in dims])


def scalar(tag, value, new_style=False, double_precision=False) -> Summary:
    """One scalar: simple_value, or a `scalars`-plugin tensor when new_style."""
    arr = to_numpy(value).squeeze()
    if arr.ndim != 0:
        raise AssertionError(
            f"Tensor should contain one element (0 dimensions). Was given size: {arr.size} "
            f"and {arr.ndim} dimensions.")
    v = float(arr)
    if not new_style:
        return Summary(value=[Summary.Value(tag=tag, simple_value=v)])
    proto = (TensorProto(double_val=[v], dtype="DT_DOUBLE") if double_precision
             else TensorProto(float_val=[v], dtype="DT_FLOAT"))
    return Summary(value=[Summary.Value(tag=tag, tensor=proto,
                                        metadata=_plugin_metadata("scalars"))])


def _default_bins() -> list[float]:
    # TensorFlow's histogram edges: +-1e-12 growing by 10 % up to 1e20, and 0. Built by
    # repeated multiplication so the edges are bit-identical to torch's.
    pos = []
    v = 1e-12
    while v < 1e20:
        pos.append(v)
        v *= 1.1
    return [-b for b in reversed(pos)] + [0] + pos


DEFAULT_BINS = _default_bins()


def histogram_proto(values: np.ndarray, bins, max_bins=None) -> HistogramProto:
    """HistogramProto of `values` with empty outer buckets dropped (one empty kept in front)."""
    if values.size == 0:
        raise ValueError("The input has no element.")
    values = values.reshape(-1)
    counts, limits = np.histogram(values, bins=bins)
    n = len(counts)
    if max_bins is not None and n > max_bins:
        group = n // max_bins
        short = n % group
        if short:
            counts = np.concatenate([counts, np.zeros(group - short, counts.dtype)])
        counts = counts.reshape(-1, group).sum(axis=-1)
        limits = np.concatenate([limits[:-1:group], limits[-1:]])
    nonzero = np.flatnonzero(counts)
    if nonzero.size == 0:
        raise ValueError("The histogram is empty, please file a bug report.")
    first, last = int(nonzero[0]), int(nonzero[-1])
    # bucket_limit holds right edges; a leading empty bucket marks where the data starts.
    kept = counts[first - 1:last + 1] if first > 0 else np.concatenate([[0], counts[:last + 1]])
    edges = limits[first:last + 2]
    return HistogramProto(min=values.min(), max=values.max(), num=len(values),
                          sum=values.sum(), sum_squares=values.dot(values),
                          bucket_limit=edges.tolist(), bucket=kept.tolist())


def histogram(tag, values, bins, max_bins=None) -> Summary:
    """A histogram summary of any array-like."""
    hist = histogram_proto(to_numpy(values).astype(float), bins, max_bins)
    return Summary(value=[Summary.Value(tag=tag, histo=hist)])


def histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts):
    """A histogram summary from precomputed statistics."""
    hist = HistogramProto(min=min, max=max, num=num, sum=sum, sum_squares=sum_squares,
                          bucket_limit=bucket_limits, bucket=bucket_counts)
    return Summary(value=[Summary.Value(tag=tag, histo=hist)])


def make_grid(imgs: np.ndarray, ncols: int = 8) -> np.ndarray:
    """NCHW (C 1 or 3) to one CHW canvas, `ncols` images per row, no padding."""
    if imgs.shape[1] == 1:
        imgs = np.concatenate([imgs] * 3, 1)
    if imgs.ndim != 4 or imgs.shape[1] != 3:
        raise AssertionError("Input should be a 4D numpy array with 3 channels")
    n, _, h, w = imgs.shape
    ncols = min(n, ncols)
    nrows = math.ceil(n / ncols)
    canvas = np.zeros((3, h * nrows, w * ncols), dtype=imgs.dtype)
    for i in range(n):
        y, x = divmod(i, ncols)
        canvas[:, y * h:(y + 1) * h, x * w:(x + 1) * w] = imgs[i]
    return canvas


def to_hwc(arr: np.ndarray, dataformats: str) -> np.ndarray:
    """Reorder an image (or NCHW-like batch, gridded) to HWC with 3 channels when gray."""
    if len(set(dataformats)) != len(dataformats):
        raise AssertionError(
            f"You can not use the same dimension shorthand twice. input_format: {dataformats}")
    if arr.ndim != len(dataformats):
        raise AssertionError(
            f"size of input tensor and input format are different. tensor shape: "
            f"{arr.shape}, input_format: {dataformats}")
    fmt = dataformats.upper()
    if len(fmt) == 4:
        return make_grid(arr.transpose([fmt.find(c) for c in "NCHW"])).transpose(1, 2, 0)
    if len(fmt) == 3:
        hwc = arr.transpose([fmt.find(c) for c in "HWC"])
        return np.concatenate([hwc] * 3, 2) if hwc.shape[2] == 1 else hwc
    if len(fmt) == 2:
        return np.stack([arr.transpose([fmt.find(c) for c in "HW"])] * 3, 2)
    raise AssertionError(f"unsupported dataformats {dataformats!r}")


def _to_uint8(arr: np.ndarray) -> np.ndarray:
    # Floats are taken as [0, 1]; uint8 as [0, 255].
    scale = 1 if arr.dtype == np.uint8 else 255
    return (arr.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)


def _pil():
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError("SummaryWriter images need Pillow: pip install 'torchlike[vision]'") \
            from e
    return Image


def make_image(hwc: np.ndarray, rescale=1) -> Summary.Image:
    """PNG-encoded Summary.Image of an HWC uint8 array."""
    Image = _pil()
    h, w, c = hwc.shape
    im = Image.fromarray(hwc)
    im = im.resize((int(w * rescale), int(h * rescale)), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return Summary.Image(height=h, width=w, colorspace=c, encoded_image_string=buf.getvalue())


def image(tag, img, rescale=1, dataformats="NCHW") -> Summary:
    """An image summary; `dataformats` names the axes of `img` (NCHW, CHW, HWC, HW, ...)."""
    hwc = _to_uint8(to_hwc(to_numpy(img), dataformats))
    return Summary(value=[Summary.Value(tag=tag, image=make_image(hwc, rescale))])


def figure_to_chw(fig, close=True) -> np.ndarray:
    """Render a matplotlib figure to a CHW uint8 RGB array."""
    try:
        import matplotlib.pyplot as plt
        from matplotlib.backends.backend_agg import FigureCanvasAgg
    except ImportError as e:
        raise ImportError("add_figure needs matplotlib: pip install 'torchlike[plot]'") from e
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    w, h = fig.canvas.get_width_height()
    rgba = np.frombuffer(canvas.buffer_rgba(), dtype=np.uint8).reshape(h, w, 4)
    if close:
        plt.close(fig)
    return np.ascontiguousarray(rgba[:, :, :3].transpose(2, 0, 1))


def _video_grid(v: np.ndarray) -> np.ndarray:
    # (B, T, C, H, W) to (T, rows*H, cols*W, C), the batch padded to a power of two.
    b, t, c, h, w = v.shape
    if v.dtype == np.uint8:
        v = np.float32(v) / 255.0
    if b & (b - 1):
        v = np.concatenate([v, np.zeros((2 ** b.bit_length() - b, t, c, h, w))], 0)
    rows = 2 ** ((b.bit_length() - 1) // 2)
    cols = v.shape[0] // rows
    v = v.reshape(rows, cols, t, c, h, w).transpose(2, 0, 4, 1, 5, 3)
    return v.reshape(t, rows * h, cols * w, c)


def _gif(frames: np.ndarray, fps):
    try:
        import moviepy  # noqa: F401
    except ImportError:
        print("add_video needs package moviepy")
        return None
    try:
        from moviepy import ImageSequenceClip
    except ImportError:
        try:
            from moviepy.editor import ImageSequenceClip
        except ImportError:
            print("moviepy is installed, but can't import moviepy.editor.",
                  "Some packages could be missing [imageio, requests]")
            return None
    import os
    import tempfile
    t, h, w, c = frames.shape
    clip = ImageSequenceClip(list(frames), fps=fps)
    fd, path = tempfile.mkstemp(suffix=".gif")
    os.close(fd)
    try:
        try:
            clip.write_gif(path, logger=None)
        except TypeError:
            clip.write_gif(path, verbose=False, logger=None)
        with open(path, "rb") as f:
            data = f.read()
    finally:
        os.unlink(path)
    return Summary.Image(height=h, width=w, colorspace=c, encoded_image_string=data)


def video(tag, vid, fps=4) -> Summary:
    """An animated-GIF image summary of a (N, T, C, H, W) video batch (needs moviepy)."""
    frames = _to_uint8(_video_grid(to_numpy(vid)))
    return Summary(value=[Summary.Value(tag=tag, image=_gif(frames, fps))])


def audio(tag, snd, sample_rate=44100) -> Summary:
    """A mono 16-bit WAV summary of a waveform in [-1, 1]."""
    import wave
    arr = to_numpy(snd).squeeze()
    if abs(arr).max() > 1:
        print("warning: audio amplitude out of range, auto clipped.")
        arr = arr.clip(-1, 1)
    if arr.ndim != 1:
        raise AssertionError("input tensor should be 1 dimensional.")
    pcm = (arr * np.iinfo(np.int16).max).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.tobytes())
    snd_proto = Summary.Audio(sample_rate=sample_rate, num_channels=1,
                              length_frames=pcm.shape[-1], encoded_audio_string=buf.getvalue(),
                              content_type="audio/wav")
    return Summary(value=[Summary.Value(tag=tag, audio=snd_proto)])


def text(tag, string) -> Summary:
    """A text-plugin summary; TensorBoard shows it under `tag`/text_summary."""
    from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData
    proto = TensorProto(dtype="DT_STRING", string_val=[string.encode("utf_8")],
                        tensor_shape=_shape(1))
    md = _plugin_metadata("text", TextPluginData(version=0).SerializeToString())
    return Summary(value=[Summary.Value(tag=tag + "/text_summary", metadata=md, tensor=proto)])


def _pr_summary(tag, data: np.ndarray, num_thresholds) -> Summary:
    from tensorboard.plugins.pr_curve.plugin_data_pb2 import PrCurvePluginData
    md = _plugin_metadata("pr_curves", PrCurvePluginData(
        version=0, num_thresholds=num_thresholds).SerializeToString())
    proto = TensorProto(dtype="DT_FLOAT", float_val=data.reshape(-1).tolist(),
                        tensor_shape=_shape(*data.shape))
    return Summary(value=[Summary.Value(tag=tag, metadata=md, tensor=proto)])


def pr_curve(tag, labels, predictions, num_thresholds=127, weights=None) -> Summary:
    """A PR-curve summary: rows tp, fp, tn, fn, precision, recall per threshold."""
    # More than 127 thresholds overflows what the plugin reads back; torch caps it too.
    n = min(num_thresholds, 127)
    w = 1.0 if weights is None else weights
    bucket = np.int32(np.floor(predictions * (n - 1)))
    pos = labels.astype(np.float64)
    tp_b, _ = np.histogram(bucket, bins=n, range=(0, n - 1), weights=pos * w)
    fp_b, _ = np.histogram(bucket, bins=n, range=(0, n - 1), weights=(1.0 - pos) * w)
    tp = np.cumsum(tp_b[::-1])[::-1]
    fp = np.cumsum(fp_b[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(1e-7, tp + fp)
    recall = tp / np.maximum(1e-7, tp + fn)
    return _pr_summary(tag, np.stack((tp, fp, tn, fn, precision, recall)), n)


def pr_curve_raw(tag, tp, fp, tn, fn, precision, recall, num_thresholds=127) -> Summary:
    """A PR-curve summary from precomputed counts."""
    data = np.stack([to_numpy(a) if not isinstance(a, list) else np.asarray(a)
                     for a in (tp, fp, tn, fn, precision, recall)])
    return _pr_summary(tag, data, min(num_thresholds, 127))


def custom_scalars(layout) -> Summary:
    """The custom-scalars plugin's layout summary."""
    from tensorboard.plugins.custom_scalar import layout_pb2
    cats = []
    for title, charts in layout.items():
        protos = []
        for name, (kind, tags) in charts.items():
            if kind == "Margin":
                if len(tags) != 3:
                    raise AssertionError("len(tags) != 3")
                series = layout_pb2.MarginChartContent.Series(value=tags[0], lower=tags[1],
                                                              upper=tags[2])
                protos.append(layout_pb2.Chart(
                    title=name, margin=layout_pb2.MarginChartContent(series=[series])))
            else:
                protos.append(layout_pb2.Chart(
                    title=name, multiline=layout_pb2.MultilineChartContent(tag=tags)))
        cats.append(layout_pb2.Category(title=title, chart=protos))
    proto = TensorProto(dtype="DT_STRING",
                        string_val=[layout_pb2.Layout(category=cats).SerializeToString()],
                        tensor_shape=TensorShapeProto())
    return Summary(value=[Summary.Value(tag="custom_scalars__config__", tensor=proto,
                                        metadata=_plugin_metadata("custom_scalars"))])


def hparams(hparam_dict, metric_dict, hparam_domain_discrete=None):
    """The hparams plugin's experiment, session-start and session-end summaries."""
    from google.protobuf import struct_pb2
    from tensorboard.plugins.hparams import api_pb2
    from tensorboard.plugins.hparams import metadata as hp_md
    from tensorboard.plugins.hparams import plugin_data_pb2 as hp_pd

    msg = "parameter: {} should be a dictionary, nothing logged."
    if not isinstance(hparam_dict, dict):
        raise TypeError(msg.format("hparam_dict"))
    if not isinstance(metric_dict, dict):
        raise TypeError(msg.format("metric_dict"))
    domains = hparam_domain_discrete or {}
    if not isinstance(domains, dict):
        raise TypeError(msg.format("hparam_domain_discrete"))
    for k, v in domains.items():
        if (k not in hparam_dict or not isinstance(v, list)
                or not all(isinstance(d, type(hparam_dict[k])) for d in v)):
            raise TypeError(f"parameter: hparam_domain_discrete[{k}] should be a list of same "
                            f"type as hparam_dict[{k}].")

    f64 = api_pb2.DataType.Value("DATA_TYPE_FLOAT64")
    infos = []
    start = hp_pd.SessionStartInfo()
    for k, v in hparam_dict.items():
        if v is None:
            continue
        # bool is an int, so as in torch it is logged as a number.
        if isinstance(v, (int, float)):
            field, dtype = "number_value", f64
        elif isinstance(v, str):
            field, dtype = "string_value", api_pb2.DataType.Value("DATA_TYPE_STRING")
        elif isinstance(v, Tensor):
            start.hparams[k].number_value = to_numpy(v).reshape(-1)[0]
            infos.append(api_pb2.HParamInfo(name=k, type=f64))
            continue
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        setattr(start.hparams[k], field, v)
        dom = None
        if k in domains:
            dom = struct_pb2.ListValue(values=[struct_pb2.Value(**{field: d}) for d in domains[k]])
        infos.append(api_pb2.HParamInfo(name=k, type=dtype, domain_discrete=dom))

    def wrap(tag, **content):
        data = hp_pd.HParamsPluginData(version=hp_md.PLUGIN_DATA_VERSION, **content)
        md = _plugin_metadata(hp_md.PLUGIN_NAME, data.SerializeToString())
        return Summary(value=[Summary.Value(tag=tag, metadata=md)])

    exp = api_pb2.Experiment(hparam_infos=infos, metric_infos=[
        api_pb2.MetricInfo(name=api_pb2.MetricName(tag=k)) for k in metric_dict])
    end = hp_pd.SessionEndInfo(status=api_pb2.Status.Value("STATUS_SUCCESS"))
    return (wrap(hp_md.EXPERIMENT_TAG, experiment=exp),
            wrap(hp_md.SESSION_START_INFO_TAG, session_start_info=start),
            wrap(hp_md.SESSION_END_INFO_TAG, session_end_info=end))


def mesh(tag, vertices, colors, faces, config_dict) -> Summary:
    """The mesh plugin's vertex / face / color tensors."""
    from tensorboard.plugins.mesh import metadata as mesh_md
    from tensorboard.plugins.mesh.plugin_data_pb2 import MeshPluginData
    cfg = "{}" if config_dict is None else json.dumps(config_dict, sort_keys=True)
    parts = [(a, kind) for a, kind in ((vertices, MeshPluginData.VERTEX),
                                        (faces, MeshPluginData.FACE),
                                        (colors, MeshPluginData.COLOR)) if a is not None]
    bits = mesh_md.get_components_bitmask([kind for _, kind in parts])
    values = []
    for a, kind in parts:
        arr = to_numpy(a)
        md = mesh_md.create_summary_metadata(tag, None, kind, bits, arr.shape, None,
                                             json_config=cfg)
        proto = TensorProto(dtype="DT_FLOAT", float_val=arr.reshape(-1).tolist(),
                            tensor_shape=_shape(*arr.shape))
        values.append(Summary.Value(tag=mesh_md.get_instance_name(tag, kind), tensor=proto,
                                    metadata=md))
    return Summary(value=values)
