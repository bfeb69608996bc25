"""minitorch.scalar (being written)."""
