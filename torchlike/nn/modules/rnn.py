"""torch.nn RNN, LSTM, GRU and their cells, run step by step on torchlike ops.

torch dispatches to fused kernels (_VF.lstm, cuDNN).  Here a variant is a rule: how many gate
blocks its weights hold and one step function mapping (input projection, state) to the next
state, written in the order of floating-point operations torch's CPU cells use.  Layers
project the whole sequence through ``weight_ih`` once, then loop over time with the step, so
autograd flows through ordinary ops.  PackedSequence inputs run on the padded batch with each
sequence's state frozen past its length.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import torchlike as torch

from ..._core.tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ._spec import Arg, layer
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

State = list  # [h] or [h, c]


def _elman(act: Callable[[Tensor], Tensor]):
    def step(gi: Tensor, state: State, w_hh: Tensor, b_hh: Tensor | None, w_hr=None) -> State:
        return [act(gi + F.linear(state[0], w_hh, b_hh))]

    return step


def _lstm_step(gi: Tensor, state: State, w_hh: Tensor, b_hh: Tensor | None,
               w_hr: Tensor | None = None) -> State:
    h, c = state
    i, f, g, o = (gi + F.linear(h, w_hh, b_hh)).chunk(4, -1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h = torch.sigmoid(o) * torch.tanh(c)
    return [h if w_hr is None else F.linear(h, w_hr), c]


def _gru_step(gi: Tensor, state: State, w_hh: Tensor, b_hh: Tensor | None, w_hr=None) -> State:
    h = state[0]
    x_r, x_z, x_n = gi.chunk(3, -1)
    h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, -1)
    reset = torch.sigmoid(x_r + h_r)
    update = torch.sigmoid(x_z + h_z)
    cand = torch.tanh(x_n + reset * h_n)
    # torch's cell: n + z * (h - n)
    return [(h - cand) * update + cand]


class _Rule(NamedTuple):
    gates: int
    step: Callable[..., State]
    label: str  # the name in forward's input-rank message
    rank_msg: str  # that message's ending


_RULES = {
    "RNN_TANH": _Rule(1, _elman(torch.tanh), "RNN", "D tensor instead"),
    "RNN_RELU": _Rule(1, _elman(torch.relu), "RNN", "D tensor instead"),
    "LSTM": _Rule(4, _lstm_step, "LSTM", "D instead"),
    "GRU": _Rule(3, _gru_step, "GRU", "D instead"),
}
_NONLINEARITY = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}


def _zeros_state(lstm: bool, rows: int, batch: int, out: int, hidden: int, like: Tensor) -> State:
    sizes = (out, hidden) if lstm else (out,)
    return [torch.zeros(rows, batch, n, dtype=like.dtype, device=like.device) for n in sizes]


def _config_error(input_size: Any, hidden_size: Any, num_layers: int, bias: Any,
                  batch_first: Any, proj_size: int) -> Exception | None:
    """The first of torch's constructor checks that fails, in torch's order."""
    for name, value, kind, positive in (
        ("bias", bias, bool, False),
        ("batch_first", batch_first, bool, False),
        ("input_size", input_size, int, True),
        ("hidden_size", hidden_size, int, True),
    ):
        if not isinstance(value, kind):
            return TypeError(f"{name} should be of type {kind.__name__}, got: "
                             f"{type(value).__name__}")
        if positive and value <= 0:
            return ValueError(f"{name} must be greater than zero")
    if num_layers <= 0:
        return ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        return ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        return ValueError("proj_size has to be smaller than hidden_size")
    return None


_REPR_DEFAULTS = (("proj_size", 0), ("num_layers", 1), ("bias", True), ("batch_first", False),
                  ("dropout", 0), ("bidirectional", False))


class RNNBase(Module):
    """torch.nn.RNNBase: the flat parameters (weight_ih_l0, ...) and layer loop of
    RNN/LSTM/GRU."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                     "dropout", "bidirectional", "proj_size"]
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
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout = float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        if isinstance(dropout, bool) or not (
                isinstance(dropout, numbers.Number) and 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                "dropout expects num_layers greater than 1, but got "
                f"dropout={dropout} and num_layers={num_layers}",
                stacklevel=2,
            )
        error = _config_error(input_size, hidden_size, num_layers, bias, batch_first, proj_size)
        if error is not None:
            raise error
        if mode not in _RULES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gates = _RULES[mode].gates * hidden_size
        out = proj_size or hidden_size
        shapes = {"weight_ih": None, "weight_hh": (gates, out)}
        if bias:
            shapes.update(bias_ih=(gates,), bias_hh=(gates,))
        if proj_size:
            shapes["weight_hr"] = (proj_size, hidden_size)
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for cell in range(num_layers * self._directions):
            depth, backward = divmod(cell, self._directions)
            shapes["weight_ih"] = (gates, input_size if depth == 0 else out * self._directions)
            suffix = f"_l{depth}" + ("_reverse" if backward else "")
            names = [kind + suffix for kind in shapes]
            for name, shape in zip(names, shapes.values(), strict=True):
                setattr(self, name, Parameter(torch.empty(shape, device=device, dtype=dtype)))
            self._flat_weights_names += names
            self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _directions(self) -> int:
        return 1 + bool(self.bidirectional)

    @property
    def _flat_weights(self) -> list[Parameter | None]:
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """torch.nn.RNNBase.all_weights: the parameters grouped per layer and direction."""
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """torch.nn.RNNBase.flatten_parameters (a no-op: there is no cuDNN weight buffer)."""

    def reset_parameters(self) -> None:
        """torch.nn.RNNBase.reset_parameters: every parameter ~ U(-1/sqrt(H), 1/sqrt(H))."""
        _uniform_all(self)

    def extra_repr(self) -> str:
        shown = [f"{self.input_size}, {self.hidden_size}"]
        shown += [f"{k}={getattr(self, k)}" for k, default in _REPR_DEFAULTS
                  if getattr(self, k) != default]
        return ", ".join(shown)

    # -------------------------------------------------------------- torch's check helpers

    def check_input(self, input: Tensor, batch_sizes: Tensor | None) -> None:
        """torch.nn.RNNBase.check_input."""
        wdt = self._flat_weights[0].dtype
        if input.dtype != wdt:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({wdt}). "
                f"Convert input: input.to({wdt}), or convert model: model.to({input.dtype})"
            )
        rank = 3 - (batch_sizes is not None)
        if input.dim() != rank:
            raise RuntimeError(f"input must have {rank} dimensions, got {input.dim()}")
        if input.size(-1) != self.input_size:
            raise RuntimeError(
                "input.size(-1) must be equal to input_size. "
                f"Expected {self.input_size}, got {input.size(-1)}"
            )

    def _state_shape(self, input: Tensor, batch_sizes: Tensor | None,
                     width: int) -> tuple[int, int, int]:
        if batch_sizes is not None:
            batch = int(batch_sizes[0])
        else:
            batch = input.size(int(not self.batch_first))
        return (self.num_layers * self._directions, batch, width)

    def get_expected_hidden_size(
        self, input: Tensor, batch_sizes: Tensor | None
    ) -> tuple[int, int, int]:
        """torch.nn.RNNBase.get_expected_hidden_size."""
        return self._state_shape(input, batch_sizes, self.proj_size or self.hidden_size)

    def check_hidden_size(
        self,
        hx: Tensor,
        expected_hidden_size: tuple[int, int, int],
        msg: str = "Expected hidden size {}, got {}",
    ) -> None:
        """torch.nn.RNNBase.check_hidden_size."""
        got = list(hx.size())
        if tuple(got) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, got))

    def check_forward_args(self, input: Tensor, hidden: Any,
                           batch_sizes: Tensor | None) -> None:
        """torch.nn.RNNBase.check_forward_args."""
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx: Any, permutation: Tensor | None) -> Any:
        """torch.nn.RNNBase.permute_hidden: reorder the batch dimension of the state."""
        if permutation is None:
            return hx
        if isinstance(hx, tuple):
            return tuple(s.index_select(1, permutation) for s in hx)
        return hx.index_select(1, permutation)

    # ------------------------------------------------------------------------ running

    def _run(self, seq: Tensor, state: State, lengths: Tensor | None = None
             ) -> tuple[Tensor, State]:
        """Time-major ``seq`` (T, B, I) through every layer; ``state`` holds (L*D, B, *) tensors.

        With ``lengths`` a sequence's state only moves on its own steps, so the forward
        direction ends at each sequence's last step and the reverse one starts there.
        """
        rule = _RULES[self.mode]
        steps = seq.shape[0]
        live = None
        if lengths is not None:
            live = (torch.arange(steps)[:, None] < lengths[None, :])[..., None]
        finals: list[State] = []
        for depth in range(self.num_layers):
            outs = []
            for backward in range(self._directions):
                cell = depth * self._directions + backward
                ps = dict(zip((n.split("_l")[0] for n in self._all_weights[cell]),
                              self.all_weights[cell], strict=True))
                projected = F.linear(seq, ps["weight_ih"], ps.get("bias_ih"))
                cur = [s[cell] for s in state]
                ys: list[Tensor | None] = [None] * steps
                for t in (reversed(range(steps)) if backward else range(steps)):
                    nxt = rule.step(projected[t], cur, ps["weight_hh"], ps.get("bias_hh"),
                                    ps.get("weight_hr"))
                    if live is not None:
                        nxt = [torch.where(live[t], n, o) for n, o in zip(nxt, cur, strict=True)]
                    cur = nxt
                    ys[t] = cur[0]
                outs.append(torch.stack(ys))
                finals.append(cur)
            seq = torch.cat(outs, -1) if len(outs) > 1 else outs[0]
            if self.training and self.dropout > 0 and depth + 1 < self.num_layers:
                seq = F.dropout(seq, self.dropout, True)
        return seq, [torch.stack(list(col)) for col in zip(*finals, strict=True)]

    def _forward_packed(self, packed: Any, hx: Any) -> tuple[Any, Any]:
        from ..utils.rnn import PackedSequence, pad_packed_sequence

        data, batch_sizes, sorted_indices, unsorted_indices = packed
        lstm = self.mode == "LSTM"
        if hx is None:
            hx = _zeros_state(lstm, self.num_layers * self._directions, int(batch_sizes[0]),
                              self.proj_size or self.hidden_size, self.hidden_size, data)
            hx = tuple(hx) if lstm else hx[0]
        else:
            hx = self.permute_hidden(hx, sorted_indices)
        self.check_forward_args(data, hx, batch_sizes)
        padded, lengths = pad_packed_sequence(PackedSequence(data, batch_sizes))
        out, final = self._run(padded, list(hx) if lstm else [hx], lengths)
        rows = torch.cat([out[t, :n] for t, n in enumerate(batch_sizes.tolist())])
        final = tuple(final) if lstm else final[0]
        return (PackedSequence(rows, batch_sizes, sorted_indices, unsorted_indices),
                self.permute_hidden(final, unsorted_indices))

    def _forward(self, input: Any, hx: Any) -> tuple[Any, Any]:
        if not isinstance(input, Tensor):
            return self._forward_packed(input, hx)
        rule, lstm = _RULES[self.mode], self.mode == "LSTM"
        if input.dim() not in (2, 3):
            raise ValueError(f"{rule.label}: Expected input to be 2D or 3D, got "
                             f"{input.dim()}{rule.rank_msg}")
        batched = input.dim() == 3
        if not batched:
            input = input.unsqueeze(int(not self.batch_first))
        if hx is None:
            state = _zeros_state(lstm, self.num_layers * self._directions,
                                 input.size(int(not self.batch_first)),
                                 self.proj_size or self.hidden_size, self.hidden_size, input)
        else:
            state = list(hx) if lstm else [hx]
            want = 2 + batched
            if any(s.dim() != want for s in state):
                kind = "batched 3-D" if batched else "unbatched 2-D"
                got = (f"({state[0].dim()}-D, {state[1].dim()}-D) tensors" if lstm
                       else f"{state[0].dim()}-D tensor")
                raise RuntimeError(f"For {kind} input, {'hx and cx' if lstm else 'hx'} should "
                                   f"also be {want}-D but got {got}")
            if not batched:
                state = [s.unsqueeze(1) for s in state]
        self.check_forward_args(input, tuple(state) if lstm else state[0], None)
        seq = input.transpose(0, 1) if self.batch_first else input
        out, final = self._run(seq, state)
        if self.batch_first:
            out = out.transpose(0, 1)
        if not batched:
            out = out.squeeze(int(not self.batch_first))
            final = [s.squeeze(1) for s in final]
        return out, (tuple(final) if lstm else final[0])


