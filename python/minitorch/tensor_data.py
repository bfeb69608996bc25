"""minitorch.tensor_data: strided views of flat storage (MiniTorch task 2.1 and 2.2).

``TensorData`` is the core's strided view (``minitorch._C.TensorData``): storage, shape, strides,
with arbitrary (non-contiguous) strides. The index arithmetic (``index_to_position``, ``to_index``,
``broadcast_index``, ``shape_broadcast``, ``strides_from_shape``) is the core's too; the course's
out-parameter forms write into a NumPy index array in place.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import numpy.typing as npt

from ._C import (
    IndexingError,
    TensorData,
    broadcast_index,
    index_to_position,
    shape_broadcast,
    strides_from_shape,
    to_index,
)

try:
    from .operators import prod
except ImportError:  # operators.py not present yet: the same product over a sequence

    def prod(ls: Sequence[float]) -> float:
        """The product of the values in ``ls`` (1.0 for an empty sequence)."""
        result = 1.0
        for value in ls:
            result *= value
        return result


__all__ = [
    "MAX_DIMS",
    "IndexingError",
    "Index",
    "OutIndex",
    "Shape",
    "Storage",
    "Strides",
    "TensorData",
    "UserIndex",
    "UserShape",
    "UserStrides",
    "broadcast_index",
    "index_to_position",
    "prod",
    "shape_broadcast",
    "strides_from_shape",
    "to_index",
]

MAX_DIMS = 32
"""The most dimensions the course's kernels allocate index buffers for."""

Storage = npt.NDArray[np.float64]
OutIndex = npt.NDArray[np.int32]
Index = npt.NDArray[np.int32]
Shape = npt.NDArray[np.int32]
Strides = npt.NDArray[np.int32]

UserIndex = Sequence[int]
UserShape = Sequence[int]
UserStrides = Sequence[int]
