"""Tensor (course module 2): values, operators, reductions, views, gradients and bad input."""
import math
from typing import Callable, List, Tuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis.strategies import DataObject, data, lists, permutations

import minitorch
from minitorch import Tensor, grad_check, tensor

from tensor_strategies import assert_close, shaped_tensors, small_floats, tensors

# (name, on floats, on tensors): every one-argument operation of the course's Tensor.
ONE_ARG: List[Tuple[str, Callable[[float], float], Callable[[Tensor], Tensor]]] = [
    ("neg", lambda x: -x, lambda t: -t),
    ("add_const", lambda x: x + 5.0, lambda t: t + 5.0),
    ("radd_const", lambda x: 5.0 + x, lambda t: 5.0 + t),
    ("sub_const", lambda x: x - 2.0, lambda t: t - 2.0),
    ("rsub_const", lambda x: 2.0 - x, lambda t: 2.0 - t),
    ("mul_const", lambda x: 3.0 * x, lambda t: t * 3.0),
    ("rmul_const", lambda x: 3.0 * x, lambda t: 3.0 * t),
    ("div_const", lambda x: x / 4.0, lambda t: t / 4.0),
    ("rdiv", lambda x: 2.0 / (x * x + 0.5), lambda t: 2.0 / (t * t + 0.5)),
    ("sigmoid", lambda x: 1.0 / (1.0 + math.exp(-x)), lambda t: t.sigmoid()),
    # Shifted off the kink by an offset Hypothesis does not draw (gradients are checked too).
    ("relu", lambda x: max(x + 0.3137, 0.0), lambda t: (t + 0.3137).relu()),
    ("log", lambda x: math.log(x * x + 0.5), lambda t: (t * t + 0.5).log()),
    ("exp", lambda x: math.exp(x / 10.0), lambda t: (t / 10.0).exp()),
    ("square", lambda x: x * x, lambda t: t * t),
    ("cube", lambda x: x * x * x, lambda t: t * t * t),
]
TWO_ARG: List[Tuple[str, Callable[[float, float], float], Callable[[Tensor, Tensor], Tensor]]] = [
    ("add", lambda x, y: x + y, lambda a, b: a + b),
    ("sub", lambda x, y: x - y, lambda a, b: a - b),
    ("mul", lambda x, y: x * y, lambda a, b: a * b),
    ("div", lambda x, y: x / (y * y + 1.0), lambda a, b: a / (b * b + 1.0)),
    ("lt", lambda x, y: float(x < y + 1.5), lambda a, b: a < b + 1.5),
    ("gt", lambda x, y: float(x > y + 1.5), lambda a, b: a > b + 1.5),
    ("eq", lambda x, y: float(x == y + 5.5), lambda a, b: a == b + 5.5),
    ("is_close", lambda x, y: float(abs(x - y) < 1e-2), lambda a, b: a.is_close(b)),
]


@given(lists(small_floats, min_size=1))
def test_create_and_index(values: List[float]) -> None:
    t = tensor(values)
    assert t.shape == (len(values),)
    for i, v in enumerate(values):
        assert t[i] == v


@pytest.mark.parametrize("fn", ONE_ARG, ids=[f[0] for f in ONE_ARG])
@given(t1=tensors())
def test_one_arg_forward(fn: tuple, t1: Tensor) -> None:
    _, base, op = fn
    t2 = op(t1)
    assert t2.shape == t1.shape
    for index in t2._tensor.indices():
        assert_close(t2[index], base(t1[index]))


@pytest.mark.parametrize("fn", TWO_ARG, ids=[f[0] for f in TWO_ARG])
@given(ts=shaped_tensors(2))
def test_two_arg_forward(fn: tuple, ts: List[Tensor]) -> None:
    _, base, op = fn
    t1, t2 = ts
    t3 = op(t1, t2)
    for index in t3._tensor.indices():
        assert_close(t3[index], base(t1[index], t2[index]))


@pytest.mark.parametrize("fn", ONE_ARG, ids=[f[0] for f in ONE_ARG])
@given(t1=tensors())
def test_one_arg_gradient(fn: tuple, t1: Tensor) -> None:
    grad_check(fn[2], t1)


