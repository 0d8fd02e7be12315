"""torchlike.special: values against torch 2.13 (printed by torch, float64), dtypes, argument
forms, errors and autograd node names."""

from __future__ import annotations

import math

import numpy as np
import pytest

import torchlike as torch
import torchlike.special as S

NAN, INF = math.nan, math.inf

UNARY = {
    "airy_ai": [
        0.3191032477191283, -0.3788142883304339, 0.5355608832923521, 0.3550280538878172,
        0.2788064819550049, 0.015725923380470484, 7.492128863997157e-07,
        6.36574265855276e-75
    ],
    "bessel_j0": [
        -0.19392874749648786, -0.2600519549074645, 0.7651976865579665, 1.0,
        0.9776262465382961, -0.048383776468256645, 0.3000792697173623,
        0.007366890584236952
    ],
    "bessel_j1": [
        -0.1612644302659841, -0.3390589585282922, -0.44005058574493355, 0.0,
        0.148318816273104, 0.4970941024644698, -0.004682797275893047, 0.126038318037585
    ],
    "bessel_y0": [
        NAN, NAN, NAN, -INF, -0.8072735778045196, 0.49807035961592067,
        -0.02594975564546204, 0.12593641705826097
    ],
    "bessel_y1": [
        NAN, NAN, NAN, -INF, -2.2931051383885293, 0.14591813796695813,
        -0.3026672388243377, -0.005793505821549509
    ],
    "modified_bessel_i0": [
        1753.480990527323, 4.880792585865024, 1.2660658777520082, 1.0, 1.0226268793515967,
        3.289839144050123, 168.59390851028968, 1.48947747934199e+16
    ],
    "modified_bessel_i1": [
        -1658.4530777821344, -3.9533702174026093, -0.5651591039924851, 0.0,
        0.15169384000359282, 2.5167162452886984, 156.03909286995534,
        1.4707396163259354e+16
    ],
    "modified_bessel_k0": [
        NAN, NAN, NAN, INF, 1.3724600605442967, 0.062347553200366196,
        0.0004247957418692318, 8.392861100099567e-19
    ],
    "modified_bessel_k1": [
        NAN, NAN, NAN, INF, 3.055992033457325, 0.07389081634774705,
        0.00045418248688489695, 8.497131954861038e-19
    ],
    "scaled_modified_bessel_k0": [
        NAN, NAN, NAN, INF, 1.8526273007720135, 0.7595486903280996, 0.46584509609301583,
        0.19755558495729816
    ],
    "scaled_modified_bessel_k1": [
        NAN, NAN, NAN, INF, 4.12515776224447, 0.9001744239078779, 0.4980715750954765,
        0.20000996725443346
    ],
    "spherical_bessel_j0": [
        -0.007910644259137822, 0.0470400026866224, 0.8414709848078965, 1.0,
        0.9850673555377986, 0.23938885764158263, 0.09385522838839844, 0.01862782901198372
    ],
    "erfcx": [
        3.134057697027116e+39, 16205.988853999586, 5.008980080762283, 1.0,
        0.7345993345676554, 0.2108063640611436, 0.07980005432915295, 0.014100335983377815
    ],
    "log_ndtr": [
        -48.30601929896523, -6.60772622151035, -1.841021645009264, -0.6931471805599453,
        -0.48141016158848127, -0.006229025485860001, -1.2798125438866539e-12, -0.0
    ],
    "ndtr": [
        0.0, 0.0013498980316301035, 0.15865525393145702, 0.5, 0.6179114221889527,
        0.9937903346742238, 0.9999999999987201, 1.0
    ],
    "i0e": [
        0.13125126081426788, 0.24300035416182536, 0.46575960759364043, 1.0,
        0.7575806251825477, 0.27004644161220276, 0.15373774467288123, 0.06327827987523532
    ],
    "i1": [
        -1658.4530777821344, -3.9533702174026093, -0.5651591039924851, 0.0,
        0.15169384000359282, 2.5167162452886984, 156.03909286995534,
        1.4707396163259354e+16
    ],
    "i1e": [
        -0.1241382476548818, -0.19682671329730084, -0.2079104153497085, 0.0,
        0.11237756063983881, 0.20658464953126654, 0.1422892347095986, 0.06248222907444206
    ],
    "entr": [
        -INF, -INF, -INF, 0.0, 0.3611918412977808, -2.2907268296853878,
        -13.621371043387192, -147.55517816455745
    ],
}
POLY = {
    "chebyshev_polynomial_t": [
        0.0, 1.0, 0.0, -0.792, 1.0, 137.41711999999995
    ],
    "chebyshev_polynomial_u": [
        0.0, 1.0, 0.0, -0.984, 11.0, 307.33824
    ],
    "chebyshev_polynomial_v": [
        0.0, 1.0, -1.0, -0.344, 1.0, 207.38463999999996
    ],
    "chebyshev_polynomial_w": [
        0.0, 1.0, 1.0, -1.624, 21.0, 407.2918399999999
    ],
    "shifted_chebyshev_polynomial_t": [
        0.0, 1.0, -1.0, 0.944, 1.0, 1009.5398399999998
    ],
    "shifted_chebyshev_polynomial_u": [
        0.0, 1.0, -2.0, 1.088, 11.0, 2120.0716799999996
    ],
    "shifted_chebyshev_polynomial_v": [
        0.0, 1.0, -3.0, 1.448, 1.0, 1657.3500799999995
    ],
    "shifted_chebyshev_polynomial_w": [
        0.0, 1.0, -1.0, 0.728, 21.0, 2582.7932799999994
    ],
    "hermite_polynomial_h": [
        0.0, 1.0, 0.0, -3.384, 8224.0, -127.72576
    ],
    "hermite_polynomial_he": [
        0.0, 1.0, 0.0, -0.873, 1216.0, -9.431429999999999
    ],
    "laguerre_polynomial_l": [
        0.0, 1.0, 1.0, 0.23050000000000007, 0.41894593253968243, 0.38336608333333333
    ],
    "legendre_polynomial_p": [
        0.0, 1.0, 0.0, -0.3825, 1.0, 72.01248874999999
    ],
}
LARGE_N = {
    "chebyshev_polynomial_t": [
        0.5826273078732054, -0.9967085938732416, -0.9322717362601304, -0.6157666262015157
    ],
    "chebyshev_polynomial_u": [
        2.2607242724788357, -1.0132564775486363, -0.7971069525962854, 0.43480482638472384
    ],
    "chebyshev_polynomial_v": [
        4.125276455373987, -1.095995895925614, -1.183292048778695, -0.8784094893480755
    ],
    "chebyshev_polynomial_w": [
        0.39617208958368955, -0.9305170591716595, -0.41092185641388057, 1.748019142117523
    ],
    "shifted_chebyshev_polynomial_t": [
        -3.735601990435449e+16, -228761727.53608242, 0.6629451041544757,
        -0.7879285894396753
    ],
    "shifted_chebyshev_polynomial_u": [
        -7.73496272682782e+16, -555632272.201662, 0.8983903008738519, -0.3261036197885325
    ],
    "shifted_chebyshev_polynomial_v": [
        -9.16330584696795e+16, -789111232.6770765, 1.6832076232717679, -1.0958119025404354
    ],
    "shifted_chebyshev_polynomial_w": [
        -6.306619606687689e+16, -322153311.72624815, 0.11357297847593899,
        0.44360466296336865
    ],
    "legendre_polynomial_p": [
        0.23155966815536894, -0.16622447567135412, -0.14487681855653994,
        -0.040667410054413156
    ],
    "laguerre_polynomial_l": [
        850.9976485500398, 13.711025337991227, 0.08390872148042514, -0.002464505976618417
    ],
}


