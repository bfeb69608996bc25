"""minitorch.fast_ops (being written)."""
