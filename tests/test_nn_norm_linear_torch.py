# ruff: noqa: E501 - the recorded table keeps torch's constructor calls and messages whole
"""Norm, linear, embedding and adaptive-softmax layers against values recorded from torch 2.13.

Recorded by running the same calls in a venv with real torch (CPU); ``R`` holds the
results: reprs, state_dict layouts, signatures, running statistics, error messages and
outputs on small deterministic inputs.
"""

import inspect
import re
import warnings

import numpy as np
import pytest

import torchlike as torch
from torchlike import nn
from torchlike.nn.modules.lazy import is_lazy
from torchlike.nn.modules.normalization import CrossMapLRN2d

# fmt: off
R = {'layouts': {'BatchNorm1d(3)': ('BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, '
                                'track_running_stats=True)',
                                [('weight', (3,), 'float32'),
                                 ('bias', (3,), 'float32'),
                                 ('running_mean', (3,), 'float32'),
                                 ('running_var', (3,), 'float32'),
                                 ('num_batches_tracked', (), 'int64')],
                                [],
                                []),
             'BatchNorm2d(4, momentum=None, affine=False)': ('BatchNorm2d(4, eps=1e-05, '
                                                             'momentum=None, affine=False, '
                                                             'bias=False, '
                                                             'track_running_stats=True)',
                                                             [('running_mean', (4,), 'float32'),
                                                              ('running_var', (4,), 'float32'),
                                                              ('num_batches_tracked', (), 'int64')],
                                                             ['weight', 'bias'],
                                                             []),
             'BatchNorm3d(2, eps=1e-3, bias=False)': ('BatchNorm3d(2, eps=0.001, momentum=0.1, '
                                                      'affine=True, bias=False, '
                                                      'track_running_stats=True)',
                                                      [('weight', (2,), 'float32'),
                                                       ('running_mean', (2,), 'float32'),
                                                       ('running_var', (2,), 'float32'),
                                                       ('num_batches_tracked', (), 'int64')],
                                                      ['bias'],
                                                      []),
             'BatchNorm1d(3, track_running_stats=False)': ('BatchNorm1d(3, eps=1e-05, '
                                                           'momentum=0.1, affine=True, bias=True, '
                                                           'track_running_stats=False)',
                                                           [('weight', (3,), 'float32'),
                                                            ('bias', (3,), 'float32')],
                                                           [],
                                                           ['running_mean',
                                                            'running_var',
                                                            'num_batches_tracked']),
             'SyncBatchNorm(3)': ('SyncBatchNorm(3, eps=1e-05, momentum=0.1, affine=True, '
                                  'bias=True, track_running_stats=True)',
                                  [('weight', (3,), 'float32'),
                                   ('bias', (3,), 'float32'),
                                   ('running_mean', (3,), 'float32'),
                                   ('running_var', (3,), 'float32'),
                                   ('num_batches_tracked', (), 'int64')],
                                  [],
                                  []),
             'InstanceNorm1d(3)': ('InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, '
                                   'bias=False, track_running_stats=False)',
                                   [],
                                   ['weight', 'bias'],
                                   ['running_mean', 'running_var', 'num_batches_tracked']),
             'InstanceNorm2d(3, affine=True, track_running_stats=True)': ('InstanceNorm2d(3, '
                                                                          'eps=1e-05, '
                                                                          'momentum=0.1, '
                                                                          'affine=True, bias=True, '
                                                                          'track_running_stats=True)',
                                                                          [('weight',
                                                                            (3,),
                                                                            'float32'),
                                                                           ('bias',
                                                                            (3,),
                                                                            'float32'),
                                                                           ('running_mean',
                                                                            (3,),
                                                                            'float32'),
                                                                           ('running_var',
                                                                            (3,),
                                                                            'float32'),
                                                                           ('num_batches_tracked',
                                                                            (),
                                                                            'int64')],
                                                                          [],
                                                                          []),
             'LazyBatchNorm1d()': ('LazyBatchNorm1d(0, eps=1e-05, momentum=0.1, affine=True, '
                                   'bias=True, track_running_stats=True)',
                                   [('weight', None, 'float32'),
                                    ('bias', None, 'float32'),
                                    ('running_mean', None, 'float32'),
                                    ('running_var', None, 'float32'),
                                    ('num_batches_tracked', (), 'int64')],
                                   [],
                                   []),
             'LazyInstanceNorm3d(affine=False)': ('LazyInstanceNorm3d(0, eps=1e-05, momentum=0.1, '
                                                  'affine=False, bias=False, '
                                                  'track_running_stats=True)',
                                                  [('running_mean', None, 'float32'),
                                                   ('running_var', None, 'float32'),
                                                   ('num_batches_tracked', (), 'int64')],
                                                  ['weight', 'bias'],
                                                  []),
             'LayerNorm([3, 4], elementwise_affine=False)': ('LayerNorm((3, 4), eps=1e-05, '
                                                             'elementwise_affine=False, '
                                                             'bias=False)',
                                                             [],
                                                             ['weight', 'bias'],
                                                             []),
             'LayerNorm(4, bias=False)': ('LayerNorm((4,), eps=1e-05, elementwise_affine=True, '
                                          'bias=False)',
                                          [('weight', (4,), 'float32')],
                                          ['bias'],
                                          []),
             'GroupNorm(2, 4)': ('GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)',
                                 [('weight', (4,), 'float32'), ('bias', (4,), 'float32')],
                                 [],
                                 []),
             'GroupNorm(1, 3, affine=False)': ('GroupNorm(1, 3, eps=1e-05, affine=False, '
                                               'bias=False)',
                                               [],
                                               ['weight', 'bias'],
                                               []),
             'RMSNorm([2, 3], eps=1e-6)': ('RMSNorm((2, 3), eps=1e-06, elementwise_affine=True)',
                                           [('weight', (2, 3), 'float32')],
                                           [],
                                           []),
             'LocalResponseNorm(3)': ('LocalResponseNorm(3, alpha=0.0001, beta=0.75, k=1.0)',
                                      [],
                                      [],
                                      []),
             'CrossMapLRN2d(3, k=2)': ('CrossMapLRN2d(3, alpha=0.0001, beta=0.75, k=2)',
                                       [],
                                       [],
                                       []),
             'Identity(3, a=2)': ('Identity()', [], [], []),
             'Linear(3, 2, bias=False)': ('Linear(in_features=3, out_features=2, bias=False)',
                                          [('weight', (2, 3), 'float32')],
                                          ['bias'],
                                          []),
             'Bilinear(2, 3, 4)': ('Bilinear(in1_features=2, in2_features=3, out_features=4, '
                                   'bias=True)',
                                   [('weight', (4, 2, 3), 'float32'), ('bias', (4,), 'float32')],
                                   [],
                                   []),
             'LazyLinear(3)': ('LazyLinear(in_features=0, out_features=3, bias=True)',
                               [('weight', None, 'float32'), ('bias', None, 'float32')],
                               [],
                               []),
             'Embedding(5, 2, padding_idx=-2, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=True)': ('Embedding(5, '
                                                                                                                    '2, '
                                                                                                                    'padding_idx=3, '
                                                                                                                    'max_norm=1.0, '
                                                                                                                    'norm_type=1.0, '
                                                                                                                    'scale_grad_by_freq=True, '
                                                                                                                    'sparse=True)',
                                                                                                                    [('weight',
                                                                                                                      (5,
                                                                                                                       2),
                                                                                                                      'float32')],
                                                                                                                    [],
                                                                                                                    []),
             'EmbeddingBag(5, 2)': ("EmbeddingBag(5, 2, mode='mean')",
                                    [('weight', (5, 2), 'float32')],
                                    [],
                                    []),
             "EmbeddingBag(5, 2, max_norm=2, norm_type=3, mode='sum', padding_idx=-1)": ('EmbeddingBag(5, '
                                                                                         '2, '
                                                                                         'max_norm=2, '
                                                                                         'norm_type=3, '
                                                                                         "mode='sum', "
                                                                                         'padding_idx=4)',
                                                                                         [('weight',
                                                                                           (5, 2),
                                                                                           'float32')],
                                                                                         [],
                                                                                         []),
             'AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0)': ('AdaptiveLogSoftmaxWithLoss(\n'
                                                                          '  (head): '
                                                                          'Linear(in_features=8, '
                                                                          'out_features=5, '
                                                                          'bias=False)\n'
                                                                          '  (tail): ModuleList(\n'
                                                                          '    (0): Sequential(\n'
                                                                          '      (0): '
                                                                          'Linear(in_features=8, '
                                                                          'out_features=4, '
                                                                          'bias=False)\n'
                                                                          '      (1): '
                                                                          'Linear(in_features=4, '
                                                                          'out_features=3, '
                                                                          'bias=False)\n'
                                                                          '    )\n'
                                                                          '    (1): Sequential(\n'
                                                                          '      (0): '
                                                                          'Linear(in_features=8, '
                                                                          'out_features=2, '
                                                                          'bias=False)\n'
                                                                          '      (1): '
                                                                          'Linear(in_features=2, '
                                                                          'out_features=4, '
                                                                          'bias=False)\n'
                                                                          '    )\n'
                                                                          '  )\n'
                                                                          ')',
                                                                          [('head.weight',
                                                                            (5, 8),
                                                                            'float32'),
                                                                           ('tail.0.0.weight',
                                                                            (4, 8),
                                                                            'float32'),
                                                                           ('tail.0.1.weight',
                                                                            (3, 4),
                                                                            'float32'),
                                                                           ('tail.1.0.weight',
                                                                            (2, 8),
                                                                            'float32'),
                                                                           ('tail.1.1.weight',
                                                                            (4, 2),
                                                                            'float32')],
                                                                          [],
                                                                          [])},
 'signatures': {'BatchNorm2d': '(num_features: int, eps: float = 1e-05, momentum: float | None = '
                               '0.1, affine: bool = True, track_running_stats: bool = True, '
                               'device=None, dtype=None, *, bias: bool = True) -> None',
                'LazyBatchNorm1d': '(eps=1e-05, momentum=0.1, affine=True, '
                                   'track_running_stats=True, device=None, dtype=None, *, '
                                   'bias=True) -> None',
                'SyncBatchNorm': '(num_features: int, eps: float = 1e-05, momentum: float | None = '
                                 '0.1, affine: bool = True, track_running_stats: bool = True, '
                                 'process_group: Any | None = None, device=None, dtype=None, *, '
                                 'bias: bool = True) -> None',
                'InstanceNorm1d': '(num_features: int, eps: float = 1e-05, momentum: float = 0.1, '
                                  'affine: bool = False, track_running_stats: bool = False, '
                                  'device=None, dtype=None, *, bias: bool = True) -> None',
                'LazyInstanceNorm2d': '(eps=1e-05, momentum=0.1, affine=True, '
                                      'track_running_stats=True, device=None, dtype=None, *, '
                                      'bias=True) -> None',
                'LayerNorm': '(normalized_shape: int | list[int] | Size, eps: float = 1e-05, '
                             'elementwise_affine: bool = True, bias: bool = True, device=None, '
                             'dtype=None) -> None',
                'GroupNorm': '(num_groups: int, num_channels: int, eps: float = 1e-05, affine: '
                             'bool = True, device=None, dtype=None, *, bias: bool = True) -> None',
                'RMSNorm': '(normalized_shape: int | list[int] | Size, eps: float | None = None, '
                           'elementwise_affine: bool = True, device=None, dtype=None) -> None',
                'LocalResponseNorm': '(size: int, alpha: float = 0.0001, beta: float = 0.75, k: '
                                     'float = 1.0) -> None',
                'Linear': '(in_features: int, out_features: int, bias: bool = True, device=None, '
                          'dtype=None) -> None',
                'Bilinear': '(in1_features: int, in2_features: int, out_features: int, bias: bool '
                            '= True, device=None, dtype=None) -> None',
                'LazyLinear': '(out_features: int, bias: bool = True, device=None, dtype=None) -> '
                              'None',
                'Embedding': '(num_embeddings: int, embedding_dim: int, padding_idx: int | None = '
                             'None, max_norm: float | None = None, norm_type: float = 2.0, '
                             'scale_grad_by_freq: bool = False, sparse: bool = False, _weight: '
                             'Tensor | None = None, _freeze: bool = False, device=None, '
                             'dtype=None) -> None',
                'EmbeddingBag': '(num_embeddings: int, embedding_dim: int, max_norm: float | None '
                                '= None, norm_type: float = 2.0, scale_grad_by_freq: bool = False, '
                                "mode: str = 'mean', sparse: bool = False, _weight: Tensor | None "
                                '= None, include_last_offset: bool = False, padding_idx: int | '
                                'None = None, device=None, dtype=None) -> None',
                'AdaptiveLogSoftmaxWithLoss': '(in_features: int, n_classes: int, cutoffs: '
                                              'Sequence[int], div_value: float = 4.0, head_bias: '
                                              'bool = False, device=None, dtype=None) -> None'},
 'bn_cumulative': ([2.14286, 3.28571, 4.42857], [4.05442, 4.05442, 4.05442], 3),
 'bn_eval': [[-1.06421, -0.99326], [-1.348, -1.27705], [-1.63179, -1.56084]],
 'bn_momentum': ([0.86786, 1.33071, 1.79357], [1.71501, 1.71501, 1.71501], 2),
 'bn_untracked_eval': [[-1.22884, -1.06499], [-1.22884, -1.06499], [-1.22884, -1.06499]],
 'dim_errors': {'BatchNorm1d': ((2, 3, 4, 1),
                                ('ValueError', 'expected 2D or 3D input (got 4D input)')),
                'BatchNorm2d': ((2, 3), ('ValueError', 'expected 4D input (got 2D input)')),
                'BatchNorm3d': ((2, 3, 4), ('ValueError', 'expected 5D input (got 3D input)')),
                'SyncBatchNorm': ((3,),
                                  ('ValueError', 'expected at least 2D input (got 1D input)')),
                'SyncBatchNorm0': ((2, 0),
                                   ('ValueError',
                                    'SyncBatchNorm number of input channels should be non-zero')),
                'InstanceNorm1d': ((2, 3, 4, 5),
                                   ('ValueError', 'expected 2D or 3D input (got 4D input)')),
                'InstanceNorm2d': ((2, 3),
                                   ('ValueError', 'expected 3D or 4D input (got 2D input)')),
                'InstanceNorm3d': ((3, 3),
                                   ('ValueError', 'expected 4D or 5D input (got 2D input)')),
                'InstanceNorm1d_affine': ((2, 4, 5),
                                          ('ValueError',
                                           "expected input's size at dim=1 to match num_features "
                                           '(3), but got: 4.')),
                'InstanceNorm1d_affine_unbatched': ((4, 5),
                                                    ('ValueError',
                                                     "expected input's size at dim=0 to match "
                                                     'num_features (3), but got: 4.')),
                'CrossMapLRN2d': ((2, 3, 4),
                                  ('ValueError',
                                   'CrossMapLRN2d: Expected input to be 4D, got 3D instead.'))},
 'in_warning': ["input's size at dim=1 does not match num_features. You can silence this warning "
                'by not passing in num_features, which is not used because affine=False'],
 'in_train': ([-0.44713, -0.44713, -0.44713],
              [0.10714, 0.16429, 0.22143],
              [0.9034, 0.9034, 0.9034]),
 'in_unbatched': [-1.34138, -1.34138, -1.34138],
 'in_eval': [1.92486, 2.43711, 2.94935],
 'lazy_bn': ('BatchNorm2d',
             'BatchNorm2d(5, eps=1e-05, momentum=0.1, affine=True, bias=True, '
             'track_running_stats=True)',
             [0.0, 0.1, 0.2, 0.3, 0.4],
             [0.9, 0.9, 0.9, 0.9, 0.9]),
 'load_v1': 7,
 'load_v2_missing': ('RuntimeError',
                     'Error(s) in loading state_dict for BatchNorm1d:\n'
                     '\tMissing key(s) in state_dict: "num_batches_tracked". '),
 'load_in_stale': ('RuntimeError',
                   'Error(s) in loading state_dict for InstanceNorm1d:\n'
                   '\tUnexpected running stats buffer(s) "running_mean" and "running_var" for '
                   'InstanceNorm1d with track_running_stats=False. If state_dict is a checkpoint '
                   'saved before 0.4.0, this may be expected because InstanceNorm1d does not track '
                   'running stats by default since 0.4.0. Please remove these keys from '
                   'state_dict. If the running stats are actually needed, instead set '
                   'track_running_stats=True in InstanceNorm1d to enable them. See the '
                   'documentation of InstanceNorm1d for details.'),
 'sync': ('Sequential(\n'
          '  (0): SyncBatchNorm(3, eps=1e-05, momentum=0.1, affine=False, bias=False, '
          'track_running_stats=True)\n'
          '  (1): Linear(in_features=2, out_features=2, bias=True)\n'
          '  (2): Sequential(\n'
          '    (0): SyncBatchNorm(2, eps=1e-05, momentum=0.1, affine=True, bias=False, '
          'track_running_stats=True)\n'
          '  )\n'
          ')',
          False,
          True),
 'cross_map': {1: [-0.15714, 0.12173, 0.3709, 0.55011, 0.65857, 0.71427],
               2: [-0.15788, 0.12264, 0.38294, 0.58974, 0.73161, 0.81309],
               3: [-0.15783, 0.12061, 0.3685, 0.55129, 0.6652, 0.7955],
               5: [-0.15632, 0.11827, 0.36158, 0.54883, 0.71335, 0.82854],
               9: [-0.15062, 0.11337, 0.36325, 0.58419, 0.75859, 0.87256]},
 'lrn': [-0.15783, 0.12061, 0.36956, 0.55272, 0.66676, 0.79747],
 'gn_err': ('ValueError', 'num_channels (4) must be divisible by num_groups (3)'),
 'bil_err': ('ValueError', 'in1_features must be > 0, but got (in1_features=0)'),
 'emb_err': {"{'padding_idx': 5}": (('AssertionError', 'Padding_idx must be within num_embeddings'),
                                    ('AssertionError',
                                     'padding_idx must be within num_embeddings')),
             "{'padding_idx': -6}": (('AssertionError',
                                      'Padding_idx must be within num_embeddings'),
                                     ('AssertionError',
                                      'padding_idx must be within num_embeddings'))},
 'emb_weight_err': ('AssertionError',
                    'Shape of weight does not match num_embeddings and embedding_dim'),
 'emb_pad': [0, 4, 4, 0],
 'fp': ('Embedding(4, 3, padding_idx=1)', False, [[3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]),
 'fp2': ('Embedding(4, 3, max_norm=5.0)',
         True,
         [[[2.58946, 2.87718, 3.16489], [2.4577, 2.86731, 3.27693]]]),
 'fpb': ("EmbeddingBag(4, 3, mode='max')", False, [[3.0, 4.0, 5.0], [2.58946, 2.87718, 3.16489]]),
 'fpb2': (True, [[3.0, 4.0, 5.0], [5.04715, 6.74449, 8.44182]]),
 'fp_err': (('AssertionError', 'Embeddings parameter is expected to be 2-dimensional'),
            ('AssertionError', 'Embeddings parameter is expected to be 2-dimensional')),
 'lazy_linear_mismatch': ('AssertionError',
                          'The in_features inferred from input: 5 is not equal to in_features from '
                          'self.weight: 4'),
 'asm': ('_ASMoutput',
         ('output', 'loss'),
         [-1.57327, -3.12753, -3.53862, -1.42077, -3.41595],
         2.61523),
 'asm1': ((), -3.12753, 3.12753),
 'asm_logp': [[-1.57327, -3.21566, -3.55121, -3.66623],
              [-1.54944, -3.28027, -3.56729, -3.63548],
              [-1.57489, -3.27076, -3.54786, -3.53862],
              [-1.63993, -3.19027, -3.50375, -3.42122],
              [-1.71676, -3.07193, -3.45561, -3.33684]],
 'asm_pred': [1, 1, 1, 1, 1],
 'asm_grad': ([[-0.05541, 0.01063, 0.04125, -0.06559, 0.04616, 0.00409, -0.0516, 0.06468],
               [-0.0051, 0.04706, -0.08551, 0.09138, -0.05675, 0.00022, 0.04541, -0.05487]],
              [0.0013, 0.00874, 0.00392, -0.0064],
              [8e-05, 0.31062, 0.04067, -0.06996, -0.28142]),
 'asm_err': [('RuntimeError', 'Input and target should have the same size in the batch dimension.'),
             ('RuntimeError', '0D or 1D target tensor expected, multi-target not supported'),
             ('RuntimeError',
              '0D target tensor expects 1D input tensors, but found inputs with size '
              'torch.Size([5, 8])'),
             ('RuntimeError',
              'Target values should be in [0, 9], but values in range [20, 20] were found. '),
             ('RuntimeError',
              'Target values should be in [0, 9], but values in range [-1, 3] were found. ')],
 'cut_err': {'[]': ('ValueError', 'cutoffs should be a sequence of length larger than 0'),
             '[3, 3]': ('ValueError',
                        'cutoffs should be a sequence of unique, positive integers sorted in an '
                        'increasing order, where each value is between 1 and n_classes-1'),
             '[0, 4]': ('ValueError',
                        'cutoffs should be a sequence of unique, positive integers sorted in an '
                        'increasing order, where each value is between 1 and n_classes-1'),
             '[4, 10]': ('ValueError',
                         'cutoffs should be a sequence of unique, positive integers sorted in an '
                         'increasing order, where each value is between 1 and n_classes-1'),
             '[5, 3]': ('ValueError',
                        'cutoffs should be a sequence of unique, positive integers sorted in an '
                        'increasing order, where each value is between 1 and n_classes-1'),
             '[2.5]': ('ValueError',
                       'cutoffs should be a sequence of unique, positive integers sorted in an '
                       'increasing order, where each value is between 1 and n_classes-1')}}
# fmt: on


def close(got, want, tol=2e-4):
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), np.asarray(want), atol=tol)


