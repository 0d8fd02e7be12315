"""Random numbers: Generator, seeding, samplers (rand, randn, randint, randperm, normal, ...).

A Generator holds a JAX key and a counter: each draw uses ``fold_in(key, counter)`` and
bumps the counter, so a sample is one cached jitted kernel and the same seed gives the same
numbers run after run.  The streams are JAX's, not torch's (docs/differences.md).
"""

from __future__ import annotations

import builtins
import math
import secrets

import jax
import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core.kernel_cache import register as _bounded
from .._core.registry import as_shape, export, inplace, method, set_out
from .._core.tensor import Tensor
from .creation import _check_dtype, _device_of, _finish

_make = Tensor._make
_MASK64 = (1 << 64) - 1


class Generator:
    """torch.Generator: an independent random stream (``generator=`` in every sampler)."""

    def __init__(self, device="cpu"):
        self.device = device
        self.manual_seed(67280421310721)  # torch's default seed for a fresh Generator

    def manual_seed(self, seed: int) -> Generator:
        seed = int(seed)
        if not -(1 << 63) <= seed < (1 << 64):
            raise RuntimeError(f"Overflow when unpacking long ({seed})")
        self._seed = seed & _MASK64
        # Two 32-bit words of the seed make the key: every 64-bit seed is its own stream.
        self._key = np.array([self._seed >> 32, self._seed & 0xFFFFFFFF], dtype=np.uint32)
        self._counter = 0
        return self

    def seed(self) -> int:
        s = secrets.randbits(63)
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Tensor:
        tail = np.array([self._counter, self._seed], dtype=np.uint64).view(np.uint8)
        state = np.concatenate([self._key.view(np.uint8), tail])
        return _make(jnp.asarray(state), _dt.uint8)

    def set_state(self, new_state: Tensor) -> Generator:
        if not isinstance(new_state, Tensor) or new_state._dtype is not _dt.uint8 or \
                new_state.numel() != 24:
            raise RuntimeError("Expected a torch.ByteTensor of 24 elements produced by get_state()")
        raw = np.asarray(new_state._data).copy()
        self._key = raw[:8].view(np.uint32).copy()
        self._counter, self._seed = (int(v) for v in raw[8:].view(np.uint64))
        return self

    def _next(self):
        """(key words, counter) for one draw."""
        c = self._counter
        self._counter += 1
        return self._key, c

    def __repr__(self) -> str:
        return "<torch._C.Generator object>"


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """torch.manual_seed: seed the default generator (returns it)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """torch.seed: a fresh nondeterministic seed for the default generator."""
    return default_generator.seed()


def initial_seed() -> int:
    """torch.initial_seed."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """torch.get_rng_state (a uint8 tensor; not interchangeable with torch's)."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """torch.set_rng_state."""
    default_generator.set_state(new_state)


# ---------------------------------------------------------------- kernels

_kernels: dict = _bounded({})  # bounded: see _core/kernel_cache.py


# Samplers whose element i depends only on (key, i) (JAX's partitionable threefry), so the
# first n values of a longer flat draw are exactly the draw of n.
_FLAT = frozenset(("uniform", "normal"))
_seen: dict = {}


def _kernel(kind: str, shape: tuple, dt: _dt.dtype, static):
    key = (kind, shape, dt, static)
    k = _kernels.get(key)
    if k is None:
        body = _BODIES[kind]
        n = dt.np

        def f(words, counter, *p):
            rk = jax.random.fold_in(jax.random.wrap_key_data(words, impl="threefry2x32"), counter)
            return body(rk, shape, n, *p, *static)

        k = _kernels[key] = jax.jit(f)
    return k


def _sample(kind: str, shape: tuple, dt: _dt.dtype, generator, *params, static=()):
    """Draw one sample array: a cached jitted kernel per (kind, shape, dtype, static)."""
    g = generator if generator is not None else default_generator
    if not isinstance(g, Generator):
        raise TypeError(f"generator must be a torch.Generator, not {type(g).__name__}")
    key = (kind, shape, dt, static)
    if (key not in _kernels and kind in _FLAT and key not in _seen and shape
            and jax.config.jax_threefry_partitionable and all(np.ndim(p) == 0 for p in params)):
        # First sight of a shape (model init draws each parameter shape once): a random
        # kernel takes ~0.3 s to compile, so draw from a kernel per power-of-two length and
        # cut (the same values); a shape seen again gets its own one-dispatch kernel.
        if len(_seen) > 4096:
            _seen.clear()
        _seen[key] = True
        size = math.prod(shape)
        length = max(1024, 1 << max(size - 1, 0).bit_length())
        words, counter = g._next()
        flat = _kernel(kind, (length,), dt, static)(words, counter, *params)
        return flat[:size].reshape(shape)
    words, counter = g._next()
    return _kernel(kind, shape, dt, static)(words, counter, *params)


def _real(n):
    # Sample in float32 at least: jax.random has no float16/bfloat16 uniform with full range.
    return n if np.dtype(n).itemsize >= 4 else np.float32


def _uniform(k, shape, n, lo, hi):
    return jax.random.uniform(k, shape, _real(n), lo, hi).astype(n)


def _normal(k, shape, n, mean, std):
    return (jax.random.normal(k, shape, _real(n)) * std + mean).astype(n)


def _randint(k, shape, n, lo, hi):
    return jax.random.randint(k, shape, lo, hi, dtype=jnp.int64).astype(n)


def _perm(k, shape, n):
    return jax.random.permutation(k, shape[0]).astype(n)


def _bernoulli(k, shape, n, p):
    return jax.random.bernoulli(k, p, shape).astype(n)


def _exponential(k, shape, n, lambd):
    return (jax.random.exponential(k, shape, _real(n)) / lambd).astype(n)


def _geometric(k, shape, n, p):
    u = jax.random.uniform(k, shape, jnp.float64, minval=jnp.finfo(jnp.float64).tiny)
    return jnp.ceil(jnp.log(u) / jnp.log1p(-p)).astype(n)


def _log_normal(k, shape, n, mean, std):
    return jnp.exp(jax.random.normal(k, shape, _real(n)) * std + mean).astype(n)


def _cauchy(k, shape, n, median, sigma):
    return (jax.random.cauchy(k, shape, _real(n)) * sigma + median).astype(n)


def _poisson(k, shape, n, rate):
    return jax.random.poisson(k, rate, shape).astype(n)


def _multinomial(k, shape, n, probs, replacement):
    logits = jnp.log(probs)
    if replacement:
        return jax.random.categorical(k, logits, axis=-1, shape=shape[::-1]).T.astype(n) \
            if len(shape) == 2 else jax.random.categorical(k, logits, shape=shape).astype(n)
    # Without replacement: the top-k of Gumbel-perturbed logits is a draw in order.
    g = jax.random.gumbel(k, logits.shape, logits.dtype)
    return jax.lax.top_k(logits + g, shape[-1])[1].astype(n)


_BODIES = {"uniform": _uniform, "normal": _normal, "randint": _randint, "perm": _perm,
           "bernoulli": _bernoulli, "exponential": _exponential, "geometric": _geometric,
           "log_normal": _log_normal, "cauchy": _cauchy, "poisson": _poisson,
           "multinomial": _multinomial}


# ---------------------------------------------------------------- samplers


def _float_dtype(dtype, name):
    dt = _check_dtype(dtype) or _dt.get_default_dtype()
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f'"{name}" not implemented for \'{dt._tag}\'')
    return dt


