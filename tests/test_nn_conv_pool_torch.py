"""Conv / pooling / padding / upsampling / fold / shuffle layers against values recorded
from torch 2.13 (signatures, reprs of non-default options, stored attributes, error
messages, Lazy conv materialisation, ConvTranspose output_size, MaxUnpool and
FractionalMaxPool results).  Every expected value below was printed by real torch."""

import inspect

import pytest

import torchlike as torch
from torchlike import nn

R = "REQ"
_CONV = [("stride", 1), ("padding", 0), ("dilation", 1), ("groups", 1), ("bias", True)]
_CONVT = [
    ("stride", 1),
    ("padding", 0),
    ("output_padding", 0),
    ("groups", 1),
    ("bias", True),
    ("dilation", 1),
]
_TAIL = [("padding_mode", "zeros"), ("device", None), ("dtype", None)]
_HEAD = [("in_channels", R), ("out_channels", R), ("kernel_size", R)]
_MAX = [
    ("kernel_size", R),
    ("stride", None),
    ("padding", 0),
    ("dilation", 1),
    ("return_indices", False),
    ("ceil_mode", False),
]
_AVG = [
    ("kernel_size", R),
    ("stride", None),
    ("padding", 0),
    ("ceil_mode", False),
    ("count_include_pad", True),
]

SIGNATURES = {
    **{f"Conv{n}d": _HEAD + _CONV + _TAIL for n in (1, 2, 3)},
    **{f"ConvTranspose{n}d": _HEAD + _CONVT + _TAIL for n in (1, 2, 3)},
    **{f"LazyConv{n}d": _HEAD[1:] + _CONV + _TAIL for n in (1, 2, 3)},
    **{f"LazyConvTranspose{n}d": _HEAD[1:] + _CONVT + _TAIL for n in (1, 2, 3)},
    **{f"MaxPool{n}d": _MAX for n in (1, 2, 3)},
    **{f"MaxUnpool{n}d": [("kernel_size", R), ("stride", None), ("padding", 0)] for n in (1, 2, 3)},
    "AvgPool1d": _AVG,
    "AvgPool2d": _AVG + [("divisor_override", None)],
    "AvgPool3d": _AVG + [("divisor_override", None)],
    **{
        f"FractionalMaxPool{n}d": [
            ("kernel_size", R),
            ("output_size", None),
            ("output_ratio", None),
            ("return_indices", False),
            ("_random_samples", None),
        ]
        for n in (2, 3)
    },
    **{
        f"LPPool{n}d": [
            ("norm_type", R),
            ("kernel_size", R),
            ("stride", None),
            ("ceil_mode", False),
        ]
        for n in (1, 2, 3)
    },
    **{f"AdaptiveMaxPool{n}d": [("output_size", R), ("return_indices", False)] for n in (1, 2, 3)},
    **{f"AdaptiveAvgPool{n}d": [("output_size", R)] for n in (1, 2, 3)},
    **{
        f"{k}Pad{n}d": [("padding", R)]
        for k in ("Circular", "Reflection", "Replication", "Zero")
        for n in (1, 2, 3)
    },
    **{f"ConstantPad{n}d": [("padding", R), ("value", R)] for n in (1, 2, 3)},
    "Upsample": [
        ("size", None),
        ("scale_factor", None),
        ("mode", "nearest"),
        ("align_corners", None),
        ("recompute_scale_factor", None),
    ],
    "UpsamplingNearest2d": [("size", None), ("scale_factor", None)],
    "UpsamplingBilinear2d": [("size", None), ("scale_factor", None)],
    "Fold": [
        ("output_size", R),
        ("kernel_size", R),
        ("dilation", 1),
        ("padding", 0),
        ("stride", 1),
    ],
    "Unfold": [("kernel_size", R), ("dilation", 1), ("padding", 0), ("stride", 1)],
    "PixelShuffle": [("upscale_factor", R)],
    "PixelUnshuffle": [("downscale_factor", R)],
    "ChannelShuffle": [("groups", R)],
}

