"""minitorch.fast_ops: the fast CPU backend (MiniTorch module 3, task 3.1 and 3.2).

``FastOps`` runs on the core's fast backend: vectorised (AVX-512 / AVX2 / portable, chosen at
run time) and threaded kernels, and our own GEMM for ``matrix_multiply`` -- compiled ahead of time,
where the course JIT-compiles Python with Numba. The function-table contract is ``TensorOps``'s
(tensor_ops.py).
"""
from __future__ import annotations

from typing import Any

from . import _C
from .tensor_ops import TensorOps

__all__ = ["FastOps"]


class FastOps(TensorOps):
    """The vectorised, threaded CPU backend (the default for new tensors)."""

    @staticmethod
    def _core() -> Any:
        return _C.fast_backend()

