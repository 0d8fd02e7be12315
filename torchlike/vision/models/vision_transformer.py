"""torchvision.models.vision_transformer: ViT-B/16."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

from ... import cat, nn, zeros
from ._api import WeightsEnum, _override, builder, load_weights
from ._layers import MLP, Conv2dNormActivation
from ._meta import _acc, _weights

__all__ = ["VisionTransformer", "ViT_B_16_Weights", "vit_b_16"]


class ConvStemConfig(NamedTuple):
    out_channels: int
    kernel_size: int
    stride: int
    norm_layer: Callable[..., nn.Module] = nn.BatchNorm2d
    activation_layer: Callable[..., nn.Module] = nn.ReLU


class MLPBlock(MLP):
    """torchvision's transformer MLP block: Linear-GELU-Dropout-Linear-Dropout."""

    _version = 2

    def __init__(self, in_dim: int, mlp_dim: int, dropout: float) -> None:
        super().__init__(in_dim, [mlp_dim, in_dim], activation_layer=nn.GELU, inplace=None,
                         dropout=dropout)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.normal_(m.bias, std=1e-6)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        # version-1 checkpoints named the two linears linear_1 / linear_2 (now children 0 and 3)
        if (local_metadata.get("version") or 0) < 2:
            for i in (1, 2):
                for kind in ("weight", "bias"):
                    old = f"{prefix}linear_{i}.{kind}"
                    if old in state_dict:
                        state_dict[f"{prefix}{3 * (i - 1)}.{kind}"] = state_dict.pop(old)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)


def _check_tokens(input) -> None:
    if input.dim() != 3:
        raise AssertionError(f"Expected (batch_size, seq_length, hidden_dim) got {input.shape}")


