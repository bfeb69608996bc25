"""TensorBackend(SimpleOps | FastOps | CudaOps) and the course's function table."""
import math

import numpy as np
import pytest
from hypothesis import given

import minitorch
from minitorch import FastOps, SimpleOps, TensorBackend

from tensor_strategies import shaped_tensors, tensors

FAST = TensorBackend(FastOps)
BACKENDS = [minitorch.SimpleBackend, FAST]


def values(t: minitorch.Tensor) -> np.ndarray:
    return t.to_numpy()


@pytest.mark.parametrize("backend", BACKENDS, ids=["simple", "fast"])
@given(t=tensors())
def test_maps_match_numpy(backend: TensorBackend, t: minitorch.Tensor) -> None:
    x = values(t)
    shifted = minitorch.Tensor(t._tensor, backend=backend)
    positive = shifted * shifted + 1.0
    p = values(positive)
    np.testing.assert_allclose(values(backend.neg_map(shifted)), -x)
    np.testing.assert_allclose(values(backend.id_map(shifted)), x)
    np.testing.assert_allclose(values(backend.relu_map(shifted)), np.maximum(x, 0))
    np.testing.assert_allclose(values(backend.sigmoid_map(shifted)), 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(values(backend.exp_map(shifted / 100.0)), np.exp(x / 100.0))
    np.testing.assert_allclose(values(backend.log_map(positive)), np.log(p))
    np.testing.assert_allclose(values(backend.inv_map(positive)), 1 / p)


@pytest.mark.parametrize("backend", BACKENDS, ids=["simple", "fast"])
@given(ts=shaped_tensors(2))
def test_zips_match_numpy(backend: TensorBackend, ts: list) -> None:
    a, b = (minitorch.Tensor(t._tensor, backend=backend) for t in ts)
    x, y = values(a), values(b)
    p = x * x + 1.0
    positive = a * a + 1.0
    np.testing.assert_allclose(values(backend.add_zip(a, b)), x + y)
    np.testing.assert_allclose(values(backend.mul_zip(a, b)), x * y)
    np.testing.assert_array_equal(values(backend.lt_zip(a, b)), (x < y).astype(float))
    np.testing.assert_array_equal(values(backend.eq_zip(a, a)), np.ones_like(x))
    np.testing.assert_array_equal(values(backend.is_close_zip(a, b)), (abs(x - y) < 1e-2) * 1.0)
    np.testing.assert_allclose(values(backend.relu_back_zip(a, b)), np.where(x > 0, y, 0.0))
    np.testing.assert_allclose(values(backend.log_back_zip(positive, b)), y / p)
    np.testing.assert_allclose(values(backend.inv_back_zip(positive, b)), -y / p**2)


@pytest.mark.parametrize("backend", BACKENDS, ids=["simple", "fast"])
@given(t=tensors())
def test_reduces_keep_the_dimension(backend: TensorBackend, t: minitorch.Tensor) -> None:
    a = minitorch.Tensor(t._tensor, backend=backend)
    x = values(a)
    for dim in range(a.dims):
        np.testing.assert_allclose(
            values(backend.add_reduce(a, dim)), x.sum(axis=dim, keepdims=True), atol=1e-9
        )
        np.testing.assert_allclose(
            values(backend.mul_reduce(a, dim)), x.prod(axis=dim, keepdims=True), rtol=1e-9
        )


@pytest.mark.parametrize("backend", BACKENDS, ids=["simple", "fast"])
def test_matrix_multiply_broadcasts_batches(backend: TensorBackend) -> None:
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((3, 1, 4, 5)), rng.standard_normal((2, 5, 6))
    a = minitorch.tensor(x.tolist(), backend=backend)
    b = minitorch.tensor(y.tolist(), backend=backend)
    np.testing.assert_allclose(values(backend.matrix_multiply(a, b)), x @ y, rtol=1e-12)
    np.testing.assert_allclose(values(a @ b), x @ y, rtol=1e-12)
    m = minitorch.tensor(x[0, 0].tolist(), backend=backend)
    n = minitorch.tensor(y[0].tolist(), backend=backend)
    assert backend.matrix_multiply(m, n).shape == (4, 6)
    with pytest.raises(minitorch.IndexingError):
        backend.matrix_multiply(m, m)


def test_map_broadcasts_into_out_and_may_write_in_place() -> None:
    backend = minitorch.SimpleBackend
    a = minitorch.tensor([[1.0, -2.0]])
    out = minitorch.zeros((3, 2))
    backend.neg_map(a, out)
    assert values(out).tolist() == [[-1.0, 2.0]] * 3
    backend.neg_map(out, out)  # output over its own input
    assert values(out).tolist() == [[1.0, -2.0]] * 3


def test_ops_take_operators_and_other_callables() -> None:
    a = minitorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    square = SimpleOps.map(lambda x: x * x)  # not a core op: element by element
    assert values(square(a)).tolist() == [[1.0, 4.0], [9.0, 16.0]]
    hyp = FastOps.zip(lambda x, y: math.hypot(x, y))
    np.testing.assert_allclose(values(hyp(a, a)), np.hypot(values(a), values(a)))
    smallest = SimpleOps.reduce(lambda x, y: min(x, y), 1e9)
    assert values(smallest(a, 1)).tolist() == [[1.0], [3.0]]
    largest = FastOps.reduce(minitorch.operators.max, -1e9)
    assert values(largest(a, 0)).tolist() == [[3.0, 4.0]]


def test_backend_of_tensors_and_cuda() -> None:
    assert minitorch.tensor([1.0], backend=FAST).backend._c == minitorch._C.fast_backend()
    assert minitorch.SimpleBackend._c == minitorch._C.reference_backend()
    assert not minitorch.SimpleBackend.cuda
    if minitorch.cuda_available():
        gpu = TensorBackend(minitorch.CudaOps)
        assert gpu.cuda
        x = minitorch.tensor([[1.0, 2.0], [3.0, 4.0]], backend=gpu)
        assert (x @ x)[1, 1] == 22.0
        assert minitorch.sum_practice(minitorch.tensor([1.0] * 40, backend=gpu))._storage[1] == 8.0
    else:
        with pytest.raises(RuntimeError, match="cuda"):
            TensorBackend(minitorch.CudaOps)
    with pytest.raises(TypeError, match="ops class"):
        TensorBackend(object)


def test_primitives_check_their_arguments() -> None:
    core = minitorch._C.reference_backend()
    a = minitorch.tensor([1.0, 2.0, 3.0])
    with pytest.raises(minitorch.IndexingError, match="broadcast"):
        core.map(minitorch._C.UnaryOp.neg, a._tensor, minitorch.zeros((2,))._tensor)
    with pytest.raises(TypeError, match="dtype"):
        core.map(
            minitorch._C.UnaryOp.neg,
            a._tensor,
            minitorch.zeros((3,), dtype=minitorch.float32)._tensor,
        )
    with pytest.raises(ValueError, match="expected"):
        core.reduce(minitorch._C.ReduceOp.sum, a._tensor, 0, minitorch.zeros((3,))._tensor)
    with pytest.raises(RuntimeError):
        core.reduce(minitorch._C.ReduceOp.sum, a._tensor, 4, minitorch.zeros((1,))._tensor)
    with pytest.raises(ValueError, match="matrices"):
        core.matmul(a._tensor, a._tensor, minitorch.zeros((1,))._tensor)
