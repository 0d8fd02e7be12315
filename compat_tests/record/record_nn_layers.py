"""Record torch.nn layer behaviour for compat_tests/test_nn_layers.py (run with torch 2.13).

For every case: build the module from its constructor expression, record its state_dict (the
weights torchlike loads), repr and state_dict keys, run it on deterministic inputs, and
record the outputs, the gradients of sum(output * cotangent) with respect to float inputs and
parameters, and the state_dict after the call (running statistics).  Also saves a small model's
state_dict with ``torch.save`` plus its input/output.

    /work/tvenv/bin/python compat_tests/record/record_nn_layers.py
"""

from __future__ import annotations

import json
from collections import OrderedDict  # noqa: F401 - used by constructor expressions
from pathlib import Path

import numpy as np
import torch
from torch import nn  # noqa: F401 - used by constructor expressions

OUT = Path(__file__).resolve().parents[1] / "fixtures"

# (name, constructor, inputs, mode[, kwargs]); an input is (shape, kind[, arg]):
#   f: randn, p: positive, prob: in (0, 1), pm1: +-1 floats, i: int64 in [0, arg),
#   logsm: log_softmax(randn, -1), c: constant given as arg (list, int64 when ints)
CASES = [
    # linear
    ("linear", "nn.Linear(4, 3)", [((2, 4), "f")], "train"),
    ("linear_nobias_3d", "nn.Linear(4, 3, bias=False)", [((5, 2, 4), "f")], "train"),
    ("bilinear", "nn.Bilinear(3, 4, 2)", [((2, 3), "f"), ((2, 4), "f")], "train"),
    ("identity", "nn.Identity(54, unused='x')", [((2, 3), "f")], "train"),
    # convolution
    ("conv1d", "nn.Conv1d(2, 4, 3)", [((2, 2, 7), "f")], "train"),
    ("conv1d_strided", "nn.Conv1d(2, 4, 3, stride=2, padding=1, dilation=2)",
     [((2, 2, 9), "f")], "train"),
    ("conv2d", "nn.Conv2d(2, 4, 3, padding=1)", [((1, 2, 5, 5), "f")], "train"),
    ("conv2d_groups_same_reflect", "nn.Conv2d(4, 4, 3, groups=2, padding='same', "
     "padding_mode='reflect')", [((1, 4, 5, 6), "f")], "train"),
    ("conv2d_circular", "nn.Conv2d(2, 3, (2, 3), stride=(2, 1), padding=1, "
     "padding_mode='circular', bias=False)", [((2, 2, 5, 5), "f")], "train"),
    ("conv2d_unbatched", "nn.Conv2d(2, 3, 2, padding_mode='replicate', padding=1)",
     [((2, 4, 4), "f")], "train"),
    ("conv3d", "nn.Conv3d(2, 3, 2)", [((1, 2, 4, 4, 4), "f")], "train"),
    ("conv_transpose1d", "nn.ConvTranspose1d(2, 3, 3, stride=2)", [((2, 2, 5), "f")], "train"),
    ("conv_transpose2d", "nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1)",
     [((1, 2, 4, 4), "f")], "train"),
    ("conv_transpose2d_groups", "nn.ConvTranspose2d(4, 2, 2, groups=2, dilation=2)",
     [((1, 4, 3, 3), "f")], "train"),
    ("conv_transpose3d", "nn.ConvTranspose3d(2, 2, 2)", [((1, 2, 3, 3, 3), "f")], "train"),
    # pooling
    ("maxpool1d", "nn.MaxPool1d(2)", [((2, 3, 8), "f")], "train"),
    ("maxpool2d", "nn.MaxPool2d(3, stride=2, padding=1)", [((1, 2, 7, 7), "f")], "train"),
    ("maxpool2d_ceil", "nn.MaxPool2d(2, ceil_mode=True)", [((1, 2, 5, 5), "f")], "train"),
    ("maxpool3d", "nn.MaxPool3d(2)", [((1, 2, 4, 4, 4), "f")], "train"),
    ("avgpool1d", "nn.AvgPool1d(3, stride=2)", [((2, 3, 8), "f")], "train"),
    ("avgpool2d_pad", "nn.AvgPool2d(2, padding=1, count_include_pad=False)",
     [((1, 2, 5, 5), "f")], "train"),
    ("avgpool3d", "nn.AvgPool3d(2)", [((1, 2, 4, 4, 4), "f")], "train"),
    ("adaptive_avgpool1d", "nn.AdaptiveAvgPool1d(3)", [((2, 3, 7), "f")], "train"),
    ("adaptive_avgpool2d", "nn.AdaptiveAvgPool2d((2, 3))", [((1, 2, 5, 7), "f")], "train"),
    ("adaptive_avgpool3d", "nn.AdaptiveAvgPool3d(2)", [((1, 2, 4, 5, 3), "f")], "train"),
    ("adaptive_maxpool1d", "nn.AdaptiveMaxPool1d(3)", [((2, 3, 7), "f")], "train"),
    ("adaptive_maxpool2d", "nn.AdaptiveMaxPool2d(2)", [((1, 2, 5, 5), "f")], "train"),
    ("lppool1d", "nn.LPPool1d(2, 3)", [((2, 3, 7), "p")], "train"),
    ("lppool2d", "nn.LPPool2d(2, 2)", [((1, 2, 4, 4), "p")], "train"),
    # normalization
    ("batchnorm1d", "nn.BatchNorm1d(3)", [((4, 3), "f")], "train"),
    ("batchnorm1d_3d", "nn.BatchNorm1d(3, momentum=None)", [((4, 3, 5), "f")], "train"),
    ("batchnorm2d", "nn.BatchNorm2d(3)", [((2, 3, 4, 4), "f")], "train"),
    ("batchnorm2d_eval", "nn.BatchNorm2d(3)", [((2, 3, 4, 4), "f")], "eval"),
    ("batchnorm3d", "nn.BatchNorm3d(2, eps=1e-3, momentum=0.3)", [((2, 2, 3, 3, 3), "f")],
     "train"),
    ("batchnorm1d_noaffine", "nn.BatchNorm1d(3, affine=False, track_running_stats=False)",
     [((4, 3), "f")], "eval"),
    ("layernorm", "nn.LayerNorm(4)", [((2, 3, 4), "f")], "train"),
    ("layernorm_noaffine", "nn.LayerNorm([3, 4], elementwise_affine=False)",
     [((2, 3, 4), "f")], "train"),
    ("layernorm_nobias", "nn.LayerNorm(4, bias=False, eps=1e-3)", [((3, 4), "f")], "train"),
    ("groupnorm", "nn.GroupNorm(2, 4)", [((2, 4, 3), "f")], "train"),
    ("instancenorm1d", "nn.InstanceNorm1d(3)", [((2, 3, 5), "f")], "train"),
    ("instancenorm2d_stats", "nn.InstanceNorm2d(3, affine=True, track_running_stats=True)",
     [((2, 3, 4, 4), "f")], "train"),
    ("instancenorm3d", "nn.InstanceNorm3d(2)", [((1, 2, 3, 3, 3), "f")], "train"),
    ("rmsnorm", "nn.RMSNorm(4)", [((2, 3, 4), "f")], "train"),
    ("rmsnorm_eps", "nn.RMSNorm([3, 4], eps=1e-5)", [((2, 3, 4), "f")], "train"),
    ("local_response_norm", "nn.LocalResponseNorm(2)", [((2, 4, 3, 3), "f")], "train"),
    # dropout (eval: identity)
    ("dropout_eval", "nn.Dropout(0.5)", [((3, 4), "f")], "eval"),
    ("dropout2d_eval", "nn.Dropout2d(0.3)", [((2, 3, 4, 4), "f")], "eval"),
    ("alpha_dropout_eval", "nn.AlphaDropout(0.2)", [((3, 4), "f")], "eval"),
    ("dropout_p0_train", "nn.Dropout(0.0)", [((3, 4), "f")], "train"),
    # sparse
    ("embedding", "nn.Embedding(10, 3)", [((2, 4), "i", 10)], "train"),
    ("embedding_padding", "nn.Embedding(10, 3, padding_idx=0)",
     [((2, 4), "c", [[0, 1, 2, 0], [3, 0, 9, 1]])], "train"),
    ("embedding_max_norm", "nn.Embedding(6, 3, max_norm=1.0)",
     [((5,), "c", [0, 2, 2, 5, 1])], "train"),
    ("embedding_bag_mean", "nn.EmbeddingBag(10, 3)", [((2, 4), "i", 10)], "train"),
    ("embedding_bag_max", "nn.EmbeddingBag(10, 3, mode='max')", [((2, 4), "i", 10)], "train"),
    ("embedding_bag_sum_offsets", "nn.EmbeddingBag(10, 3, mode='sum')",
     [((6,), "c", [1, 2, 4, 5, 4, 3]), ((2,), "c", [0, 3])], "train"),
    # activations
    *[(f"act_{e.split('(')[0].lower()}", f"nn.{e}", [((2, 3, 4), "f")], "train") for e in [
        "ReLU()", "ReLU6()", "LeakyReLU(0.2)", "PReLU()", "ELU()", "CELU(0.5)", "SELU()",
        "GELU()", "SiLU()", "Mish()", "Sigmoid()", "Tanh()", "Hardtanh(-0.5, 0.5)",
        "Hardsigmoid()", "Hardswish()", "Hardshrink()", "Softshrink(0.3)", "Tanhshrink()",
        "Softsign()", "Softplus(beta=2, threshold=1)", "LogSigmoid()", "Threshold(0.1, 20.0)",
        "GLU()", "Softmax(dim=1)", "LogSoftmax(dim=-1)", "Softmin(dim=0)"]],
    ("act_gelu_tanh", "nn.GELU(approximate='tanh')", [((2, 3, 4), "f")], "train"),
    ("act_prelu3", "nn.PReLU(3, init=0.1)", [((2, 3, 4), "f")], "train"),
    ("act_softmax2d", "nn.Softmax2d()", [((1, 3, 2, 2), "f")], "train"),
    ("act_rrelu_eval", "nn.RReLU(0.1, 0.3)", [((2, 3, 4), "f")], "eval"),
    # losses
    ("loss_mse", "nn.MSELoss()", [((3, 4), "f"), ((3, 4), "f")], "train"),
    ("loss_l1_sum", "nn.L1Loss(reduction='sum')", [((3, 4), "f"), ((3, 4), "f")], "train"),
    ("loss_smooth_l1", "nn.SmoothL1Loss(beta=0.5)", [((3, 4), "f"), ((3, 4), "f")], "train"),
    ("loss_huber", "nn.HuberLoss(delta=0.5, reduction='none')", [((3, 4), "f"), ((3, 4), "f")],
     "train"),
    ("loss_ce", "nn.CrossEntropyLoss()", [((3, 5), "f"), ((3,), "i", 5)], "train"),
    ("loss_ce_smooth_ignore", "nn.CrossEntropyLoss(label_smoothing=0.1, ignore_index=1)",
     [((4, 3), "f"), ((4,), "c", [0, 1, 2, 2])], "train"),
    ("loss_ce_weight", "nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 0.5]))",
     [((2, 3, 4), "f"), ((2, 4), "i", 3)], "train"),
    ("loss_ce_probs", "nn.CrossEntropyLoss()", [((3, 4), "f"), ((3, 4), "prob!")], "train"),
    ("loss_nll", "nn.NLLLoss(reduction='none')", [((3, 5), "logsm"), ((3,), "i", 5)], "train"),
    ("loss_bce", "nn.BCELoss()", [((3, 4), "prob"), ((3, 4), "prob!")], "train"),
    ("loss_bce_logits", "nn.BCEWithLogitsLoss(pos_weight=torch.tensor([1.0, 2.0, 3.0, 0.5]))",
     [((3, 4), "f"), ((3, 4), "prob!")], "train"),
    ("loss_kldiv", "nn.KLDivLoss(reduction='batchmean')", [((3, 4), "logsm"), ((3, 4), "prob!")],
     "train"),
    ("loss_kldiv_logtarget", "nn.KLDivLoss(log_target=True)",
     [((3, 4), "logsm"), ((3, 4), "logsm!")], "train"),
    ("loss_poisson", "nn.PoissonNLLLoss()", [((3, 4), "f"), ((3, 4), "p!")], "train"),
    ("loss_poisson_full", "nn.PoissonNLLLoss(log_input=False, full=True)",
     [((3, 4), "p"), ((3, 4), "c", [[0, 1, 2, 3], [4, 5, 0, 1], [2, 3, 4, 5]])], "train"),
    ("loss_gaussian_nll", "nn.GaussianNLLLoss()", [((3, 4), "f"), ((3, 4), "f!"), ((3, 4), "p")],
     "train"),
    ("loss_cosine_embedding", "nn.CosineEmbeddingLoss(margin=0.2)",
     [((3, 4), "f"), ((3, 4), "f"), ((3,), "pm1")], "train"),
    ("loss_margin_ranking", "nn.MarginRankingLoss(0.1)", [((4,), "f"), ((4,), "f"), ((4,), "pm1")],
     "train"),
    ("loss_triplet", "nn.TripletMarginLoss()", [((3, 4), "f"), ((3, 4), "f"), ((3, 4), "f")],
     "train"),
    ("loss_triplet_distance", "nn.TripletMarginWithDistanceLoss(margin=0.5, swap=True)",
     [((3, 4), "f"), ((3, 4), "f"), ((3, 4), "f")], "train"),
    ("loss_hinge_embedding", "nn.HingeEmbeddingLoss()", [((3, 4), "f"), ((3, 4), "pm1")], "train"),
    ("loss_soft_margin", "nn.SoftMarginLoss()", [((3, 4), "f"), ((3, 4), "pm1")], "train"),
    ("loss_multilabel_margin", "nn.MultiLabelMarginLoss()",
     [((2, 4), "f"), ((2, 4), "c", [[3, 0, -1, 1], [1, 2, 3, -1]])], "train"),
    ("loss_multilabel_soft_margin", "nn.MultiLabelSoftMarginLoss()",
     [((2, 4), "f"), ((2, 4), "c", [[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 1.0]])], "train"),
    ("loss_multi_margin", "nn.MultiMarginLoss(p=1, margin=0.5)", [((3, 4), "f"), ((3,), "i", 4)],
     "train"),
    ("loss_ctc", "nn.CTCLoss()", [((6, 2, 4), "logsm"), ((2, 3), "c", [[1, 2, 2], [3, 1, 0]]),
                                  ((2,), "c", [6, 5]), ((2,), "c", [3, 2])], "train"),
    # shape / misc
    ("pixel_shuffle", "nn.PixelShuffle(2)", [((1, 8, 2, 3), "f")], "train"),
    ("pixel_unshuffle", "nn.PixelUnshuffle(2)", [((1, 2, 4, 6), "f")], "train"),
    ("upsample_nearest", "nn.Upsample(scale_factor=2)", [((1, 2, 3, 3), "f")], "train"),
    ("upsample_bilinear", "nn.Upsample(size=(5, 7), mode='bilinear')", [((1, 2, 3, 4), "f")],
     "train"),
    ("upsample_bicubic_ac", "nn.Upsample(scale_factor=2, mode='bicubic', align_corners=True)",
     [((1, 1, 3, 3), "f")], "train"),
    ("upsample_linear", "nn.Upsample(scale_factor=1.5, mode='linear')", [((1, 2, 4), "f")],
     "train"),
    ("upsampling_nearest2d", "nn.UpsamplingNearest2d(scale_factor=2)", [((1, 2, 2, 3), "f")],
     "train"),
    ("upsampling_bilinear2d", "nn.UpsamplingBilinear2d(scale_factor=2)", [((1, 2, 2, 3), "f")],
     "train"),
    ("unfold", "nn.Unfold(kernel_size=2)", [((1, 2, 3, 4), "f")], "train"),
    ("fold", "nn.Fold(output_size=(3, 4), kernel_size=2)", [((1, 8, 6), "f")], "train"),
    ("zeropad2d", "nn.ZeroPad2d((1, 2, 0, 1))", [((1, 2, 3, 3), "f")], "train"),
    ("constantpad1d", "nn.ConstantPad1d(2, 3.5)", [((1, 2, 4), "f")], "train"),
    ("constantpad3d", "nn.ConstantPad3d(1, 0.0)", [((1, 1, 2, 2, 2), "f")], "train"),
    ("reflectionpad1d", "nn.ReflectionPad1d(2)", [((1, 2, 5), "f")], "train"),
    ("reflectionpad2d", "nn.ReflectionPad2d((1, 0, 2, 1))", [((1, 2, 4, 4), "f")], "train"),
    ("reflectionpad3d", "nn.ReflectionPad3d(1)", [((1, 1, 3, 3, 3), "f")], "train"),
    ("replicationpad1d", "nn.ReplicationPad1d((1, 3))", [((1, 2, 4), "f")], "train"),
    ("replicationpad2d", "nn.ReplicationPad2d(1)", [((1, 2, 3, 3), "f")], "train"),
    ("replicationpad3d", "nn.ReplicationPad3d(1)", [((1, 1, 2, 3, 2), "f")], "train"),
    ("circularpad1d", "nn.CircularPad1d(2)", [((1, 2, 4), "f")], "train"),
    ("circularpad2d", "nn.CircularPad2d((1, 1, 2, 0))", [((1, 2, 3, 3), "f")], "train"),
    ("circularpad3d", "nn.CircularPad3d(1)", [((1, 1, 2, 3, 2), "f")], "train"),
    ("cosine_similarity", "nn.CosineSimilarity(dim=1)", [((3, 4), "f"), ((3, 4), "f")], "train"),
    ("pairwise_distance", "nn.PairwiseDistance(p=1.0)", [((3, 4), "f"), ((3, 4), "f")], "train"),
    ("channel_shuffle", "nn.ChannelShuffle(2)", [((1, 4, 2, 2), "f")], "train"),
    ("flatten", "nn.Flatten()", [((2, 3, 4), "f")], "train"),
    ("unflatten", "nn.Unflatten(1, (2, 3))", [((2, 6), "f")], "train"),
    # recurrent
    ("rnn", "nn.RNN(3, 4)", [((5, 2, 3), "f")], "train"),
    ("rnn_relu_2layer_bf", "nn.RNN(3, 4, num_layers=2, nonlinearity='relu', batch_first=True)",
     [((2, 5, 3), "f")], "train"),
    ("rnn_h0", "nn.RNN(3, 4, bias=False)", [((5, 2, 3), "f"), ((1, 2, 4), "f")], "train"),
    ("lstm", "nn.LSTM(3, 4)", [((5, 2, 3), "f")], "train"),
    ("lstm_2layer_bidir", "nn.LSTM(3, 4, num_layers=2, bidirectional=True, dropout=0.5)",
     [((4, 2, 3), "f")], "eval"),
    ("lstm_proj", "nn.LSTM(3, 5, proj_size=2, batch_first=True)", [((2, 4, 3), "f")], "train"),
    ("gru_bidir_bf", "nn.GRU(3, 4, bidirectional=True, batch_first=True)", [((2, 5, 3), "f")],
     "train"),
    ("gru_unbatched", "nn.GRU(3, 4)", [((5, 3), "f")], "train"),
    ("rnn_cell", "nn.RNNCell(3, 4)", [((2, 3), "f")], "train"),
    ("rnn_cell_relu_h", "nn.RNNCell(3, 4, nonlinearity='relu')", [((2, 3), "f"), ((2, 4), "f")],
     "train"),
    ("lstm_cell", "nn.LSTMCell(3, 4)", [((2, 3), "f")], "train"),
    ("gru_cell", "nn.GRUCell(3, 4)", [((3,), "f"), ((4,), "f")], "train"),
    # attention / transformer (dropout 0 or eval: deterministic)
    ("mha", "nn.MultiheadAttention(8, 2)", [((3, 2, 8), "f"), ((4, 2, 8), "f"), ((4, 2, 8), "f")],
     "eval"),
    ("mha_kdim_bf", "nn.MultiheadAttention(8, 2, batch_first=True, kdim=4, vdim=6)",
     [((2, 3, 8), "f"), ((2, 5, 4), "f"), ((2, 5, 6), "f")], "train"),
    ("mha_bias_kv", "nn.MultiheadAttention(4, 1, add_bias_kv=True, add_zero_attn=True)",
     [((3, 2, 4), "f"), ((3, 2, 4), "f"), ((3, 2, 4), "f")], "train"),
    ("mha_masks", "nn.MultiheadAttention(4, 2)",
     [((3, 2, 4), "f"), ((3, 2, 4), "f"), ((3, 2, 4), "f")], "train",
     {"key_padding_mask": ((2, 3), "c", [[False, False, True], [False, False, False]]),
      "average_attn_weights": False}),
    ("transformer_encoder_layer", "nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0)",
     [((3, 2, 8), "f")], "train"),
    ("transformer_encoder_layer_gelu_nf", "nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, "
     "activation='gelu', batch_first=True, norm_first=True)", [((2, 3, 8), "f")], "train"),
    ("transformer_decoder_layer", "nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0)",
     [((3, 2, 8), "f"), ((4, 2, 8), "f")], "train"),
    ("transformer_encoder", "nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, "
     "dropout=0.0), 2, enable_nested_tensor=False)", [((3, 2, 8), "f")], "train"),
    ("transformer_encoder_padded_eval", "nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, "
     "16, batch_first=True), 2)", [((2, 4, 8), "f")], "eval",
     {"src_key_padding_mask": ((2, 4), "c", [[False, False, False, True],
                                             [False, False, False, False]])}),
    ("transformer_decoder", "nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16, "
     "dropout=0.0), 2, norm=nn.LayerNorm(8))", [((3, 2, 8), "f"), ((4, 2, 8), "f")], "train"),
    ("transformer", "nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, "
     "num_decoder_layers=1, dim_feedforward=16, dropout=0.0)",
     [((4, 2, 8), "f"), ((3, 2, 8), "f")], "train"),
    # containers
    ("sequential", "nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Sequential(nn.Linear(8, 8), "
     "nn.Tanh()), nn.Linear(8, 2))", [((3, 4), "f")], "train"),
    ("sequential_ordered", "nn.Sequential(OrderedDict([('conv', nn.Conv2d(1, 2, 3)), "
     "('bn', nn.BatchNorm2d(2)), ('act', nn.ReLU()), ('pool', nn.MaxPool2d(2)), "
     "('flat', nn.Flatten()), ('fc', nn.Linear(8, 3))]))", [((2, 1, 6, 6), "f")], "train"),
    ("adaptive_log_softmax", "nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs=[3, 6], div_value=2.0)",
     [((5, 8), "f"), ((5,), "c", [0, 4, 9, 2, 7])], "train"),
    ("loss_linear_cross_entropy", "nn.LinearCrossEntropyLoss(4, 5, bias=True, "
     "label_smoothing=0.1)", [((3, 4), "f"), ((3,), "i", 5)], "train"),
]

