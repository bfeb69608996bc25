"""minitorch.fast_conv (being written)."""
