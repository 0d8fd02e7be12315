"""nn layers, nn.init and nn.utils: default initialisation bounds, init functions,
gradient clipping, parameter vectors, sequence padding, dropout modes, layer errors.

Random values differ from torch's stream, so initialisers are checked by their bounds and
statistics; deterministic results were checked against torch 2.13.
"""

from __future__ import annotations

import math

import pytest

import torchlike as torch
from torchlike import nn
from torchlike.nn import init


def test_default_init_bounds():
    torch.manual_seed(0)
    lin = nn.Linear(50, 20)
    bound = 1 / math.sqrt(50)  # kaiming_uniform_(a=sqrt(5)) gives 1/sqrt(fan_in) too
    assert lin.weight.abs().max().item() <= bound and lin.weight.abs().max().item() > 0.8 * bound
    assert lin.bias.abs().max().item() <= bound
    conv = nn.Conv2d(4, 6, 3, groups=2)
    b = 1 / math.sqrt(2 * 9)
    assert conv.weight.shape == (6, 2, 3, 3) and conv.weight.abs().max().item() <= b
    bn = nn.BatchNorm1d(3)
    assert bn.weight.tolist() == [1.0] * 3 and bn.bias.tolist() == [0.0] * 3
    assert bn.running_var.tolist() == [1.0] * 3 and bn.num_batches_tracked.item() == 0
    emb = nn.Embedding(100, 8, padding_idx=2)
    assert emb.weight[2].abs().sum().item() == 0.0
    assert 0.8 < emb.weight.std().item() < 1.2  # N(0, 1)
    lstm = nn.LSTM(3, 10)
    assert all(p.abs().max().item() <= 1 / math.sqrt(10) for p in lstm.parameters())
    mha = nn.MultiheadAttention(8, 2)
    assert mha.in_proj_bias.abs().sum().item() == 0 and mha.out_proj.bias.abs().sum().item() == 0


def test_init_functions():
    g = torch.Generator().manual_seed(3)
    w = torch.empty(200, 100)
    assert init.uniform_(w, -0.5, 0.5, generator=g) is w
    assert -0.5 <= w.min().item() and w.max().item() <= 0.5
    init.normal_(w, 2.0, 0.5, generator=g)
    assert abs(w.mean().item() - 2.0) < 0.02 and abs(w.std().item() - 0.5) < 0.02
    init.trunc_normal_(w, std=1.0, a=-1.0, b=1.5, generator=g)
    assert -1.0 <= w.min().item() and w.max().item() <= 1.5
    init.constant_(w, 0.3)
    assert w.unique().tolist() == pytest.approx([0.3])
    init.ones_(w)
    init.zeros_(w)
    assert w.abs().sum().item() == 0
    e = init.eye_(torch.empty(2, 3))
    assert e.tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    d = init.dirac_(torch.empty(2, 2, 3))
    assert d[:, :, 1].tolist() == [[1.0, 0.0], [0.0, 1.0]] and d.sum().item() == 2.0
    x = init.xavier_uniform_(torch.empty(30, 20), gain=2.0)
    assert x.abs().max().item() <= 2.0 * math.sqrt(6 / 50)
    k = init.kaiming_normal_(torch.empty(400, 300), mode="fan_out", nonlinearity="relu")
    assert abs(k.std().item() - math.sqrt(2 / 400)) < 0.003
    ku = init.kaiming_uniform_(torch.empty(40, 30), a=0.1)
    assert ku.abs().max().item() <= math.sqrt(6 / ((1 + 0.01) * 30))
    q = init.orthogonal_(torch.empty(3, 5))
    assert torch.allclose(q @ q.T, torch.eye(3), atol=1e-5)
    s = init.sparse_(torch.empty(10, 4), sparsity=0.3)
    assert all(int((s[:, j] == 0).sum()) >= 3 for j in range(4))
    p = nn.Parameter(torch.ones(3))
    init.zeros_(p)  # in place under no_grad on a leaf that requires grad
    assert p.requires_grad and p.is_leaf and p.sum().item() == 0


