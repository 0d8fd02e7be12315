"""Interop: Tensors as JAX pytrees, zero-copy from_jax / .jax(), numpy conversions, as_tensor /
asarray, and Tensors flowing through jax.jit, jax.grad and jax.vmap."""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import torchlike as torch

jaxonly = pytest.mark.torchlike_only


# ---------------------------------------------------------------- pytree


@jaxonly
def test_tensor_is_a_pytree_leaf_holder():
    t = torch.arange(6.).reshape(2, 3)
    leaves, tree = jax.tree_util.tree_flatten(t)
    assert len(leaves) == 1 and isinstance(leaves[0], jax.Array)
    assert leaves[0].dtype == jnp.float32 and leaves[0].shape == (2, 3)
    back = jax.tree_util.tree_unflatten(tree, leaves)
    assert isinstance(back, torch.Tensor) and back.dtype is torch.float32
    assert back.tolist() == t.tolist()


@jaxonly
def test_dict_of_tensors_round_trip_keeps_dtypes():
    d = {"w": torch.ones(2, 2, dtype=torch.float64), "i": torch.tensor([1, 2]),
         "b": [torch.tensor([True]), 3]}
    leaves, tree = jax.tree_util.tree_flatten(d)
    assert [getattr(x, "dtype", None) for x in leaves] == [jnp.bool_, None, jnp.int64, jnp.float64]
    back = jax.tree_util.tree_unflatten(tree, leaves)
    assert back["w"].dtype is torch.float64 and back["i"].dtype is torch.int64
    assert back["b"][0].dtype is torch.bool and back["b"][1] == 3
    assert back["i"].tolist() == [1, 2]


@jaxonly
def test_tree_map_over_tensors():
    out = jax.tree_util.tree_map(lambda a: a + 1, {"w": torch.arange(3.)})
    assert isinstance(out["w"], torch.Tensor) and out["w"].tolist() == [1, 2, 3]


@jaxonly
def test_view_flattens_to_its_values():
    t = torch.arange(6.).reshape(2, 3).t()
    (leaf,), tree = jax.tree_util.tree_flatten(t)
    assert leaf.shape == (3, 2) and leaf.tolist() == [[0, 3], [1, 4], [2, 5]]
    back = jax.tree_util.tree_unflatten(tree, [leaf])
    assert back.is_contiguous() and back.tolist() == t.tolist()


# ---------------------------------------------------------------- from_jax / .jax()


@jaxonly
def test_from_jax_and_jax_are_zero_copy():
    a = jnp.arange(3.0, dtype=jnp.float32)
    t = torch.from_jax(a)
    assert t.dtype is torch.float32 and t.tolist() == [0, 1, 2]
    assert t.jax() is a
    assert t.jax().unsafe_buffer_pointer() == a.unsafe_buffer_pointer()
    i = torch.from_jax(jnp.arange(3, dtype=jnp.int64))
    assert i.dtype is torch.int64


@jaxonly
def test_jax_of_a_view_is_its_value():
    t = torch.arange(6.).reshape(2, 3)
    assert t[1].jax().tolist() == [3, 4, 5]
    assert isinstance(t.t().jax(), jax.Array)


@jaxonly
def test_jnp_accepts_tensors():
    t = torch.arange(6.).reshape(2, 3)
    a = jnp.asarray(t)
    assert a.dtype == jnp.float32 and a.tolist() == t.tolist()
    assert jnp.sin(t).dtype == jnp.float32
    assert float(jnp.sum(t)) == 15.0


# ---------------------------------------------------------------- numpy and as_tensor / asarray


def test_from_numpy_dtypes_and_values():
    for dt in (np.float32, np.float64, np.int32, np.int64, np.uint8, np.bool_):
        n = np.arange(3).astype(dt)
        t = torch.from_numpy(n)
        assert t.tolist() == n.tolist() and str(t.dtype) == "torch." + np.dtype(dt).name.replace(
            "bool", "bool")
    with pytest.raises(TypeError, match=re.escape("expected np.ndarray (got list)")):
        torch.from_numpy([1, 2])


def test_as_tensor():
    t = torch.arange(3.)
    assert torch.as_tensor(t) is t
    assert torch.as_tensor(t, dtype=torch.float32) is t
    assert torch.as_tensor(t, device="cpu") is t
    d = torch.as_tensor(t, dtype=torch.float64)
    assert d is not t and d.dtype is torch.float64
    assert torch.as_tensor(np.arange(3, dtype=np.int32)).dtype is torch.int32
    assert torch.as_tensor([1., 2.]).tolist() == [1, 2]
    assert torch.as_tensor([1, 2]).dtype is torch.int64


def test_asarray():
    t = torch.arange(3.)
    assert torch.asarray(t) is t
    c = torch.asarray(t, copy=True)
    assert c is not t and c.tolist() == [0, 1, 2]
    c[0] = 5
    assert t[0].item() == 0
    assert torch.asarray([1, 2]).dtype is torch.int64
    assert torch.asarray([1., 2.], dtype=torch.float64).dtype is torch.float64
    assert torch.asarray(np.array([1., 2.])).dtype is torch.float64


@jaxonly
def test_asarray_of_jax_array():
    a = jnp.arange(3, dtype=jnp.int32)
    t = torch.asarray(a)
    assert t.dtype is torch.int32 and t.tolist() == [0, 1, 2]
    assert torch.tensor(a).dtype is torch.int32


# ---------------------------------------------------------------- inside JAX transforms


@jaxonly
def test_tensor_through_jit():
    t = torch.arange(6.).reshape(2, 3)
    r = jax.jit(lambda x: x * 2 + 1)(t)
    assert isinstance(r, torch.Tensor) and r.tolist() == [[1, 3, 5], [7, 9, 11]]
    out = jax.jit(lambda d: {"s": d["a"].sum(), "row": d["a"][0], "t": d["a"].t()})({"a": t})
    assert out["s"].item() == 15 and out["row"].tolist() == [0, 1, 2]
    assert out["t"].shape == (3, 2)
    i = jax.jit(lambda x: x + 1)(torch.tensor([1, 2]))
    assert i.dtype is torch.int64 and i.tolist() == [2, 3]


@jaxonly
def test_inplace_inside_jit():
    def f(x):
        y = x.clone()
        y[0] = 10
        y.mul_(2)
        return y

    r = jax.jit(f)(torch.arange(3.))
    assert r.tolist() == [20, 2, 4]


@jaxonly
def test_grad_and_vmap_through_torchlike_ops():
    g = jax.grad(lambda a: (torch.from_jax(a) ** 2).sum().jax())(jnp.ones(3))
    assert g.tolist() == [2, 2, 2]
    v = jax.vmap(lambda x: (x * 2).sum())(torch.arange(6.).reshape(2, 3))
    assert v.tolist() == [6, 24]


@jaxonly
def test_data_dependent_shape_under_jit_is_a_clear_error():
    with pytest.raises(RuntimeError, match="output shape depends on the input.s values"):
        jax.jit(lambda x: x[x > 1])(torch.arange(3.))
