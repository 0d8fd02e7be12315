"""Transformer layers and stacks against values, warnings and messages recorded from torch 2.13."""

from __future__ import annotations

import math
import warnings

import pytest

import torchlike as torch
from torchlike import nn
from torchlike.nn import functional as F


def _fill(m):
    # the same deterministic weights the recording used
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            p.copy_(torch.linspace(-0.5, 0.5, p.numel()).view(p.shape) * (1 + 0.1 * i))


def _close(a, b, tol=1e-4):
    assert torch.allclose(a, torch.tensor(b), atol=tol), (a.tolist(), b)


def _encoder():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = nn.TransformerEncoderLayer(4, 2, 4, batch_first=True)
    enc = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(4))
    _fill(enc)
    return enc.eval()


_ROW0 = [-0.878394, -0.073559, 0.426752, 4.620674]
_ROW1 = [-0.87676, -0.074079, 0.426677, 4.620972]


def test_encoder_padded_eval_zeroes_padding_before_norm():
    enc = _encoder()
    x = torch.linspace(-1, 1, 24).view(2, 3, 4)
    kpm = torch.tensor([[False, False, True], [False, False, False]])
    with torch.no_grad():
        # torch's nested-tensor path: the padded slot is 0 before the final LayerNorm
        _close(enc(x, src_key_padding_mask=kpm),
               [[_ROW0, _ROW0, [-1.75, -0.583333, 0.583333, 1.75]], [_ROW1] * 3])
    # with grad tracked the ordinary path runs and keeps the padded slot's value
    _close(enc(x, src_key_padding_mask=kpm), [[_ROW0] * 3, [_ROW1] * 3])


def test_decoder_layer_norm_first_gelu_masks():
    dec = nn.TransformerDecoderLayer(4, 2, 4, dropout=0.0, activation="gelu", norm_first=True)
    _fill(dec)
    tgt = torch.linspace(-1, 1, 8).view(2, 1, 4)
    mem = torch.linspace(1, -1, 12).view(3, 1, 4)
    out = dec(tgt, mem, tgt_mask=nn.Transformer.generate_square_subsequent_mask(2),
              memory_key_padding_mask=torch.tensor([[False, True, False]]))
    _close(out, [[[-11.65271, -3.736224, 4.180262, 12.096749]],
                 [[-10.509853, -2.593366, 5.323119, 13.239607]]])


_PREFIX = "enable_nested_tensor is True, but self.use_nested_tensor is False because "


@pytest.mark.parametrize("make, reason", [
    (lambda: nn.TransformerEncoderLayer(8, 2, norm_first=True),
     "encoder_layer.norm_first was True"),
    (lambda: nn.TransformerEncoderLayer(8, 2),
     "encoder_layer.self_attn.batch_first was not True(use batch_first for better inference "
     "performance)"),
    (lambda: nn.TransformerEncoderLayer(8, 2, batch_first=True, bias=False),
     "encoder_layer.self_attn was passed bias=False"),
    (lambda: nn.TransformerEncoderLayer(8, 2, batch_first=True, activation=torch.tanh),
     "encoder_layer.activation_relu_or_gelu was not True"),
    (lambda: nn.TransformerEncoderLayer(8, 1, batch_first=True),
     "encoder_layer.self_attn.num_heads is odd"),
    (lambda: nn.TransformerDecoderLayer(8, 2, batch_first=True),
     "encoder_layer was not TransformerEncoderLayer"),
    (lambda: nn.TransformerEncoderLayer(8, 2, batch_first=True), None),
])
def test_nested_tensor_warnings(make, reason):
    layer = make()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        enc = nn.TransformerEncoder(layer, 1)
    got = [str(w.message) for w in caught if "nested" in str(w.message)]
    assert got == ([] if reason is None else [_PREFIX + reason])
    assert enc.use_nested_tensor is (reason is None) and enc.enable_nested_tensor is True