def arr(t):
    return t.detach().numpy().astype(np.float64)


def err(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001 - the class and message are what is compared
        return (type(e).__name__, str(e))
    return None


def build(text):
    return eval(text, {"CrossMapLRN2d": CrossMapLRN2d}, vars(nn))  # noqa: S307


X = torch.tensor(np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7.0)
XX = torch.tensor(np.sin(np.arange(2 * 6 * 2 * 3)).reshape(2, 6, 2, 3).astype(np.float32))


@pytest.mark.parametrize("ctor", list(R["layouts"]))
def test_repr_and_state_dict_layout(ctor):
    text, layout, none_params, none_buffers = R["layouts"][ctor]
    m = build(ctor)
    assert repr(m) == text
    got = [
        (k, None if is_lazy(v) else tuple(v.shape), str(v.dtype).split(".")[1])
        for k, v in m.state_dict().items()
    ]
    assert got == layout
    assert [n for n, v in m._parameters.items() if v is None] == none_params
    assert [n for n, v in m._buffers.items() if v is None] == none_buffers


def _params(sig_text):
    # names, kinds and defaults; annotations are spelled differently (string annotations)
    sig = sig_text.split(" -> ")[0][1:-1]
    out, kw_only = [], False
    for part in re.split(r", (?![^\[]*\])", sig):
        if part == "*":
            kw_only = True
            continue
        name = part.split(":")[0].split("=")[0].strip()
        default = part.split("=", 1)[1].strip() if "=" in part else None
        out.append(("kw:" * kw_only + name, default))
    return out


def _prefix(p):
    kinds = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**", p.KEYWORD_ONLY: "kw:"}
    return kinds.get(p.kind, "")


@pytest.mark.parametrize("name", list(R["signatures"]))
def test_constructor_signature(name):
    ours = inspect.signature(getattr(nn, name))
    got = [
        (_prefix(p) + p.name, None if p.default is p.empty else repr(p.default))
        for p in ours.parameters.values()
    ]
    assert got == _params(R["signatures"][name])


def test_batchnorm_running_stats():
    bn = nn.BatchNorm1d(3, momentum=None)
    for i in range(3):
        bn(X * (i + 1))
    mean, var, count = R["bn_cumulative"]
    close(arr(bn.running_mean), mean)
    close(arr(bn.running_var), var)
    assert int(bn.num_batches_tracked) == count
    bn.eval()
    close(arr(bn(X)[0, :, :2]), R["bn_eval"])
    bn = nn.BatchNorm1d(3, momentum=0.3)
    bn(X)
    bn(X * 2)
    mean, var, count = R["bn_momentum"]
    close(arr(bn.running_mean), mean)
    close(arr(bn.running_var), var)
    assert int(bn.num_batches_tracked) == count
    untracked = nn.BatchNorm1d(3, track_running_stats=False).eval()
    close(arr(untracked(X)[0, :, :2]), R["bn_untracked_eval"])


@pytest.mark.parametrize("case", list(R["dim_errors"]))
def test_input_rank_errors(case):
    shape, want = R["dim_errors"][case]
    name = case.split("_")[0]
    if name == "SyncBatchNorm0":
        m = nn.SyncBatchNorm(0)
    elif name == "CrossMapLRN2d":
        m = CrossMapLRN2d(3)
    else:
        m = getattr(nn, name)(3, affine="affine" in case)
    assert err(lambda: m(torch.zeros(shape))) == (tuple(want) if want else None)


def test_instance_norm():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        nn.InstanceNorm1d(3)(torch.ones(2, 4, 5))
    assert [str(x.message) for x in w] == R["in_warning"]
    inn = nn.InstanceNorm1d(3, affine=True, track_running_stats=True)
    out, mean, var = R["in_train"]
    close(arr(inn(X)[1, :, 1]), out)
    close(arr(inn.running_mean), mean)
    close(arr(inn.running_var), var)
    close(arr(inn(X[0])[:, 0]), R["in_unbatched"])
    inn.eval()
    close(arr(inn(X)[1, :, 1]), R["in_eval"])


def test_lazy_batchnorm_materializes():
    lz = nn.LazyBatchNorm2d()
    lz(torch.ones(2, 5, 2, 2) * torch.arange(5.0).view(1, 5, 1, 1))
    name, text, mean, var = R["lazy_bn"]
    assert (type(lz).__name__, repr(lz)) == (name, text)
    close(arr(lz.running_mean), mean)
    close(arr(lz.running_var), var)


def test_state_dict_versions():
    bn = nn.BatchNorm1d(3)
    bn.num_batches_tracked.fill_(7)
    sd = nn.BatchNorm1d(3).state_dict()
    del sd["num_batches_tracked"]
    sd._metadata[""]["version"] = 1
    bn.load_state_dict(sd)
    assert int(bn.num_batches_tracked) == R["load_v1"]
    bn = nn.BatchNorm1d(3)
    sd = bn.state_dict()
    del sd["num_batches_tracked"]
    assert err(lambda: bn.load_state_dict(sd)) == R["load_v2_missing"]
    inn = nn.InstanceNorm1d(3)
    sd = nn.BatchNorm1d(3).state_dict()
    for k in ("weight", "bias", "num_batches_tracked"):
        sd.pop(k)
    sd._metadata[""]["version"] = None
    assert err(lambda: inn.load_state_dict(sd)) == R["load_in_stale"]


def test_convert_sync_batchnorm():
    inner = nn.Sequential(nn.BatchNorm2d(2, bias=False).eval())
    s = nn.SyncBatchNorm.convert_sync_batchnorm(
        nn.Sequential(nn.BatchNorm1d(3, affine=False), nn.Linear(2, 2), inner)
    )
    assert (repr(s), s[2][0].training, s[0].training) == R["sync"]


@pytest.mark.parametrize("size", [1, 2, 3, 5, 9])
def test_cross_map_lrn2d(size):
    out = CrossMapLRN2d(size, alpha=0.5, beta=0.75, k=1)(XX)
    close(arr(out[1, :, 1, 2]), R["cross_map"][size])


def test_local_response_norm_and_constructor_errors():
    close(arr(nn.LocalResponseNorm(3, alpha=0.5)(XX)[1, :, 1, 2]), R["lrn"])
    assert err(lambda: nn.GroupNorm(3, 4)) == R["gn_err"]
    assert err(lambda: nn.Bilinear(0, 2, 2)) == R["bil_err"]


def test_embedding_padding_idx():
    for key, (emb, bag) in R["emb_err"].items():
        kw = eval(key)  # noqa: S307
        assert err(lambda kw=kw: nn.Embedding(5, 2, **kw)) == emb
        assert err(lambda kw=kw: nn.EmbeddingBag(5, 2, **kw)) == bag
    assert err(lambda: nn.Embedding(5, 2, _weight=torch.zeros(2, 3))) == R["emb_weight_err"]
    pads = [nn.Embedding(5, 2, padding_idx=p).padding_idx for p in (0, 4, -1, -5)]
    assert pads == R["emb_pad"]
    e = nn.Embedding(5, 2, padding_idx=-2)
    assert arr(e.weight[3]).tolist() == [0.0, 0.0]


def test_from_pretrained():
    w = torch.tensor(np.arange(12.0, dtype=np.float32).reshape(4, 3))
    e = nn.Embedding.from_pretrained(w, padding_idx=1)
    text, grad, out = R["fp"]
    assert (repr(e), e.weight.requires_grad) == (text, grad)
    close(arr(e(torch.tensor([1, 2]))), out)
    # max_norm renormalises the looked-up rows in place, in the tensor given (shared)
    e = nn.Embedding.from_pretrained(w, freeze=False, max_norm=5.0)
    text, grad, out = R["fp2"]
    assert (repr(e), e.weight.requires_grad) == (text, grad)
    close(arr(e(torch.tensor([[3, 2]]))), out)
    bag = nn.EmbeddingBag.from_pretrained(w, mode="max")
    text, grad, out = R["fpb"]
    assert (repr(bag), bag.weight.requires_grad) == (text, grad)
    close(arr(bag(torch.tensor([[1, 2], [0, 3]]))), out)
    bag = nn.EmbeddingBag.from_pretrained(w, freeze=False, mode="sum")
    grad, out = R["fpb2"]
    assert bag.weight.requires_grad == grad
    close(arr(bag(torch.tensor([1, 2, 0, 3]), torch.tensor([0, 1]))), out)
    got = (
        err(lambda: nn.Embedding.from_pretrained(torch.zeros(3))),
        err(lambda: nn.EmbeddingBag.from_pretrained(torch.zeros(3))),
    )
    assert got == R["fp_err"]


def test_lazy_linear_from_state_dict_checks_width():
    ll = nn.LazyLinear(2)
    ll.load_state_dict(nn.Linear(4, 2).state_dict())
    assert err(lambda: ll(torch.ones(1, 5))) == R["lazy_linear_mismatch"]


def test_linear_init_bounds():
    # U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for Linear and Bilinear, N(0, 1) for Embedding
    torch.manual_seed(0)
    lin = nn.Linear(400, 30)
    assert 0.049 < float(lin.weight.abs().max()) <= 0.05 + 1e-7
    assert float(lin.bias.abs().max()) <= 0.05 + 1e-7
    bil = nn.Bilinear(100, 2, 40)
    assert 0.099 < float(bil.weight.abs().max()) <= 0.1 + 1e-7
    assert float(bil.bias.abs().max()) <= 0.1 + 1e-7
    emb = nn.Embedding(100, 50)
    assert abs(float(emb.weight.std()) - 1) < 0.05


def _filled_asm():
    asm = nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0, head_bias=True)
    with torch.no_grad():
        for i, (_, p) in enumerate(sorted(asm.named_parameters())):
            values = np.sin(np.arange(p.numel()) * (i + 1.3)) * 0.5
            p.copy_(torch.tensor(values.astype(np.float32).reshape(tuple(p.shape))))
    return asm