def _uniform_all(module: Module) -> None:
    bound = 1.0 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0
    for p in module.parameters():
        init.uniform_(p, -bound, bound)


def _no_projection(kwargs: dict) -> None:
    if "proj_size" in kwargs:
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")


class RNN(RNNBase):
    """torch.nn.RNN: Elman RNN with tanh or relu nonlinearity."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _no_projection(kwargs)
        # nonlinearity is RNN's 4th positional argument, before RNNBase's num_layers onward
        if len(args) > 3:
            nonlinearity, args = args[3], args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        self.nonlinearity = nonlinearity
        if nonlinearity not in _NONLINEARITY:
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__(_NONLINEARITY[nonlinearity], *args, **kwargs)

    def forward(self, input: Any, hx: Tensor | None = None) -> tuple[Any, Tensor]:
        return self._forward(input, hx)


class LSTM(RNNBase):
    """torch.nn.LSTM (with proj_size)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(
        self, input: Tensor, batch_sizes: Tensor | None
    ) -> tuple[int, int, int]:
        """torch.nn.LSTM.get_expected_cell_size."""
        return self._state_shape(input, batch_sizes, self.hidden_size)

    def check_forward_args(self, input: Tensor, hidden: Any,
                           batch_sizes: Tensor | None) -> None:
        """torch.nn.LSTM.check_forward_args: both h and c."""
        self.check_input(input, batch_sizes)
        expected = (self.get_expected_hidden_size, self.get_expected_cell_size)
        for k, (state, shape_of) in enumerate(zip(hidden, expected, strict=True)):
            self.check_hidden_size(state, shape_of(input, batch_sizes),
                                   f"Expected hidden[{k}] size {{}}, got {{}}")

    def forward(self, input: Any, hx: tuple[Tensor, Tensor] | None = None
                ) -> tuple[Any, tuple[Tensor, Tensor]]:
        return self._forward(input, hx)


