"""Record torch's results for tests/test_nn_functional_b.py (convolution, pooling, resampling,
attention options the op_db samples do not reach).

Run with a Python that has real torch installed:

    python compat_tests/record/record_nn_functional_b.py

Each case is a code string run with ``torch`` and ``F`` bound to torch / torch.nn.functional
(or torchlike's), building its inputs from numpy; it stores results in ``out`` (name -> tensor).
Writes ``compat_tests/fixtures/nn_functional_b.npz``: the JSON ``__meta__`` holds the code and
the array names.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "compat_tests" / "fixtures" / "nn_functional_b.npz"

PRELUDE = '''
def rnd(*shape, seed=0, grad=False):
    a = np.random.default_rng(seed).standard_normal(shape)
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)

def grads(y, *xs):
    w = torch.tensor(np.random.default_rng(99).standard_normal(tuple(y.shape)))
    return torch.autograd.grad((y * w).sum(), xs)
'''

CASES = {
    "conv_same_even_kernel": '''
x = rnd(2, 3, 7, grad=True); w = rnd(4, 3, 4, seed=1, grad=True); b = rnd(4, seed=2, grad=True)
y = F.conv1d(x, w, b, padding="same", dilation=2)
out["y"] = y; out["gx"], out["gw"], out["gb"] = grads(y, x, w, b)
''',
    "conv_double_backward_no_bias": '''
x = rnd(1, 2, 5, 6, grad=True); w = rnd(3, 2, 2, 2, seed=1, grad=True)
g, = torch.autograd.grad((F.conv2d(x, w) ** 2).sum(), x, create_graph=True)
out["gg_x"], out["gg_w"] = torch.autograd.grad((g ** 2).sum(), (x, w))
''',
    "conv2d_groups_valid": '''
x = rnd(1, 4, 6, 5, grad=True); w = rnd(6, 2, 3, 2, seed=1, grad=True)
y = F.conv2d(x, w, None, stride=(2, 1), padding="valid", groups=2)
out["y"] = y; out["gx"], out["gw"] = grads(y, x, w)
''',
    "conv_transpose3d": '''
x = rnd(1, 2, 3, 2, 3, grad=True); w = rnd(2, 3, 2, 2, 2, seed=1, grad=True)
y = F.conv_transpose3d(x, w, stride=2, padding=1, output_padding=1, dilation=1)
out["y"] = y; out["gx"], out["gw"] = grads(y, x, w)
''',
    "conv_tbc": '''
x = rnd(6, 2, 3, grad=True); w = rnd(3, 3, 4, seed=1, grad=True); b = rnd(4, seed=2, grad=True)
y = F.conv_tbc(x, w, b, 1)
out["y"] = y; out["gx"], out["gw"], out["gb"] = grads(y, x, w, b)
''',
    "avg_pool_options": '''
x = rnd(1, 2, 5, 7, grad=True)
y1 = F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
y2 = F.avg_pool2d(x, (2, 3), stride=2, padding=1, ceil_mode=True, divisor_override=4)
y3 = F.avg_pool3d(x.unsqueeze(0), 2, stride=1, padding=1, count_include_pad=True)
out["y1"], out["y2"], out["y3"] = y1, y2, y3
out["g1"], = grads(y1, x)
''',
    "max_pool_indices_unpool": '''
x = rnd(2, 2, 7, 6, grad=True)
y, i = F.max_pool2d(x, 3, stride=2, padding=1, dilation=1, ceil_mode=True, return_indices=True)
u = F.max_unpool2d(y, i, 3, stride=2, padding=1, output_size=(7, 6))
y3, i3 = F.max_pool3d(x.unsqueeze(0), (2, 3, 2), stride=(1, 2, 2), dilation=(1, 1, 2),
                      return_indices=True)
y1, i1 = F.max_pool1d(x[0], 4, stride=3, padding=2, return_indices=True)
out["y"], out["i"], out["u"], out["y3"], out["i3"], out["y1"], out["i1"] = y, i, u, y3, i3, y1, i1
out["g"], = grads(u, x)
''',
    "adaptive_pools": '''
x = rnd(2, 3, 7, 5, grad=True)
a = F.adaptive_avg_pool2d(x, (3, None))
m, mi = F.adaptive_max_pool2d(x, (4, 3), return_indices=True)
out["a"], out["m"], out["mi"] = a, m, mi
out["ga"], = grads(a, x)
out["gm"], = grads(m, x)
''',
    "lp_pool": '''
x = rnd(1, 2, 6, 7, grad=True).abs()
y = F.lp_pool2d(x, 2.0, (2, 3), stride=2, ceil_mode=True)
y1 = F.lp_pool1d(x[0], 3.0, 3)
y3 = F.lp_pool3d(x.unsqueeze(0), 1.5, 2)
out["y"], out["y1"], out["y3"] = y, y1, y3
out["g"], = grads(y, x)
''',
    "interpolate_modes": '''
x = rnd(1, 2, 5, 4, grad=True)
outs = {
    "bl": F.interpolate(x, size=(7, 3), mode="bilinear", align_corners=False),
    "bc": F.interpolate(x, scale_factor=(1.5, 2.3), mode="bicubic", align_corners=False),
    "bcr": F.interpolate(x, scale_factor=1.7, mode="bicubic", recompute_scale_factor=True),
    "ne": F.interpolate(x, size=(9, 7), mode="nearest-exact"),
    "nn": F.interpolate(x, scale_factor=(0.6, 1.3), mode="nearest"),
    "ar": F.interpolate(x, size=(3, 3), mode="area"),
    "li": F.interpolate(x[0], scale_factor=2.5, mode="linear"),
    "tri": F.interpolate(x.unsqueeze(2), size=(2, 3, 6), mode="trilinear", align_corners=False),
}
for k, v in outs.items():
    out[k] = v
    out["g_" + k], = grads(v, x)
''',
    "interpolate_antialias": '''
x = rnd(1, 2, 9, 13, grad=True)
a = F.interpolate(x, size=(4, 5), mode="bilinear", antialias=True)
b = F.interpolate(x, scale_factor=(0.37, 1.6), mode="bicubic", antialias=True)
c = F.interpolate(x, size=(5, 3), mode="bicubic", antialias=True, align_corners=True)
out["a"], out["b"], out["c"] = a, b, c
out["ga"], = grads(a, x)
out["gb"], = grads(b, x)
''',
    "grid_sample_modes": '''
x = rnd(2, 3, 4, 5, grad=True)
g = (rnd(2, 3, 6, 2, seed=1) * 0.9).requires_grad_()
for mode in ("bilinear", "nearest", "bicubic"):
    for pm in ("zeros", "border", "reflection"):
        for ac in ((False, True) if mode == "bilinear" else (pm == "reflection",)):
            y = F.grid_sample(x, g, mode=mode, padding_mode=pm, align_corners=ac)
            k = f"{mode}_{pm}_{int(ac)}"
            out[k] = y
            if (mode == "bilinear" and ac) or (mode == "bicubic" and pm != "border"):
                out["gx_" + k], out["gg_" + k] = grads(y, x, g)
x3 = rnd(1, 2, 3, 4, 3, seed=2, grad=True)
g3 = (rnd(1, 2, 3, 2, 3, seed=3) * 0.8).requires_grad_()
for mode in ("bilinear", "nearest"):
    for pm in ("zeros", "reflection"):
        y = F.grid_sample(x3, g3, mode=mode, padding_mode=pm, align_corners=False)
        out[f"3d_{mode}_{pm}"] = y
y = F.grid_sample(x3, g3, mode="bilinear", padding_mode="border", align_corners=True)
out["3d_b"] = y
out["gx3"], out["gg3"] = grads(y, x3, g3)
''',
    "affine_grid": '''
th = rnd(2, 2, 3, grad=True)
a = F.affine_grid(th, (2, 3, 4, 5), align_corners=False)
b = F.affine_grid(th, [2, 1, 3, 1], align_corners=True)
t3 = rnd(1, 3, 4, seed=1, grad=True)
c = F.affine_grid(t3, (1, 1, 2, 3, 4), align_corners=False)
out["a"], out["b"], out["c"] = a, b, c
out["ga"], = grads(a, th)
out["gc"], = grads(c, t3)
''',
    "fold_unfold": '''
x = rnd(2, 3, 5, 6, grad=True)
u = F.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
f = F.fold(u, (5, 6), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
out["u"], out["f"] = u, f
out["g"], = grads(f, x)
''',
    "pixel_shuffle": '''
x = rnd(2, 1, 8, 2, 3)
out["s"] = F.pixel_shuffle(x, 2)
out["u"] = F.pixel_unshuffle(rnd(2, 2, 4, 6, seed=1), 2)
''',
    "sdpa_options": '''
q = rnd(2, 4, 3, 5, grad=True); k = rnd(2, 2, 6, 5, seed=1, grad=True)
v = rnd(2, 2, 6, 4, seed=2, grad=True)
m = torch.tensor(np.random.default_rng(3).random((3, 6)) > 0.4)
m[1] = False
fm = rnd(2, 4, 3, 6, seed=4)
y1 = F.scaled_dot_product_attention(q, k, v, attn_mask=m, enable_gqa=True, scale=0.3)
y2 = F.scaled_dot_product_attention(q, k, v, attn_mask=fm, enable_gqa=True)
y3 = F.scaled_dot_product_attention(q[:, :2], k, v, is_causal=True)
out["y1"], out["y2"], out["y3"] = y1, y2, y3
out["gq1"], out["gk1"], out["gv1"] = grads(y1, q, k, v)
out["gq3"], out["gk3"] = grads(y3, q, k)
''',
    "mha_options": '''
E, H = 4, 2
q = rnd(3, 2, E, grad=True); kv = rnd(5, 2, E, seed=1)
w = rnd(3 * E, E, seed=2, grad=True); b = rnd(3 * E, seed=3)
ow = rnd(E, E, seed=4); ob = rnd(E, seed=5)
kpm = torch.tensor([[False, False, True, False, True], [False, True, False, False, False]])
am = rnd(3, 5, seed=6)
o1, w1 = F.multi_head_attention_forward(q, kv, kv, E, H, w, b, None, None, True, 0.0, ow, ob,
                                        training=False, key_padding_mask=kpm, attn_mask=am,
                                        average_attn_weights=False)
o2, w2 = F.multi_head_attention_forward(q, kv, kv, E, H, w, b, None, None, False, 0.0, ow, ob,
                                        training=False, key_padding_mask=kpm,
                                        need_weights=False)
out["o1"], out["w1"], out["o2"] = o1, w1, o2
out["gq"], out["gw"] = grads(o2, q, w)
''',
}


def run_case(torch, F, code: str) -> dict:
    env = {"torch": torch, "F": F, "np": np, "out": {}}
    exec(PRELUDE, env)
    exec(code, env)
    return env["out"]


def main() -> None:
    import torch
    import torch.nn.functional as F

    torch.set_default_dtype(torch.float32)
    arrays, meta = {}, {"cases": {}}
    for name, code in CASES.items():
        res = run_case(torch, F, code)
        names = {}
        for k, v in res.items():
            a = f"a{len(arrays)}"
            arrays[a] = v.detach().numpy()
            names[k] = a
        meta["cases"][name] = {"code": code, "out": names}
    meta["prelude"] = PRELUDE
    np.savez_compressed(OUT, __meta__=np.array(json.dumps(meta)), **arrays)
    print(f"wrote {OUT} ({len(arrays)} arrays)")


if __name__ == "__main__":
    main()
