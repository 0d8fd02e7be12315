"""torchlike.optim behaviour: param groups, state_dict layout, in-place updates, hooks, schedulers.

Trajectories against torch's own numbers live in compat_tests/test_optim.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import torchlike as torch
from torchlike.nn.parameter import Parameter
from torchlike.optim import lr_scheduler
from torchlike.optim import optimizer as _opt


def _params():
    return [Parameter(torch.tensor([1.0, -2.0, 3.0])), Parameter(torch.ones(2, 2))]


def _grads(params, scale=1.0):
    for i, p in enumerate(params):
        p.grad = torch.full_like(p, scale * (i + 1))


def test_param_groups_defaults_and_errors():
    a, b = _params()
    opt = torch.optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["params"] == [b]
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        torch.optim.Adam(a)
    with pytest.raises(ValueError, match="empty parameter list"):
        torch.optim.Adam([])
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        torch.optim.Adam([a], lr=-1)
    with pytest.raises(ValueError, match="Nesterov momentum requires"):
        torch.optim.SGD([a], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        torch.optim.SGD([a * 2], lr=0.1)
    with pytest.raises(NotImplementedError, match="differentiable"):
        torch.optim.Adam([a], differentiable=True)
    assert "Parameter Group 1" in repr(opt) and "    lr: 0.5" in repr(opt)


def test_sgd_update_values_and_lr_is_traced():
    a, b = _params()
    opt = torch.optim.SGD([a, b], lr=0.1)
    _grads([a, b])
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), [0.9, -2.1, 2.9], rtol=1e-6)
    n_kernels = len(_opt._kernels)
    opt.param_groups[0]["lr"] = 0.5  # a scheduler's change: same kernel, new value
    opt.step()
    assert len(_opt._kernels) == n_kernels
    np.testing.assert_allclose(b.detach().numpy(), np.full((2, 2), 1 - 0.2 - 1.0), rtol=1e-6)
    opt.param_groups[0]["lr"] = torch.tensor(0.25)  # tensor lr
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), [0.9 - 0.5 - 0.25, -2.1 - 0.75, 2.9 - 0.75],
                               rtol=1e-6)


def test_in_place_through_views_and_aliases():
    base = torch.zeros(3, 4)
    p = base[1]  # a view parameter: the optimizer must write through to ``base``
    p.requires_grad_(True)
    alias = p.detach()
    opt = torch.optim.SGD([p], lr=1.0)
    p.grad = torch.ones(4)
    v = p._version
    opt.step()
    assert base[1].tolist() == [-1.0] * 4 and base[0].tolist() == [0.0] * 4
    assert alias.tolist() == [-1.0] * 4 and p._version > v


def test_zero_grad():
    a, b = _params()
    opt = torch.optim.Adam([a, b])
    _grads([a, b])
    opt.zero_grad(set_to_none=False)
    assert a.grad is not None and a.grad.tolist() == [0.0, 0.0, 0.0]
    opt.zero_grad()
    assert a.grad is None and b.grad is None
    opt.step()  # no grads: nothing happens, no state
    assert len(opt.state) == 0


def test_state_dict_layout_and_round_trip():
    a, b = _params()
    opt = torch.optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.01}], amsgrad=True)
    for _ in range(3):
        _grads([a, b])
        opt.step()
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert list(sd["state"][0]) == ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
    step = sd["state"][0]["step"]
    assert step.dtype == torch.float32 and step.dim() == 0 and step.item() == 3.0
    assert sd["param_groups"][1]["betas"] == (0.9, 0.999)

    a2, b2 = (Parameter(a.detach().clone()), Parameter(b.detach().clone()))
    opt2 = torch.optim.Adam([{"params": [a2]}, {"params": [b2]}])
    opt2.load_state_dict(sd)
    assert opt2.param_groups[1]["lr"] == 0.01 and opt2.param_groups[1]["params"] == [b2]
    for _ in range(2):
        _grads([a, b], 0.5)
        _grads([a2, b2], 0.5)
        opt.step()
        opt2.step()
    np.testing.assert_array_equal(a.detach().numpy(), a2.detach().numpy())
    np.testing.assert_array_equal(b.detach().numpy(), b2.detach().numpy())
    # loaded state is a copy, not an alias of the state_dict's tensors
    assert opt2.state[a2]["exp_avg"] is not opt.state[a]["exp_avg"]
    with pytest.raises(ValueError, match="different number of parameter groups"):
        torch.optim.Adam([a2]).load_state_dict(sd)


def test_sgd_momentum_state_only_when_used():
    a, _ = _params()
    opt = torch.optim.SGD([a], lr=0.1)
    a.grad = torch.ones(3)
    opt.step()
    assert opt.state_dict()["state"] == {}
    opt = torch.optim.SGD([a], lr=0.1, momentum=0.9)
    opt.step()
    assert list(opt.state[a]) == ["momentum_buffer"]
    assert opt.state[a]["momentum_buffer"].tolist() == [1.0, 1.0, 1.0]


def test_complex_parameters_update_as_real_pairs():
    # torch updates complex parameters through view_as_real
    pc = Parameter(torch.tensor([1 + 2j, -0.5 + 0.25j], dtype=torch.complex64))
    pr = Parameter(torch.tensor([[1.0, 2.0], [-0.5, 0.25]]))
    oc, orr = torch.optim.Adam([pc], lr=0.1), torch.optim.Adam([pr], lr=0.1)
    for k in range(3):
        pc.grad = torch.tensor([0.5 - 1j * k, 2 + 0.5j], dtype=torch.complex64)
        pr.grad = torch.tensor([[0.5, -1.0 * k], [2.0, 0.5]])
        oc.step()
        orr.step()
    got = pc.detach().numpy()
    np.testing.assert_allclose(np.stack([got.real, got.imag], -1), pr.detach().numpy(), rtol=1e-6)
    assert oc.state[pc]["exp_avg"].dtype == torch.complex64


def test_step_closure_and_hooks():
    a, _ = _params()
    opt = torch.optim.SGD([a], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, args, kw: calls.append("pre"))
    opt.register_step_post_hook(lambda o, args, kw: calls.append("post"))

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 14.0 and calls == ["pre", "post"]
    np.testing.assert_allclose(a.detach().numpy(), [0.8, -1.6, 2.4], rtol=1e-6)
    h1.remove()
    opt.step(closure)
    assert calls == ["pre", "post", "post"]


def test_user_defined_optimizer_subclass():
    class Plain(torch.optim.Optimizer):
        def __init__(self, params, lr=_opt.required):
            super().__init__(params, {"lr": lr})

        def step(self, closure=None):
            with torch.no_grad():
                for group in self.param_groups:
                    for p in group["params"]:
                        self.state[p]["n"] = self.state[p].get("n", 0) + 1
                        p.add_(p.grad, alpha=-group["lr"])

    a, _ = _params()
    with pytest.raises(ValueError, match="required optimization parameter lr"):
        Plain([a])
    opt = Plain([a], lr=1.0)
    a.grad = torch.ones(3)
    opt.step()
    assert a.tolist() == [0.0, -3.0, 2.0] and opt.state_dict()["state"][0] == {"n": 1}


def test_lbfgs_minimises_a_quadratic():
    x = Parameter(torch.tensor([3.0, -2.0]))
    opt = torch.optim.LBFGS([x], line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = ((x - torch.tensor([1.0, 2.0])) ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    np.testing.assert_allclose(x.detach().numpy(), [1.0, 2.0], atol=1e-4)
    assert opt.state[x]["n_iter"] >= 1 and "d" in opt.state[x]


# ------------------------------------------------------------------ schedulers


def test_scheduler_basics_and_state_dict():
    a, _ = _params()
    opt = torch.optim.SGD([a], lr=1.0)
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    assert opt.param_groups[0]["initial_lr"] == 1.0 and sched.last_epoch == 0
    a.grad = torch.zeros(3)
    lrs = []
    for _ in range(4):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    np.testing.assert_allclose(lrs, [1.0, 0.1, 0.1, 0.01])
    sd = sched.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 4
    sched2 = lr_scheduler.StepLR(opt, step_size=5)
    sched2.load_state_dict(sd)
    assert sched2.step_size == 2 and sched2.last_epoch == 4


def test_scheduler_warns_when_stepped_before_optimizer():
    a, _ = _params()
    opt = torch.optim.SGD([a], lr=1.0)
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        sched.step()
    assert any("before `optimizer.step()`" in str(x.message) for x in w)


def test_reduce_on_plateau_and_errors():
    a, _ = _params()
    opt = torch.optim.SGD([a], lr=1.0)
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5)
    for m in [1.0, 1.0, 1.0]:
        sched.step(m)
    assert opt.param_groups[0]["lr"] == 0.25
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.5)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        lr_scheduler.StepLR(object(), step_size=1)
