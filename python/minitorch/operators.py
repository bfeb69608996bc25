"""minitorch.operators (being written)."""
