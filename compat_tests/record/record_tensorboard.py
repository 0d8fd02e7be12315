"""Record what tensorboard's EventAccumulator reads back from torch.utils.tensorboard's files.

Run under the torch venv (needs torch, tensorboard, matplotlib, Pillow):

    /work/tvenv/bin/python compat_tests/record/record_tensorboard.py

writes compat_tests/fixtures/tensorboard/readback.json. tests/test_tensorboard.py imports
`write_all` and `read_back` from this file and runs the same calls through
torchlike.utils.tensorboard, so both sides make exactly the same calls.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import tempfile

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tensorboard",
                       "readback.json")


def write_all(torch, SummaryWriter, logdir: str) -> None:
    """Make every SummaryWriter call the test compares, with `torch` being torch or torchlike."""
    import numpy as np
    # / 32 keeps every value exact, so the files cannot differ by float rounding.
    t = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) / 32
    w = torch.nn.Parameter(torch.linspace(-2.0, 3.0, 11))
    with SummaryWriter(log_dir=logdir, flush_secs=1) as sw:
        # scalars: tensor, tensor requiring grad, numpy, Python numbers, bfloat16
        sw.add_scalar("loss", torch.tensor(0.75), 0)
        sw.add_scalar("loss", (w * 2).sum(), 1)
        sw.add_scalar("loss", np.float32(0.125), 2)
        sw.add_scalar("loss", 3, 3)
        sw.add_scalar("bf16", torch.tensor([1.5], dtype=torch.bfloat16), 0)
        sw.add_scalar("new", torch.tensor(0.1), 5, new_style=True)
        sw.add_scalar("new64", 0.1, 5, new_style=True, double_precision=True)
        sw.add_scalars("run", {"a": torch.tensor(1.0), "b/c": 2.5}, 4)
        # histograms: Parameter, a non-contiguous view, ints, explicit bins, max_bins
        sw.add_histogram("w", w, 0)
        sw.add_histogram("view", t[:, :, ::2].transpose(0, 2), 1)
        sw.add_histogram("ints", torch.tensor([1, 1, 2, 7, 7, 7]), 0, bins=4)
        sw.add_histogram("np", np.array([0.5, -1.0, 2.0, 2.0]), 0, bins="auto")
        sw.add_histogram("maxbins", w, 0, bins=10, max_bins=3)
        sw.add_histogram_raw("raw", 0.0, 2.0, 3, 3.0, 5.0, [1.0, 2.0], [1, 2], 0)
        # images
        sw.add_image("chw", t[0:1].expand(3, 3, 4), 0)
        sw.add_image("hwc_u8", (t.permute(1, 2, 0)[:, :, :1] * 255).to(torch.uint8), 0,
                     dataformats="HWC")
        sw.add_image("hw", t[1].t(), 0, dataformats="HW")
        sw.add_images("nchw", t.reshape(2, 1, 3, 4), 0)
        sw.add_images("nhwc", np.stack([t.numpy()] * 3, -1), 0, dataformats="NHWC")
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig = plt.figure(figsize=(1.0, 0.5), dpi=40)
        plt.plot([0, 1], [1, 0])
        sw.add_figure("fig", fig, 0)
        figs = [plt.figure(figsize=(0.5, 0.5), dpi=20) for _ in range(2)]
        sw.add_figure("figs", figs, 1)
        # text, audio, pr curve, custom scalars
        sw.add_text("note", "hello *tensorboard*", 2)
        sw.add_audio("snd", torch.linspace(-0.5, 0.5, 8), 0, sample_rate=8000)
        sw.add_pr_curve("pr", torch.tensor([0, 1, 1, 0, 1]),
                        torch.tensor([0.1, 0.8, 0.6, 0.4, 0.3]), 0, num_thresholds=5)
        sw.add_custom_scalars_multilinechart(["loss", "new"], title="both")
        # hyperparameters (a sub-run), embedding files
        sw.add_hparams({"lr": 0.1, "bs": 4, "opt": "sgd", "flag": True,
                        "t": torch.tensor([0.5])}, {"hp/acc": torch.tensor(0.9)},
                       hparam_domain_discrete={"opt": ["sgd", "adam"]}, run_name="hp")
        sw.add_embedding(t.reshape(4, 6), metadata=["a", "b", "c", "d"], tag="emb/x",
                         label_img=t.reshape(4, 1, 2, 3))
    # A resumed run: purge_step makes TensorBoard drop older events from step 2 on.
    with SummaryWriter(os.path.join(logdir, "resumed"), purge_step=2) as sw:
        sw.add_scalar("x", torch.tensor(20.0), 2)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _read_run(path: str) -> dict:
    import numpy as np
    from google.protobuf import json_format
    from PIL import Image
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData
    from tensorboard.util import tensor_util

    acc = EventAccumulator(path, size_guidance={k: 0 for k in (
        "scalars", "histograms", "images", "audio", "tensors", "compressedHistograms")})
    acc.Reload()
    out = {"tags": {k: sorted(v) for k, v in acc.Tags().items()
                    if isinstance(v, list) and v}}
    out["scalars"] = {tag: [[e.step, e.value] for e in acc.Scalars(tag)]
                      for tag in acc.Tags()["scalars"]}
    out["histograms"] = {}
    for tag in acc.Tags()["histograms"]:
        out["histograms"][tag] = [
            {"step": e.step, "min": h.min, "max": h.max, "num": h.num, "sum": h.sum,
             "sum_squares": h.sum_squares, "bucket_limit": list(h.bucket_limit),
             "bucket": list(h.bucket)}
            for e in acc.Histograms(tag) for h in [e.histogram_value]]
    out["images"] = {}
    for tag in acc.Tags()["images"]:
        rows = []
        for e in acc.Images(tag):
            im = Image.open(io.BytesIO(e.encoded_image_string))
            row = {"step": e.step, "width": e.width, "height": e.height,
                   "format": im.format, "mode": im.mode}
            # Figures depend on the matplotlib build: only their size is compared.
            if not tag.startswith("fig"):
                row["pixels"] = _digest(np.asarray(im).tobytes())
            rows.append(row)
        out["images"][tag] = rows
    out["audio"] = {tag: [{"step": e.step, "sample_rate": e.sample_rate,
                           "length_frames": e.length_frames, "content_type": e.content_type,
                           "wav": _digest(e.encoded_audio_string)} for e in acc.Audio(tag)]
                    for tag in acc.Tags()["audio"]}
    out["tensors"] = {}
    for tag in acc.Tags()["tensors"]:
        rows = []
        for e in acc.Tensors(tag):
            arr = tensor_util.make_ndarray(e.tensor_proto)
            if arr.dtype == object:
                vals = [v.decode("utf-8", "replace") if b"\x00" not in v and v.isascii()
                        else _digest(v) for v in arr.reshape(-1)]
            else:
                vals = arr.astype(float).reshape(-1).tolist()
            rows.append({"step": e.step, "shape": list(arr.shape), "values": vals})
        out["tensors"][tag] = rows
    plugins = {}
    for name in ("hparams", "text", "pr_curves", "scalars", "custom_scalars"):
        try:
            content = acc.PluginTagToContent(name)
        except KeyError:
            content = {}
        for tag, raw in content.items():
            if name == "hparams":
                plugins[f"{name}/{tag}"] = json_format.MessageToDict(
                    HParamsPluginData.FromString(raw))
            else:
                plugins[f"{name}/{tag}"] = raw.hex()
    out["plugins"] = plugins
    # The raw events (minus wall times): file version, purge markers, summaries by tag.
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
    events = []
    for name in sorted(os.listdir(path)):
        if name.startswith("events.out.tfevents"):
            for e in EventFileLoader(os.path.join(path, name)).Load():
                kind = e.WhichOneof("what")
                detail = ([v.tag for v in e.summary.value] if kind == "summary"
                          else e.session_log.status if kind == "session_log"
                          else e.file_version if kind == "file_version" else None)
                events.append([kind, e.step, detail])
    out["events"] = events
    return out


def read_back(logdir: str) -> dict:
    """Everything EventAccumulator reads from each run under `logdir`, plus projector files."""
    runs = {}
    for root, _, files in sorted(os.walk(logdir)):
        if any(f.startswith("events.out.tfevents") for f in files):
            runs[os.path.relpath(root, logdir).replace(os.sep, "/")] = _read_run(root)
    files = {}
    for root, _, names in sorted(os.walk(logdir)):
        for n in sorted(names):
            if n.endswith((".tsv", ".pbtxt")):
                rel = os.path.relpath(os.path.join(root, n), logdir).replace(os.sep, "/")
                with open(os.path.join(root, n), encoding="utf-8") as f:
                    files[rel] = f.read()
            elif n.endswith(".png"):
                import numpy as np
                from PIL import Image
                rel = os.path.relpath(os.path.join(root, n), logdir).replace(os.sep, "/")
                im = Image.open(os.path.join(root, n))
                files[rel] = [list(im.size), _digest(np.asarray(im).tobytes())]
    return {"runs": runs, "files": files}


def main() -> None:
    import torch
    from torch.utils.tensorboard import SummaryWriter
    with tempfile.TemporaryDirectory() as d:
        write_all(torch, SummaryWriter, d)
        got = read_back(d)
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    with open(FIXTURE, "w") as f:
        json.dump(got, f, indent=1, sort_keys=True)
    print("wrote", os.path.normpath(FIXTURE), file=sys.stderr)


if __name__ == "__main__":
    main()
