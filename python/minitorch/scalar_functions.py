"""minitorch.scalar_functions (being written)."""
