"""minitorch.serialization (being written)."""
