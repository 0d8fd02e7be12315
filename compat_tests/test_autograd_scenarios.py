"""Replay the autograd scenario programs on torchlike, value for value against torch's record.

The programs live in ``compat_tests/autograd_scenarios.py`` and are recorded from torch by
``compat_tests/record/record_autograd.py``; one test item per returned value.
"""

from __future__ import annotations

import functools
import json
import warnings

import numpy as np
import pytest

from compat_tests._fixtures import FIXTURES, import_torchlike
from compat_tests.autograd_scenarios import SCENARIOS

PATH = FIXTURES / "autograd_scenarios.npz"
tl = import_torchlike()
pytestmark = pytest.mark.skipif(tl is None, reason="torchlike is not importable")


def _load():
    if not PATH.exists():
        return {}, {}
    with np.load(PATH, allow_pickle=False) as z:
        return json.loads(str(z["__meta__"][()]))["scenarios"], {k: z[k] for k in z.files}


META, ARRAYS = _load()

def _cases():
    for sname in sorted(META):
        for key in META[sname]:
            yield pytest.param(sname, key, id=f"{sname}-{key}")


@functools.cache
def _run(sname: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return SCENARIOS[sname](tl), None
        except Exception as e:  # every value of the scenario reports it
            return None, e
        finally:
            tl.set_grad_enabled(True)


def _check(got, exp, where: str) -> None:
    if isinstance(exp, dict) and "tensor" in exp:
        assert isinstance(got, tl.Tensor), f"{where}: expected a tensor, got {got!r}"
        assert str(got.dtype) == "torch." + exp["dtype"], f"{where}: dtype {got.dtype}"
        assert list(got.shape) == exp["shape"], f"{where}: shape {list(got.shape)}"
        want = ARRAYS[exp["tensor"]]
        have = np.asarray(got.detach().numpy())
        tol = {"float64": (1e-9, 1e-12), "float32": (1e-5, 1e-6)}.get(exp["dtype"], (0, 0))
        np.testing.assert_allclose(have, want, rtol=tol[0], atol=tol[1], err_msg=where)
    elif isinstance(exp, dict) and "seq" in exp:
        assert isinstance(got, (tuple, list)) and len(got) == len(exp["seq"]), f"{where}: {got!r}"
        for i, (g, e) in enumerate(zip(got, exp["seq"], strict=False)):
            _check(g, e, f"{where}[{i}]")
    elif isinstance(exp, float):
        assert isinstance(got, float) and got == pytest.approx(exp, rel=1e-6), f"{where}: {got!r}"
    else:
        assert type(got) is type(exp) and got == exp, f"{where}: got {got!r}, torch {exp!r}"


@pytest.mark.skipif(not META, reason="autograd_scenarios.npz not recorded")
@pytest.mark.parametrize(("scenario", "name"), list(_cases()))
def test_autograd_scenario(scenario: str, name: str) -> None:
    result, err = _run(scenario)
    if err is not None:
        raise err
    assert name in result, f"scenario {scenario} did not return {name}"
    _check(result[name], META[scenario][name], f"{scenario}.{name}")


def test_every_scenario_recorded() -> None:
    assert sorted(META) == sorted(SCENARIOS), "re-run compat_tests/record/record_autograd.py"
    for sname in META:
        result, err = _run(sname)
        if err is None:
            assert sorted(result) == sorted(META[sname]), sname
