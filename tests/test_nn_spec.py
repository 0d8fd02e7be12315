"""The layer-declaration helper: signatures, attributes, repr and argument errors."""

import inspect

import pytest

import torchlike as torch
from torchlike.nn import functional as F
from torchlike.nn.modules._spec import Arg, layer

Scale = layer(
    "Scale",
    [Arg("factor", 2.0), Arg("inplace", False), Arg("size", 3, lambda v: (v, v), kw_only=True)],
    lambda self, x: x * self.factor,
    repr=["factor", "size", "inplace?"],
    module=__name__,
)


def test_signature_attributes_repr():
    sig = inspect.signature(Scale)
    assert str(sig) == "(factor=2.0, inplace=False, *, size=3)"
    m = Scale(0.5, size=4)
    assert (m.factor, m.inplace, m.size) == (0.5, False, (4, 4))
    assert repr(m) == "Scale(factor=0.5, size=(4, 4))"
    assert repr(Scale(inplace=True)) == "Scale(factor=2.0, size=(3, 3), inplace=True)"
    assert Scale.__module__ == __name__ and Scale.__doc__ == "torch.nn.Scale."
    out = m(torch.tensor([2.0, 4.0]))
    assert out.tolist() == [1.0, 2.0]


def test_bad_arguments_raise_type_error():
    with pytest.raises(TypeError, match="Scale.__init__"):
        Scale(1.0, False, 3)
    with pytest.raises(TypeError, match="unexpected keyword"):
        Scale(factr=1.0)


def test_base_args_and_check():
    class Base(torch.nn.Module):
        def __init__(self, dim=None):
            super().__init__()
            self.dim = dim

    def check(self):
        if self.p < 0:
            raise ValueError(f"p must be >= 0, got {self.p}")

    Soft = layer("Soft", [Arg("dim", None), Arg("p", 1.0)],
                 lambda self, x: F.softmax(x, self.dim) * self.p,
                 base=Base, base_args=["dim"], check=check, repr=["dim"])
    m = Soft(0)
    assert m.dim == 0 and m.p == 1.0 and repr(m) == "Soft(dim=0)"
    with pytest.raises(ValueError, match="got -1"):
        Soft(0, -1)


def test_hints_and_torch_signatures():
    # Expected strings are inspect.signature of torch 2.13's classes.
    assert str(inspect.signature(torch.nn.CrossMapLRN2d)) == \
        "(size: int, alpha: float = 0.0001, beta: float = 0.75, k: float = 1) -> None"
    assert str(inspect.signature(torch.nn.RNNCell)) == (
        "(input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = 'tanh', "
        "device=None, dtype=None) -> None")
    assert repr(torch.nn.CrossMapLRN2d(3)) == "CrossMapLRN2d(3, alpha=0.0001, beta=0.75, k=1)"
    with pytest.raises(TypeError, match=r"Conv2d.__init__\(\) missing a required argument"):
        torch.nn.Conv2d(1)
