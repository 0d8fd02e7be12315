"""torch.nn layers against torch 2.13: same weights in, same outputs, gradients and buffers out.

Fixtures (``fixtures/nn_layers.npz`` / ``.json``) were recorded by
``compat_tests/record/record_nn_layers.py``: each case's module is built from the same
constructor expression, torch's state_dict is loaded into it, and its repr, state_dict keys,
outputs, input/parameter gradients of sum(output * cotangent) and the state_dict after the
call (running statistics) must match.  A case whose layer class torchlike.nn does not export
yields no test.  ``nn_small_model.pt`` is a state_dict written by ``torch.save``.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torchlike")
from torchlike import nn  # noqa: E402

FIX = Path(__file__).resolve().parent / "fixtures"
META = json.loads((FIX / "nn_layers.json").read_text())
ARR = np.load(FIX / "nn_layers.npz")
CASES = sorted(k for k in META if not k.startswith("__"))
RTOL, ATOL = 2e-4, 2e-5
# Divergences that live in torchlike.nn.functional (torchlike/_ops/nn_loss.py), not in the
# modules: reported to its owner.
KNOWN_F_BUGS: dict[str, str] = {}


def _available(ctor: str) -> bool:
    return all(name in nn.__all__ for name in re.findall(r"nn\.(\w+)", ctor))


def _tensor(a: np.ndarray):
    return torch.from_numpy(np.array(a))


def _flatten(out):
    if isinstance(out, torch.Tensor):
        return [out]
    if out is None:
        return []
    res = []
    for o in out:
        res.extend(_flatten(o))
    return res


def _close(actual, expected: np.ndarray, what: str) -> None:
    a = np.asarray(actual.detach().numpy() if isinstance(actual, torch.Tensor) else actual)
    assert a.shape == expected.shape, f"{what}: shape {a.shape} != {expected.shape}"
    if expected.dtype.kind in "iub":
        np.testing.assert_array_equal(a, expected, err_msg=what)
    else:
        np.testing.assert_allclose(a, expected, rtol=RTOL, atol=ATOL, err_msg=what)


def _state_dict(name: str, which: str) -> OrderedDict:
    prefix = f"{name}/{which}/"
    keys = META[name]["keys"]
    return OrderedDict((k, _tensor(ARR[prefix + k])) for k in keys)


@pytest.mark.parametrize("name", CASES)
def test_layer(name):
    if name in KNOWN_F_BUGS:
        pytest.xfail(KNOWN_F_BUGS[name])
    meta = META[name]
    ctor = meta["ctor"]
    if not _available(ctor):
        pytest.skip(f"torchlike.nn does not export every class in {ctor}")
    ns = {"nn": nn, "torch": torch, "OrderedDict": OrderedDict}
    torch.manual_seed(0)
    m = eval(ctor, ns)
    assert repr(m) == meta["repr"]
    assert list(m.state_dict().keys()) == meta["keys"]
    result = m.load_state_dict(_state_dict(name, "sd"))
    assert not result.missing_keys and not result.unexpected_keys
    m.train(meta["mode"] == "train")
    ins = []
    for i, needs_grad in enumerate(meta["inputs"]):
        t = _tensor(ARR[f"{name}/in{i}"])
        if needs_grad:
            t.requires_grad_(True)
        ins.append(t)
    kwargs = {k: (_tensor(ARR[f"{name}/kw/{k}"]) if v == "array" else v)
              for k, v in meta["kwargs"].items()}
    outs = _flatten(m(*ins, **kwargs))
    assert len(outs) == meta["outputs"]
    loss = None
    for j, o in enumerate(outs):
        _close(o, ARR[f"{name}/out{j}"], f"output {j}")
        key = f"{name}/cot{j}"
        if key in ARR.files:
            assert o.requires_grad, f"output {j} should require grad"
            term = (o * _tensor(ARR[key])).sum()
            loss = term if loss is None else loss + term
    if loss is not None:
        loss.backward()
    for i, t in enumerate(ins):
        key = f"{name}/gin{i}"
        if key in ARR.files:
            assert t.grad is not None, f"input {i} got no gradient"
            _close(t.grad, ARR[key], f"grad of input {i}")
    for pn, p in m.named_parameters():
        if pn in meta["params"]:
            assert p.grad is not None, f"parameter {pn} got no gradient"
            _close(p.grad, ARR[f"{name}/gp/{pn}"], f"grad of {pn}")
    for k, v in m.state_dict().items():
        _close(v, ARR[f"{name}/sd_after/{k}"], f"state_dict[{k!r}] after forward")


def test_torch_saved_state_dict_loads():
    model = nn.Sequential(OrderedDict([
        ("conv", nn.Conv2d(1, 3, 3, padding=1)), ("bn", nn.BatchNorm2d(3)), ("act", nn.ReLU()),
        ("pool", nn.AdaptiveAvgPool2d(2)), ("flat", nn.Flatten()), ("fc", nn.Linear(12, 4)),
    ]))
    meta = META["__saved_model__"]
    assert repr(model) == meta["repr"]
    sd = torch.load(FIX / "nn_small_model.pt")
    assert list(sd.keys()) == meta["keys"]
    assert model.load_state_dict(sd).missing_keys == []
    model.eval()
    with torch.no_grad():
        out = model(_tensor(ARR["saved_model/in"]))
    _close(out, ARR["saved_model/out"], "saved model output")
