"""torch.optim.Optimizer base against values recorded from torch 2.13: repr, named params
in state_dict, state_dict/load hooks, zero_grad(set_to_none=False) and error messages."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torchlike")

def _params(torch):
    return [torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.zeros(3))]


def _observe(torch):
    """Reprs, state_dict layouts, hooks and messages of the Optimizer base."""
    out = {}
    a, b = _params(torch)
    opt = torch.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5, "momentum": 0.9}], lr=0.1)
    out["repr"] = repr(opt)
    named = torch.optim.SGD([("w", a), ("v", b)], lr=0.1)
    sd = named.state_dict()
    out["named_groups"] = sd["param_groups"]
    fresh = torch.optim.SGD([("w", a), ("v", b)], lr=0.3)
    fresh.load_state_dict(sd)
    out["named_loaded"] = [{k: v for k, v in g.items() if k != "params"}
                           for g in fresh.param_groups]
    opt = torch.optim.SGD([a, b], lr=0.1)
    opt.register_state_dict_post_hook(lambda o, s: {**s, "extra": 1})
    opt.register_state_dict_pre_hook(lambda o: None)
    out["post_hook_keys"] = sorted(opt.state_dict())

    def pre_load(o, s):
        s = dict(s)
        s["param_groups"] = [dict(g, lr=0.25) for g in s["param_groups"]]
        return s

    opt2 = torch.optim.SGD([a, b], lr=0.1)
    opt2.register_load_state_dict_pre_hook(pre_load)
    opt2.load_state_dict(torch.optim.SGD([a, b], lr=0.1).state_dict())
    out["pre_load_lr"] = opt2.param_groups[0]["lr"]
    c = torch.nn.Parameter(torch.ones(2))
    c.grad = torch.full((2,), 3.0)
    z = torch.optim.SGD([c], lr=0.1)
    z.zero_grad(set_to_none=False)
    out["zeroed"] = [c.grad.tolist(), c.grad.requires_grad]

    def msg(fn):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                fn()
            except Exception as e:  # noqa: BLE001
                return [type(e).__name__, str(e), [str(x.message) for x in w]]
        return [None, None, [str(x.message) for x in w]]

    SGD = torch.optim.SGD
    out["errors"] = {
        "tensor": msg(lambda: SGD(a, lr=0.1)),
        "empty": msg(lambda: SGD([], lr=0.1)),
        "set": msg(lambda: SGD([{"params": {a}}], lr=0.1)),
        "not_tensor": msg(lambda: SGD([a, 3.0], lr=0.1)),
        "non_leaf": msg(lambda: SGD([a * 2], lr=0.1)),
        "group_not_dict": msg(lambda: SGD([a], lr=0.1).add_param_group([b])),
        "overlap": msg(lambda: SGD([{"params": [a]}, {"params": [a, b]}], lr=0.1)),
        "duplicate": msg(lambda: SGD([a, a], lr=0.1)),
        "some_names": msg(lambda: SGD([("w", a), b], lr=0.1)),
        "names_mixed": msg(lambda: SGD([("w", a)], lr=0.1).add_param_group({"params": [b]})),
        "group_count": msg(lambda: SGD([a], lr=0.1).load_state_dict(
            SGD([{"params": [a]}, {"params": [b]}], lr=0.1).state_dict())),
        "group_size": msg(lambda: SGD([a], lr=0.1).load_state_dict(
            SGD([a, b], lr=0.1).state_dict())),
    }
    return out


EXPECTED = {'errors': {'duplicate': [None, None,
                          ['optimizer contains a parameter group with duplicate parameters; in '
                           'future, this will cause an error; see '
                           'github.com/pytorch/pytorch/issues/40967 for more information']],
            'empty': ['ValueError', 'optimizer got an empty parameter list', []],
            'group_count': ['ValueError',
                            'loaded state dict has a different number of parameter groups', []],
            'group_not_dict': ['TypeError', "param_group must be a dict, but got <class 'list'>",
                               []],
            'group_size': ['ValueError',
                           "loaded state dict contains a parameter group that doesn't match the "
                           "size of optimizer's group",
                           []],
            'names_mixed': ['ValueError',
                            'all optimizer param groups should be with/without names. cannot add '
                            'param group without names to the optimizer',
                            []],
            'non_leaf': ['ValueError', "can't optimize a non-leaf Tensor", []],
            'not_tensor': ['TypeError',
                           'optimizer can only optimize Tensors, but one of the params is float',
                           []],
            'overlap': ['ValueError', 'some parameters appear in more than one parameter group',
                        []],
            'set': ['TypeError',
                    'optimizer parameters need to be organized in ordered collections, but the '
                    'ordering of tensors in sets will change between runs. Please use a list '
                    'instead.',
                    []],
            'some_names': ['ValueError',
                           'all optimizer params should be with/without names. Some param names '
                           'are missing',
                           []],
            'tensor': ['TypeError',
                       'params argument given to the optimizer should be an iterable of Tensors '
                       'or dicts, but got torch.FloatTensor',
                       []]},
 'named_groups': [{'dampening': 0,
                   'differentiable': False,
                   'foreach': None,
                   'fused': None,
                   'lr': 0.1,
                   'maximize': False,
                   'momentum': 0,
                   'nesterov': False,
                   'param_names': ['w', 'v'],
                   'params': [0, 1],
                   'weight_decay': 0}],
 'named_loaded': [{'dampening': 0,
                   'differentiable': False,
                   'foreach': None,
                   'fused': None,
                   'lr': 0.1,
                   'maximize': False,
                   'momentum': 0,
                   'nesterov': False,
                   'param_names': ['w', 'v'],
                   'weight_decay': 0}],
 'post_hook_keys': ['extra', 'param_groups', 'state'],
 'pre_load_lr': 0.25,
 'repr': 'SGD (\n'
         'Parameter Group 0\n'
         '    dampening: 0\n'
         '    differentiable: False\n'
         '    foreach: None\n'
         '    fused: None\n'
         '    lr: 0.1\n'
         '    maximize: False\n'
         '    momentum: 0\n'
         '    nesterov: False\n'
         '    weight_decay: 0\n'
         '\n'
         'Parameter Group 1\n'
         '    dampening: 0\n'
         '    differentiable: False\n'
         '    foreach: None\n'
         '    fused: None\n'
         '    lr: 0.5\n'
         '    maximize: False\n'
         '    momentum: 0.9\n'
         '    nesterov: False\n'
         '    weight_decay: 0\n'
         ')',
 'zeroed': [[0.0, 0.0], False]}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_optimizer_base_matches_torch(key):
    assert _observe(torch)[key] == EXPECTED[key]