FLOAT_KINDS = {"f", "p", "prob", "logsm"}  # these require grad; "pm1" and a "!" suffix do not


def make_input(rng, spec):
    shape, kind = spec[0], spec[1].rstrip("!")
    if kind == "c":
        v = np.asarray(spec[2])
        return v.astype(np.int64) if v.dtype.kind in "iu" else v.astype(
            np.float32) if v.dtype.kind == "f" else v
    if kind == "i":
        return rng.integers(0, spec[2], size=shape).astype(np.int64)
    x = rng.standard_normal(shape).astype(np.float32)
    if kind == "p":
        return (np.abs(x) + 0.1).astype(np.float32)
    if kind == "prob":
        return (1 / (1 + np.exp(-x))).astype(np.float32)
    if kind == "pm1":
        return np.where(x >= 0, 1.0, -1.0).astype(np.float32)
    if kind == "logsm":
        e = x - x.max(-1, keepdims=True)
        return (e - np.log(np.exp(e).sum(-1, keepdims=True))).astype(np.float32)
    return x


def flatten(out):
    if isinstance(out, torch.Tensor):
        return [out]
    if out is None:
        return []
    res = []
    for o in out:
        res.extend(flatten(o))
    return res


def record_case(rng, arrays, case):
    name, ctor, specs, mode = case[:4]
    kwspecs = case[4] if len(case) > 4 else {}
    torch.manual_seed(0)
    m = eval(ctor)
    m.train(mode == "train")
    if name == "batchnorm2d_eval" or name == "lstm_2layer_bidir":
        with torch.no_grad():  # non-trivial running stats / weights
            for b in m.buffers():
                if b.is_floating_point():
                    b.copy_(torch.from_numpy(rng.random(tuple(b.shape)).astype(np.float32)) + 0.5)
    sd = m.state_dict()
    meta = {"ctor": ctor, "mode": mode, "repr": repr(m), "keys": list(sd.keys()),
            "inputs": [], "kwargs": {}, "outputs": 0, "params": []}
    for k, v in sd.items():
        arrays[f"{name}/sd/{k}"] = v.detach().numpy().copy()
    ins = []
    for i, spec in enumerate(specs):
        a = make_input(rng, spec)
        arrays[f"{name}/in{i}"] = a
        t = torch.from_numpy(a)
        if spec[1] in FLOAT_KINDS:
            t.requires_grad_(True)
        ins.append(t)
        meta["inputs"].append(spec[1] in FLOAT_KINDS)
    kwargs = {}
    for k, spec in kwspecs.items():
        if isinstance(spec, tuple):
            a = make_input(rng, spec)
            arrays[f"{name}/kw/{k}"] = a
            kwargs[k] = torch.from_numpy(a)
            meta["kwargs"][k] = "array"
        else:
            kwargs[k] = spec
            meta["kwargs"][k] = spec
    outs = flatten(m(*ins, **kwargs))
    meta["outputs"] = len(outs)
    loss = 0
    for j, o in enumerate(outs):
        arrays[f"{name}/out{j}"] = o.detach().numpy().copy()
        if o.is_floating_point() and o.requires_grad:
            cot = rng.standard_normal(tuple(o.shape)).astype(np.float32)
            arrays[f"{name}/cot{j}"] = cot
            loss = loss + (o * torch.from_numpy(cot)).sum()
    if isinstance(loss, torch.Tensor):
        loss.backward()
    for i, t in enumerate(ins):
        if t.grad is not None:
            arrays[f"{name}/gin{i}"] = t.grad.numpy().copy()
    for pn, p in m.named_parameters():
        if p.grad is not None:
            arrays[f"{name}/gp/{pn}"] = p.grad.numpy().copy()
            meta["params"].append(pn)
    for k, v in m.state_dict().items():
        arrays[f"{name}/sd_after/{k}"] = v.detach().numpy().copy()
    return meta


