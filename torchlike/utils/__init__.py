"""torch.utils (so far: safetensors interop)."""
