"""minitorch.cuda_ops (being written)."""
