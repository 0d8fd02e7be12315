"""Losses, activations, dropout, distance and flatten layers against values recorded from
torch 2.13: constructor signatures, __constants__, reprs with non-default options, the legacy
size_average/reduce handling, state_dict keys, MultiheadAttention's parameter layout, error
messages, deprecation warnings and a few forward values (some called with keyword inputs)."""

import inspect
import warnings

import pytest

import torchlike as torch
from torchlike import nn

# fmt: off
SIGNATURES = {'L1Loss': "size_average=None, reduce=None, reduction='mean'",
 'NLLLoss': "weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'",
 'PoissonNLLLoss': 'log_input=True, full=False, size_average=None, eps=1e-08, reduce=None, '
                   "reduction='mean'",
 'GaussianNLLLoss': "*, full=False, eps=1e-06, reduction='mean'",
 'KLDivLoss': "size_average=None, reduce=None, reduction='mean', log_target=False",
 'MSELoss': "size_average=None, reduce=None, reduction='mean'",
 'BCELoss': "weight=None, size_average=None, reduce=None, reduction='mean'",
 'BCEWithLogitsLoss': "weight=None, size_average=None, reduce=None, reduction='mean', "
                      'pos_weight=None',
 'HingeEmbeddingLoss': "margin=1.0, size_average=None, reduce=None, reduction='mean'",
 'MultiLabelMarginLoss': "size_average=None, reduce=None, reduction='mean'",
 'SmoothL1Loss': "size_average=None, reduce=None, reduction='mean', beta=1.0",
 'HuberLoss': "reduction='mean', delta=1.0",
 'SoftMarginLoss': "size_average=None, reduce=None, reduction='mean'",
 'CrossEntropyLoss': 'weight=None, size_average=None, ignore_index=-100, reduce=None, '
                     "reduction='mean', label_smoothing=0.0",
 'LinearCrossEntropyLoss': 'in_features, num_classes, *, out_features=(), bias=False, '
                           "device=None, dtype=None, reduction='mean', weight=None, "
                           'ignore_index=None, label_smoothing=0.0, options=None',
 'MultiLabelSoftMarginLoss': "weight=None, size_average=None, reduce=None, reduction='mean'",
 'CosineEmbeddingLoss': "margin=0.0, size_average=None, reduce=None, reduction='mean'",
 'MarginRankingLoss': "margin=0.0, size_average=None, reduce=None, reduction='mean'",
 'MultiMarginLoss': 'p=1, margin=1.0, weight=None, size_average=None, reduce=None, '
                    "reduction='mean'",
 'TripletMarginLoss': 'margin=1.0, p=2.0, eps=1e-06, swap=False, size_average=None, '
                      "reduce=None, reduction='mean'",
 'TripletMarginWithDistanceLoss': '*, distance_function=None, margin=1.0, swap=False, '
                                  "reduction='mean'",
 'CTCLoss': "blank=0, reduction='mean', zero_infinity=False",
 'Threshold': 'threshold, value, inplace=False',
 'ReLU': 'inplace=False',
 'RReLU': 'lower=0.125, upper=0.3333333333333333, inplace=False',
 'Hardtanh': 'min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None',
 'ReLU6': 'inplace=False',
 'Sigmoid': '*args, **kwargs',
 'Hardsigmoid': 'inplace=False',
 'Tanh': '*args, **kwargs',
 'SiLU': 'inplace=False',
 'Mish': 'inplace=False',
 'Hardswish': 'inplace=False',
 'ELU': 'alpha=1.0, inplace=False',
 'CELU': 'alpha=1.0, inplace=False',
 'SELU': 'inplace=False',
 'GLU': 'dim=-1',
 'GELU': "approximate='none'",
 'Hardshrink': 'lambd=0.5',
 'LeakyReLU': 'negative_slope=0.01, inplace=False',
 'LogSigmoid': '*args, **kwargs',
 'Softplus': 'beta=1.0, threshold=20.0',
 'Softshrink': 'lambd=0.5',
 'MultiheadAttention': 'embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, '
                       'add_zero_attn=False, kdim=None, vdim=None, batch_first=False, '
                       'device=None, dtype=None',
 'PReLU': 'num_parameters=1, init=0.25, device=None, dtype=None',
 'Softsign': '*args, **kwargs',
 'Tanhshrink': '*args, **kwargs',
 'Softmin': 'dim=None',
 'Softmax': 'dim=None',
 'Softmax2d': '*args, **kwargs',
 'LogSoftmax': 'dim=None',
 'Dropout': 'p=0.5, inplace=False',
 'Dropout1d': 'p=0.5, inplace=False',
 'Dropout2d': 'p=0.5, inplace=False',
 'Dropout3d': 'p=0.5, inplace=False',
 'AlphaDropout': 'p=0.5, inplace=False',
 'FeatureAlphaDropout': 'p=0.5, inplace=False',
 'PairwiseDistance': 'p=2.0, eps=1e-06, keepdim=False',
 'CosineSimilarity': 'dim=1, eps=1e-08',
 'Flatten': 'start_dim=1, end_dim=-1',
 'Unflatten': 'dim, unflattened_size'}

