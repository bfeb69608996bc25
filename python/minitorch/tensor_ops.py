"""minitorch.tensor_ops (being written)."""
