"""torch.optim: optimizers (each param group updates in one fused, jitted kernel) and lr_scheduler.

SparseAdam is not provided: torchlike has no sparse tensors, so there are no sparse gradients
for it to consume (and torch's SparseAdam rejects dense ones).
"""

from . import lr_scheduler
from .adam import Adam, Adamax, AdamW, NAdam, RAdam
from .adaptive import ASGD, Adadelta, Adagrad, RMSprop, Rprop
from .lbfgs import LBFGS
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["ASGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "NAdam",
           "Optimizer", "RAdam", "RMSprop", "Rprop", "SGD", "lr_scheduler"]