CONSTANTS = {'L1Loss': 'reduction',
 'NLLLoss': 'ignore_index reduction',
 'PoissonNLLLoss': 'log_input full eps reduction',
 'GaussianNLLLoss': 'full eps reduction',
 'KLDivLoss': 'reduction',
 'MSELoss': 'reduction',
 'BCELoss': 'reduction',
 'BCEWithLogitsLoss': None,
 'HingeEmbeddingLoss': 'margin reduction',
 'MultiLabelMarginLoss': 'reduction',
 'SmoothL1Loss': 'reduction',
 'HuberLoss': 'reduction delta',
 'SoftMarginLoss': 'reduction',
 'CrossEntropyLoss': 'ignore_index reduction label_smoothing',
 'LinearCrossEntropyLoss': 'num_classes out_features reduction ignore_index label_smoothing',
 'MultiLabelSoftMarginLoss': 'reduction',
 'CosineEmbeddingLoss': 'margin reduction',
 'MarginRankingLoss': 'margin reduction',
 'MultiMarginLoss': 'p margin reduction',
 'TripletMarginLoss': 'margin p eps swap reduction',
 'TripletMarginWithDistanceLoss': 'margin swap reduction',
 'CTCLoss': 'blank reduction',
 'Threshold': 'threshold value inplace',
 'ReLU': 'inplace',
 'RReLU': 'lower upper inplace',
 'Hardtanh': 'min_val max_val inplace',
 'ReLU6': 'min_val max_val inplace',
 'Sigmoid': None,
 'Hardsigmoid': 'inplace',
 'Tanh': None,
 'SiLU': 'inplace',
 'Mish': 'inplace',
 'Hardswish': 'inplace',
 'ELU': 'alpha inplace',
 'CELU': 'alpha inplace',
 'SELU': 'inplace',
 'GLU': 'dim',
 'GELU': 'approximate',
 'Hardshrink': 'lambd',
 'LeakyReLU': 'inplace negative_slope',
 'LogSigmoid': None,
 'Softplus': 'beta threshold',
 'Softshrink': 'lambd',
 'MultiheadAttention': 'batch_first',
 'PReLU': 'num_parameters',
 'Softsign': None,
 'Tanhshrink': None,
 'Softmin': 'dim',
 'Softmax': 'dim',
 'Softmax2d': None,
 'LogSoftmax': 'dim',
 'Dropout': 'p inplace',
 'Dropout1d': 'p inplace',
 'Dropout2d': 'p inplace',
 'Dropout3d': 'p inplace',
 'AlphaDropout': 'p inplace',
 'FeatureAlphaDropout': 'p inplace',
 'PairwiseDistance': 'norm eps keepdim',
 'CosineSimilarity': 'dim eps',
 'Flatten': 'start_dim end_dim',
 'Unflatten': 'dim unflattened_size'}