class GRU(RNNBase):
    """torch.nn.GRU."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _no_projection(kwargs)
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input: Any, hx: Tensor | None = None) -> tuple[Any, Tensor]:
        return self._forward(input, hx)


# ------------------------------------------------------------------------------ cells


class RNNCellBase(Module):
    """torch.nn.RNNCellBase."""

    __constants__ = ["input_size", "hidden_size", "bias"]
    input_size: int
    hidden_size: int
    bias: bool
    weight_ih: Tensor
    weight_hh: Tensor

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        rows = num_chunks * hidden_size
        for name, shape in (("weight_ih", (rows, input_size)), ("weight_hh", (rows, hidden_size)),
                            ("bias_ih", (rows,)), ("bias_hh", (rows,))):
            if name.startswith("bias") and not bias:
                self.register_parameter(name, None)
            else:
                setattr(self, name, Parameter(torch.empty(shape, device=device, dtype=dtype)))
        self.reset_parameters()

    def extra_repr(self) -> str:
        shown = [f"{self.input_size}, {self.hidden_size}"]
        extras = self.__dict__
        if "bias" in extras and extras["bias"] is not True:
            shown.append(f"bias={extras['bias']}")
        if extras.get("nonlinearity", "tanh") != "tanh":
            shown.append(f"nonlinearity={extras['nonlinearity']}")
        return ", ".join(shown)

    def reset_parameters(self) -> None:
        """torch.nn.RNNCellBase.reset_parameters: every parameter ~ U(-1/sqrt(H), 1/sqrt(H))."""
        _uniform_all(self)


class _Cell(RNNCellBase):
    """One concrete cell: ``_chunks`` gate blocks, ``_mode`` its rule (None: by nonlinearity)."""

    _chunks = 1
    _mode: str | None = None

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, self._chunks, device=device, dtype=dtype)


def _cell_forward(self: _Cell, input: Tensor, hx: Any = None) -> Any:
    label, lstm = type(self)._label, self._mode == "LSTM"
    if input.dim() not in (1, 2):
        raise ValueError(f"{label}: Expected input to be 1D or 2D, got {input.dim()}D instead")
    if hx is not None:
        for k, s in enumerate(hx if lstm else (hx,)):
            if s.dim() not in (1, 2):
                what = f"hx[{k}]" if lstm else "hidden"
                raise ValueError(f"{label}: Expected {what} to be 1D or 2D, got {s.dim()}D "
                                 "instead")
    batched = input.dim() == 2
    if not batched:
        input = input.unsqueeze(0)
    if hx is None:
        zero = torch.zeros(input.size(0), self.hidden_size, dtype=input.dtype,
                           device=input.device)
        state = [zero, zero] if lstm else [zero]
    else:
        state = list(hx) if lstm else [hx]
        if not batched:
            state = [s.unsqueeze(0) for s in state]
    mode = self._mode or _NONLINEARITY.get(self.nonlinearity)
    if mode is None:
        raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
    gi = F.linear(input, self.weight_ih, self.bias_ih)
    out = _RULES[mode].step(gi, state, self.weight_hh, self.bias_hh)
    if not batched:
        out = [s.squeeze(0) for s in out]
    return tuple(out) if lstm else out[0]


_CELL_BASE_ARGS = ("input_size", "hidden_size", "bias", "device", "dtype")


def _cell_class(name: str, chunks: int, mode: str | None, extra: tuple = ()) -> type:
    args = [Arg("input_size", hint=int), Arg("hidden_size", hint=int),
            Arg("bias", True, hint=bool), *extra, Arg("device", None), Arg("dtype", None)]
    consts = ["input_size", "hidden_size", "bias"] + [a.name for a in extra]
    return layer(name, args, _cell_forward, base=_Cell, base_args=_CELL_BASE_ARGS,
                 module=__name__, _chunks=chunks, _mode=mode, _label=name,
                 __constants__=consts)


RNNCell = _cell_class("RNNCell", 1, None, (Arg("nonlinearity", "tanh", hint=str),))
LSTMCell = _cell_class("LSTMCell", 4, "LSTM")
GRUCell = _cell_class("GRUCell", 3, "GRU")