X = [-9.5, -3.0, -1.0, 0.0, 0.3, 2.5, 7.0, 40.0]
XS = [-1.0, -0.4, 0.0, 0.3, 1.0, 1.7]
NS = [-1.0, 0.0, 1.0, 3.0, 10.0, 5.0]
XL = [-0.9, -0.2, 0.35, 0.8]


def _close(got, want, rtol=1e-12):
    np.testing.assert_allclose(np.asarray(got.tolist(), float), np.asarray(want, float),
                               rtol=rtol, atol=1e-300, equal_nan=True)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_float64(name):
    _close(getattr(S, name)(torch.tensor(X, dtype=torch.float64)), UNARY[name])


@pytest.mark.parametrize("name", sorted(POLY))
def test_polynomials(name):
    x = torch.tensor(XS, dtype=torch.float64)
    _close(getattr(S, name)(x, torch.tensor(NS, dtype=torch.float64)), POLY[name])


@pytest.mark.parametrize("name", sorted(LARGE_N))
def test_polynomials_large_n(name):
    _close(getattr(S, name)(torch.tensor(XL, dtype=torch.float64), 23), LARGE_N[name], 1e-10)


def test_polynomial_argument_forms():
    assert S.chebyshev_polynomial_t(0.5, torch.tensor([2, 3])).tolist() == [-0.5, -1.0]
    r = S.chebyshev_polynomial_t(torch.tensor([2, 3]), 2)
    assert r.dtype == torch.float32 and r.tolist() == [7.0, 17.0]
    # torch returns NaN past 128 recurrence steps in float32
    assert math.isnan(S.hermite_polynomial_h(torch.tensor([0.5]), 200).item())
    with pytest.raises(TypeError):
        S.chebyshev_polynomial_t(2, 3)