def _new(arr, dt, device, requires_grad, out):
    t = _finish(arr, dt, device, requires_grad)
    return t if out is None else set_out(out, t)


def _complex_sample(kind, shape, dt, generator, *params):
    real = dt.to_real()
    re = _sample(kind, shape, real, generator, *params)
    im = _sample(kind, shape, real, generator, *params)
    scale = math.sqrt(0.5) if kind == "normal" else 1.0
    return (re * scale + 1j * im * scale).astype(dt.np)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """torch.rand: uniform on [0, 1)."""
    shape = as_shape(size)
    dt = _float_dtype(dtype, "check_uniform_bounds")
    arr = _complex_sample("uniform", shape, dt, generator, 0.0, 1.0) if dt.is_complex else \
        _sample("uniform", shape, dt, generator, 0.0, 1.0)
    return _new(arr, dt, device, requires_grad, out)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """torch.randn: standard normal (complex: unit variance split over real and imaginary)."""
    shape = as_shape(size)
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    arr = _complex_sample("normal", shape, dt, generator, 0.0, 1.0) if dt.is_complex else \
        _sample("normal", shape, dt, generator, 0.0, 1.0)
    return _new(arr, dt, device, requires_grad, out)


def randint(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """torch.randint(low=0, high, size): integers in [low, high), int64 by default."""
    args = list(args)
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size = args.pop()
    if len(args) == 1:
        low, high = 0, args[0]
    elif len(args) == 2:
        low, high = args
    else:
        raise TypeError("randint() received an invalid combination of arguments - expected "
                        "(int low = 0, int high, tuple of ints size)")
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    dt = _check_dtype(dtype) or _dt.int64
    shape = as_shape((size,))
    return _new(_sample("randint", shape, dt, generator, low, high), dt, device, requires_grad, out)


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """torch.randperm: a random permutation of 0..n-1 (int64 by default)."""
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dt = _check_dtype(dtype) or _dt.int64
    return _new(_sample("perm", (int(n),), dt, generator), dt, device, requires_grad, out)


def _like(input, dtype):
    if not isinstance(input, Tensor):
        raise TypeError(f"argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return tuple(input.shape), _check_dtype(dtype) or input._dtype


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
              memory_format=None) -> Tensor:
    """torch.rand_like."""
    shape, dt = _like(input, dtype)
    return rand(shape, dtype=dt, device=_device_of(input) if device is None else device,
                requires_grad=requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
               memory_format=None) -> Tensor:
    """torch.randn_like."""
    shape, dt = _like(input, dtype)
    return randn(shape, dtype=dt, device=_device_of(input) if device is None else device,
                 requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad: bool = False, memory_format=None) -> Tensor:
    """torch.randint_like(input, low=0, high)."""
    if high is None:
        low, high = 0, low
    shape, dt = _like(input, dtype)
    return randint(low, high, shape, dtype=dt,
                   device=_device_of(input) if device is None else device,
                   requires_grad=requires_grad)


def _param(x, dt):
    return x._data.astype(dt.np) if isinstance(x, Tensor) else x


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """torch.normal: tensor or float mean/std (broadcast), or floats with a size."""
    tm, ts = isinstance(mean, Tensor), isinstance(std, Tensor)
    if tm or ts:
        for t in (mean, std):
            if isinstance(t, Tensor) and not (t._dtype.is_floating_point or t._dtype.is_complex):
                raise RuntimeError("normal expects floating point mean and std")
        dt = mean._dtype if tm else std._dtype
        shapes = [tuple(t.shape) for t in (mean, std) if isinstance(t, Tensor)]
        from .._core.registry import broadcast_shapes

        shape = broadcast_shapes(*shapes)
        if ts and not isinstance(std._data, jax.core.Tracer) and bool(jnp.any(std._data < 0)):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        if not ts and std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        arr = _sample("normal", shape, dt, generator, _param(mean, dt), _param(std, dt))
        return _new(arr, dt, None, requires_grad, out)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments: with float mean "
                        "and std, size is required")
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    return _new(_sample("normal", as_shape((size,)), dt, generator, float(mean), float(std)), dt,
                device, requires_grad, out)


