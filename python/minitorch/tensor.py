"""minitorch.tensor (being written)."""