def test_float32_and_int_inputs():
    r = S.bessel_j0(torch.tensor([True]))
    assert r.dtype == torch.float32
    assert abs(r.item() - 0.7651976347) < 1e-7
    assert S.airy_ai(torch.tensor([1, 2])).dtype == torch.float32
    r = S.modified_bessel_k0(torch.tensor([0.5, 3.0]))
    np.testing.assert_allclose(r.numpy(), [0.92441907122766, 0.0347395043862793], rtol=2e-7)


def test_zeta_xlog1py_ndtri_edges():
    z = S.zeta(torch.tensor([2.0, 0.5, 1.0, 3.0]), torch.tensor([1.0, 1.0, 2.0, -2.0]))
    _close(z, [1.6449340582, NAN, INF, INF], 1e-9)
    _close(S.xlog1py(torch.tensor([0.0, 2.0]), torch.tensor([NAN, 1.0])),
           [NAN, 1.3862943649], 1e-9)
    _close(S.xlog1py(2, torch.tensor([1.0])), [1.3862943649], 1e-9)
    _close(S.ndtri(torch.tensor([0.0, 0.25, 1.0])), [-INF, -0.6744897962, INF], 1e-7)


def test_complex_raises():
    with pytest.raises(NotImplementedError):
        S.erfcx(torch.tensor([1 + 1j]))
    with pytest.raises(NotImplementedError):
        S.bessel_j0(torch.tensor([1 + 1j]))


def test_autograd():
    x = torch.tensor([0.5, 1.5], requires_grad=True)
    assert type(S.erfcx(x).grad_fn).__name__ == "SpecialErfcxBackward0"
    assert type(S.i0e(x).grad_fn).__name__ == "SpecialI0EBackward0"
    assert S.bessel_j0(x).grad_fn is None and not S.bessel_j0(x).requires_grad
    (g,) = torch.autograd.grad(S.entr(x).sum(), (x,))
    np.testing.assert_allclose(g.numpy(), [-(1 + math.log(0.5)), -(1 + math.log(1.5))], 1e-6)
    (g,) = torch.autograd.grad(S.log_ndtr(x).sum(), (x,))
    np.testing.assert_allclose(g.numpy(), [0.5091604590415955, 0.13878975808620453], rtol=1e-5)


def test_aliases():
    x = torch.tensor([0.25, 0.75])
    assert S.expit is torch.sigmoid and S.psi is torch.digamma and S.gammaln is torch.lgamma
    assert S.gammainc is torch.igamma and S.multigammaln is torch.mvlgamma
    assert S.polygamma is torch.polygamma and S.logsumexp is torch.logsumexp
    np.testing.assert_allclose(S.softmax(x, 0).numpy(), [0.3775407, 0.6224593], rtol=1e-6)
    assert S.log_softmax(x, 0, dtype=torch.float64).dtype == torch.float64
    assert sorted(S.__all__) == sorted(set(S.__all__)) and len(S.__all__) == 56
