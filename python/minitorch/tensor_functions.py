"""minitorch.tensor_functions (being written)."""
