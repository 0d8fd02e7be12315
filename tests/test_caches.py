"""Bounded kernel caches and the persistent compilation cache (docs/caches.md)."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

import torchlike as torch
from torchlike._core import config, kernel_cache

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(code: str, env: dict) -> str:
    full = {**os.environ, "PYTHONPATH": ROOT, **env}
    for k, v in env.items():
        if v is None:
            full.pop(k)
    r = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True,
                       cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout


def test_eviction_keeps_results_and_bound():
    x = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 10
    old = config.get_kernel_cache_size()
    try:
        config.set_kernel_cache_size(4)
        got = []
        for _ in range(2):  # the second pass runs on kernels rebuilt after eviction
            for n in (1, 2, 3):
                got.append(torch.tanh(x[:n] * 2 - 1).sum().item())
                kernel_cache.sweep()
                assert kernel_cache.live_executables() <= 4
        # values from torch 2.13
        assert got == pytest.approx([-2.342629, -1.96268, 0.833655] * 2, abs=1e-5)
        assert kernel_cache.STATS["evicted_executables"] > 0
    finally:
        config.set_kernel_cache_size(old)
    with pytest.raises(ValueError):
        config.set_kernel_cache_size(0)


def test_cache_dir_setting(monkeypatch, tmp_path):
    monkeypatch.delenv("TORCHLIKE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert config.cache_dir() == str(tmp_path / "torchlike" / "jax")
    monkeypatch.setenv("TORCHLIKE_CACHE_DIR", "0")
    assert config.cache_dir() is None
    monkeypatch.setenv("TORCHLIKE_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert config.cache_dir() == str(tmp_path / "elsewhere")


def test_persistent_cache_on_by_default(tmp_path):
    # A fresh process with no JAX cache configured writes compiled kernels under the XDG dir.
    code = ("import jax, torchlike as t; (t.ones(3) * 7).sum().item(); "
            "print(jax.config.jax_compilation_cache_dir)")
    out = _run(code, {"XDG_CACHE_HOME": str(tmp_path), "JAX_COMPILATION_CACHE_DIR": None,
                      "TORCHLIKE_CACHE_DIR": None})
    where = tmp_path / "torchlike" / "jax"
    if importlib.util.find_spec("filelock") is None:  # JAX cannot prune: entries kept apart
        where = where / "unpruned"
    assert out.strip() == str(where)
    assert any(where.iterdir())
    out = _run(code, {"XDG_CACHE_HOME": str(tmp_path / "off"), "JAX_COMPILATION_CACHE_DIR": None,
                      "TORCHLIKE_CACHE_DIR": "0"})
    assert out.strip() == "None" and not (tmp_path / "off").exists()


_PLATEAU = """
import json, sys
sys.path.insert(0, 'benchmarks')
import torchlike as torch
from torchlike import nn
from torchlike._core import kernel_cache
from shapes import maps, rss_mb
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 3), nn.ReLU())
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
xs, ys = torch.randn(64, 8), torch.randint(0, 3, (64,))
rows = []
for n in range(1, 25):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(xs[:n]), ys[:n])
    loss.backward()
    opt.step()
    loss.item()
    rows.append((maps(), rss_mb()))
print(json.dumps({"rows": rows, "live": kernel_cache.live_executables(),
                  "stats": kernel_cache.STATS}))
"""


def test_varying_batch_plateau():
    # Every step has a new batch size, so every step compiles; with the bound, mappings and
    # resident memory stop growing once the cache is full.
    out = _run(_PLATEAU, {"TORCHLIKE_KERNEL_CACHE_SIZE": "20"})
    res = json.loads(out.strip().splitlines()[-1])
    rows = res["rows"]
    assert res["live"] <= 20 and res["stats"]["evicted_executables"] > 0
    mid_maps = max(m for m, _ in rows[8:12])
    end_maps = max(m for m, _ in rows[20:])
    mid_rss = max(r for _, r in rows[8:12])
    end_rss = max(r for _, r in rows[20:])
    # Unbounded, those 12 more sizes add ~650 mappings and ~160 MB here (measured); bounded,
    # ~80 mappings and ~20 MB.
    assert end_maps - mid_maps < 200, (mid_maps, end_maps)
    assert end_rss - mid_rss < 50, (mid_rss, end_rss)
