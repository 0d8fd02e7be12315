"""torch.nn.functional resampling: interpolate/upsample, grid_sample, affine_grid, unfold/fold,
pixel_shuffle/pixel_unshuffle.

Each call is one fused kernel.  Linear, bilinear, trilinear and bicubic interpolation are
separable: each spatial dim is a constant (out, in) weight matrix built per shape with torch's
source-index arithmetic (in the dtype torch uses for it), applied with a full-precision
tensordot.  Nearest modes and unfold/fold gather or scatter-add through constant index tables.
"""

from __future__ import annotations

import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core.registry import Op
from .._core.tensor import Size, Tensor
from . import products as _products
from .nn_activation import check_tensor, fused
from .nn_pool import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "grid_sample",
           "affine_grid", "unfold", "fold", "pixel_shuffle", "pixel_unshuffle"]

_interp = {m: Op(f"upsample_{m}", f"Upsample{m.capitalize()}{n}DBackward0")
           for m, n in (("linear", 1), ("bilinear", 2), ("bicubic", 2), ("trilinear", 3))}
_interp_aa = {m: Op(f"upsample_{m}_aa", f"Upsample{m.capitalize()}2DAaBackward0")
              for m in ("bilinear", "bicubic")}
_nearest = {(n, e): Op(f"upsample_nearest{'_exact' if e else ''}{n}d",
                       f"UpsampleNearest{'Exact' if e else ''}{n}DBackward0")
            for n in (1, 2, 3) for e in (False, True)}
_grid = {n: Op(f"grid_sampler_{n}d", f"GridSampler{n}DBackward0") for n in (2, 3)}
_affine = Op("affine_grid", "AffineGridGeneratorBackward0")
_im2col = Op("im2col", "Im2ColBackward0")
_col2im = Op("col2im", "Col2ImBackward0")
_shuffle = Op("pixel_shuffle", "PixelShuffleBackward0")
_unshuffle = Op("pixel_unshuffle", "PixelUnshuffleBackward0")

_MODES_DIM = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def _prec():
    return _products.PRECISION[0]


# ---------------------------------------------------------------- interpolate


def _scale(in_size, out_size, align_corners, scale, ct):
    """torch's area_pixel_compute_scale, in the compute type ``ct``."""
    if align_corners:
        return ct((in_size - 1) / (out_size - 1)) if out_size > 1 else ct(0)
    if scale is not None and scale > 0:
        return ct(1.0 / ct(scale))
    return ct(ct(in_size) / ct(out_size))


def _linear_matrix(L, n_out, align_corners, scale, ct):
    sc = _scale(L, n_out, align_corners, scale, ct)
    dst = np.arange(n_out, dtype=ct)
    src = sc * dst if align_corners else np.maximum(sc * (dst + ct(0.5)) - ct(0.5), ct(0))
    i0 = src.astype(np.int64)
    i1 = np.where(i0 < L - 1, i0 + 1, i0)
    lam1 = np.clip(src - i0.astype(ct), 0, 1).astype(ct)
    lam0 = (ct(1) - lam1).astype(ct)
    m = np.zeros((n_out, L), ct)
    np.add.at(m, (np.arange(n_out), i0), lam0)
    np.add.at(m, (np.arange(n_out), i1), lam1)
    return m