def test_calculate_gain_and_fans():
    assert init.calculate_gain("relu") == math.sqrt(2.0)
    assert init.calculate_gain("tanh") == 5.0 / 3
    assert init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2.0 / 1.04)
    assert init.calculate_gain("selu") == 0.75 and init.calculate_gain("conv2d") == 1
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        init.calculate_gain("foo")
    assert init._calculate_fan_in_and_fan_out(torch.empty(6, 4, 3, 3)) == (36, 54)
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed for tensor "
                                         "with fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(torch.empty(3))
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        init.eye_(torch.empty(2, 2, 2))


def test_clip_grad():
    a = nn.Parameter(torch.tensor([3.0, 4.0]))
    b = nn.Parameter(torch.tensor([0.0]))
    a.grad = torch.tensor([3.0, 4.0])
    b.grad = torch.tensor([12.0])
    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    assert total.item() == pytest.approx(13.0)
    assert a.grad.tolist() == pytest.approx([3 / 13.000001, 4 / 13.000001], rel=1e-5)
    total = nn.utils.clip_grad_norm_(iter([a, b]), max_norm=10.0, norm_type="inf")
    assert total.item() == pytest.approx(12 / 13.000001, rel=1e-5)
    a.grad = torch.tensor([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from "
                                           "`parameters` is non-finite"):
        nn.utils.clip_grad_norm_(a, 1.0, error_if_nonfinite=True)
    a.grad = torch.tensor([-5.0, 0.5])
    nn.utils.clip_grad_value_(a, 1.0)
    assert a.grad.tolist() == [-1.0, 0.5]
    assert nn.utils.clip_grad_norm_([], 1.0).item() == 0.0


def test_parameters_vector_roundtrip():
    m = nn.Linear(3, 2)
    v = nn.utils.parameters_to_vector(m.parameters())
    assert v.shape == (8,)
    nn.utils.vector_to_parameters(torch.arange(8.0), m.parameters())
    assert m.weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert m.bias.tolist() == [6.0, 7.0] and isinstance(m.weight, nn.Parameter)


def test_pad_sequence():
    pad_sequence, unpad_sequence = nn.utils.rnn.pad_sequence, nn.utils.rnn.unpad_sequence

    a, b = torch.tensor([1.0, 2.0, 3.0], requires_grad=True), torch.tensor([4.0])
    out = pad_sequence([a, b], padding_value=-1.0)
    assert out.tolist() == [[1.0, 4.0], [2.0, -1.0], [3.0, -1.0]]
    bf = pad_sequence([a, b], batch_first=True, padding_side="left")
    assert bf.tolist() == [[1.0, 2.0, 3.0], [0.0, 0.0, 4.0]]
    bf.sum().backward()
    assert a.grad.tolist() == [1.0, 1.0, 1.0]
    seqs = unpad_sequence(out, torch.tensor([3, 1]))
    assert [s.tolist() for s in seqs] == [[1.0, 2.0, 3.0], [4.0]]


def test_dropout_train_vs_eval():
    torch.manual_seed(0)
    d = nn.Dropout(0.5)
    x = torch.ones(1000)
    y = d(x)
    kept = y != 0
    assert 400 < int(kept.sum()) < 600
    assert torch.all(y[kept] == 2.0)
    d.eval()
    assert torch.equal(d(x), x)
    d2 = nn.Dropout2d(0.5)
    z = d2(torch.ones(4, 50, 3, 3))
    per_channel = z.sum(dim=(2, 3))
    assert set(per_channel.unique().tolist()) <= {0.0, 18.0}
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but "
                                         "got 1.5"):
        nn.Dropout(1.5)


def test_batchnorm_cumulative_momentum_and_eval():
    bn = nn.BatchNorm1d(1, momentum=None)
    bn(torch.tensor([[1.0], [3.0]]))
    bn(torch.tensor([[5.0], [7.0]]))
    assert bn.running_mean.item() == pytest.approx(4.0)  # plain average of the batch means
    assert bn.num_batches_tracked.item() == 2
    bn.eval()
    out = bn(torch.tensor([[4.0]]))
    assert out.item() == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ValueError, match="expected 2D or 3D input \\(got 4D input\\)"):
        bn(torch.ones(1, 1, 1, 1))