def bernoulli(input, p=None, *, generator=None, out=None) -> Tensor:
    """torch.bernoulli: 0/1 draws with the probabilities in input (or p), in input's dtype."""
    probs = input._data if p is None else p
    if p is None and not (input._dtype.is_floating_point):
        raise RuntimeError(f'"bernoulli_tensor_cpu_p_" not implemented for \'{input._dtype._tag}\'')
    if p is None and not isinstance(probs, jax.core.Tracer) and input.numel() and (
            bool(jnp.any(probs < 0)) or bool(jnp.any(probs > 1))):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    arr = _sample("bernoulli", tuple(input.shape), input._dtype, generator, probs)
    r = _make(arr, input._dtype)
    return r if out is None else set_out(out, r)


def multinomial(input, num_samples: int, replacement: bool = False, *, generator=None,
                out=None) -> Tensor:
    """torch.multinomial: int64 category draws from (unnormalised) row probabilities."""
    if not input._dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{input._dtype._tag}")
    if input.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    n_cat = input.shape[-1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    probs = input._data.astype(jnp.float64)
    if not isinstance(probs, jax.core.Tracer):
        if bool(jnp.any(probs < 0)) or not bool(jnp.all(jnp.isfinite(probs))):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if bool(jnp.any(jnp.sum(probs, -1) <= 0)):
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    shape = tuple(input.shape[:-1]) + (int(num_samples),)
    arr = _sample("multinomial", shape, _dt.int64, generator, probs, static=(bool(replacement),))
    r = _make(arr, _dt.int64)
    return r if out is None else set_out(out, r)


def poisson(input, generator=None) -> Tensor:
    """torch.poisson: Poisson draws with rates in input, in input's dtype."""
    return _make(_sample("poisson", tuple(input.shape), input._dtype, generator, input._data),
                 input._dtype)


# ---------------------------------------------------------------- in-place samplers


def _fill(self, kind, generator, *params):
    arr = _sample(kind, tuple(self.shape), self._dtype, generator, *params)
    return inplace(self, _make(arr, self._dtype))


def uniform_(self, from_: float = 0.0, to: float = 1.0, *, generator=None, **kw) -> Tensor:
    """torch.Tensor.uniform_(from, to)."""
    from_ = kw.pop("from", from_)
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={from_} "
                           f"> to={to}")
    return _fill(self, "uniform", generator, float(from_), float(to))