def _cubic_matrix(L, n_out, align_corners, scale, ct):
    sc = _scale(L, n_out, align_corners, scale, ct)
    dst = np.arange(n_out, dtype=ct)
    src = sc * dst if align_corners else sc * (dst + ct(0.5)) - ct(0.5)
    fl = np.floor(src)
    t = (src - fl).astype(ct)
    a = ct(-0.75)

    def c1(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def c2(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    w = [c2(t + 1), c1(t), c1(1 - t), c2(2 - t)]
    m = np.zeros((n_out, L), ct)
    base = fl.astype(np.int64)
    for k in range(4):
        idx = np.clip(base - 1 + k, 0, L - 1)
        np.add.at(m, (np.arange(n_out), idx), w[k].astype(ct))
    return m


def _aa_matrix(L, n_out, align_corners, scale, ct, cubic):
    """torch's antialiased weights (_compute_indices_min_size_weights_aa): the filter is
    stretched by the downscale factor and each row renormalised; in torch's mixed precision."""
    sc = _scale(L, n_out, align_corners, scale, ct)
    half = 2.0 if cubic else 1.0
    support = ct(half * sc) if sc >= 1.0 else ct(half)
    invscale = float(ct(1.0 / sc)) if sc >= 1.0 else 1.0
    a = ct(-0.5)

    def filt(x):
        x = abs(ct(x))
        if not cubic:
            return ct(1) - x if x < 1 else ct(0)
        if x < 1:
            return ((a + 2) * x - (a + 3)) * x * x + 1
        if x < 2:
            return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
        return ct(0)

    max_interp = int(math.ceil(support)) * 2 + 1
    m = np.zeros((n_out, L), ct)
    for i in range(n_out):
        center = ct(float(sc) * (i + 0.5))
        xmin = max(int(float(center - support) + 0.5), 0)
        xsize = min(max(min(int(float(center + support) + 0.5), L) - xmin, 0), max_interp)
        w = [filt((float(ct(ct(j + xmin) - center)) + 0.5) * invscale) for j in range(xsize)]
        total = ct(0)
        for v in w:
            total = ct(total + v)
        if total != 0:
            m[i, xmin:xmin + xsize] = [ct(v / total) for v in w]
    return m


def _nearest_index(L, n_out, scale, exact, shortcut=False):
    # torch computes nearest source indices in float32 (compute_scales_value<float>).  Its
    # nearest_idx (used by the 2D forward and every backward) maps out == in to the identity
    # and out == 2 * in to i // 2 even when a scale_factor says otherwise.
    if shortcut and not exact:
        if n_out == L:
            return np.arange(n_out)
        if n_out == 2 * L:
            return np.arange(n_out) >> 1
    f = np.float32
    sc = f(1.0 / f(scale)) if scale is not None and scale > 0 else f(f(L) / f(n_out))
    dst = np.arange(n_out, dtype=f)
    src = np.floor((dst + f(0.5)) * sc) if exact else np.floor(dst * sc)
    return np.minimum(src.astype(np.int64), L - 1)


def _apply_matrices(x, mats, nd):
    for i, m in enumerate(mats):
        ax = x.ndim - nd + i
        y = jnp.tensordot(x, jnp.asarray(m, x.dtype), ((ax,), (1,)), precision=_prec())
        x = jnp.moveaxis(y, -1, ax)
    return x


def _size_msg(L, out):
    names = ("D", "H", "W")[3 - len(L):]
    i = ", ".join(f"{n}: {v}" for n, v in zip(names, L, strict=True))
    o = ", ".join(f"{n}: {v}" for n, v in zip(names, out, strict=True))
    return f"Input and output sizes should be greater than 0, but got input ({i}) and output ({o})"


def _seq(v):
    return isinstance(v, (list, tuple, Size))


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """torch.nn.functional.interpolate."""
    check_tensor(input, "interpolate")
    nd = input.dim() - 2
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if antialias and not (mode in ("bilinear", "bicubic") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear and bicubic modes and "
                         "requires a 4-D tensor as input")
    if nd < 1:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  f"{input.dim()}D) for the modes: nearest | linear | bilinear | "
                                  f"bicubic | trilinear | area | nearest-exact (got {mode})")
    L = tuple(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if _seq(size):
            if len(size) != nd:
                raise ValueError(f"Input and output must have the same number of spatial "
                                 f"dimensions, but got input with spatial dimensions of {list(L)} "
                                 f"and output size of {list(size)}. Please provide input tensor "
                                 "in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, "
                                 "...,oK) format.")
            out = tuple(int(s) for s in size)
        else:
            out = (int(size),) * nd
        scales = None
    elif scale_factor is not None:
        if _seq(scale_factor):
            if len(scale_factor) != nd:
                raise ValueError(f"Input and scale_factor must have the same number of spatial "
                                 f"dimensions, but got input with spatial dimensions of {list(L)} "
                                 f"and scale_factor of shape {list(scale_factor)}. Please provide "
                                 "input tensor in (N, C, d1, d2, ...,dK) format and scale_factor "
                                 "in (s1, s2, ...,sK) format.")
            scales = tuple(float(s) for s in scale_factor)
        else:
            scales = (float(scale_factor),) * nd
        out = tuple(int(math.floor(float(L[i]) * scales[i])) for i in range(nd))
        if recompute_scale_factor:
            scales = None
    else:
        raise ValueError("either size or scale_factor should be defined")
    if mode == "area":
        pool = (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[nd - 1]
        return pool(input, out)
    if mode in ("nearest", "nearest-exact"):
        if nd > 3:
            raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                      f"(got {input.dim()}D) for the modes: nearest | linear | "
                                      f"bilinear | bicubic | trilinear | area | nearest-exact "
                                      f"(got {mode})")
        if any(o <= 0 for o in out):
            raise RuntimeError(_size_msg(L, out))
        exact = mode == "nearest-exact"
        key = (input._dtype, nd, L, out, scales, exact)

        def build():
            sc = [None if scales is None else scales[i] for i in range(nd)]
            fwd = [_nearest_index(L[i], out[i], sc[i], exact, nd == 2) for i in range(nd)]
            bwd = [_nearest_index(L[i], out[i], sc[i], exact, True) for i in range(nd)]

            # torch's backward uses its own index tables (they differ from the 1D/3D forward's
            # when a scale_factor maps a dim onto its own or twice its size).
            @jax.custom_vjp
            def f(x):
                for i, t in enumerate(fwd):
                    x = jnp.take(x, jnp.asarray(t), axis=2 + i)
                return x

            def f_fwd(x):
                return f(x), None

            def f_bwd(_, g):
                for i in reversed(range(nd)):
                    gm = jnp.moveaxis(g, 2 + i, 0)
                    gm = jnp.zeros((L[i],) + gm.shape[1:], g.dtype).at[jnp.asarray(bwd[i])].add(gm)
                    g = jnp.moveaxis(gm, 0, 2 + i)
                return (g,)

            f.defvjp(f_fwd, f_bwd)
            return f

        return fused(_nearest[nd, exact], key, build, (input,), input._dtype)
    want = _MODES_DIM.get(mode)
    if want is None:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  f"{input.dim()}D) for the modes: nearest | linear | bilinear | "
                                  f"bicubic | trilinear | area | nearest-exact (got {mode})")
    if want != nd:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                  f"{want + 2}D input")
    dt = input._dtype
    if not dt.is_floating_point:
        kname = "cubic" if mode == "bicubic" else "linear"
        raise NotImplementedError(f'"compute_indices_weights_{kname}" not implemented for '
                                  f'\'{dt._tag}\'')
    if any(o <= 0 for o in out):
        raise RuntimeError(_size_msg(L, out))
    key = (dt, mode, L, out, scales, bool(align_corners), _prec(), bool(antialias))

    def build():
        ct = np.float64 if dt is _dt.float64 else np.float32
        if antialias:
            def mk(*a):
                return _aa_matrix(*a, cubic=mode == "bicubic")
        else:
            mk = _cubic_matrix if mode == "bicubic" else _linear_matrix
        mats = [mk(L[i], out[i], align_corners, None if scales is None else scales[i], ct)
                for i in range(nd)]

        def f(x):
            return _apply_matrices(x, mats, nd).astype(dt.np)

        return f

    return fused(_interp_aa[mode] if antialias else _interp[mode], key, build, (input,), dt)


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """torch.nn.functional.upsample (deprecated alias of interpolate)."""
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """torch.nn.functional.upsample_nearest (deprecated): interpolate(mode='nearest')."""
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """torch.nn.functional.upsample_bilinear (deprecated): bilinear with align_corners=True."""
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use nn.functional.interpolate "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---------------------------------------------------------------- grid_sample