BASES = {
    "LazyConv2d": ["_LazyConvXdMixin", "LazyModuleMixin", "Conv2d", "_ConvNd", "Module"],
    "LazyConvTranspose1d": [
        "_LazyConvXdMixin",
        "LazyModuleMixin",
        "ConvTranspose1d",
        "_ConvTransposeNd",
        "_ConvNd",
        "Module",
    ],
    "ZeroPad3d": ["ConstantPad3d", "_ConstantPadNd", "Module"],
    "UpsamplingBilinear2d": ["Upsample", "Module"],
    "AvgPool1d": ["_AvgPoolNd", "Module"],
    "FractionalMaxPool3d": ["Module"],
}


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_signature(name):
    params = inspect.signature(getattr(nn, name)).parameters.values()
    got = [(p.name, R if p.default is p.empty else p.default) for p in params]
    assert got == SIGNATURES[name]


@pytest.mark.parametrize("name", sorted(BASES))
def test_class_hierarchy(name):
    assert [b.__name__ for b in getattr(nn, name).__mro__[1:-1]] == BASES[name]


CONV_CASES = [
    (
        lambda: nn.Conv2d(
            4,
            6,
            (3, 2),
            stride=2,
            padding=(1, 0),
            dilation=(2, 1),
            groups=2,
            bias=False,
            padding_mode="reflect",
        ),
        "Conv2d(4, 6, kernel_size=(3, 2), stride=(2, 2), padding=(1, 0), dilation=(2, 1), "
        "groups=2, bias=False, padding_mode=reflect)",
        (0, 0, 1, 1),
        [(6, 2, 3, 2)],
    ),
    (
        lambda: nn.Conv3d(2, 2, 3, padding="same", dilation=(1, 2, 3)),
        "Conv3d(2, 2, kernel_size=(3, 3, 3), stride=(1, 1, 1), padding=same, dilation=(1, 2, 3))",
        [3, 3, 2, 2, 1, 1],
        [(2, 2, 3, 3, 3), (2,)],
    ),
    (
        lambda: nn.Conv2d(2, 2, 4, padding="valid"),
        "Conv2d(2, 2, kernel_size=(4, 4), stride=(1, 1), padding=valid)",
        [0, 0, 0, 0],
        [(2, 2, 4, 4), (2,)],
    ),
    (
        lambda: nn.Conv2d(2, 2, (4, 3), padding="same", padding_mode="circular"),
        "Conv2d(2, 2, kernel_size=(4, 3), stride=(1, 1), padding=same, padding_mode=circular)",
        [1, 1, 1, 2],
        [(2, 2, 4, 3), (2,)],
    ),
    (
        lambda: nn.ConvTranspose2d(
            4, 6, 3, stride=2, padding=1, output_padding=1, groups=2, dilation=2
        ),
        "ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), "
        "dilation=(2, 2), output_padding=(1, 1), groups=2)",
        (1, 1, 1, 1),
        [(4, 3, 3, 3), (6,)],
    ),
    (
        lambda: nn.ConvTranspose3d(2, 2, (1, 2, 3), padding=(0, 1, 0)),
        "ConvTranspose3d(2, 2, kernel_size=(1, 2, 3), stride=(1, 1, 1), padding=(0, 1, 0))",
        (0, 0, 1, 1, 0, 0),
        [(2, 2, 1, 2, 3), (2,)],
    ),
]


@pytest.mark.parametrize("make,text,pads,shapes", CONV_CASES)
def test_conv_repr_attributes(make, text, pads, shapes):
    m = make()
    assert repr(m) == text
    assert m._reversed_padding_repeated_twice == pads
    assert type(m._reversed_padding_repeated_twice) is type(pads)
    assert [tuple(p.shape) for p in m.parameters()] == shapes
    assert list(m._parameters) == ["weight", "bias"]
    assert m.transposed == ("Transpose" in text)


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: nn.Conv2d(4, 4, 3, groups=0), "groups must be a positive integer"),
        (lambda: nn.Conv2d(3, 4, 3, groups=2), "in_channels must be divisible by groups"),
        (lambda: nn.Conv2d(4, 3, 3, groups=2), "out_channels must be divisible by groups"),
        (
            lambda: nn.Conv2d(2, 2, 3, padding="full"),
            "Invalid padding string 'full', should be one of {",
        ),
        (
            lambda: nn.Conv2d(2, 2, 3, stride=2, padding="same"),
            "padding='same' is not supported for strided convolutions",
        ),
        (lambda: nn.Conv1d(2, 2, 3, padding_mode="wrap"), "padding_mode must be one of {"),
        (
            lambda: nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect"),
            'Only "zeros" padding mode is supported for ConvTranspose2d',
        ),
    ],
)
def test_conv_errors(make, message):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value).startswith(message)