REPRS = [('nn.Threshold(0.1, 20.0, inplace=True)',
  'Threshold(threshold=0.1, value=20.0, inplace=True)'),
 ('nn.ReLU(inplace=True)', 'ReLU(inplace=True)'),
 ('nn.RReLU(0.1, 0.3, True)', 'RReLU(lower=0.1, upper=0.3, inplace=True)'),
 ('nn.Hardtanh(-2.0, 3.0, True)', 'Hardtanh(min_val=-2.0, max_val=3.0, inplace=True)'),
 ('nn.ReLU6(inplace=True)', 'ReLU6(inplace=True)'), ('nn.ReLU6()', 'ReLU6()'),
 ('nn.Hardsigmoid(inplace=True)', 'Hardsigmoid()'), ('nn.SiLU(True)', 'SiLU(inplace=True)'),
 ('nn.Mish(True)', 'Mish(inplace=True)'), ('nn.Hardswish(True)', 'Hardswish()'),
 ('nn.ELU(0.5, True)', 'ELU(alpha=0.5, inplace=True)'), ('nn.CELU(2.0)', 'CELU(alpha=2.0)'),
 ('nn.SELU(inplace=True)', 'SELU(inplace=True)'), ('nn.GLU(0)', 'GLU(dim=0)'),
 ("nn.GELU('tanh')", "GELU(approximate='tanh')"), ('nn.Hardshrink(0.3)', 'Hardshrink(0.3)'),
 ('nn.LeakyReLU(0.2, True)', 'LeakyReLU(negative_slope=0.2, inplace=True)'),
 ('nn.Softplus(2.0, 10.0)', 'Softplus(beta=2.0, threshold=10.0)'),
 ('nn.Softshrink(1.5)', 'Softshrink(1.5)'), ('nn.PReLU(3, 0.1)', 'PReLU(num_parameters=3)'),
 ('nn.Softmin(1)', 'Softmin(dim=1)'), ('nn.Softmax(dim=-1)', 'Softmax(dim=-1)'),
 ('nn.LogSoftmax(0)', 'LogSoftmax(dim=0)'), ('nn.Softmax2d()', 'Softmax2d()'),
 ('nn.Sigmoid()', 'Sigmoid()'), ('nn.Dropout(0.2, True)', 'Dropout(p=0.2, inplace=True)'),
 ('nn.Dropout2d(0.1)', 'Dropout2d(p=0.1, inplace=False)'),
 ('nn.AlphaDropout(0.3)', 'AlphaDropout(p=0.3, inplace=False)'),
 ('nn.FeatureAlphaDropout(inplace=True)', 'FeatureAlphaDropout(p=0.5, inplace=True)'),
 ('nn.Flatten(0, 2)', 'Flatten(start_dim=0, end_dim=2)'),
 ('nn.Unflatten(1, (2, 5))', 'Unflatten(dim=1, unflattened_size=(2, 5))'),
 ('nn.Unflatten(-1, [3, 4])', 'Unflatten(dim=-1, unflattened_size=[3, 4])'),
 ('nn.PairwiseDistance(1.0, keepdim=True)', 'PairwiseDistance()'),
 ('nn.CosineSimilarity(0, 1e-6)', 'CosineSimilarity()'),
 ('nn.CrossEntropyLoss(label_smoothing=0.1)', 'CrossEntropyLoss()'),
 ('nn.TripletMarginWithDistanceLoss(margin=2.0)',
  'TripletMarginWithDistanceLoss(\n  (distance_function): PairwiseDistance()\n)'),
 ("nn.LinearCrossEntropyLoss(3, 4, out_features=(2,), bias=True, reduction='sum')",
  'LinearCrossEntropyLoss(\n'
  '  in_features=3, num_classes=4, out_features=(2,), bias=True, reduction=sum, '
  'ignore_index=None, label_smoothing=0.0, options=None\n'
  '  (linear): Linear(in_features=3, out_features=8, bias=True)\n'
  ')'),
 ('nn.MultiheadAttention(4, 2, kdim=3, vdim=5)',
  'MultiheadAttention(\n'
  '  (out_proj): NonDynamicallyQuantizableLinear(in_features=4, out_features=4, bias=True)\n'
  ')')]