def _unnormalize(c, size, align_corners):
    if align_corners:
        return (c + 1) / 2 * (size - 1)
    return ((c + 1) * size - 1) / 2


def _reflect(c, twice_low, twice_high):
    if twice_low == twice_high:
        return jnp.zeros_like(c)
    lo = twice_low / 2
    span = (twice_high - twice_low) / 2
    c = jnp.abs(c - lo)
    extra = jnp.fmod(c, span)
    flips = jnp.floor(c / span)
    return jnp.where(jnp.fmod(flips, 2) == 0, extra + lo, span - extra + lo)


def _pad_coord(c, size, padding_mode, align_corners):
    if padding_mode == "border":
        return jnp.clip(c, 0, size - 1)
    if padding_mode == "reflection":
        c = _reflect(c, 0, 2 * (size - 1)) if align_corners else _reflect(c, -1, 2 * size - 1)
        return jnp.clip(c, 0, size - 1)
    return c


def _sample(xf, sizes, coords):
    """Values of xf (N, C, prod sizes) at integer coords (list of (N, P) arrays), 0 outside."""
    valid = jnp.ones(coords[0].shape, bool)
    flat = jnp.zeros(coords[0].shape, jnp.int64)
    for c, s in zip(coords, sizes, strict=True):
        valid = valid & (c >= 0) & (c <= s - 1)
        flat = flat * s + jnp.clip(c, 0, s - 1).astype(jnp.int64)
    v = jnp.take_along_axis(xf, flat[:, None, :], -1)
    return jnp.where(valid[:, None, :], v, 0)


