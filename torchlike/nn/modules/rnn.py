"""torch.nn RNN, LSTM, GRU and their cells, run step by step on torchlike ops.

torch dispatches to fused kernels (_VF.lstm, cuDNN); here each time step is a few F.linear and
pointwise ops, so the numbers follow torch's gate equations and autograd flows through them.
PackedSequence inputs run on the padded batch with each sequence's steps masked to its length.
"""

from __future__ import annotations

import math
import numbers
import warnings

import torchlike as torch

from ..._core.tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


def _cell(mode, x, h, c, w_ih, w_hh, b_ih, b_hh, w_hr=None):
    """One time step of torch's cell equations; returns (h', c')."""
    if mode == "GRU":
        gi = F.linear(x, w_ih, b_ih)
        gh = F.linear(h, w_hh, b_hh)
        i_r, i_z, i_n = gi.chunk(3, -1)
        h_r, h_z, h_n = gh.chunk(3, -1)
        r = torch.sigmoid(i_r + h_r)
        z = torch.sigmoid(i_z + h_z)
        n = torch.tanh(i_n + r * h_n)
        return (1 - z) * n + z * h, None
    gates = F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)
    if mode == "LSTM":
        i, f, g, o = gates.chunk(4, -1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        if w_hr is not None:
            h = F.linear(h, w_hr)
        return h, c
    return (torch.tanh(gates) if mode == "RNN_TANH" else torch.relu(gates)), None


class RNNBase(Module):
    """torch.nn.RNNBase: the shared parameters (weight_ih_l0, ...) and layer loop of "
    "RNN/LSTM/GRU."""

    __constants__ = [
        "mode",
        "input_size",
        "hidden_size",
        "num_layers",
        "bias",
        "batch_first",
        "dropout",
        "bidirectional",
        "proj_size",
    ]
    mode: str
    input_size: int
    hidden_size: int
    num_layers: int
    bias: bool
    batch_first: bool
    dropout: float
    bidirectional: bool
    proj_size: int

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ) -> None:
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if (
            not isinstance(dropout, numbers.Number)
            or not 0 <= dropout <= 1
            or isinstance(dropout, bool)
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability "
                "of an element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                (
                    "dropout option adds dropout after all but last recurrent layer, so "
                    "non-zero dropout expects num_layers greater than 1, but got "
                    f"dropout={dropout} and num_layers={num_layers}"
                ),
                stacklevel=2,
            )
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(
                f"batch_first should be of type bool, got: {type(batch_first).__name__}"
            )
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode == "LSTM":
            gate_size = 4 * hidden_size
        elif mode == "GRU":
            gate_size = 3 * hidden_size
        elif mode == "RNN_TANH":
            gate_size = hidden_size
        elif mode == "RNN_RELU":
            gate_size = hidden_size
        else:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                real_hidden_size = proj_size if proj_size > 0 else hidden_size
                layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
                w_ih = Parameter(torch.empty((gate_size, layer_input_size), **factory_kwargs))
                w_hh = Parameter(torch.empty((gate_size, real_hidden_size), **factory_kwargs))
                b_ih = Parameter(torch.empty(gate_size, **factory_kwargs))
                b_hh = Parameter(torch.empty(gate_size, **factory_kwargs))
                layer_params: tuple[Tensor, ...] = ()
                if self.proj_size == 0:
                    if bias:
                        layer_params = (w_ih, w_hh, b_ih, b_hh)
                    else:
                        layer_params = (w_ih, w_hh)
                else:
                    w_hr = Parameter(torch.empty((proj_size, hidden_size), **factory_kwargs))
                    if bias:
                        layer_params = (w_ih, w_hh, b_ih, b_hh, w_hr)
                    else:
                        layer_params = (w_ih, w_hh, w_hr)
                suffix = "_reverse" if direction == 1 else ""
                param_names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    param_names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if self.proj_size > 0:
                    param_names += ["weight_hr_l{}{}"]
                param_names = [x.format(layer, suffix) for x in param_names]
                for name, param in zip(param_names, layer_params, strict=True):
                    setattr(self, name, param)
                self._flat_weights_names.extend(param_names)
                self._all_weights.append(param_names)
        self.reset_parameters()

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, wn) if hasattr(self, wn) else None for wn in self._flat_weights_names]

    def flatten_parameters(self) -> None:
        """torch.nn.RNNBase.flatten_parameters (a no-op: there is no cuDNN weight buffer)."""

    def reset_parameters(self) -> None:
        """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def check_input(self, input: Tensor, batch_sizes: Tensor | None) -> None:
        if input.dtype != self._flat_weights[0].dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype "
                f"({self._flat_weights[0].dtype}). Convert input: "
                f"input.to({self._flat_weights[0].dtype}), or convert model: "
                f"model.to({input.dtype})"
            )
        expected_input_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_input_dim:
            raise RuntimeError(
                f"input must have {expected_input_dim} dimensions, got {input.dim()}"
            )
        if self.input_size != input.size(-1):
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                f"got {input.size(-1)}"
            )

    def get_expected_hidden_size(
        self, input: Tensor, batch_sizes: Tensor | None
    ) -> tuple[int, int, int]:
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        if self.proj_size > 0:
            expected_hidden_size = (self.num_layers * num_directions, mini_batch, self.proj_size)
        else:
            expected_hidden_size = (self.num_layers * num_directions, mini_batch, self.hidden_size)
        return expected_hidden_size

    def check_hidden_size(
        self,
        hx: Tensor,
        expected_hidden_size: tuple[int, int, int],
        msg: str = "Expected hidden size {}, got {}",
    ) -> None:
        if hx.size() != expected_hidden_size:
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    @property
    def all_weights(self) -> list[list[Parameter]]:
        return [[getattr(self, weight) for weight in weights] for weights in self._all_weights]

    def _run(self, input: Tensor, hx: Tensor, cx: Tensor | None, lengths=None):
        """input (T, B, I) seq-first; hx/cx (L*D, B, H). Returns output, h_n, c_n.

        With ``lengths`` (packed input), a sequence's state only advances on its valid steps,
        so h_n is taken at each sequence's own end and the reverse direction starts there.
        """
        mask = None
        if lengths is not None:
            mask = (torch.arange(input.size(0)).unsqueeze(1) < lengths.unsqueeze(0)).unsqueeze(-1)
        num_directions = 2 if self.bidirectional else 1
        steps = input.size(0)
        layer_input = input
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outs = []
            for direction in range(num_directions):
                idx = layer * num_directions + direction
                ws = [getattr(self, n) for n in self._all_weights[idx]]
                w_ih, w_hh = ws[0], ws[1]
                b_ih, b_hh = (ws[2], ws[3]) if self.bias else (None, None)
                w_hr = ws[-1] if self.proj_size > 0 else None
                h = hx[idx]
                c = cx[idx] if cx is not None else None
                order = range(steps) if direction == 0 else range(steps - 1, -1, -1)
                ys = [None] * steps
                for t in order:
                    h_t, c_t = _cell(self.mode, layer_input[t], h, c, w_ih, w_hh, b_ih, b_hh, w_hr)
                    if mask is not None:
                        h_t = torch.where(mask[t], h_t, h)
                        c_t = torch.where(mask[t], c_t, c) if c is not None else None
                    h, c = h_t, c_t
                    ys[t] = h
                outs.append(torch.stack(ys, 0))
                h_n.append(h)
                c_n.append(c)
            layer_input = outs[0] if num_directions == 1 else torch.cat(outs, -1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        return (layer_input, torch.stack(h_n, 0), torch.stack(c_n, 0) if cx is not None else None)

    def _forward_packed(self, input, hx, lstm: bool):
        from ..utils.rnn import PackedSequence, pad_packed_sequence

        data, batch_sizes, sorted_indices, unsorted_indices = input
        padded, lengths = pad_packed_sequence(PackedSequence(data, batch_sizes))
        num_directions = 2 if self.bidirectional else 1
        mb = int(batch_sizes[0])
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            h0 = torch.zeros(self.num_layers * num_directions, mb, real_hidden, dtype=data.dtype)
            c0 = (
                torch.zeros(
                    self.num_layers * num_directions, mb, self.hidden_size, dtype=data.dtype
                )
                if lstm
                else None
            )
        else:
            h0, c0 = hx if lstm else (hx, None)
            if sorted_indices is not None:
                h0 = h0.index_select(1, sorted_indices)
                c0 = c0.index_select(1, sorted_indices) if c0 is not None else None
        self.check_input(data, batch_sizes)
        self.check_hidden_size(h0, self.get_expected_hidden_size(data, batch_sizes))
        if lstm:
            self.check_hidden_size(
                c0,
                self.get_expected_cell_size(data, batch_sizes),
                "Expected hidden[1] size {}, got {}",
            )
        out, h_n, c_n = self._run(padded, h0, c0, lengths)
        sizes = [int(b) for b in batch_sizes.tolist()]
        out = torch.cat([out[t, :bs] for t, bs in enumerate(sizes)], 0)
        if unsorted_indices is not None:
            h_n = h_n.index_select(1, unsorted_indices)
            c_n = c_n.index_select(1, unsorted_indices) if c_n is not None else None
        packed = PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices)
        return packed, ((h_n, c_n) if lstm else h_n)

    def _forward(self, input, hx, name: str):
        lstm = self.mode == "LSTM"
        if not isinstance(input, Tensor):
            return self._forward_packed(input, hx, lstm)
        num_directions = 2 if self.bidirectional else 1
        if input.dim() not in (2, 3):
            raise ValueError(
                f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                + ("instead" if lstm else "tensor instead")
            )
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            mb = input.size(0) if self.batch_first else input.size(1)
            h0 = torch.zeros(self.num_layers * num_directions, mb, real_hidden, dtype=input.dtype)
            c0 = (
                torch.zeros(
                    self.num_layers * num_directions, mb, self.hidden_size, dtype=input.dtype
                )
                if lstm
                else None
            )
        else:
            if lstm:
                h0, c0 = hx
                if is_batched:
                    if h0.dim() != 3 or c0.dim() != 3:
                        raise RuntimeError(
                            "For batched 3-D input, hx and cx should also be 3-D "
                            f"but got ({h0.dim()}-D, {c0.dim()}-D) tensors"
                        )
                else:
                    if h0.dim() != 2 or c0.dim() != 2:
                        raise RuntimeError(
                            "For unbatched 2-D input, hx and cx should also be "
                            f"2-D but got ({h0.dim()}-D, {c0.dim()}-D) tensors"
                        )
                    h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
            else:
                h0, c0 = hx, None
                if is_batched and h0.dim() != 3:
                    raise RuntimeError(
                        f"For batched 3-D input, hx should also be 3-D but got {h0.dim()}-D tensor"
                    )
                if not is_batched:
                    if h0.dim() != 2:
                        raise RuntimeError(
                            "For unbatched 2-D input, hx should also be 2-D but "
                            f"got {h0.dim()}-D tensor"
                        )
                    h0 = h0.unsqueeze(1)
        self.check_input(input, None)
        expected = self.get_expected_hidden_size(input, None)
        self.check_hidden_size(h0, expected)
        if lstm:
            self.check_hidden_size(
                c0, self.get_expected_cell_size(input, None), "Expected hidden[1] size {}, got {}"
            )
        x = input.transpose(0, 1) if self.batch_first else input
        out, h_n, c_n = self._run(x, h0, c0)
        if self.batch_first:
            out = out.transpose(0, 1)
        if not is_batched:
            out = out.squeeze(batch_dim)
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if c_n is not None else None
        return out, ((h_n, c_n) if lstm else h_n)


class RNN(RNNBase):
    """torch.nn.RNN: Elman RNN with tanh or relu nonlinearity."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__(mode, *args, **kwargs)

    def forward(self, input, hx=None):
        return self._forward(input, hx, "RNN")