XA = torch.tensor(np.cos(np.arange(5 * 8) * 0.7).reshape(5, 8).astype(np.float32))
TA = torch.tensor([0, 4, 9, 2, 7])


def test_adaptive_log_softmax_values():
    asm = _filled_asm()
    out = asm(XA, TA)
    name, fields, output, loss = R["asm"]
    assert (type(out).__name__, out._fields) == (name, fields)
    close(arr(out.output), output)
    close(arr(out.loss), loss)
    out = asm(XA[1], TA[1])
    shape, output, loss = R["asm1"]
    assert tuple(out.output.shape) == shape
    close(arr(out.output), output)
    close(arr(out.loss), loss)
    close(arr(asm.log_prob(XA)[:, ::3]), R["asm_logp"])
    assert asm.predict(XA).tolist() == R["asm_pred"]


def test_adaptive_log_softmax_gradients():
    asm = _filled_asm()
    xg = XA.clone().requires_grad_()
    asm(xg, TA).loss.backward()
    gx, gtail, ghead = R["asm_grad"]
    close(arr(xg.grad[:2]), gx)
    close(arr(asm.tail[0][1].weight.grad[0]), gtail)
    close(arr(asm.head.bias.grad), ghead)


def test_adaptive_log_softmax_errors():
    asm = _filled_asm()
    cases = [(XA, TA[:3]), (XA[None], TA[None]), (XA, TA[0]), (XA[0][None], TA[:1] + 20),
             (XA[:2], torch.tensor([-1, 3]))]
    got = [err(lambda a=a: asm(*a)) for a in cases]
    want = [tuple(w) for w in R["asm_err"]]
    assert [g[0] for g in got] == [w[0] for w in want]
    # torch prints sizes as torch.Size([...]); compare the message up to that
    for g, w in zip(got, want, strict=True):
        assert g[1].split("torch")[0] == w[1].split("torch")[0]
    for key, want_err in R["cut_err"].items():
        assert err(lambda k=key: nn.AdaptiveLogSoftmaxWithLoss(8, 10, eval(k))) == want_err  # noqa: S307