@pytest.mark.parametrize("fn", TWO_ARG[:4], ids=[f[0] for f in TWO_ARG[:4]])
@given(ts=shaped_tensors(2))
def test_two_arg_gradient_and_broadcast(fn: tuple, ts: List[Tensor]) -> None:
    t1, t2 = ts
    grad_check(fn[2], t1, t2)
    grad_check(fn[2], t1.sum(0), t2)
    grad_check(fn[2], t1, t2.sum(0))


@given(t1=tensors())
def test_reductions_gradient(t1: Tensor) -> None:
    grad_check(lambda t: t.sum(0), t1)
    grad_check(lambda t: t.mean(), t1)
    grad_check(lambda t: t.mean(t.dims - 1), t1)


@given(data(), tensors())
def test_permute_gradient(d: DataObject, t1: Tensor) -> None:
    order = d.draw(permutations(range(t1.dims)))
    grad_check(lambda a: a.permute(*order), t1)


def test_reductions_keep_dims() -> None:
    t = tensor([[2, 3], [4, 6], [5, 7]])
    assert t.sum(0).shape == (1, 2) and t.sum(0).to_numpy().tolist() == [[11, 16]]
    assert t.sum(1).to_numpy().tolist() == [[5], [10], [12]]
    assert t.sum().shape == (1,) and t.sum()[0] == 27
    assert t.mean().item() == pytest.approx(4.5)
    assert t.mean(0).to_numpy().tolist() == [[11 / 3, 16 / 3]]
    assert t.all().item() == 1.0
    assert (t - 2).all(0).to_numpy().tolist() == [[0.0, 1.0]]
    assert t.sum(minitorch.tensor([0])).shape == (1, 2)  # dims as tensors, as Sum.apply passes


def test_views_and_contiguous() -> None:
    t = tensor([[2, 3, 4], [4, 5, 7]])
    assert t.view(6).shape == (6,) and t.view(3, 2).shape == (3, 2)
    assert t.view((6, 1)).shape == (6, 1)
    p = t.permute(1, 0)
    assert p.shape == (3, 2) and not p.is_contiguous()
    with pytest.raises(RuntimeError, match="contiguous"):
        p.view(6)
    assert p.contiguous().view(6).to_numpy().tolist() == [2, 4, 3, 5, 4, 7]
    assert t.is_close(p.permute(1, 0)).all().item() == 1.0


def test_set_item_and_item() -> None:
    t = minitorch.zeros((2, 3))
    t[1, 2] = 5.0
    t[(0, 0)] = -1.0
    assert t[1, 2] == 5.0 and t[0, 0] == -1.0
    assert tensor([3.5]).item() == 3.5
    with pytest.raises(RuntimeError):
        t.item()


def test_grad_size_and_accumulation() -> None:
    a = tensor([1], requires_grad=True)
    b = tensor([[1, 1]], requires_grad=True)
    c = (a * b).sum()
    c.backward()
    assert c.shape == (1,) and a.grad.shape == a.shape and b.grad.shape == b.shape
    (a * b).sum().backward()
    assert a.grad[0] == 4.0  # accumulated until zero_grad_
    a.zero_grad_()
    assert a.grad is None


def test_matmul_batched_broadcasting() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 1, 2, 3))
    y = rng.standard_normal((5, 3, 2))
    z = tensor(x.tolist()) @ tensor(y.tolist())
    np.testing.assert_allclose(z.to_numpy(), x @ y, rtol=1e-12)
    grad_check(lambda a, b: a @ b, minitorch.rand((2, 3)), minitorch.rand((3, 4)))


def test_expand_course_and_pytorch_meanings() -> None:
    t = minitorch.zeros((1, 3))
    g = minitorch.ones((4, 3))
    assert t.expand(g).to_numpy().tolist() == [[4.0, 4.0, 4.0]]
    assert t.expand(4, 3).shape == (4, 3)


def test_history_parents_and_backend() -> None:
    a = tensor([1.0, 2.0], requires_grad=True)
    b = a * a
    assert b.history.last_fn is minitorch.Mul
    assert len(b.history.inputs) == 2 and len(b.parents) == 2
    assert a.history is not None and a.history.last_fn is None
    assert tensor([1.0]).history is None and tensor([1.0]).is_constant()
    assert tensor([1.0], backend=minitorch.SimpleBackend).backend is minitorch.SimpleBackend
    assert a.backend.add_zip is not None
    assert minitorch.Tensor.make([1.0, 2.0, 3.0, 4.0], (2, 2)).shape == (2, 2)


