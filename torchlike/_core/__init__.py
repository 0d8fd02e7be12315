"""torchlike's private engine: Tensor, Storage, views, dtypes, devices, the op registry."""
