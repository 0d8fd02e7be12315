"""torchlike.utils.tensorboard.SummaryWriter against torch.utils.tensorboard's event files.

The calls live in compat_tests/record/record_tensorboard.py (`write_all`); run under torch
they produced compat_tests/fixtures/tensorboard/readback.json, i.e. what tensorboard's
EventAccumulator reads back from torch's files. Here the same calls run through torchlike and
its files must read back the same.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import sys

import numpy as np
import pytest

pytest.importorskip("tensorboard")
pytest.importorskip("PIL")
pytest.importorskip("matplotlib")

import torchlike as torch  # noqa: E402
from torchlike.utils.tensorboard import SummaryWriter  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECORD = os.path.join(ROOT, "compat_tests", "record", "record_tensorboard.py")


def _recorder():
    spec = importlib.util.spec_from_file_location("record_tensorboard", RECORD)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _close(got, want, path="readback"):
    """Structural equality with float tolerance (float32 round trips)."""
    if isinstance(want, dict):
        assert isinstance(got, dict), path
        assert sorted(got) == sorted(want), f"{path}: keys {sorted(got)} != {sorted(want)}"
        for k in want:
            _close(got[k], want[k], f"{path}/{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{path}: {got} != {want}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _close(g, w, f"{path}[{i}]")
    elif isinstance(want, float) and isinstance(got, (int, float)):
        assert math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9), f"{path}: {got} != {want}"
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"


def test_event_files_read_back_as_torchs(tmp_path):
    rec = _recorder()
    with open(rec.FIXTURE) as f:
        want = json.load(f)
    rec.write_all(torch, SummaryWriter, str(tmp_path))
    got = json.loads(json.dumps(rec.read_back(str(tmp_path))))
    _close(got, want)


def test_writer_lifecycle_and_errors(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_x", filename_suffix=".sfx")
    # torch: runs/<Mon>DD_HH-MM-SS_<host><comment>
    parts = w.get_logdir().split(os.sep)
    assert parts[0] == "runs" and parts[1].endswith("_x") and len(parts) == 2
    import socket
    assert parts[1].endswith("_" + socket.gethostname() + "_x")
    w.add_scalar("a", 1.0, 0)
    w.flush()
    files = os.listdir(w.get_logdir())
    assert len(files) == 1 and files[0].startswith("events.out.tfevents.")
    assert files[0].endswith(".sfx")
    w.close()
    w.close()  # a second close is a no-op, as in torch
    with pytest.raises(AssertionError, match="Tensor should contain one element"):
        SummaryWriter(str(tmp_path / "e")).add_scalar("bad", torch.ones(2), 0)
    with pytest.raises(TypeError, match="hparam_dict and metric_dict should be dictionary"):
        SummaryWriter(str(tmp_path / "e")).add_hparams([1], {})
    with pytest.raises(NotImplementedError, match="numpy array or torch tensor are expected"):
        SummaryWriter(str(tmp_path / "e")).add_histogram("h", {})
    with pytest.raises(ValueError, match="The input has no element"):
        SummaryWriter(str(tmp_path / "e")).add_histogram("h", np.zeros(0))
    if importlib.util.find_spec("moviepy") is None:
        capsys.readouterr()
        SummaryWriter(str(tmp_path / "e")).add_video("v", np.zeros((1, 2, 3, 4, 4)))
        assert capsys.readouterr().out == "add_video needs package moviepy\n"  # as torch


def test_add_graph_module_structure(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh())
            self.head = torch.nn.Linear(4, 2)

        def forward(self, x):
            return self.head(torch.nn.functional.relu(self.body(x)))

    with SummaryWriter(str(tmp_path)) as w:
        w.add_graph(Net(), torch.zeros(5, 3))
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    nodes = {n.name: n for n in acc.Graph().node}
    assert list(nodes) == ["input/input", "Net/Sequential[body]/Linear[0]",
                           "Net/Sequential[body]/Tanh[1]", "Net/Linear[head]",
                           "output/output.1"]
    # Edges pass through the functional relu between body and head.
    assert [list(n.input) for n in nodes.values()] == [
        [], ["input/input"], ["Net/Sequential[body]/Linear[0]"],
        ["Net/Sequential[body]/Tanh[1]"], ["Net/Linear[head]"]]
    assert nodes["Net/Linear[head]"].op == "Linear"
    dims = nodes["Net/Linear[head]"].attr["_output_shapes"].list.shape[0].dim
    assert [d.size for d in dims] == [5, 2]
    with pytest.raises(NotImplementedError, match="pass input_to_model"):
        SummaryWriter(str(tmp_path / "g")).add_graph(Net())


def test_visualize_example_tensorboard_half(tmp_path, monkeypatch, capsys):
    # In-process (runpy) rather than a subprocess: importing torchlike again costs seconds.
    import runpy
    script = os.path.join(ROOT, "examples", "visualize.py")
    monkeypatch.setattr(sys, "argv", [script, "--logdir", str(tmp_path), "--steps", "3"])
    runpy.run_path(script, run_name="__main__")
    assert "final loss" in capsys.readouterr().out
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    tags = acc.Tags()
    assert [e.step for e in acc.Scalars("train/loss")] == [0, 1, 2]
    assert "0.weight" in tags["histograms"] and tags["images"] == ["data", "layer0/weight"]
    assert acc.Graph() is not None
