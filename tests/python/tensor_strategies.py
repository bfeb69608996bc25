"""Hypothesis strategies for tensors, in the course's style: shapes, permuted strides, values."""
from __future__ import annotations

import math
from typing import List, Optional, Sequence

import numpy as np
from hypothesis.strategies import (
    DrawFn,
    SearchStrategy,
    composite,
    floats,
    integers,
    lists,
    permutations,
)

import minitorch

small_ints = integers(min_value=1, max_value=3)
small_floats = floats(min_value=-100, max_value=100, allow_nan=False)


@composite
def shapes(draw: DrawFn, max_dims: int = 4) -> tuple:
    """A shape of 1 to max_dims dimensions, each of size 1 to 3."""
    return tuple(draw(lists(small_ints, min_size=1, max_size=max_dims)))


@composite
def tensor_data(
    draw: DrawFn,
    numbers: SearchStrategy[float] = small_floats,
    shape: Optional[Sequence[int]] = None,
) -> minitorch.TensorData:
    """TensorData of ``shape`` whose strides are a random permutation of contiguous ones."""
    if shape is None:
        shape = draw(shapes())
    size = int(minitorch.prod(shape))
    data = draw(lists(numbers, min_size=size, max_size=size))
    order: List[int] = draw(permutations(range(len(shape))))
    stored = minitorch.TensorData(data, tuple(shape[i] for i in order))
    inverse = [order.index(i) for i in range(len(shape))]
    return stored.permute(*inverse)


@composite
def tensors(
    draw: DrawFn,
    numbers: SearchStrategy[float] = small_floats,
    backend: Optional[minitorch.TensorBackend] = None,
    shape: Optional[Sequence[int]] = None,
) -> minitorch.Tensor:
    """A tensor over permuted-stride TensorData on ``backend`` (SimpleBackend by default)."""
    backend = minitorch.SimpleBackend if backend is None else backend
    return minitorch.Tensor(draw(tensor_data(numbers, shape=shape)), backend=backend)


@composite
def shaped_tensors(
    draw: DrawFn,
    n: int,
    numbers: SearchStrategy[float] = small_floats,
    backend: Optional[minitorch.TensorBackend] = None,
) -> List[minitorch.Tensor]:
    """``n`` tensors of one shape and one (permuted) layout."""
    backend = minitorch.SimpleBackend if backend is None else backend
    layout = draw(tensor_data(numbers))
    out = []
    for _ in range(n):
        data = draw(lists(numbers, min_size=layout.size, max_size=layout.size))
        td = minitorch.TensorData(data, layout.shape, layout.strides)
        out.append(minitorch.Tensor(td, backend=backend))
    return out


def assert_close(a: float, b: float) -> None:
    """The course's closeness: |a - b| < 1e-2 (absolute), NaN equal to NaN."""
    if math.isnan(a) and math.isnan(b):
        return
    assert abs(a - b) < 1e-2 or (math.isinf(a) and a == b), f"{a} != {b}"


def assert_close_tensor(a: minitorch.Tensor, b: minitorch.Tensor) -> None:
    """Same shape and every element close (absolute 1e-6, relative 1e-6)."""
    assert a.shape == b.shape, f"{a.shape} != {b.shape}"
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-6, atol=1e-6)