def test_functions_apply_runs_the_core() -> None:
    a = tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    assert minitorch.Mul.apply(a, a).history.last_fn is minitorch.Mul
    assert minitorch.Sum.apply(a, tensor([1])).shape == (2, 1)
    assert minitorch.Permute.apply(a, tensor([1, 0]))[0, 1] == 3.0
    assert minitorch.View.apply(a, tensor([4])).shape == (4,)
    assert minitorch.ReLU.apply(a)[0, 1] == 0.0
    assert minitorch.MatMul.apply(a, a).shape == (2, 2)
    assert minitorch.Copy.apply(a).to_numpy().tolist() == a.to_numpy().tolist()
    assert minitorch.LT.apply(a, a + 1)[0, 0] == 1.0 and minitorch.EQ.apply(a, a)[1, 1] == 1.0
    assert minitorch.All.apply(a, tensor([0])).shape == (1, 2)


def test_requires_grad_on_a_computed_tensor() -> None:
    a = tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    assert b.requires_grad_(True) is not None  # already requires grad: a no-op
    with pytest.raises(RuntimeError, match="leaves"):
        b.requires_grad_(False)


def test_float32_and_float64() -> None:
    assert tensor([1.0]).dtype == minitorch.float64
    t = tensor([1.0, 2.0], dtype=minitorch.float32)
    assert t.dtype == minitorch.float32 and t.to_numpy().dtype == np.float32
    assert minitorch.zeros((2,), dtype=minitorch.float32).dtype == minitorch.float32
    with pytest.raises(RuntimeError, match="dtype"):
        t + tensor([1.0, 2.0])


def test_bad_input_raises() -> None:
    with pytest.raises(RuntimeError, match="broadcast"):
        tensor([1, 2]) + tensor([1, 2, 3])
    with pytest.raises(minitorch.IndexingError, match="out of range"):
        tensor([1, 2])[5]
    with pytest.raises(minitorch.IndexingError, match="dimensions"):
        tensor([[1, 2]])[0]
    with pytest.raises(minitorch.IndexingError):
        tensor([1, 2])[-1]
    with pytest.raises(RuntimeError, match="gradient"):
        (tensor([1, 2], requires_grad=True) * 2).backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        tensor([1.0]).backward()
    with pytest.raises(TypeError, match="unsupported operand"):
        tensor([1, 2]) + "a"
    with pytest.raises(TypeError, match="numbers"):
        tensor(["a"])
    with pytest.raises(ValueError, match="ragged"):
        tensor([[1, 2], [3]])
    with pytest.raises(TypeError, match="shape"):
        minitorch.zeros("abc")
    with pytest.raises(RuntimeError, match="permutation"):
        tensor([[1, 2]]).permute(0, 0)
    with pytest.raises(RuntimeError):
        tensor([[1, 2]]) @ tensor([[1, 2]])
    with pytest.raises(TypeError, match="backend"):
        tensor([1.0], backend=3)
    with pytest.raises(TypeError, match="dtype"):
        tensor([1.0], dtype="float16")


def test_numbers_of_every_kind_are_constants() -> None:
    t = tensor([1.0, 2.0, 3.0])
    assert (t + np.float32(2)).to_numpy().tolist() == [3.0, 4.0, 5.0]
    assert (t < np.int64(2)).to_numpy().tolist() == [1.0, 0.0, 0.0]
    assert (3 / t)[2] == 1.0 and (1 - t)[0] == 0.0 and (2 * t)[1] == 4.0 and (t != 2)[1] == 0.0
    assert (True + t)[0] == 2.0


def test_grad_check_of_float32_inputs() -> None:
    a = minitorch.rand((2, 3), dtype=minitorch.float32)
    b = minitorch.rand((3,), dtype=minitorch.float32)
    grad_check(lambda x, y: (x * y).sigmoid() + x, a, b)
    assert a.grad.dtype == minitorch.float32