def test_activation_codes_and_errors():
    codes = [nn.TransformerEncoderLayer(8, 2, activation=a).activation_relu_or_gelu
             for a in ("relu", "gelu", F.relu, F.gelu, nn.ReLU(), nn.GELU(), torch.tanh)]
    assert codes == [1, 2, 1, 2, 1, 2, 0]
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = nn.Transformer(8, 2, 1, 1, 16)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        t(torch.zeros(3, 2, 8), torch.zeros(3, 1, 8))
    with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal to "
                                           "d_model"):
        t(torch.zeros(3, 2, 8), torch.zeros(3, 2, 6))
    mask = nn.Transformer.generate_square_subsequent_mask(2, dtype=torch.float64)
    assert mask.dtype == torch.float64 and mask.tolist() == [[0.0, float("-inf")], [0.0, 0.0]]
    # Transformer re-draws every matrix Xavier-uniform
    for name, p in t.named_parameters():
        if p.dim() > 1:
            assert p.abs().max().item() <= math.sqrt(6 / sum(p.shape)), name


def test_structure_matches_torch():
    dec = nn.TransformerDecoderLayer(8, 2, 16, activation=nn.GELU())
    assert [n for n, _ in dec.named_children()] == [
        "self_attn", "multihead_attn", "linear1", "dropout", "linear2", "norm1", "norm2",
        "norm3", "dropout1", "dropout2", "dropout3", "activation"]
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2), 1, enable_nested_tensor=False,
                                mask_check=False)
    assert (enc.use_nested_tensor, enc.mask_check, enc.num_layers) == (False, False, 1)


def _mha_args(**over):
    torch.manual_seed(0)
    args = {"embed_dim_to_check": 8, "num_heads": 2, "in_proj_weight": torch.randn(24, 8),
            "in_proj_bias": torch.zeros(24), "bias_k": None, "bias_v": None,
            "add_zero_attn": False, "dropout_p": 0.0, "out_proj_weight": torch.randn(8, 8),
            "out_proj_bias": torch.zeros(8)}
    args.update(over)
    return args


@pytest.mark.parametrize("over, msg", [
    ({"static_k": torch.zeros(3, 5, 4)}, "expecting static_k.size(0) of 4, but got 3"),
    ({"static_v": torch.zeros(4, 5, 3)}, "expecting static_v.size(2) of 4, but got 3"),
    ({"bias_k": torch.zeros(1, 1, 8)}, "bias_k is set but bias_v is None"),
    ({"bias_k": torch.zeros(1, 1, 8), "bias_v": torch.zeros(1, 1, 8),
      "static_k": torch.zeros(4, 5, 4)}, "bias cannot be added to static key."),
    ({"key_padding_mask": torch.zeros(2, 5, dtype=torch.bool)},
     "Expected key_padded_mask.shape[1] to be 4, but got 5"),
    ({"in_proj_weight": None}, "use_separate_proj_weight is False but in_proj_weight is None"),
    ({"key_padding_mask": torch.zeros(2, 4, dtype=torch.int64)},
     "only bool and floating types of key_padding_mask are supported"),
])
def test_multi_head_attention_forward_errors(over, msg):
    q, kv = torch.randn(3, 2, 8), torch.randn(4, 2, 8)
    with pytest.raises(AssertionError) as info:
        F.multi_head_attention_forward(q, kv, kv, **_mha_args(**over))
    assert str(info.value) == msg


def test_multi_head_attention_forward_mask_shape_errors():
    q, kv = torch.randn(3, 2, 8), torch.randn(4, 2, 8)
    with pytest.raises(RuntimeError, match=r"The shape of the 3D attn_mask is torch.Size\(\[3, 3, "
                                           r"4\]\), but should be \(4, 3, 4\)."):
        F.multi_head_attention_forward(q, kv, kv, **_mha_args(attn_mask=torch.zeros(3, 3, 4)))
    with pytest.raises(AssertionError, match=r"For batched \(3-D\) `query`, expected `attn_mask` "
                                             r"to be `None`, 2-D or 3-D but found 4-D tensor"):
        F.multi_head_attention_forward(q, kv, kv, **_mha_args(attn_mask=torch.zeros(1, 1, 3, 4)))