def test_embedding_from_pretrained():
    w = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    emb = nn.Embedding.from_pretrained(w)
    assert not emb.weight.requires_grad
    assert emb(torch.tensor([1, 0])).tolist() == [[3.0, 4.0], [1.0, 2.0]]
    bag = nn.EmbeddingBag.from_pretrained(w, mode="sum")
    assert bag(torch.tensor([[0, 1]])).tolist() == [[4.0, 6.0]]


def test_rnn_shapes_and_errors():
    rnn = nn.GRU(3, 4, num_layers=2, batch_first=True)
    out, h = rnn(torch.zeros(2, 5, 3))
    assert out.shape == (2, 5, 4) and h.shape == (2, 2, 4)
    assert [n for n, _ in rnn.named_parameters()][:4] == [
        "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. "
                                           "Expected 3, got 2"):
        rnn(torch.zeros(2, 5, 2))
    with pytest.raises(RuntimeError, match="Expected hidden size \\(2, 2, 4\\), got \\[1, 2, 4\\]"):
        rnn(torch.zeros(2, 5, 3), torch.zeros(1, 2, 4))
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
        nn.GRU(3, 4, proj_size=2)
    lstm = nn.LSTM(3, 4, proj_size=2)
    out, (h, c) = lstm(torch.zeros(5, 3))
    assert out.shape == (5, 2) and h.shape == (1, 2) and c.shape == (1, 4)
    assert lstm.weight_hr_l0.shape == (2, 4)


def test_attention_weights_and_transformer_mask():
    mha = nn.MultiheadAttention(4, 2, batch_first=True)
    q = torch.randn(1, 3, 4)
    out, w = mha(q, q, q)
    assert out.shape == (1, 3, 4) and w.shape == (1, 3, 3)
    assert torch.allclose(w.sum(-1), torch.ones(1, 3))
    _, w = mha(q, q, q, average_attn_weights=False)
    assert w.shape == (1, 2, 3, 3)
    _, w = mha(q, q, q, need_weights=False)
    assert w is None
    mask = nn.Transformer.generate_square_subsequent_mask(3)
    assert mask.tolist() == [[0.0, float("-inf"), float("-inf")], [0.0, 0.0, float("-inf")],
                             [0.0, 0.0, 0.0]]


def test_activation_and_loss_modules():
    x = torch.tensor([-1.0, 0.0, 2.0])
    assert nn.ReLU()(x).tolist() == [0.0, 0.0, 2.0]
    assert nn.Hardtanh(-0.5, 0.5)(x).tolist() == [-0.5, 0.0, 0.5]
    r = nn.ReLU(inplace=True)
    y = x.clone()
    assert r(y) is y or y.tolist() == [0.0, 0.0, 2.0]
    assert repr(nn.LeakyReLU(0.2, inplace=True)) == "LeakyReLU(negative_slope=0.2, inplace=True)"
    loss = nn.MSELoss(reduction="sum")
    assert loss(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0])).item() == 5.0
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated, "
                                         "please use reduction='sum' instead."):
        legacy = nn.L1Loss(size_average=False)
    assert legacy.reduction == "sum"
    ce = nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0]))
    assert "weight" in dict(ce.named_buffers())


def test_shape_modules():
    x = torch.arange(24.0).reshape(2, 3, 4)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Unflatten(2, (2, 2))(x).shape == (2, 3, 2, 2)
    assert repr(nn.Unflatten(1, (2, 3))) == "Unflatten(dim=1, unflattened_size=(2, 3))"
    assert nn.Identity(3, foo=1)(x) is x
    pool = nn.MaxPool2d(2, return_indices=True)
    unpool = nn.MaxUnpool2d(2)
    img = torch.tensor([[[[1.0, 2.0], [4.0, 3.0]]]])
    out, idx = pool(img)
    assert out.tolist() == [[[[4.0]]]] and idx.tolist() == [[[[2]]]]
    assert unpool(out, idx).tolist() == [[[[0.0, 0.0], [4.0, 0.0]]]]


