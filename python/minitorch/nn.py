"""minitorch.nn (being written)."""