LEGACY = [(None, True, 'mean'), (None, False, 'none'), (True, None, 'mean'), (True, True, 'mean'),
 (True, False, 'none'), (False, None, 'sum'), (False, True, 'sum'), (False, False, 'none')]

LEGACY_MESSAGE = (
    "size_average and reduce args will be deprecated, please use reduction='{}' instead."
)

ATTRS = [('nn.NLLLoss(size_average=False)', {'reduction': 'sum', 'ignore_index': -100}),
 ('nn.BCELoss(reduce=False)', {'reduction': 'none'}),
 ('nn.PoissonNLLLoss(False, True, eps=0.5)',
  {'reduction': 'mean', 'log_input': False, 'full': True, 'eps': 0.5}),
 ("nn.GaussianNLLLoss(full=True, eps=0.1, reduction='sum')",
  {'reduction': 'sum', 'full': True, 'eps': 0.1}),
 ("nn.KLDivLoss(reduction='batchmean', log_target=True)",
  {'reduction': 'batchmean', 'log_target': True}),
 ("nn.HuberLoss('sum', 0.5)", {'reduction': 'sum', 'delta': 0.5}),
 ('nn.SmoothL1Loss(beta=0.5)', {'reduction': 'mean', 'beta': 0.5}),
 ("nn.CTCLoss(1, 'sum', True)", {'reduction': 'sum', 'blank': 1, 'zero_infinity': True}),
 ('nn.MultiMarginLoss(2, 0.5)', {'reduction': 'mean', 'p': 2, 'margin': 0.5}),
 ('nn.TripletMarginLoss(0.5, 1.0, 1e-3, True)',
  {'reduction': 'mean', 'margin': 0.5, 'p': 1.0, 'eps': 0.001, 'swap': True}),
 ('nn.PairwiseDistance(3.0)', {'norm': 3.0, 'eps': 1e-06, 'keepdim': False}),
 ('nn.MarginRankingLoss(0.3)', {'reduction': 'mean', 'margin': 0.3}),
 ("nn.CosineEmbeddingLoss(0.1, reduction='none')", {'reduction': 'none', 'margin': 0.1}),
 ('nn.HingeEmbeddingLoss(2.0)', {'reduction': 'mean', 'margin': 2.0}),
 ('nn.RReLU(0.2)', {'lower': 0.2, 'upper': 0.3333333333333333, 'inplace': False}),
 ('nn.Hardtanh(max_val=2.0)', {'min_val': -1.0, 'max_val': 2.0, 'inplace': False}),
 ('nn.ReLU6(True)', {'min_val': 0.0, 'max_val': 6.0, 'inplace': True}),
 ('nn.PReLU(2, 0.5)', {'num_parameters': 2, 'init': 0.5}), ('nn.Softmax()', {'dim': None}),
 ('nn.CosineSimilarity(eps=0.5)', {'dim': 1, 'eps': 0.5}),
 ('nn.AlphaDropout(0.1, True)', {'p': 0.1, 'inplace': True})]

