"""minitorch.autodiff (being written)."""
