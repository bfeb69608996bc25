"""The tensor operations on every backend: the same values and gradients as the reference."""
from typing import Dict, List

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.strategies import DataObject, data, integers, permutations

import minitorch
from minitorch import Tensor, TensorBackend, grad_check

from test_tensor import ONE_ARG, TWO_ARG
from tensor_strategies import assert_close_tensor, shaped_tensors, tensors

SHARED: Dict[str, TensorBackend] = {
    "simple": minitorch.SimpleBackend,
    "fast": TensorBackend(minitorch.FastOps),
}
if minitorch.cuda_available():
    SHARED["cuda"] = TensorBackend(minitorch.CudaOps)
NAMES = list(SHARED)


def on(backend: str, t: Tensor) -> Tensor:
    """The same values, computed by another backend."""
    return minitorch.tensor(t.to_numpy(), backend=SHARED[backend])


@pytest.mark.parametrize("backend", NAMES)
@pytest.mark.parametrize("fn", ONE_ARG + TWO_ARG, ids=[f[0] for f in ONE_ARG + TWO_ARG])
@given(d=data())
@settings(max_examples=25)
def test_ops_agree_with_the_reference(backend: str, fn: tuple, d: DataObject) -> None:
    _, _, op = fn
    ts: List[Tensor] = d.draw(shaped_tensors(2))
    args = ts[: op.__code__.co_argcount]
    expected = op(*args)
    got = op(*[on(backend, t) for t in args])
    assert got.backend._c == SHARED[backend]._c
    assert_close_tensor(got.cpu() if backend == "cuda" else got, expected)


@pytest.mark.parametrize("backend", NAMES)
@given(d=data())
@settings(max_examples=25)
def test_gradients_on_every_backend(backend: str, d: DataObject) -> None:
    t1, t2 = d.draw(shaped_tensors(2, backend=SHARED[backend]))
    grad_check(lambda a, b: (a * b + a.sigmoid()).sum(0), t1, t2)
    order = d.draw(permutations(range(t1.dims)))
    grad_check(lambda a: a.permute(*order), t1)


@pytest.mark.parametrize("backend", NAMES)
@given(d=data())
@settings(max_examples=25)
def test_batched_matmul(backend: str, d: DataObject) -> None:
    small = integers(min_value=1, max_value=4)
    n, k, m, batch = (d.draw(small) for _ in range(4))
    a = d.draw(tensors(backend=SHARED[backend], shape=(batch, n, k)))
    b = d.draw(tensors(backend=SHARED[backend], shape=(1, k, m)))
    c = a @ b
    c2 = (a.contiguous().view(batch, n, k, 1) * b.contiguous().view(1, 1, k, m)).sum(2)
    assert_close_tensor(c, c2.view(batch, n, m))
    np.testing.assert_allclose(c.to_numpy(), a.to_numpy() @ b.to_numpy(), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("backend", NAMES)
def test_matmul_gradient(backend: str) -> None:
    a = minitorch.rand((2, 3, 4), backend=SHARED[backend])
    b = minitorch.rand((4, 2), backend=SHARED[backend])
    grad_check(lambda x, y: x @ y, a, b)
