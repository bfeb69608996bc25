"""minitorch.datasets (being written)."""
