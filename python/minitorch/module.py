"""minitorch.module (being written)."""