def _grid_body(mode, padding_mode, align_corners, nd):
    def f(x, g):
        n, c = x.shape[:2]
        sizes = x.shape[2:]
        osp = g.shape[1:-1]
        xf = x.reshape((n, c, -1))
        gf = g.reshape((n, -1, nd))
        # grid's last dim is (x, y[, z]): reversed order of the spatial dims
        raw = [gf[..., nd - 1 - i] for i in range(nd)]
        if mode == "bicubic":
            ix = [_unnormalize(r, s, align_corners) for r, s in zip(raw, sizes, strict=True)]
            fl = [jnp.floor(i) for i in ix]
            t = [i - f_ for i, f_ in zip(ix, fl, strict=True)]
            a = -0.75

            def cw(tt):
                return [((a * (tt + 1) - 5 * a) * (tt + 1) + 8 * a) * (tt + 1) - 4 * a,
                        ((a + 2) * tt - (a + 3)) * tt * tt + 1,
                        ((a + 2) * (1 - tt) - (a + 3)) * (1 - tt) * (1 - tt) + 1,
                        ((a * (2 - tt) - 5 * a) * (2 - tt) + 8 * a) * (2 - tt) - 4 * a]

            wy, wx = cw(t[0]), cw(t[1])
            out = 0
            for i in range(4):
                yy = _pad_coord(fl[0] - 1 + i, sizes[0], padding_mode, align_corners)
                for j in range(4):
                    xx = _pad_coord(fl[1] - 1 + j, sizes[1], padding_mode, align_corners)
                    # padded tap coords are exact integers for border/reflection
                    v = _sample(xf, sizes, [jnp.round(yy), jnp.round(xx)])
                    out = out + v * (wy[i] * wx[j])[:, None, :]
        else:
            ix = [_pad_coord(_unnormalize(r, s, align_corners), s, padding_mode, align_corners)
                  for r, s in zip(raw, sizes, strict=True)]
            if mode == "nearest":
                out = _sample(xf, sizes, [jnp.round(i) for i in ix])
            else:
                fl = [jnp.floor(i) for i in ix]
                out = 0
                for corner in range(2 ** nd):
                    w = 1
                    cs = []
                    for d in range(nd):
                        hi = (corner >> (nd - 1 - d)) & 1
                        cs.append(fl[d] + hi)
                        w = w * ((ix[d] - fl[d]) if hi else (fl[d] + 1 - ix[d]))
                    out = out + _sample(xf, sizes, cs) * w[:, None, :]
        return out.reshape((n, c) + osp).astype(x.dtype)

    return f


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners: bool | None = None) -> Tensor:
    """torch.nn.functional.grid_sample (4D and 5D input; bicubic only for 4D)."""
    check_tensor(input, "grid_sample")
    check_tensor(grid, "grid_sample", "grid", 2)
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                      "old behavior is desired. See the documentation of grid_sample for details.",
                      stacklevel=2)
        align_corners = False
    if input._dtype is not grid._dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have same dtype, but "
                           f"input has {input._dtype} and grid has {grid._dtype}")
    nd = input.dim() - 2
    if nd not in (2, 3) or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected grid to have same number of dimensions as "
                           f"input (4D or 5D), but got input with sizes {list(input.shape)} and "
                           f"grid with sizes {list(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {list(input.shape)} and grid with sizes "
                           f"{list(grid.shape)}")
    if grid.shape[-1] != nd:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd} in last dimension, "
                           f"but got grid with sizes {list(grid.shape)}")
    if mode == "bicubic" and nd == 3:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f'"grid_sampler_2d_cpu_kernel_impl" not implemented for '
                                  f'\'{input._dtype._tag}\'')
    key = (input._dtype, nd, mode, padding_mode, bool(align_corners))

    def build():
        return _grid_body(mode, padding_mode, bool(align_corners), nd)

    return fused(_grid[nd], key, build, (input, grid), input._dtype)