class EncoderBlock(nn.Module):
    """torchvision's pre-norm transformer encoder block (self-attention, then the MLP)."""

    def __init__(self, num_heads: int, hidden_dim: int, mlp_dim: int, dropout: float,
                 attention_dropout: float,
                 norm_layer: Callable[..., nn.Module] = partial(nn.LayerNorm, eps=1e-6)) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.ln_1 = norm_layer(hidden_dim)
        self.self_attention = nn.MultiheadAttention(hidden_dim, num_heads,
                                                    dropout=attention_dropout, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.ln_2 = norm_layer(hidden_dim)
        self.mlp = MLPBlock(hidden_dim, mlp_dim, dropout)

    def forward(self, input):
        _check_tokens(input)
        x = self.ln_1(input)
        x, _ = self.self_attention(x, x, x, need_weights=False)
        x = self.dropout(x) + input
        return x + self.mlp(self.ln_2(x))


class Encoder(nn.Module):
    """torchvision's ViT encoder: learned position embeddings, the blocks, a final norm."""

    def __init__(self, seq_length: int, num_layers: int, num_heads: int, hidden_dim: int,
                 mlp_dim: int, dropout: float, attention_dropout: float,
                 norm_layer: Callable[..., nn.Module] = partial(nn.LayerNorm, eps=1e-6)) -> None:
        super().__init__()
        self.pos_embedding = nn.Parameter(
            zeros(1, seq_length, hidden_dim).normal_(std=0.02))  # BERT's init
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.Sequential(OrderedDict(
            (f"encoder_layer_{i}", EncoderBlock(num_heads, hidden_dim, mlp_dim, dropout,
                                                attention_dropout, norm_layer))
            for i in range(num_layers)))
        self.ln = norm_layer(hidden_dim)

    def forward(self, input):
        _check_tokens(input)
        return self.ln(self.layers(self.dropout(input + self.pos_embedding)))


class VisionTransformer(nn.Module):
    """torchvision.models.VisionTransformer (An Image is Worth 16x16 Words)."""

    def __init__(self, image_size: int, patch_size: int, num_layers: int, num_heads: int,
                 hidden_dim: int, mlp_dim: int, dropout: float = 0.0,
                 attention_dropout: float = 0.0, num_classes: int = 1000,
                 representation_size: int | None = None,
                 norm_layer: Callable[..., nn.Module] = partial(nn.LayerNorm, eps=1e-6),
                 conv_stem_configs: list[ConvStemConfig] | None = None) -> None:
        super().__init__()
        if image_size % patch_size != 0:
            raise AssertionError("Input shape indivisible by patch size!")
        self.image_size = image_size
        self.patch_size = patch_size
        self.hidden_dim = hidden_dim
        self.mlp_dim = mlp_dim
        self.attention_dropout = attention_dropout
        self.dropout = dropout
        self.num_classes = num_classes
        self.representation_size = representation_size
        self.norm_layer = norm_layer

        if conv_stem_configs is not None:  # Early Convolutions Help Transformers See Better
            stem = nn.Sequential()
            prev = 3
            for i, c in enumerate(conv_stem_configs):
                stem.add_module(f"conv_bn_relu_{i}", Conv2dNormActivation(
                    in_channels=prev, out_channels=c.out_channels, kernel_size=c.kernel_size,
                    stride=c.stride, norm_layer=c.norm_layer, activation_layer=c.activation_layer))
                prev = c.out_channels
            stem.add_module("conv_last", nn.Conv2d(prev, hidden_dim, kernel_size=1))
            self.conv_proj: nn.Module = stem
        else:
            self.conv_proj = nn.Conv2d(3, hidden_dim, kernel_size=patch_size, stride=patch_size)

        seq_length = (image_size // patch_size) ** 2 + 1  # + the class token
        self.class_token = nn.Parameter(zeros(1, 1, hidden_dim))
        self.encoder = Encoder(seq_length, num_layers, num_heads, hidden_dim, mlp_dim, dropout,
                               attention_dropout, norm_layer)
        self.seq_length = seq_length

        heads: OrderedDict[str, nn.Module] = OrderedDict()
        if representation_size is None:
            heads["head"] = nn.Linear(hidden_dim, num_classes)
        else:
            heads["pre_logits"] = nn.Linear(hidden_dim, representation_size)
            heads["act"] = nn.Tanh()
            heads["head"] = nn.Linear(representation_size, num_classes)
        self.heads = nn.Sequential(heads)

        if isinstance(self.conv_proj, nn.Conv2d):
            k = self.conv_proj.kernel_size
            fan_in = self.conv_proj.in_channels * k[0] * k[1]
            nn.init.trunc_normal_(self.conv_proj.weight, std=math.sqrt(1 / fan_in))
            if self.conv_proj.bias is not None:
                nn.init.zeros_(self.conv_proj.bias)
        elif isinstance(getattr(self.conv_proj, "conv_last", None), nn.Conv2d):
            last = self.conv_proj.conv_last
            nn.init.normal_(last.weight, mean=0.0, std=math.sqrt(2.0 / last.out_channels))
            if last.bias is not None:
                nn.init.zeros_(last.bias)
        if isinstance(getattr(self.heads, "pre_logits", None), nn.Linear):
            pre = self.heads.pre_logits
            nn.init.trunc_normal_(pre.weight, std=math.sqrt(1 / pre.in_features))
            nn.init.zeros_(pre.bias)
        if isinstance(self.heads.head, nn.Linear):
            nn.init.zeros_(self.heads.head.weight)
            nn.init.zeros_(self.heads.head.bias)

    def _process_input(self, x):
        """Patchify: (n, c, h, w) -> (n, (h/p)*(w/p), hidden_dim)."""
        n, _, h, w = x.shape
        p = self.patch_size
        if h != self.image_size:
            raise AssertionError(f"Wrong image height! Expected {self.image_size} but got {h}!")
        if w != self.image_size:
            raise AssertionError(f"Wrong image width! Expected {self.image_size} but got {w}!")
        x = self.conv_proj(x)
        return x.reshape(n, self.hidden_dim, (h // p) * (w // p)).permute(0, 2, 1)

    def forward(self, x):
        x = self._process_input(x)
        x = cat([self.class_token.expand(x.shape[0], -1, -1), x], dim=1)
        return self.heads(self.encoder(x)[:, 0])


_URL = "https://download.pytorch.org/models/"
_SWAG = {"recipe": "https://github.com/facebookresearch/SWAG",
         "license": "https://github.com/facebookresearch/SWAG/blob/main/LICENSE"}


class ViT_B_16_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(
        _URL + "vit_b_16-c867db91.pth",
        {"num_params": 86567656, "min_size": (224, 224),
         "recipe": "https://github.com/pytorch/vision/tree/main/references/classification"
                   "#vit_b_16",
         "_metrics": _acc(81.072, 95.318), "_ops": 17.564, "_file_size": 330.285},
        crop_size=224)
    IMAGENET1K_SWAG_E2E_V1 = _weights(
        _URL + "vit_b_16_swag-9ac1b537.pth",
        {**_SWAG, "num_params": 86859496, "min_size": (384, 384),
         "_metrics": _acc(85.304, 97.65), "_ops": 55.484, "_file_size": 331.398},
        crop_size=384, resize_size=384, interpolation="bicubic")
    IMAGENET1K_SWAG_LINEAR_V1 = _weights(
        _URL + "vit_b_16_lc_swag-4e70ced5.pth",
        {**_SWAG, "recipe": "https://github.com/pytorch/vision/pull/5793", "num_params": 86567656,
         "min_size": (224, 224), "_metrics": _acc(81.886, 96.18), "_ops": 17.564,
         "_file_size": 330.285}, crop_size=224, resize_size=224, interpolation="bicubic")
    DEFAULT = IMAGENET1K_V1


# name: (patch size, layers, heads, hidden dim, MLP dim, weights enum)
_ARCHS = {"vit_b_16": (16, 12, 12, 768, 3072, ViT_B_16_Weights)}


def _builder(name: str):
    patch, layers, heads, hidden, mlp, enum_cls = _ARCHS[name]

    def make(weights, progress, kwargs: dict[str, Any]):
        if weights is not None:
            _override(kwargs, "num_classes", len(weights.meta["categories"]))
            _override(kwargs, "image_size", weights.meta["min_size"][0])
        image_size = kwargs.pop("image_size", 224)
        model = VisionTransformer(image_size=image_size, patch_size=patch, num_layers=layers,
                                  num_heads=heads, hidden_dim=hidden, mlp_dim=mlp, **kwargs)
        return load_weights(model, weights, progress)

    return builder(name, enum_cls, make, f"ViT-B/{patch} from `An Image is Worth 16x16 Words` "
                   f"(torchvision.models.{name}); kwargs (image_size, dropout, ...) go to "
                   "VisionTransformer.")


vit_b_16 = _builder("vit_b_16")
