"""minitorch.testing (being written)."""