def _linspace_neg1(n, align_corners, npdt):
    # torch's linspace (symmetric fill from both ends) and its (n - 1) / n rescale.
    if n <= 1:
        return np.zeros((n,), npdt)
    step = npdt((1 - (-1)) / (n - 1))
    i = np.arange(n)
    half = n // 2
    r = np.where(i < half, npdt(-1) + step * i.astype(npdt),
                 npdt(1) - step * (n - 1 - i).astype(npdt)).astype(npdt)
    if not align_corners:
        r = ((r * npdt(n - 1)) / npdt(n)).astype(npdt)
    return r


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    """torch.nn.functional.affine_grid."""
    check_tensor(theta, "affine_grid", "theta")
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                      "old behavior is desired. See the documentation of grid_sample for details.",
                      stacklevel=2)
        align_corners = False
    if not theta._dtype.is_floating_point:
        raise ValueError(f"Expected theta to have floating point type, but got {theta._dtype}")
    size = [int(s) for s in size]
    if len(size) == 4:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{size}. Got {list(theta.shape)}.")
        sp = size[2:]
    elif len(size) == 5:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{size}. Got {list(theta.shape)}.")
        sp = size[2:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"Expected theta batch size {theta.shape[0]} to match size[0] "
                           f"{size[0]}")
    dt = theta._dtype
    nd = len(sp)
    key = (dt, tuple(sp), bool(align_corners), _prec())

    def build():
        npdt = np.dtype(dt.np).type
        axes = [_linspace_neg1(s, align_corners, npdt) for s in sp]
        # base[..., 0] varies along the last spatial dim (x), then y, then z, then 1
        mesh = np.meshgrid(*axes, indexing="ij")
        base = np.stack([mesh[nd - 1 - i] for i in range(nd)] + [np.ones(tuple(sp), npdt)], -1)
        base = base.reshape((-1, nd + 1)).astype(npdt)

        def f(th):
            g = jnp.einsum("pk,njk->npj", jnp.asarray(base), th, precision=_prec())
            return g.reshape((th.shape[0],) + tuple(sp) + (nd,)).astype(npdt)

        return f

    return fused(_affine, key, build, (theta,), dt)