def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """torch.Tensor.normal_."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return _fill(self, "normal", generator, float(mean), float(std))


def bernoulli_(self, p=0.5, *, generator=None) -> Tensor:
    """torch.Tensor.bernoulli_ (p: a float or a tensor of probabilities)."""
    probs = p._data if isinstance(p, Tensor) else float(p)
    if not isinstance(p, Tensor) and not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return _fill(self, "bernoulli", generator, probs)


def exponential_(self, lambd: float = 1.0, *, generator=None) -> Tensor:
    """torch.Tensor.exponential_."""
    if lambd <= 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    return _fill(self, "exponential", generator, float(lambd))


def geometric_(self, p: float, *, generator=None) -> Tensor:
    """torch.Tensor.geometric_: trials to the first success (values ≥ 1)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    return _fill(self, "geometric", generator, float(p))


def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator=None) -> Tensor:
    """torch.Tensor.log_normal_."""
    if std <= 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    return _fill(self, "log_normal", generator, float(mean), float(std))


def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator=None) -> Tensor:
    """torch.Tensor.cauchy_."""
    if sigma <= 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    return _fill(self, "cauchy", generator, float(median), float(sigma))


def random_(self, from_=0, to=None, *, generator=None, **kw) -> Tensor:
    """torch.Tensor.random_: integers in [from, to) (to defaults to the dtype's range)."""
    from_ = kw.pop("from", from_)
    if to is None:
        if self._dtype.is_floating_point:
            to = (1 << (_dt.finfo_np(self._dtype).nmant + 1)) + 1
        elif self._dtype is _dt.bool:
            to = 2
        else:
            to = builtins.int(np.iinfo(self._dtype.np).max) + 1
            to = builtins.min(to, 1 << 62)
    return _fill(self, "randint", generator, int(from_), int(to))


for _f in (uniform_, normal_, bernoulli_, exponential_, geometric_, log_normal_, cauchy_, random_):
    method(_f)
for _f in (rand, randn, randint, randperm, rand_like, randn_like, randint_like, normal, multinomial,
           poisson, manual_seed, seed, initial_seed, get_rng_state, set_rng_state):
    export(_f, method=False)
export(bernoulli)
export(multinomial, method=True, function=False)

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "rand", "randn", "randint", "randperm", "rand_like",
           "randn_like", "randint_like", "normal", "bernoulli", "multinomial", "poisson"]