class LSTM(RNNBase):
    """torch.nn.LSTM (with proj_size)."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input: Tensor, batch_sizes) -> tuple[int, int, int]:
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, mini_batch, self.hidden_size)

    def forward(self, input, hx=None):
        return self._forward(input, hx, "LSTM")


class GRU(RNNBase):
    """torch.nn.GRU."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        return self._forward(input, hx, "GRU")


class RNNCellBase(Module):
    """torch.nn.RNNCellBase."""

    __constants__ = ["input_size", "hidden_size", "bias"]
    input_size: int
    hidden_size: int
    bias: bool
    weight_ih: Tensor
    weight_hh: Tensor

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device=None,
        dtype=None,
    ) -> None:
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(
            torch.empty((num_chunks * hidden_size, input_size), **factory_kwargs)
        )
        self.weight_hh = Parameter(
            torch.empty((num_chunks * hidden_size, hidden_size), **factory_kwargs)
        )
        if bias:
            self.bias_ih = Parameter(torch.empty(num_chunks * hidden_size, **factory_kwargs))
            self.bias_hh = Parameter(torch.empty(num_chunks * hidden_size, **factory_kwargs))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)


def _cell_forward(self, name, mode, input, hx, lstm=False):
    if input.dim() not in (1, 2):
        raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
    if hx is not None and not lstm and hx.dim() not in (1, 2):
        raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {hx.dim()}D instead")
    if hx is not None and lstm:
        for idx, value in enumerate(hx):
            if value.dim() not in (1, 2):
                raise ValueError(
                    f"{name}: Expected hx[{idx}] to be 1D or 2D, got {value.dim()}D instead"
                )
    is_batched = input.dim() == 2
    if not is_batched:
        input = input.unsqueeze(0)
    if hx is None:
        zeros = torch.zeros(input.size(0), self.hidden_size, dtype=input.dtype)
        hx = (zeros, zeros) if lstm else zeros
    elif not is_batched:
        hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0)) if lstm else hx.unsqueeze(0)
    h, c = (hx[0], hx[1]) if lstm else (hx, None)
    h, c = _cell(mode, input, h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
    ret = (h, c) if lstm else h
    if not is_batched:
        ret = (h.squeeze(0), c.squeeze(0)) if lstm else h.squeeze(0)
    return ret


class RNNCell(RNNCellBase):
    """torch.nn.RNNCell."""

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]
    nonlinearity: str

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device=None,
        dtype=None,
    ) -> None:
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__(input_size, hidden_size, bias, num_chunks=1, **factory_kwargs)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return _cell_forward(self, "RNNCell", mode, input, hx)


class LSTMCell(RNNCellBase):
    """torch.nn.LSTMCell."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__(input_size, hidden_size, bias, num_chunks=4, **factory_kwargs)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None):
        return _cell_forward(self, "LSTMCell", "LSTM", input, hx, lstm=True)


class GRUCell(RNNCellBase):
    """torch.nn.GRUCell."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__(input_size, hidden_size, bias, num_chunks=3, **factory_kwargs)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return _cell_forward(self, "GRUCell", "GRU", input, hx)