STATE_DICTS = [('nn.CrossEntropyLoss(weight=torch.ones(3))', [('weight', (3,))]),
 ('nn.BCEWithLogitsLoss(pos_weight=torch.ones(2))', [('pos_weight', (2,))]),
 ('nn.BCEWithLogitsLoss(torch.ones(2), pos_weight=torch.ones(2))',
  [('weight', (2,)), ('pos_weight', (2,))]),
 ('nn.BCEWithLogitsLoss()', []), ('nn.NLLLoss(torch.ones(2))', [('weight', (2,))]),
 ('nn.MultiMarginLoss(weight=torch.ones(3))', [('weight', (3,))]),
 ('nn.MultiLabelSoftMarginLoss(torch.ones(3))', [('weight', (3,))]), ('nn.BCELoss()', []),
 ('nn.PReLU(2)', [('weight', (2,))]),
 ('nn.MultiheadAttention(4, 2)',
  [('in_proj_weight', (12, 4)), ('in_proj_bias', (12,)), ('out_proj.weight', (4, 4)),
   ('out_proj.bias', (4,))]),
 ('nn.MultiheadAttention(4, 2, kdim=3, vdim=5, bias=False)',
  [('q_proj_weight', (4, 4)), ('k_proj_weight', (4, 3)), ('v_proj_weight', (4, 5)),
   ('out_proj.weight', (4, 4))]),
 ('nn.MultiheadAttention(4, 1, add_bias_kv=True, add_zero_attn=True)',
  [('in_proj_weight', (12, 4)), ('in_proj_bias', (12,)), ('bias_k', (1, 1, 4)),
   ('bias_v', (1, 1, 4)), ('out_proj.weight', (4, 4)), ('out_proj.bias', (4,))]),
 ('nn.LinearCrossEntropyLoss(3, 4, bias=True, weight=torch.ones(4))',
  [('weight', (4,)), ('linear.weight', (4, 3)), ('linear.bias', (4,))])]