def test_conv_bad_padding_mode_message_tail():
    with pytest.raises(ValueError) as info:
        nn.Conv1d(2, 2, 3, padding_mode="wrap")
    assert str(info.value).endswith("but got padding_mode='wrap'")


def test_conv_transpose_output_size():
    up = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    x = torch.ones(1, 2, 4, 4)
    for size, shape in [
        (None, (1, 3, 7, 7)),
        ([8, 8], (1, 3, 8, 8)),
        ([1, 3, 7, 8], (1, 3, 7, 8)),
        ((7, 7), (1, 3, 7, 7)),
    ]:
        assert tuple(up(x, output_size=size).shape) == shape
    assert tuple(up(torch.ones(2, 4, 4), output_size=[8, 7]).shape) == (3, 8, 7)
    with pytest.raises(ValueError) as info:
        up(x, output_size=[9, 9])
    assert str(info.value) == (
        "requested an output size of [9, 9], but valid sizes range from "
        "[7, 7] to [8, 8] (for an input of torch.Size([4, 4]))"
    )
    with pytest.raises(ValueError) as info:
        up(torch.ones(2, 4, 4), output_size=[2, 3, 3, 8, 7])
    assert str(info.value) == (
        "ConvTranspose2D: for 3D input, output_size must have 2 or 3 elements (got 5)"
    )
    up.padding_mode = "reflect"
    with pytest.raises(
        ValueError, match="Only `zeros` padding mode is supported for ConvTranspose2d"
    ):
        up(x)


LAZY_CASES = [
    (
        lambda: nn.LazyConv2d(4, 3, groups=2),
        (1, 6, 5, 5),
        "LazyConv2d(0, 4, kernel_size=(3, 3), stride=(1, 1), groups=2)",
        "Conv2d(6, 4, kernel_size=(3, 3), stride=(1, 1), groups=2)",
        (4, 3, 3, 3),
        (4,),
        (1, 4, 3, 3),
    ),
    (
        lambda: nn.LazyConv1d(3, 2, bias=False),
        (4, 6),
        "LazyConv1d(0, 3, kernel_size=(2,), stride=(1,), bias=False)",
        "Conv1d(4, 3, kernel_size=(2,), stride=(1,), bias=False)",
        (3, 4, 2),
        None,
        (3, 5),
    ),
    (
        lambda: nn.LazyConvTranspose2d(4, 3, stride=2),
        (3, 5, 5),
        "LazyConvTranspose2d(0, 4, kernel_size=(3, 3), stride=(2, 2))",
        "ConvTranspose2d(3, 4, kernel_size=(3, 3), stride=(2, 2))",
        (3, 4, 3, 3),
        (4,),
        (4, 11, 11),
    ),
    (
        lambda: nn.LazyConvTranspose3d(2, 1),
        (1, 2, 2, 2, 2),
        "LazyConvTranspose3d(0, 2, kernel_size=(1, 1, 1), stride=(1, 1, 1))",
        "ConvTranspose3d(2, 2, kernel_size=(1, 1, 1), stride=(1, 1, 1))",
        (2, 2, 1, 1, 1),
        (2,),
        (1, 2, 2, 2, 2),
    ),
]


@pytest.mark.parametrize("make,shape,before,after,wshape,bshape,oshape", LAZY_CASES)
def test_lazy_conv_materialises(make, shape, before, after, wshape, bshape, oshape):
    m = make()
    assert repr(m) == before and m.in_channels == 0 and m.has_uninitialized_params()
    assert type(m.weight).__name__ == "UninitializedParameter"
    keys = ["weight"] if bshape is None else ["weight", "bias"]
    assert list(m.state_dict()) == keys
    out = m(torch.ones(*shape))
    assert repr(m) == after and type(m).__name__ == after.split("(")[0]
    assert tuple(m.weight.shape) == wshape and tuple(out.shape) == oshape
    assert (None if m.bias is None else tuple(m.bias.shape)) == bshape
    assert list(m.state_dict()) == keys


def test_lazy_conv_errors():
    with pytest.raises(ValueError, match="^in_channels must be divisible by groups$"):
        nn.LazyConv2d(4, 3, groups=2)(torch.ones(1, 5, 5, 5))
    with pytest.raises(RuntimeError) as info:
        nn.LazyConv2d(4, 3)(torch.ones(5, 5))
    assert str(info.value) == (
        "Expected 3D (unbatched) or 4D (batched) input to LazyConv2d, "
        "but got input of size: torch.Size([5, 5])"
    )


