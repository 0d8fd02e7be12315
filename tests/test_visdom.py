"""visdom plots of torchlike Tensors, read back from a real visdom server on loopback.

visdom converts torch tensors itself but passes other objects through to NumPy; torchlike
Tensors get there through the NumPy protocol (__array__, __array_function__,
__array_ufunc__). Each plot is drawn twice, from Tensors (Parameters, tensors requiring grad,
non-contiguous views) and from the same NumPy arrays, and the two windows must hold the
same data.
"""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

visdom = pytest.importorskip("visdom")

import torchlike as torch  # noqa: E402


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def vis(tmp_path_factory):
    port = _free_port()
    env_path = str(tmp_path_factory.mktemp("visdom_env"))
    log = open(os.path.join(env_path, "server.log"), "w+")
    # Offline the server cannot fetch its web assets; the plotting API works without them.
    proc = subprocess.Popen(
        [sys.executable, "-c", "from visdom.server.run_server import main; main()",
         "-port", str(port), "-bind_local", "-env_path", env_path],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        client = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                client = visdom.Visdom(server="http://127.0.0.1", port=port,
                                       use_incoming_socket=False, raise_exceptions=True)
                break
            except OSError:
                time.sleep(0.1)
        if client is None:
            log.seek(0)
            pytest.fail(f"visdom server did not start on port {port}:\n{log.read()[-2000:]}")
        yield client
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _plots(lib, mk):
    """(window, call) pairs; `mk` turns a NumPy array into the plotted object."""
    a = np.arange(12, dtype=np.float32).reshape(3, 4) / 16
    img = np.arange(48, dtype=np.float32).reshape(3, 4, 4) / 64
    A = mk(a, "param")          # a Parameter
    nc = mk(a.T, "view")        # a non-contiguous (transposed) view
    g = mk(a * 2, "grad")       # a tensor requiring grad
    labels = mk(np.array([1, 2, 1, 2]), None)
    steps = mk(np.arange(4), None)
    return [
        ("line", lambda v: v.line(g[0], win="line", env=lib)),
        ("line_xy", lambda v: v.line(g[1], steps, win="line_xy", env=lib)),
        ("line_xy", lambda v: v.line(A[2], steps + 4, win="line_xy", env=lib,
                                     update="append")),
        ("scatter", lambda v: v.scatter(nc[:, 0], labels, win="scatter", env=lib,
                                        update="append", name="pts")),
        ("bar", lambda v: v.bar(A[0], win="bar", env=lib)),
        ("heatmap", lambda v: v.heatmap(nc, win="heatmap", env=lib)),
        ("histogram", lambda v: v.histogram(A.reshape(-1), win="histogram", env=lib,
                                            opts={"numbins": 3})),
        ("image", lambda v: v.image(mk(img, "view"), win="image", env=lib)),
        ("images", lambda v: v.images(mk(img.reshape(3, 1, 4, 4), None), win="images",
                                      env=lib)),
        ("surf", lambda v: v.surf(nc, win="surf", env=lib)),
        ("contour", lambda v: v.contour(A, win="contour", env=lib)),
        ("boxplot", lambda v: v.boxplot(nc, win="boxplot", env=lib)),
        ("stem", lambda v: v.stem(g[0], win="stem", env=lib)),
        ("quiver", lambda v: v.quiver(A[:, :2], nc[:3, :2], win="quiver", env=lib)),
    ]


def _as_numpy(a, kind):
    """The reference: plain NumPy arrays."""
    return a


def _as_tensor(a, kind):
    """The same values as a torchlike Parameter, view, tensor requiring grad or tensor."""
    if kind == "param":
        return torch.nn.Parameter(torch.from_numpy(a.copy()))
    if kind == "view":
        t = torch.from_numpy(np.ascontiguousarray(np.swapaxes(a, 0, -1)))
        return t.transpose(0, -1)  # same values, not contiguous
    if kind == "grad":
        return torch.from_numpy(a.copy()).requires_grad_() * 1
    return torch.from_numpy(a.copy())


def _same(got, want, path="window"):
    if isinstance(want, dict):
        assert sorted(got) == sorted(want), f"{path}: {sorted(got)} != {sorted(want)}"
        for k in want:
            _same(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{path}: {got} != {want}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _same(g, w, f"{path}[{i}]")
    elif isinstance(want, float) and isinstance(got, float) and math.isnan(want):
        assert math.isnan(got), f"{path}: {got} != nan"
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"


def _window(vis, win, env):
    data = json.loads(vis.get_window_data(win, env))
    # Identity fields name the env and window; everything else is the plotted content.
    for k in ("id", "eid", "i", "contentID"):
        data.pop(k, None)
    return data


def test_visdom_plots_of_tensors_match_numpy(vis):
    assert isinstance(_as_tensor(np.ones((2, 3), np.float32), "view"), torch.Tensor)
    assert not _as_tensor(np.ones((2, 3), np.float32), "view").is_contiguous()
    wins = []
    for lib, mk in (("np", _as_numpy), ("tl", _as_tensor)):
        for win, call in _plots(lib, mk):
            call(vis)
            if lib == "np" and win not in wins:
                wins.append(win)
    assert len(wins) == 13
    for win in wins:
        want = _window(vis, win, "np")
        assert want, win
        _same(_window(vis, win, "tl"), want, win)
    # update='append' really appended: 4 + 4 points.
    line = _window(vis, "line_xy", "tl")
    assert len(line["content"]["data"][0]["x"]) == 8


@pytest.mark.parametrize("kind", ["scatter_2d", "line_2d"])
def test_visdom_2d_scatter_and_line(vis, kind):
    # visdom calls NumPy-only forms on these inputs (X.take(k, 1), Y.ravel(order='F')),
    # which Tensor accepts beside torch's own signatures.
    a = np.arange(8, dtype=np.float32).reshape(4, 2)
    for env, x in (("np", a), ("tl", torch.arange(8, dtype=torch.float32).reshape(4, 2))):
        if kind == "scatter_2d":
            vis.scatter(x, win="scatter2d", env=env)
        else:
            vis.line(x, win="line2d", env=env)
    win = "scatter2d" if kind == "scatter_2d" else "line2d"
    _same(_window(vis, win, "tl"), _window(vis, win, "np"), win)