# ---------------------------------------------------------------- unfold / fold


def _pair(v, name):
    if _seq(v):
        if len(v) != 2:
            raise RuntimeError(f"{name} must be an int or a tuple of two ints")
        return tuple(int(e) for e in v)
    return (int(v), int(v))


def _im2col_table(hp, wp, k, d, s, oh, ow):
    ki = np.arange(k[0])[:, None, None, None] * d[0]
    kj = np.arange(k[1])[None, :, None, None] * d[1]
    oi = np.arange(oh)[None, None, :, None] * s[0]
    oj = np.arange(ow)[None, None, None, :] * s[1]
    return ((ki + oi) * wp + (kj + oj)).reshape(k[0] * k[1], oh * ow)


def _im2col_dtype(input, kname):
    dt = input._dtype
    if not (dt.is_floating_point or dt.is_complex or dt is _dt.bool):
        raise NotImplementedError(f'"{kname}" not implemented for \'{dt._tag}\'')


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """torch.nn.functional.unfold (im2col of a 3D or 4D input)."""
    check_tensor(input, "unfold")
    k, d = _pair(kernel_size, "kernel_size"), _pair(dilation, "dilation")
    p, s = _pair(padding, "padding"), _pair(stride, "stride")
    if input.dim() not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported (got "
                                  f"{input.dim()}D)")
    if any(e <= 0 for e in k) or any(e <= 0 for e in s) or any(e <= 0 for e in d):
        raise RuntimeError(f"kernel size, stride and dilation should be greater than zero, but "
                           f"got kernel_size: {list(k)} stride: {list(s)} dilation: {list(d)}")
    if any(e < 0 for e in p):
        raise RuntimeError(f"padding should be non-negative, but got padding: {list(p)}")
    h, w = input.shape[-2:]
    hp, wp = h + 2 * p[0], w + 2 * p[1]
    oh = (hp - (d[0] * (k[0] - 1) + 1)) // s[0] + 1
    ow = (wp - (d[1] * (k[1] - 1) + 1)) // s[1] + 1
    if oh < 1 or ow < 1:
        raise RuntimeError(f"Given input with spatial size ({h}, {w}), kernel_size=({k[0]}, "
                           f"{k[1]}), dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), "
                           f"calculated shape of the array of sliding blocks as ({oh}, {ow}), "
                           "but its components must be at least one.")
    _im2col_dtype(input, "im2col_out_cpu")
    key = (input._dtype, input.dim(), k, d, p, s, (h, w))

    def build():
        tab = _im2col_table(hp, wp, k, d, s, oh, ow)

        def f(x):
            lead = x.shape[:-2]
            x = jnp.pad(x, [(0, 0)] * (x.ndim - 2) + [(p[0], p[0]), (p[1], p[1])])
            cols = jnp.take(x.reshape(lead + (hp * wp,)), jnp.asarray(tab), axis=-1)
            return cols.reshape(lead[:-1] + (lead[-1] * k[0] * k[1], oh * ow))

        return f

    return fused(_im2col, key, build, (input,), input._dtype)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """torch.nn.functional.fold (col2im: sums overlapping blocks)."""
    check_tensor(input, "fold")
    o = _pair(output_size, "output_size")
    k, d = _pair(kernel_size, "kernel_size"), _pair(dilation, "dilation")
    p, s = _pair(padding, "padding"), _pair(stride, "stride")
    if input.dim() not in (2, 3):
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors "
                                  f"are supported (got {input.dim()}D)")
    kk = k[0] * k[1]
    cols, L = input.shape[-2:]
    if cols % kk:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={cols} and kernel_size="
                           f"({k[0]}, {k[1]})")
    hp, wp = o[0] + 2 * p[0], o[1] + 2 * p[1]
    oh = (hp - (d[0] * (k[0] - 1) + 1)) // s[0] + 1
    ow = (wp - (d[1] * (k[1] - 1) + 1)) // s[1] + 1
    if oh * ow != L:
        raise RuntimeError(f"Given output_size=({o[0]}, {o[1]}), kernel_size=({k[0]}, {k[1]}), "
                           f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), stride=({s[0]}, "
                           f"{s[1]}), expected size of input's dimension 2 to match the calculated "
                           f"number of sliding blocks {oh} * {ow} = {oh * ow}, but got "
                           f"input.size(2)={L}.")
    _im2col_dtype(input, "col2im_out_cpu")
    key = (input._dtype, input.dim(), o, k, d, p, s)

    def build():
        tab = _im2col_table(hp, wp, k, d, s, oh, ow).reshape(-1)

        def f(x):
            lead = x.shape[:-2]
            c = x.shape[-2] // kk
            xv = x.reshape(lead + (c, kk * x.shape[-1]))
            out = jnp.zeros(lead + (c, hp * wp), x.dtype).at[..., jnp.asarray(tab)].add(xv)
            out = out.reshape(lead + (c, hp, wp))
            return out[..., p[0]:p[0] + o[0], p[1]:p[1] + o[1]]

        return f

    return fused(_col2im, key, build, (input,), input._dtype)