def test_conv_init_bounds():
    # kaiming_uniform_(a=sqrt(5)) and the bias both draw from U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    torch.manual_seed(0)
    for m, fan_in in [(nn.Conv2d(3, 8, 3), 27), (nn.ConvTranspose2d(8, 2, 3), 18)]:
        bound = fan_in**-0.5
        w = float(m.weight.detach().abs().max())
        assert 0.8 * bound < w <= bound
        assert float(m.bias.detach().abs().max()) <= bound


def test_conv_padding_mode_values():
    m = nn.Conv2d(2, 2, 3, padding=1, groups=2, padding_mode="replicate", bias=False)
    with torch.no_grad():
        m.weight.copy_(torch.arange(18.0).reshape(2, 1, 3, 3) / 10)
    out = m(torch.arange(32.0).reshape(1, 2, 4, 4))[0, 1, 0].tolist()
    assert out == pytest.approx([210.6, 218.7, 230.4, 237.9], rel=1e-5)
    m = nn.Conv1d(1, 1, 4, padding="same", padding_mode="circular", bias=False)
    with torch.no_grad():
        m.weight.fill_(1.0)
    assert m(torch.arange(6.0).reshape(1, 1, 6)).tolist() == [[[8.0, 6.0, 10.0, 14.0, 12.0, 10.0]]]


POOL_CASES = [
    (
        lambda: nn.MaxPool2d(3, padding=1),
        "MaxPool2d(kernel_size=3, stride=3, padding=1, dilation=1, ceil_mode=False)",
        {"kernel_size": 3, "stride": 3, "padding": 1, "return_indices": False},
    ),
    (
        lambda: nn.MaxUnpool1d(3, 2, 1),
        "MaxUnpool1d(kernel_size=(3,), stride=(2,), padding=(1,))",
        {"kernel_size": (3,), "stride": (2,), "padding": (1,)},
    ),
    (
        lambda: nn.MaxUnpool2d(2),
        "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))",
        {"stride": (2, 2)},
    ),
    (
        lambda: nn.AvgPool1d(3),
        "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))",
        {"ceil_mode": False, "count_include_pad": True},
    ),
    (
        lambda: nn.AvgPool3d(2, 1, divisor_override=3),
        "AvgPool3d(kernel_size=2, stride=1, padding=0)",
        {"divisor_override": 3},
    ),
    (
        lambda: nn.FractionalMaxPool2d(2, output_size=3),
        "FractionalMaxPool2d()",
        {"kernel_size": (2, 2), "output_size": (3, 3), "output_ratio": None},
    ),
    (
        lambda: nn.FractionalMaxPool3d((2, 2, 2), output_ratio=0.5),
        "FractionalMaxPool3d()",
        {"output_ratio": (0.5, 0.5, 0.5), "output_size": None},
    ),
    (
        lambda: nn.LPPool3d(1.5, 2, 1),
        "LPPool3d(norm_type=1.5, kernel_size=2, stride=1, ceil_mode=False)",
        {},
    ),
    (
        lambda: nn.LPPool1d(2, 3),
        "LPPool1d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)",
        {"stride": None},
    ),
    (
        lambda: nn.AdaptiveMaxPool3d((None, 2, 3), True),
        "AdaptiveMaxPool3d(output_size=(None, 2, 3))",
        {"return_indices": True},
    ),
    (lambda: nn.AdaptiveAvgPool2d(None), "AdaptiveAvgPool2d(output_size=None)", {}),
]


@pytest.mark.parametrize("make,text,attrs", POOL_CASES)
def test_pool_repr_attributes(make, text, attrs):
    m = make()
    assert repr(m) == text
    for key, value in attrs.items():
        assert getattr(m, key) == value, key
    assert list(m._buffers) == (["_random_samples"] if "Fractional" in text else [])


