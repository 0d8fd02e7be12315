"""Recurrent layers and nn.utils.rnn against values and messages recorded from torch 2.13."""

from __future__ import annotations

import inspect

import pytest

import torchlike as torch
from torchlike import nn
from torchlike.nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
)


def _fill(m):
    # the same deterministic weights the recording used
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            p.copy_(torch.linspace(-0.5, 0.5, p.numel()).view(p.shape) * (1 + 0.1 * i))


def _close(a, b, tol=1e-5):
    assert torch.allclose(a, torch.tensor(b), atol=tol), (a.tolist(), b)


def test_packed_bidirectional_gru_values():
    m = nn.GRU(2, 2, bidirectional=True)
    _fill(m)
    x = torch.linspace(-1, 1, 12).view(3, 2, 2)
    out, h = m(pack_padded_sequence(x, [1, 3], enforce_sorted=False))
    padded, lengths = pad_packed_sequence(out, batch_first=True)
    assert lengths.tolist() == [1, 3]
    _close(padded, [
        [[0.014260354, 0.031926811, -0.004103504, 0.009237396], [0.0] * 4, [0.0] * 4],
        [[0.103760958, 0.161485180, 0.367924064, 0.524370492],
         [0.331982851, 0.413435787, 0.575443745, 0.544418991],
         [0.573271215, 0.606640398, 0.531510711, 0.349958897]]])
    _close(h, [[[0.014260354, 0.031926811], [0.573271215, 0.606640398]],
               [[-0.004103504, 0.009237396], [0.367924064, 0.524370492]]])


def test_lstm_projection_and_gru_cell_values():
    m = nn.LSTM(2, 3, proj_size=1)
    _fill(m)
    x = torch.linspace(-1, 1, 12).view(3, 2, 2)
    out, (h, c) = m(x)
    _close(out, [[[0.025909901], [0.048958682]], [[0.084078789], [0.108259819]],
                 [[0.130519688], [0.139633209]]])
    _close(h, [[[0.130519688], [0.139633209]]])
    _close(c, [[[0.033219464, 0.125136912, 0.251134872],
                [0.029441427, 0.119365647, 0.253471285]]])
    cell = nn.GRUCell(2, 2)
    _fill(cell)
    _close(cell(x[0]), [[0.014260354, 0.031926811], [0.103760958, 0.161485180]])


@pytest.mark.parametrize("make, call, exc, msg", [
    (lambda: nn.GRU(3, 4), lambda m: m(torch.zeros(1, 1, 1, 3)), ValueError,
     "GRU: Expected input to be 2D or 3D, got 4D instead"),
    (lambda: nn.RNN(3, 4), lambda m: m(torch.zeros(1, 1, 1, 3)), ValueError,
     "RNN: Expected input to be 2D or 3D, got 4D tensor instead"),
    (lambda: nn.LSTM(3, 4), lambda m: m(torch.zeros(1, 1, 1, 3)), ValueError,
     "LSTM: Expected input to be 2D or 3D, got 4D instead"),
    (lambda: nn.LSTM(3, 4),
     lambda m: m(torch.zeros(2, 1, 3), (torch.zeros(1, 2, 4), torch.zeros(1, 1, 4))),
     RuntimeError, "Expected hidden[0] size (1, 1, 4), got [1, 2, 4]"),
    (lambda: nn.LSTM(3, 4),
     lambda m: m(torch.zeros(2, 1, 3), (torch.zeros(1, 1, 4), torch.zeros(1, 2, 4))),
     RuntimeError, "Expected hidden[1] size (1, 1, 4), got [1, 2, 4]"),
    (lambda: nn.LSTM(3, 4),
     lambda m: m(torch.zeros(2, 1, 3), (torch.zeros(1, 4), torch.zeros(1, 1, 4))),
     RuntimeError, "For batched 3-D input, hx and cx should also be 3-D but got (2-D, 3-D) "
                   "tensors"),
    (lambda: nn.GRU(3, 4), lambda m: m(torch.zeros(2, 3), torch.zeros(1, 1, 4)),
     RuntimeError, "For unbatched 2-D input, hx should also be 2-D but got 3-D tensor"),
    (lambda: nn.GRU(3, 4), lambda m: m(torch.zeros(2, 1, 3, dtype=torch.float64)),
     ValueError, "RNN input dtype (torch.float64) does not match weight dtype (torch.float32). "
                 "Convert input: input.to(torch.float32), or convert model: "
                 "model.to(torch.float64)"),
    (lambda: nn.LSTMCell(3, 4),
     lambda m: m(torch.zeros(1, 3), (torch.zeros(1, 4), torch.zeros(1, 1, 4))),
     ValueError, "LSTMCell: Expected hx[1] to be 1D or 2D, got 3D instead"),
    (lambda: nn.GRUCell(3, 4), lambda m: m(torch.zeros(1, 3), torch.zeros(1, 1, 4)),
     ValueError, "GRUCell: Expected hidden to be 1D or 2D, got 3D instead"),
])
def test_forward_errors(make, call, exc, msg):
    with pytest.raises(exc) as info:
        call(make())
    assert str(info.value) == msg


