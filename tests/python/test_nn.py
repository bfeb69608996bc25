"""Module 4's functions with the course's semantics: tile, pooling, max / argmax, softmax,
logsoftmax and dropout, against PyTorch and central differences."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings

import minitorch
from minitorch import _C
from nn_strategies import assert_close, distinct_tensors, grad_check, tensor, tensors, to_torch


def test_course_names_at_top_level():
    for name in ["tile", "avgpool2d", "maxpool2d", "max", "argmax", "softmax", "logsoftmax",
                 "dropout", "Max", "max_reduce", "conv1d", "conv2d", "Conv1dFun", "Conv2dFun",
                 "SGD", "save", "load", "load_state_dict"]:
        assert hasattr(minitorch, name), name
    assert minitorch.max is minitorch.nn.max
    assert not hasattr(minitorch, "Linear") or minitorch.Linear is not minitorch.nn.Linear


@given(tensors((2, 3, 4, 6)))
@settings(max_examples=10)
def test_tile(t):
    tiled, h, w = minitorch.tile(t, (2, 3))
    assert (h, w) == (2, 2)
    assert tiled.shape == (2, 3, 2, 2, 6)
    for i in range(2):
        for j in range(3):
            assert tiled[1, 2, 1, 1, i * 3 + j] == t[1, 2, 2 + i, 3 + j]


@given(tensors((2, 2, 4, 4)))
@settings(max_examples=20)
def test_pooling_matches_torch(t):
    for k in [(2, 2), (2, 1), (1, 4)]:
        assert_close(minitorch.avgpool2d(t, k), F.avg_pool2d(to_torch(t), k))
        assert_close(minitorch.maxpool2d(t, k), F.max_pool2d(to_torch(t), k))


@given(distinct_tensors((1, 2, 4, 4)))
@settings(max_examples=20)
def test_pooling_gradients(t):
    grad_check(lambda a: minitorch.avgpool2d(a, (2, 2)), t)
    grad_check(lambda a: minitorch.maxpool2d(a, (2, 2)), t)


def test_pooling_needs_a_kernel_that_divides():
    with pytest.raises(RuntimeError, match=r"maxpool2d: kernel \(3, 2\) does not divide"):
        minitorch.maxpool2d(_C.rand((1, 1, 4, 4)), (3, 2))
    with pytest.raises(RuntimeError, match="expected 4 dimensions"):
        minitorch.avgpool2d(_C.rand((4, 4)), (2, 2))
    with pytest.raises(ValueError, match="kernel must be a pair"):
        minitorch.avgpool2d(_C.rand((1, 1, 4, 4)), (2, 2, 2))


@given(tensors((2, 3, 4)))
@settings(max_examples=20)
def test_max_keeps_the_dimension(t):
    for dim in range(3):
        out = minitorch.max(t, dim)
        expected = torch.max(to_torch(t), dim, keepdim=True).values
        assert_close(out, expected)
        assert_close(minitorch.nn.max(t, dim=dim), expected)
        assert_close(minitorch.max_reduce(t, dim), expected)
    assert_close(minitorch.Max.apply(t, tensor([1])), torch.max(to_torch(t), 1, True).values)


@given(distinct_tensors((2, 3, 4)))
@settings(max_examples=20)
def test_max_gradient(t):
    grad_check(lambda a: minitorch.max(a, 2), t)
    grad_check(lambda a: minitorch.max(a, 0), t)


def test_max_reduce_has_no_gradient():
    t = _C.rand((2, 3)).requires_grad_(True)
    assert not minitorch.max_reduce(t, 1).requires_grad


def test_argmax_is_one_hot_with_ties():
    t = tensor([[1.0, 3.0, 2.0], [5.0, 0.0, 5.0]])
    assert minitorch.argmax(t, 1).to_numpy().tolist() == [[0, 1, 0], [1, 0, 1]]
    assert minitorch.argmax(t, dim=0).to_numpy().tolist() == [[0, 1, 0], [1, 0, 1]]


@given(tensors((1, 2, 3, 4)))
@settings(max_examples=20)
def test_softmax_and_logsoftmax_match_torch(t):
    for dim in range(4):
        assert_close(minitorch.softmax(t, dim), F.softmax(to_torch(t), dim))
        assert_close(minitorch.logsoftmax(t, dim=dim), F.log_softmax(to_torch(t), dim))


@given(tensors((1, 1, 4, 4)))
@settings(max_examples=20)
def test_softmax_gradients(t):
    grad_check(lambda a: minitorch.softmax(a, dim=2), t)
    grad_check(lambda a: minitorch.logsoftmax(a, dim=3), t)


def test_softmax_is_stable_for_large_inputs():
    t = tensor([[1000.0, 0.0, -1000.0]])
    assert np.isfinite(minitorch.logsoftmax(t, 1).to_numpy()).all()
    assert_close(minitorch.softmax(t, 1), F.softmax(to_torch(t), 1))


def test_softmax_bad_dim():
    with pytest.raises(RuntimeError):
        minitorch.softmax(_C.rand((2, 3)), 5)
    with pytest.raises(TypeError, match="dim must be an int"):
        minitorch.softmax(_C.rand((2, 3)), "1")


@given(tensors((3, 5)))
@settings(max_examples=20)
def test_dropout_course_semantics(t):
    assert minitorch.dropout(t, 0.0).to_numpy().tolist() == t.to_numpy().tolist()
    assert (minitorch.dropout(t, 1.0).to_numpy() == 0.0).all()
    assert minitorch.dropout(t, 1.0, ignore=True).to_numpy().tolist() == t.to_numpy().tolist()
    q = minitorch.dropout(t, 0.5).to_numpy()
    x = t.to_numpy()
    # Each element is kept as it is (no 1 / (1 - rate) scaling) or zeroed.
    assert np.all((q == x) | (q == 0.0))


def test_dropout_drops_about_rate_and_passes_gradients():
    minitorch.manual_seed(3)
    t = _C.ones((100, 100)).requires_grad_(True)
    q = minitorch.dropout(t, 0.3)
    kept = q.to_numpy().mean()
    assert 0.65 < kept < 0.75
    q.sum().backward()
    assert (t.grad.to_numpy() == q.to_numpy()).all()  # 1 where kept, 0 where dropped


def test_dropout_bad_rate():
    with pytest.raises(RuntimeError, match=r"dropout: rate 1.5.* not in \[0, 1\]"):
        minitorch.dropout(_C.rand((2, 2)), 1.5)