@pytest.mark.parametrize(
    "make,message",
    [
        (
            lambda: nn.FractionalMaxPool2d(2),
            "FractionalMaxPool2d requires specifying either an output size, or a pooling ratio",
        ),
        (
            lambda: nn.FractionalMaxPool3d(2),
            "FractionalMaxPool3d requires specifying either an output size, or a pooling ratio",
        ),
        (
            lambda: nn.FractionalMaxPool2d(2, 3, 0.5),
            "only one of output_size and output_ratio may be specified",
        ),
        (
            lambda: nn.FractionalMaxPool2d(2, output_ratio=(0.5, 1.5)),
            "output_ratio must be between 0 and 1 (got (0.5, 1.5))",
        ),
        (lambda: nn.FractionalMaxPool3d(0, 2), "kernel_size must be greater than 0, but got 0"),
        (
            lambda: nn.FractionalMaxPool3d([2, 0, 1], 2),
            "kernel_size must be greater than 0, but got [2, 0, 1]",
        ),
    ],
)
def test_fractional_errors(make, message):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value) == message


def test_max_unpool_and_fractional_values():
    x = torch.arange(32.0).reshape(1, 2, 4, 4)
    out, idx = nn.MaxPool2d(2, return_indices=True)(x)
    unpooled = nn.MaxUnpool2d(2)(out, idx)
    assert unpooled.tolist()[0][1] == [
        [0.0, 0.0, 0.0, 0.0],
        [0.0, 21.0, 0.0, 23.0],
        [0.0, 0.0, 0.0, 0.0],
        [0.0, 29.0, 0.0, 31.0],
    ]
    assert tuple(nn.MaxUnpool2d(2)(out, idx, output_size=[5, 5]).shape) == (1, 2, 5, 5)
    got = nn.MaxUnpool1d(2)(torch.tensor([[[5.0, 7.0]]]), torch.tensor([[[1, 3]]]), output_size=[5])
    assert got.tolist() == [[[0.0, 5.0, 0.0, 7.0, 0.0]]]
    samples = torch.tensor([[[0.3, 0.7]]] * 2).reshape(1, 2, 2)
    frac = nn.FractionalMaxPool2d(2, output_size=(2, 3), _random_samples=samples)
    assert frac(x).tolist() == [
        [[[5.0, 6.0, 7.0], [13.0, 14.0, 15.0]], [[21.0, 22.0, 23.0], [29.0, 30.0, 31.0]]]
    ]
    assert "_random_samples" in dict(frac.named_buffers())
    pooled, indices = nn.FractionalMaxPool2d(2, output_ratio=0.5, return_indices=True)(x)
    assert tuple(pooled.shape) == (1, 2, 2, 2) and tuple(indices.shape) == (1, 2, 2, 2)


def test_pool_values():
    lp = nn.LPPool1d(2, 2)(torch.arange(8.0).reshape(1, 2, 4))[0].tolist()
    assert lp[0] == pytest.approx([1.0, 3.605551242828369], rel=1e-6)
    assert lp[1] == pytest.approx([6.4031243324279785, 9.219544410705566], rel=1e-6)
    assert nn.LPPool2d(1, 2)(torch.arange(16.0).reshape(1, 1, 4, 4)).tolist() == [
        [[[10.0, 18.0], [42.0, 50.0]]]
    ]
    avg = nn.AvgPool1d(2, padding=1, count_include_pad=False)
    assert avg(torch.tensor([[[1.0, 2.0, 3.0, 4.0]]])).tolist() == [[[1.0, 2.5, 4.0]]]
    x = torch.arange(32.0).reshape(1, 2, 4, 4)
    assert nn.AvgPool2d(3, 1, 1, count_include_pad=False)(x)[0, 0, 0].tolist() == [
        2.5,
        3.0,
        4.0,
        4.5,
    ]
    o, i = nn.AdaptiveMaxPool1d(2, return_indices=True)(torch.tensor([[[1.0, 5.0, 2.0, 7.0, 3.0]]]))
    assert o.tolist() == [[[5.0, 7.0]]] and i.tolist() == [[[1, 3]]]


PAD_CASES = [
    (
        lambda: nn.ConstantPad2d((1, 0, 2, 3), -1),
        "ConstantPad2d(padding=(1, 0, 2, 3), value=-1)",
        {"value": -1, "padding": (1, 0, 2, 3)},
    ),
    (lambda: nn.ZeroPad1d(2), "ZeroPad1d((2, 2))", {"value": 0.0, "padding": (2, 2)}),
    (lambda: nn.ZeroPad3d((1, 0, 0, 1, 1, 0)), "ZeroPad3d((1, 0, 0, 1, 1, 0))", {"value": 0.0}),
    (lambda: nn.ReplicationPad1d((0, 2)), "ReplicationPad1d((0, 2))", {"padding": (0, 2)}),
    (lambda: nn.CircularPad3d((1, 0, 0, 1, 0, 0)), "CircularPad3d((1, 0, 0, 1, 0, 0))", {}),
]