@pytest.mark.parametrize("ctor, exc, msg", [
    (lambda: nn.GRU(3, 4, bias=1), TypeError, "bias should be of type bool, got: int"),
    (lambda: nn.GRU(3, 4, batch_first=None), TypeError,
     "batch_first should be of type bool, got: NoneType"),
    (lambda: nn.GRU(3.0, 4), TypeError, "input_size should be of type int, got: float"),
    (lambda: nn.GRU(3, -1), ValueError, "hidden_size must be greater than zero"),
    (lambda: nn.GRU(3, 4, 0), ValueError, "num_layers must be greater than zero"),
    (lambda: nn.LSTM(3, 4, proj_size=4), ValueError,
     "proj_size has to be smaller than hidden_size"),
    (lambda: nn.GRU(3, 4, dropout=True), ValueError,
     "dropout should be a number in range [0, 1] representing the probability of an element "
     "being zeroed"),
    (lambda: nn.RNN(3, 4, 1, "sig"), ValueError,
     "Unknown nonlinearity 'sig'. Select from 'tanh' or 'relu'."),
    (lambda: nn.RNNBase("FOO", 3, 4), ValueError, "Unrecognized RNN mode: FOO"),
])
def test_constructor_errors(ctor, exc, msg):
    with pytest.raises(exc) as info:
        ctor()
    assert str(info.value) == msg


def test_reprs_names_and_signatures():
    assert repr(nn.RNNCell(3, 4, False, "relu")) == "RNNCell(3, 4, bias=False, nonlinearity=relu)"
    assert repr(nn.GRU(3, 4, 2, False, True, 0.5, True)) == (
        "GRU(3, 4, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)")
    m = nn.LSTM(3, 4, 2, proj_size=2, bidirectional=True)
    assert m._all_weights[3] == ["weight_ih_l1_reverse", "weight_hh_l1_reverse",
                                 "bias_ih_l1_reverse", "bias_hh_l1_reverse",
                                 "weight_hr_l1_reverse"]
    assert [tuple(p.shape) for p in m.all_weights[2]] == [(16, 4), (16, 2), (16,), (16,), (2, 4)]
    assert list(inspect.signature(nn.RNNCell.__init__).parameters) == [
        "self", "input_size", "hidden_size", "bias", "nonlinearity", "device", "dtype"]
    cell = nn.RNNCell(3, 4)
    cell.nonlinearity = "x"
    with pytest.raises(RuntimeError, match="Unknown nonlinearity: x"):
        cell(torch.zeros(1, 3))
    with pytest.warns(UserWarning, match="but got dropout=0.2 and num_layers=1"):
        nn.LSTM(3, 4, dropout=0.2)


def test_pack_and_pad_utils():
    x = torch.arange(24.0).view(4, 3, 2)
    with pytest.raises(RuntimeError, match=r"Expected `len\(lengths\)` to be equal to "
                                           r"batch_size, but got 2 \(batch_size=3\)"):
        pack_padded_sequence(x, [3, 2])
    with pytest.raises(RuntimeError, match="Cannot pack empty tensors."):
        pack_padded_sequence(torch.zeros(0, 3, 2), [1, 1, 1])
    with pytest.raises(RuntimeError, match="Length of all samples has to be greater than 0"):
        pack_padded_sequence(x, [3, 2, 0], enforce_sorted=False)
    p = pack_padded_sequence(x, torch.tensor([2, 4, 1]), enforce_sorted=False)
    assert p.batch_sizes.tolist() == [3, 2, 1, 1]
    assert p.sorted_indices.tolist() == [1, 0, 2] and p.unsorted_indices.tolist() == [1, 0, 2]
    assert p.data[:, 0].tolist() == [2.0, 0.0, 4.0, 8.0, 6.0, 14.0, 20.0]
    padded, lengths = pad_packed_sequence(p, batch_first=True, padding_value=-1, total_length=5)
    assert lengths.tolist() == [2, 4, 1]
    assert padded[..., 0].tolist() == [[0.0, 6.0, -1.0, -1.0, -1.0], [2.0, 8.0, 14.0, 20.0, -1.0],
                                       [4.0, -1.0, -1.0, -1.0, -1.0]]
    with pytest.raises(ValueError, match="but got total_length=2 and max sequence length being 4"):
        pad_packed_sequence(p, total_length=2)
    assert p.int().data.dtype == torch.int32 and p.double().sorted_indices.tolist() == [1, 0, 2]
    pair = PackedSequence((p.data, p.batch_sizes))
    assert pair.sorted_indices is None and pair.batch_sizes.tolist() == [3, 2, 1, 1]
    with pytest.raises(RuntimeError, match="Expected padding_side to be one of left or right, "
                                           "but got mid."):
        pad_sequence([torch.ones(2)], padding_side="mid")
    with pytest.raises(RuntimeError, match="received an empty list of sequences"):
        pad_sequence([])
    ints = pad_sequence([torch.ones(2, dtype=torch.int64), torch.zeros(3, dtype=torch.int64)],
                        padding_value=2.5)
    assert ints.dtype == torch.int64 and ints.tolist() == [[1, 0], [1, 0], [2, 0]]
    q = pack_sequence([torch.tensor([1.0, 2]), torch.tensor([3.0, 4, 5])], enforce_sorted=False)
    assert q.data.tolist() == [3.0, 1.0, 4.0, 2.0, 5.0] and q.batch_sizes.tolist() == [2, 2, 1]
