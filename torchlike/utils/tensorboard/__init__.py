"""torch.utils.tensorboard: SummaryWriter writing TensorBoard event files."""

try:
    import tensorboard  # noqa: F401
except ImportError as e:  # same contract as torch: the package is useless without it
    raise ImportError(
        "torchlike.utils.tensorboard needs the tensorboard package: "
        "pip install 'torchlike[tensorboard]'"
    ) from e

from .writer import FileWriter, SummaryWriter

__all__ = ["FileWriter", "SummaryWriter"]
