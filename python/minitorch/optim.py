"""minitorch.optim (being written)."""
