"""torchlike.interop against eager torchlike: arrays, jax_fn under jit/grad/optax/Flax, torch_op."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import torchlike as torch
from torchlike import interop


def _mlp(seed=0):
    m = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            v = np.sin(np.arange(p.numel()) * 0.37 + seed + i) * 0.5
            p.copy_(torch.tensor(v.reshape(tuple(p.shape)), dtype=torch.float32))
    return m


_X = np.cos(np.arange(18) * 0.7).reshape(6, 3).astype(np.float32)
_Y = np.sin(np.arange(12) * 1.1).reshape(6, 2).astype(np.float32)


def test_to_from_jax_share_the_array():
    t = torch.tensor([1.0, 2.0, 3.0])
    a = interop.to_jax(t)
    assert a is t._storage.array and a.dtype == jnp.float32
    b = jnp.arange(4, dtype=jnp.int32)
    u = interop.from_jax(b)
    assert u.dtype == torch.int32 and interop.to_jax(u) is b
    assert interop.to_jax(t[1:]).tolist() == [2.0, 3.0]
    with pytest.raises(TypeError):
        interop.from_jax(np.ones(2))


def test_jax_fn_matches_eager_under_jit_and_grad():
    m = _mlp()
    params, buffers = interop.module_state(m)
    f = jax.jit(interop.jax_fn(m))
    out = f(params, buffers, jnp.asarray(_X))
    np.testing.assert_allclose(out, m(torch.tensor(_X)).detach().numpy(), rtol=1e-6)

    def loss(p):
        return jnp.mean((f(p, buffers, jnp.asarray(_X)) - _Y) ** 2)

    g = jax.grad(loss)(params)
    torch.nn.functional.mse_loss(m(torch.tensor(_X)), torch.tensor(_Y)).backward()
    for k, p in m.named_parameters():
        np.testing.assert_allclose(g[k], p.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_jax_fn_buffers_batchnorm():
    m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    params, buffers = interop.module_state(m)
    out, new = interop.jax_fn(m, with_buffers=True)(params, buffers, jnp.asarray(_X))
    ref = m(torch.tensor(_X))  # eager: updates m's running stats in place
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-5, atol=1e-6)
    for k, b in m.named_buffers():
        np.testing.assert_allclose(new[k], b.numpy(), rtol=1e-6)


def test_optax_adam_matches_torchlike_adam():
    optax = pytest.importorskip("optax")
    m_jax, m_eager = _mlp(), _mlp()
    params, buffers = interop.module_state(m_jax)
    f = interop.jax_fn(m_jax)
    tx = optax.adam(1e-2)
    state = tx.init(params)

    @jax.jit
    def step(params, state, x, y):
        loss, g = jax.value_and_grad(lambda p: jnp.mean((f(p, buffers, x) - y) ** 2))(params)
        upd, state = tx.update(g, state, params)
        return optax.apply_updates(params, upd), state, loss

    opt = torch.optim.Adam(m_eager.parameters(), lr=1e-2)
    x, y = torch.tensor(_X), torch.tensor(_Y)
    jl, el = [], []
    for _ in range(5):
        params, state, loss = step(params, state, jnp.asarray(_X), jnp.asarray(_Y))
        jl.append(float(loss))
        opt.zero_grad()
        e = torch.nn.functional.mse_loss(m_eager(x), y)
        e.backward()
        opt.step()
        el.append(e.item())
    np.testing.assert_allclose(jl, el, rtol=1e-5)
    interop.load_state(m_jax, params)  # back into the module: same weights as eager training
    for (k, a), b in zip(m_jax.named_parameters(), m_eager.parameters(), strict=True):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=k)


def test_torchlike_module_inside_flax_linen():
    linen = pytest.importorskip("flax.linen")
    tm = _mlp()
    p0, b0 = interop.module_state(tm)
    f = interop.jax_fn(tm)

    class Head(linen.Module):
        @linen.compact
        def __call__(self, x):
            h = f(self.param("torch_mlp", lambda rng: p0), b0, x)
            return linen.Dense(1, kernel_init=linen.initializers.ones)(h)

    net = Head()
    variables = net.init(jax.random.key(0), jnp.asarray(_X))
    out = net.apply(variables, jnp.asarray(_X))
    ref = tm(torch.tensor(_X)).sum(1, keepdim=True)
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-5, atol=1e-6)
    g = jax.grad(lambda v: net.apply(v, jnp.asarray(_X)).sum())(variables)
    assert set(g["params"]["torch_mlp"]) == set(p0)


def test_flax_module_inside_torchlike_via_torch_op():
    linen = pytest.importorskip("flax.linen")
    dense = linen.Dense(2)
    fv = dense.init(jax.random.key(1), jnp.ones((1, 3)))
    apply = interop.torch_op(dense.apply, name="flax_dense")
    # The Flax parameters as torchlike leaves: eager autograd and optimizers work on them.
    w = torch.tensor(np.asarray(fv["params"]["kernel"]), requires_grad=True)
    b = torch.tensor(np.asarray(fv["params"]["bias"]) + 0.5, requires_grad=True)
    x = torch.tensor(_X)
    out = apply({"params": {"kernel": w, "bias": b}}, x)
    ref_w = w.detach().clone().requires_grad_()
    ref_b = b.detach().clone().requires_grad_()
    ref = x @ ref_w + ref_b
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-6)
    (out ** 2).sum().backward()
    (ref ** 2).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), ref_w.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(b.grad.numpy(), ref_b.grad.numpy(), rtol=1e-5)


def test_torch_op_autograd_and_transforms():
    @interop.torch_op
    def scaled_sin(x, y, scale=2.0):
        return {"s": jnp.sin(x) * y * scale, "n": jnp.sum(x * x)}

    x = torch.tensor([0.5, 1.0], requires_grad=True)
    y = torch.tensor([2.0, 3.0])
    o = scaled_sin(x, y, scale=3.0)
    assert type(o["s"].grad_fn).__name__ == "ScaledSinBackward0"
    (o["s"].sum() + o["n"]).backward()
    xe = torch.tensor([0.5, 1.0], requires_grad=True)
    ((xe.sin() * y * 3.0).sum() + (xe * xe).sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), xe.grad.numpy(), rtol=1e-6)
    # second order through the recorded node
    (g,) = torch.autograd.grad(scaled_sin(x, y)["n"], x, create_graph=True)
    (gg,) = torch.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), [2.0, 2.0])
    # inside torchlike.func transforms
    gx = torch.func.grad(lambda a: scaled_sin(a, y)["s"].sum())(torch.tensor([0.5, 1.0]))
    np.testing.assert_allclose(gx.numpy(), (torch.tensor([0.5, 1.0]).cos() * y * 2).numpy(),
                               rtol=1e-6)
    with pytest.raises(TypeError, match="hashable"):
        scaled_sin(x, y, scale={1.0})