MHA = [('nn.MultiheadAttention(4, 2)',
  ['in_proj_weight', 'q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'in_proj_bias'],
  {'embed_dim': 4,
   'kdim': 4,
   'vdim': 4,
   '_qkv_same_embed_dim': True,
   'num_heads': 2,
   'head_dim': 2,
   'dropout': 0.0,
   'batch_first': False,
   'add_zero_attn': False,
   'bias_k': None}),
 ('nn.MultiheadAttention(6, 3, kdim=2, batch_first=True)',
  ['q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'in_proj_weight', 'in_proj_bias'],
  {'embed_dim': 6,
   'kdim': 2,
   'vdim': 6,
   '_qkv_same_embed_dim': False,
   'num_heads': 3,
   'head_dim': 2,
   'dropout': 0.0,
   'batch_first': True,
   'add_zero_attn': False,
   'bias_k': None}),
 ('nn.MultiheadAttention(4, 2, add_bias_kv=True, dropout=0.1)',
  ['in_proj_weight', 'q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'in_proj_bias',
   'bias_k', 'bias_v'],
  {'embed_dim': 4,
   'kdim': 4,
   'vdim': 4,
   '_qkv_same_embed_dim': True,
   'num_heads': 2,
   'head_dim': 2,
   'dropout': 0.1,
   'batch_first': False,
   'add_zero_attn': False})]

ERRORS = [('nn.Dropout(1.5)', 'ValueError',
  'dropout probability has to be between 0 and 1, but got 1.5'),
 ('nn.Dropout3d(-0.1)', 'ValueError',
  'dropout probability has to be between 0 and 1, but got -0.1'),
 ('nn.Unflatten(1, 5)', 'TypeError',
  'unflattened_size must be a tuple of ints, but found type int'),
 ("nn.Unflatten(1, (2, 'a'))", 'TypeError',
  'unflattened_size must be tuple of ints, but found element of type str at pos 1'),
 ('nn.Unflatten(1, [2, 3.0])', 'TypeError',
  'unflattened_size must be tuple of ints, but found element of type float at pos 1'),
 ('nn.Hardtanh(1.0, 0.5)', 'AssertionError',
  'max_val (0.5) must be greater than min_val (1.0)'),
 ("nn.HuberLoss(delta='a')", 'TypeError', "delta must be a float or int, got: <class 'str'>"),
 ('nn.MultiMarginLoss(p=3)', 'ValueError', 'only p == 1 and p == 2 supported'),
 ('nn.MultiMarginLoss(weight=torch.ones(2, 2))', 'ValueError',
  'MultiMarginLoss: expected weight to be None or 1D tensor, got 2D instead'),
 ('nn.TripletMarginLoss(margin=0)', 'ValueError',
  'TripletMarginLoss: expected margin to be greater than 0, got 0 instead'),
 ('nn.TripletMarginWithDistanceLoss(margin=-1.0)', 'ValueError',
  'TripletMarginWithDistanceLoss: expected margin to be greater than 0, got -1.0 instead'),
 ('nn.MultiheadAttention(0, 1)', 'ValueError',
  'embed_dim and num_heads must be greater than 0, got embed_dim=0 and num_heads=1 instead'),
 ('nn.MultiheadAttention(5, 2)', 'AssertionError', 'embed_dim must be divisible by num_heads'),
 ('nn.Softmax2d()(torch.ones(2, 2))', 'ValueError',
  'Softmax2d: expected input to be 3D or 4D, got 2D instead'),
 ('nn.LinearCrossEntropyLoss(3, 4, weight=torch.ones(3))', 'RuntimeError',
  'expected weight shape to be (4,), got (3,)'),
 ('nn.LinearCrossEntropyLoss(3, 4, label_smoothing=1.5)', 'RuntimeError',
  'expected label_smoothing to be in range [0, 1], got 1.5')]

WARNINGS = [('nn.NLLLoss2d()',
  [('FutureWarning',
    '`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in replacement '
    'and see https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for more details.')]),
 ('nn.Hardtanh(min_value=-2.0)',
  [('FutureWarning', 'keyword argument `min_value` is deprecated and renamed to `min_val`')]),
 ('nn.Hardtanh(max_value=2.0, min_value=0.5)',
  [('FutureWarning', 'keyword argument `min_value` is deprecated and renamed to `min_val`'),
   ('FutureWarning', 'keyword argument `max_value` is deprecated and renamed to `max_val`')])]

VALUES = [("nn.MSELoss(reduction='sum')(input=x, target=y)", [7.8125]),
 ('nn.L1Loss(size_average=False)(x, y)', [6.25]),
 ('nn.SmoothL1Loss(reduce=False, beta=0.5)(x, y)', [0.25, 0.75, 0.75, 1.25, 1.5, 0.25]),
 ('nn.PairwiseDistance(1.0, keepdim=True)(x, y)', [2.5, 3.75]),
 ('nn.CosineSimilarity(0)(x1=x, x2=y)', [0.31623, 0.24254, 0.85749]),
 ('nn.MarginRankingLoss(0.5)(x[0], x[1], torch.tensor([1.0, -1.0, 1.0]))', [0.5]),
 ('nn.Hardtanh(-0.6, 1.0)(x)', [0.5, -0.6, 1.0, 1.0, 0.25, -0.5]),
 ('nn.ReLU6()(x * 4)', [2.0, 0.0, 6.0, 6.0, 1.0, 0.0]),
 ('nn.RReLU(0.1, 0.3).eval()(x)', [0.5, -0.2, 2.0, 1.5, 0.25, -0.1]),
 ('nn.Threshold(0.3, -9.0)(x)', [0.5, -9.0, 2.0, 1.5, -9.0, -9.0]),
 ('nn.LeakyReLU(0.2)(x)', [0.5, -0.2, 2.0, 1.5, 0.25, -0.1]),
 ('nn.PReLU(3, 0.1)(x)', [0.5, -0.1, 2.0, 1.5, 0.25, -0.05]),
 ('nn.BCEWithLogitsLoss(pos_weight=torch.tensor([1.0, 2.0, 0.5]))(x, (y > 0).float())',
  [0.69636]),
 ('nn.CrossEntropyLoss(torch.tensor([1.0, 2.0, 3.0]), label_smoothing=0.1)(x, torch.tensor([2, '
  '0]))',
  [0.40507]),
 ("nn.NLLLoss(ignore_index=0, reduction='sum')(x, torch.tensor([2, 0]))", [-2.0]),
 ('nn.Softmax2d()(x.reshape(2, 3, 1))', [0.26894, 0.2227, 0.92414, 0.73106, 0.7773, 0.07586]),
 ('nn.Softmin(1)(x)', [0.17529, 0.7856, 0.03911, 0.08418, 0.29381, 0.62201]),
 ('nn.GLU(0)(x)', [0.40879, -0.56218, 0.75508]),
 ('nn.Softshrink(0.75)(x)', [0.0, -0.25, 1.25, 0.75, 0.0, -0.0]),
 ('nn.GaussianNLLLoss(full=True)(x, y, torch.ones(2, 3))', [1.56998]),
 ('nn.TripletMarginLoss(0.5, p=1.0)(x, y, y.flip(0))', [1.0]),
 ('nn.Dropout(0.5).eval()(x)', [0.5, -1.0, 2.0, 1.5, 0.25, -0.5]),
 ('nn.Flatten(0, 1)(x)', [0.5, -1.0, 2.0, 1.5, 0.25, -0.5]),
 ('nn.Unflatten(1, (3, 1))(x).shape', [2, 3, 1])]

ANNOTATED = {
    "CTCLoss": "(blank: int = 0, reduction: str = 'mean', zero_infinity: bool = False) -> None",
    "Dropout": "(p: float = 0.5, inplace: bool = False) -> None",
    "Flatten": "(start_dim: int = 1, end_dim: int = -1) -> None",
    "GELU": "(approximate: str = 'none') -> None",
    "GaussianNLLLoss": "(*, full: bool = False, eps: float = 1e-06, reduction: str = 'mean') -> "
                       "None",
    "Hardshrink": "(lambd: float = 0.5) -> None",
    "HuberLoss": "(reduction: str = 'mean', delta: float = 1.0) -> None",
    "KLDivLoss": "(size_average=None, reduce=None, reduction: str = 'mean', log_target: bool = "
                 "False) -> None",
    "LeakyReLU": "(negative_slope: float = 0.01, inplace: bool = False) -> None",
    "MultiMarginLoss": "(p: int = 1, margin: float = 1.0, weight: torch.Tensor | None = None, "
                       "size_average=None, reduce=None, reduction: str = 'mean') -> None",
    "PairwiseDistance": "(p: float = 2.0, eps: float = 1e-06, keepdim: bool = False) -> None",
    "RReLU": "(lower: float = 0.125, upper: float = 0.3333333333333333, inplace: bool = False) -> "
             "None",
    "ReLU": "(inplace: bool = False) -> None",
    "ReLU6": "(inplace: bool = False) -> None",
    "Softmax": "(dim: int | None = None) -> None",
    "Threshold": "(threshold: float, value: float, inplace: bool = False) -> None",
}

# fmt: on

x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]])
y = torch.tensor([[1.0, 0.0, 1.0], [0.0, 2.0, -1.0]])
ENV = {"nn": nn, "torch": torch, "x": x, "y": y}