def test_weight_norm_and_spectral_norm():
    torch.manual_seed(0)
    with pytest.warns(FutureWarning, match="torch.nn.utils.weight_norm` is deprecated"):
        m = nn.utils.weight_norm(nn.Linear(3, 4))
    assert sorted(m.state_dict()) == ["bias", "weight_g", "weight_v"]
    assert m.weight_g.shape == (4, 1)
    m(torch.ones(2, 3)).sum().backward()
    assert m.weight_v.grad.shape == (4, 3) and m.weight_g.grad.shape == (4, 1)
    expected = m.weight_v * (m.weight_g / m.weight_v.norm(dim=1, keepdim=True))
    assert torch.allclose(m.weight, expected)
    nn.utils.remove_weight_norm(m)
    assert list(m.state_dict()) == ["bias", "weight"] and isinstance(m.weight, nn.Parameter)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
        nn.utils.remove_weight_norm(m)
    s = nn.utils.spectral_norm(nn.Linear(5, 4))
    assert list(s.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    for _ in range(20):
        s(torch.ones(1, 5))
    assert torch.linalg.matrix_norm(s.weight.detach(), 2).item() == pytest.approx(1.0, abs=1e-4)
    nn.utils.remove_spectral_norm(s)
    assert list(s.state_dict()) == ["bias", "weight"]


def test_packed_sequences_match_per_sequence_runs():
    rnn = nn.utils.rnn
    pack_padded_sequence, pad_packed_sequence = rnn.pack_padded_sequence, rnn.pad_packed_sequence
    pack_sequence, unpack_sequence = rnn.pack_sequence, rnn.unpack_sequence
    torch.manual_seed(0)
    x = torch.randn(5, 3, 2)
    lengths = [3, 5, 2]
    packed = pack_padded_sequence(x, lengths, enforce_sorted=False)
    assert packed.batch_sizes.tolist() == [3, 3, 2, 1, 1]
    assert packed.sorted_indices.tolist() == [1, 0, 2]
    lstm = nn.LSTM(2, 3, num_layers=2, bidirectional=True)
    out, (h, c) = lstm(packed)
    padded, lens = pad_packed_sequence(out, batch_first=True)
    assert lens.tolist() == lengths and padded.shape == (3, 5, 6)
    for b, n in enumerate(lengths):
        ref, (rh, rc) = lstm(x[:n, b:b + 1])
        assert torch.allclose(padded[b, :n], ref[:, 0], atol=1e-6)
        assert padded[b, n:].abs().sum().item() == 0.0
        assert torch.allclose(h[:, b], rh[:, 0], atol=1e-6)
        assert torch.allclose(c[:, b], rc[:, 0], atol=1e-6)
    seqs = [torch.ones(3, 2), torch.zeros(1, 2)]
    assert [s.tolist() for s in unpack_sequence(pack_sequence(seqs))] == [s.tolist() for s in seqs]
    with pytest.raises(RuntimeError, match="`lengths` array must be sorted in decreasing order"):
        pack_padded_sequence(x, lengths)


def test_fuse_bn_and_skip_init():
    torch.manual_seed(0)
    conv, bn = nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3)
    with torch.no_grad():
        bn.running_mean.uniform_(-1, 1)
        bn.running_var.uniform_(0.5, 2)
        bn.weight.uniform_(0.5, 2)
        bn.bias.uniform_(-1, 1)
    conv.eval()
    bn.eval()
    fused = nn.utils.fuse_conv_bn_eval(conv, bn)
    x = torch.randn(1, 2, 5, 5)
    assert torch.allclose(fused(x), bn(conv(x)), atol=1e-5)
    assert isinstance(fused.weight, nn.Parameter) and fused is not conv
    lin, bn1 = nn.Linear(4, 3).eval(), nn.BatchNorm1d(3).eval()
    with torch.no_grad():
        bn1.running_var.fill_(4.0)
    fl = nn.utils.fuse_linear_bn_eval(lin, bn1)
    y = torch.randn(2, 4)
    assert torch.allclose(fl(y), bn1(lin(y)), atol=1e-5)
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        nn.utils.fuse_conv_bn_eval(conv.train(), bn)
    m = nn.utils.skip_init(nn.Linear, 5, 2)
    assert type(m) is nn.Linear and m.weight.shape == (2, 5)


