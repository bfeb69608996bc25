"""minitorch.tensor_data (being written)."""
