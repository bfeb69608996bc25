"""minitorch.cuda_ops: the CUDA backend (MiniTorch module 3, task 3.3 and 3.4).

``CudaOps`` runs on the core's CUDA backend (device 0). It exists only where minitorch was built
with CUDA and a device is present: ``TensorBackend(CudaOps)`` raises RuntimeError naming why
otherwise (``minitorch.cuda_available()`` says beforehand). ``sum_practice`` and ``mm_practice``
give the course's practice kernels' results (block sums of 32 elements; a product of square
matrices) computed by the backend's own reduction and matmul.
"""
from __future__ import annotations

from typing import Any

from . import _C
from .tensor_ops import TensorOps

__all__ = ["CudaOps", "THREADS_PER_BLOCK", "mm_practice", "sum_practice"]

THREADS_PER_BLOCK = 32


class CudaOps(TensorOps):
    """The CUDA backend of GPU 0."""

    cuda = True

    @staticmethod
    def _core() -> Any:
        return _C.cuda_backend(0)


def sum_practice(a: Any) -> Any:
    """The sums of each block of 32 consecutive elements of a 1-D tensor, as TensorData.

    Element ``i`` of the result's storage is the sum of ``a[32 i : 32 i + 32]``; the result has
    at least two blocks, as the course's (the second is 0 for 32 elements or fewer).
    """
    (size,) = a.shape
    blocks = max(2, -(-size // THREADS_PER_BLOCK))
    padded = a.zeros((blocks * THREADS_PER_BLOCK,))
    a.backend._c.copy(a._tensor, padded.narrow(0, 0, size)._tensor)
    # On the host, so that its _storage can be read (as the course's, copied back by Numba).
    return padded.view(blocks, THREADS_PER_BLOCK).sum(1).cpu().contiguous()._tensor


def mm_practice(a: Any, b: Any) -> Any:
    """The product of two square matrices, as contiguous TensorData on the host."""
    return (a @ b).cpu().contiguous()._tensor
