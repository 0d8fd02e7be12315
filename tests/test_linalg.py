"""torchlike.linalg and the legacy top-level linear algebra against results recorded from torch.

The case programs live in compat_tests/record/record_linalg.py (stored with the fixture):
each builds inputs from numpy and stores torch's outputs, or gauge-invariant functions of them
for eigen/singular vectors.  Here the same programs run with ``torch`` bound to torchlike.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import torchlike

FIXTURE = pathlib.Path(__file__).resolve().parents[1] / "compat_tests" / "fixtures" / "linalg.npz"

with np.load(FIXTURE, allow_pickle=False) as _z:
    ARRAYS = {k: _z[k] for k in _z.files if k != "__meta__"}
    META = json.loads(str(_z["__meta__"][()]))

TOL = {"float64": (1e-6, 1e-8), "complex128": (1e-6, 1e-8), "float32": (1e-4, 1e-5),
       "complex64": (1e-4, 1e-5)}


def _catch(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return e
    return None


def _run(code: str) -> dict:
    ns = {"torch": torchlike, "np": np, "_catch": _catch}
    exec(META["prelude"], ns)  # noqa: S102
    exec(code, ns)  # noqa: S102
    return ns["out"]


@pytest.mark.parametrize("name", sorted(META["cases"]))
def test_matches_torch(name):
    case = META["cases"][name]
    got = _run(case["code"])
    assert set(got) == set(case["out"]), name
    for key, want in case["out"].items():
        act = got[key]
        if isinstance(want, dict) and "T" in want:
            exp = ARRAYS[want["T"]]
            assert isinstance(act, torchlike.Tensor), (key, type(act))
            assert str(act.dtype) == "torch." + want["dtype"], (key, act.dtype)
            arr = np.asarray(act.detach().numpy())
            assert arr.shape == exp.shape, (key, arr.shape, exp.shape)
            rtol, atol = TOL.get(want["dtype"], (0, 0))
            np.testing.assert_allclose(arr, exp, rtol=rtol, atol=atol, err_msg=f"{name}/{key}")
        else:
            assert act == want, (key, act, want)


def test_linalg_error_class():
    assert issubclass(torchlike.linalg.LinAlgError, RuntimeError)
    with pytest.raises(torchlike.linalg.LinAlgError, match="diagonal element 2 is zero"):
        torchlike.linalg.inv(torchlike.tensor([[1.0, 2.0], [2.0, 4.0]]))


def test_ex_variants_do_not_raise():
    bad = torchlike.zeros(3, 3)
    assert int(torchlike.linalg.inv_ex(bad).info) == 1
    assert int(torchlike.linalg.cholesky_ex(bad).info) == 1
    assert int(torchlike.linalg.lu_factor_ex(bad).info) == 1
    with pytest.raises(torchlike.linalg.LinAlgError):
        torchlike.linalg.inv_ex(bad, check_errors=True)


def test_legacy_names_and_methods():
    a = torchlike.eye(3) * 2
    for name in ("det", "logdet", "slogdet", "inverse", "pinverse", "matrix_exp", "svd", "qr",
                 "cholesky", "geqrf", "norm"):
        assert callable(getattr(torchlike, name)) and callable(getattr(torchlike.Tensor, name))
    assert float(a.det()) == 8.0
    assert type(torchlike.svd(a)).__name__ == "svd"
    assert type(torchlike.linalg.svd(a)).__name__ == "linalg_svd"
    assert type(torchlike.slogdet(a)).__name__ == "slogdet"