def _build(expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return eval(expr, ENV)


def _plain_signature(cls):
    parts, star = [], False
    for p in inspect.signature(cls).parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            parts.append("*" + p.name)
            star = True
        elif p.kind is p.VAR_KEYWORD:
            parts.append("**" + p.name)
        else:
            if p.kind is p.KEYWORD_ONLY and not star:
                parts.append("*")
                star = True
            parts.append(p.name if p.default is p.empty else f"{p.name}={p.default!r}")
    return ", ".join(parts)


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_signature_and_constants(name):
    cls = getattr(nn, name)
    assert _plain_signature(cls) == SIGNATURES[name]
    constants = getattr(cls, "__constants__", None)
    assert (None if constants is None else " ".join(constants)) == CONSTANTS[name]


@pytest.mark.parametrize("name", sorted(ANNOTATED))
def test_signature_type_hints(name):
    text = str(inspect.signature(getattr(nn, name)))
    assert text.replace("torchlike._core.tensor.", "torch.") == ANNOTATED[name]


@pytest.mark.parametrize("expr, expected", REPRS)
def test_repr(expr, expected):
    assert repr(_build(expr)) == expected


@pytest.mark.parametrize("size_average, reduce, reduction", LEGACY)
def test_legacy_reduction_flags(size_average, reduce, reduction):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = nn.MSELoss(size_average=size_average, reduce=reduce, reduction="sum")
    assert m.reduction == reduction
    assert [str(w.message) for w in caught] == [LEGACY_MESSAGE.format(reduction)]
    assert caught[0].category is UserWarning


def test_no_legacy_warning_without_flags():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert nn.NLLLoss(reduction="none").reduction == "none"


@pytest.mark.parametrize("expr, expected", ATTRS)
def test_stored_attributes(expr, expected):
    m = _build(expr)
    for key, value in expected.items():
        assert getattr(m, key) == value, key


@pytest.mark.parametrize("expr, expected", STATE_DICTS)
def test_state_dict_keys(expr, expected):
    sd = _build(expr).state_dict()
    assert [(k, tuple(v.shape)) for k, v in sd.items()] == expected


@pytest.mark.parametrize("expr, registered, attrs", MHA)
def test_multihead_attention_layout(expr, registered, attrs):
    m = _build(expr)
    assert list(m._parameters) == registered
    for key, value in attrs.items():
        assert getattr(m, key) == value, key
    if m.in_proj_bias is not None:
        assert m.in_proj_bias.abs().sum().item() == 0.0
        assert m.out_proj.bias.abs().sum().item() == 0.0


@pytest.mark.parametrize("expr, kind, message", ERRORS)
def test_errors(expr, kind, message):
    with pytest.raises(Exception) as info:
        _build(expr)
    assert type(info.value).__name__ == kind
    assert str(info.value) == message


@pytest.mark.parametrize("expr, expected", WARNINGS)
def test_deprecation_warnings(expr, expected):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        eval(expr, ENV)
    assert [(w.category.__name__, str(w.message)) for w in caught] == expected


def test_hardtanh_deprecated_aliases_take_effect():
    m = _build("nn.Hardtanh(max_value=2.0, min_value=0.5)")
    assert (m.min_val, m.max_val) == (0.5, 2.0)
    assert isinstance(_build("nn.NLLLoss2d()"), nn.NLLLoss)


@pytest.mark.parametrize("expr, expected", VALUES)
def test_forward_values(expr, expected):
    out = _build(expr)
    got = list(out) if isinstance(out, torch.Size) else out.flatten().tolist()
    assert got == pytest.approx(expected, abs=1e-5)


def test_alpha_dropout_ignores_inplace():
    # torch's AlphaDropout never writes into its input, even with inplace=True
    t = torch.ones(64)
    out = nn.AlphaDropout(0.5, inplace=True)(t)
    assert t.tolist() == [1.0] * 64
    assert out is not t


def test_nan_options_pass_validation_as_in_torch():
    nan = float("nan")
    assert repr(nn.Hardtanh(nan, 1.0)) == "Hardtanh(min_val=nan, max_val=1.0)"
    assert repr(nn.Dropout(nan)) == "Dropout(p=nan, inplace=False)"
    assert repr(nn.LinearCrossEntropyLoss(3, 4, label_smoothing=nan)).startswith(
        "LinearCrossEntropyLoss(\n  in_features=3, num_classes=4, out_features=(), bias=False, "
        "reduction=mean, ignore_index=None, label_smoothing=nan, options=None\n"
    )