def test_parametrize():
    P, PS = nn.utils.parametrize, nn.utils.parametrizations

    class Symmetric(nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

    torch.manual_seed(0)
    m = nn.Linear(3, 3)
    P.register_parametrization(m, "weight", Symmetric())
    assert type(m).__name__ == "ParametrizedLinear"
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert torch.equal(m.weight, m.weight.T)
    m(torch.ones(2, 3)).sum().backward()
    assert m.parametrizations.weight.original.grad is not None
    assert P.is_parametrized(m) and not P.is_parametrized(m, "bias")
    assert P.type_before_parametrizations(m) is nn.Linear
    P.remove_parametrizations(m, "weight")
    assert type(m) is nn.Linear and list(m.state_dict()) == ["bias", "weight"]
    assert torch.equal(m.weight, m.weight.T)

    w = PS.weight_norm(nn.Linear(4, 2))
    assert list(w.state_dict()) == ["bias", "parametrizations.weight.original0",
                                    "parametrizations.weight.original1"]
    assert w.parametrizations.weight.original0.shape == (2, 1)
    o = PS.orthogonal(nn.Linear(3, 5))
    assert torch.allclose(o.weight.T @ o.weight, torch.eye(3), atol=1e-5)
    s = PS.spectral_norm(nn.Linear(6, 4))
    for _ in range(10):
        s(torch.ones(1, 6))
    assert torch.linalg.matrix_norm(s.weight.detach(), 2).item() == pytest.approx(1.0, abs=1e-3)


def test_stateless_functional_call():
    m = nn.Linear(2, 1)
    w = torch.tensor([[1.0, 2.0]], requires_grad=True)
    b = torch.tensor([0.5])
    x = torch.tensor([[3.0, 4.0]])
    with pytest.warns(FutureWarning, match="stateless.functional_call` is deprecated"):
        out = nn.utils.stateless.functional_call(m, {"weight": w, "bias": b}, (x,))
    assert out.tolist() == [[11.5]]
    out.sum().backward()
    assert w.grad.tolist() == [[3.0, 4.0]]
    assert isinstance(m.weight, nn.Parameter) and m.weight is not w  # restored
    with pytest.raises(RuntimeError, match="Error\\(s\\) in reparametrizing for Linear:\n\t"
                                           "Missing key\\(s\\): 'bias'."), \
            pytest.warns(FutureWarning):
        nn.utils.stateless.functional_call(m, {"weight": w}, x, strict=True)


def test_sync_batchnorm_single_process():
    m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Sequential(nn.BatchNorm2d(2)))
    s = nn.SyncBatchNorm.convert_sync_batchnorm(m)
    assert type(s[1]) is nn.SyncBatchNorm and type(s[2][0]) is nn.SyncBatchNorm
    assert s[1].running_mean is m[1].running_mean and s[1].weight is m[1].weight
    x = torch.randn(2, 1, 5, 5)
    ref = nn.BatchNorm2d(2)
    ref.load_state_dict(s[1].state_dict())
    y = s[0](x)
    assert torch.allclose(s[1](y), ref(y), atol=1e-6)
    assert s[1].num_batches_tracked.item() == 1
    assert torch.allclose(s[1].running_mean, ref.running_mean)
    with pytest.raises(ValueError, match="expected at least 2D input \\(got 1D input\\)"):
        s[1](torch.ones(3))