@pytest.mark.parametrize("make,text,attrs", PAD_CASES)
def test_pad_repr_attributes(make, text, attrs):
    m = make()
    assert repr(m) == text
    for key, value in attrs.items():
        assert getattr(m, key) == value, key


def test_pad_values_and_rank_check():
    x = torch.arange(12.0).reshape(1, 2, 6)
    assert nn.ConstantPad1d((1, 2), -1.5)(x).tolist()[0][0] == [
        -1.5,
        0.0,
        1.0,
        2.0,
        3.0,
        4.0,
        5.0,
        -1.5,
        -1.5,
    ]
    assert nn.ReflectionPad1d((2, 1))(x).tolist()[0][1] == [
        8.0,
        7.0,
        6.0,
        7.0,
        8.0,
        9.0,
        10.0,
        11.0,
        10.0,
    ]
    assert nn.CircularPad1d((1, 2))(x).tolist()[0][0] == [
        5.0,
        0.0,
        1.0,
        2.0,
        3.0,
        4.0,
        5.0,
        0.0,
        1.0,
    ]
    assert nn.ReplicationPad1d((2, 0))(x).tolist()[0][1] == [
        6.0,
        6.0,
        6.0,
        7.0,
        8.0,
        9.0,
        10.0,
        11.0,
    ]
    assert nn.ZeroPad1d(1)(x[0]).tolist()[0] == [0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 0.0]
    with pytest.raises(ValueError, match=r"^expected 2D or 3D input \(got 1D input\)$"):
        nn.CircularPad1d(1)(torch.ones(4))
    with pytest.raises(ValueError, match=r"^expected 4D or 5D input \(got 3D input\)$"):
        nn.CircularPad3d(1)(torch.ones(2, 2, 2))


def test_upsample_fold_shuffle():
    cases = [
        (
            nn.Upsample(size=4, mode="linear", align_corners=False),
            "Upsample(size=4, mode='linear')",
        ),
        (
            nn.Upsample(scale_factor=(2, 3), mode="nearest-exact"),
            "Upsample(scale_factor=(2.0, 3.0), mode='nearest-exact')",
        ),
        (nn.Upsample(scale_factor=0), "Upsample(size=None, mode='nearest')"),
        (nn.UpsamplingNearest2d(size=(3, 4)), "UpsamplingNearest2d(size=(3, 4), mode='nearest')"),
        (
            nn.Unfold((2, 3), dilation=2, padding=1, stride=(1, 2)),
            "Unfold(kernel_size=(2, 3), dilation=2, padding=1, stride=(1, 2))",
        ),
        (nn.PixelUnshuffle(3), "PixelUnshuffle(downscale_factor=3)"),
    ]
    for m, text in cases:
        assert repr(m) == text
    assert nn.Upsample(scale_factor=(2, 3)).scale_factor == (2.0, 3.0)
    assert nn.UpsamplingNearest2d(size=(3, 4)).name == "UpsamplingNearest2d"
    m = nn.UpsamplingBilinear2d(scale_factor=2)
    assert (m.align_corners, m.mode, m.name, m.recompute_scale_factor) == (
        True,
        "bilinear",
        "UpsamplingBilinear2d",
        None,
    )
    got = nn.UpsamplingBilinear2d(size=(3, 3))(torch.arange(4.0).reshape(1, 1, 2, 2))
    assert got.tolist() == [[[[0.0, 0.5, 1.0], [1.0, 1.5, 2.0], [2.0, 2.5, 3.0]]]]
    assert nn.Unfold(2, stride=2)(torch.arange(16.0).reshape(1, 1, 4, 4)).tolist() == [
        [
            [0.0, 2.0, 8.0, 10.0],
            [1.0, 3.0, 9.0, 11.0],
            [4.0, 6.0, 12.0, 14.0],
            [5.0, 7.0, 13.0, 15.0],
        ]
    ]
    assert nn.Fold((3, 3), 2)(torch.ones(1, 4, 4)).tolist() == [
        [[[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]]
    ]
    assert nn.ChannelShuffle(2)(torch.arange(4.0).reshape(1, 4, 1, 1)).flatten().tolist() == [
        0.0,
        2.0,
        1.0,
        3.0,
    ]