def main():
    rng = np.random.default_rng(1234)
    arrays: dict[str, np.ndarray] = {}
    meta = {}
    for case in CASES:
        meta[case[0]] = record_case(rng, arrays, case)
    # A small model saved with torch.save: torchlike.load + load_state_dict must reproduce it.
    torch.manual_seed(1)
    model = nn.Sequential(OrderedDict([
        ("conv", nn.Conv2d(1, 3, 3, padding=1)), ("bn", nn.BatchNorm2d(3)), ("act", nn.ReLU()),
        ("pool", nn.AdaptiveAvgPool2d(2)), ("flat", nn.Flatten()), ("fc", nn.Linear(12, 4)),
    ]))
    x = torch.from_numpy(rng.standard_normal((2, 1, 5, 5)).astype(np.float32))
    model.train()
    model(x)  # running stats move
    model.eval()
    arrays["saved_model/in"] = x.numpy().copy()
    arrays["saved_model/out"] = model(x).detach().numpy().copy()
    torch.save(model.state_dict(), OUT / "nn_small_model.pt")
    meta["__saved_model__"] = {"repr": repr(model), "keys": list(model.state_dict().keys())}
    np.savez_compressed(OUT / "nn_layers.npz", **arrays)
    (OUT / "nn_layers.json").write_text(json.dumps(meta, indent=1, sort_keys=True))
    print(f"{len(CASES)} cases, {len(arrays)} arrays")


if __name__ == "__main__":
    main()