# ---------------------------------------------------------------- pixel shuffle


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """torch.nn.functional.pixel_shuffle: (*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    check_tensor(input, "pixel_shuffle")
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} is "
                           f"not divisible by {r * r}")
    key = (input._dtype, input.dim(), r)

    def build():
        def f(x):
            *b, c_, h, w = x.shape
            nb = len(b)
            y = x.reshape(tuple(b) + (c_ // (r * r), r, r, h, w))
            perm = tuple(range(nb)) + tuple(nb + i for i in (0, 3, 1, 4, 2))
            return y.transpose(perm).reshape(tuple(b) + (c_ // (r * r), h * r, w * r))

        return f

    return fused(_shuffle, key, build, (input,), input._dtype)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """torch.nn.functional.pixel_unshuffle: (*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    check_tensor(input, "pixel_unshuffle")
    r = int(downscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    h, w = input.shape[-2:]
    if h % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, "
                           f"but input.size(-2)={h} is not divisible by {r}")
    if w % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, "
                           f"but input.size(-1)={w} is not divisible by {r}")
    key = (input._dtype, input.dim(), r)

    def build():
        def f(x):
            *b, c_, h_, w_ = x.shape
            nb = len(b)
            y = x.reshape(tuple(b) + (c_, h_ // r, r, w_ // r, r))
            perm = tuple(range(nb)) + tuple(nb + i for i in (0, 2, 4, 1, 3))
            return y.transpose(perm).reshape(tuple(b) + (c_ * r * r, h_ // r, w_ // r))

        return f

    return fused(_unshuffle, key, build, (input,), input._dtype)


_SAMPLER_MODES = ("bilinear", "nearest", "bicubic")
_SAMPLER_PADDING = ("zeros", "border", "reflection")


def _grid_sampler(dims: int):
    def fn(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
           align_corners: bool) -> Tensor:
        check_tensor(input, f"grid_sampler_{dims}d")
        if input.dim() != dims + 2:
            raise RuntimeError(f"grid_sampler(): expected {dims + 2}D input and grid with same "
                               f"number of dimensions, but got input with sizes "
                               f"{list(input.shape)} and grid with sizes {list(grid.shape)}")
        return grid_sample(input, grid, _SAMPLER_MODES[int(interpolation_mode)],
                           _SAMPLER_PADDING[int(padding_mode)], bool(align_corners))

    fn.__name__ = fn.__qualname__ = f"grid_sampler_{dims}d"
    fn.__doc__ = (f"torch.grid_sampler_{dims}d: F.grid_sample with torch's integer mode codes "
                  f"(0 bilinear, 1 nearest, 2 bicubic; padding 0 zeros, 1 border, 2 reflection).")
    return fn


grid_sampler_2d, grid_sampler_3d = _grid_sampler(2), _grid_sampler(3)
