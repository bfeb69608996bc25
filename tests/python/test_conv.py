"""The course's conv1d / conv2d (same-size output, zero padding past the right / bottom edge):
values against PyTorch, gradients against central differences, bad shapes as exceptions."""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings

import minitorch
from nn_strategies import assert_close, grad_check, tensor, tensors, to_torch


def reference_conv1d(x, w):
    """The course's conv1d in PyTorch: pad k - 1 zeros on the right, then a valid convolution."""
    return F.conv1d(F.pad(to_torch(x), (0, w.shape[2] - 1)), to_torch(w))


def reference_conv2d(x, w):
    return F.conv2d(F.pad(to_torch(x), (0, w.shape[3] - 1, 0, w.shape[2] - 1)), to_torch(w))


def test_conv1d_simple():
    t = tensor([0, 1, 2, 3]).view(1, 1, 4)
    w = tensor([1, 2, 3]).view(1, 1, 3)
    out = minitorch.Conv1dFun.apply(t, w)
    assert out.shape == (1, 1, 4)
    assert [out[0, 0, i] for i in range(4)] == [8.0, 14.0, 8.0, 3.0]
    assert minitorch.conv1d(t, w).to_numpy().tolist() == [[[8.0, 14.0, 8.0, 3.0]]]


def test_conv2_simple():
    t = tensor([[0, 1, 2, 3]] * 4).view(1, 1, 4, 4)
    w = tensor([[1, 1], [1, 1]]).view(1, 1, 2, 2)
    out = minitorch.Conv2dFun.apply(t, w)
    assert out.to_numpy().tolist() == [[[[2, 6, 10, 6]] * 3 + [[1, 3, 5, 3]]]]


@given(tensors((2, 2, 6)), tensors((3, 2, 2)))
def test_conv1d_matches_torch(x, w):
    assert_close(minitorch.conv1d(x, w), reference_conv1d(x, w))


@given(tensors((2, 2, 5, 6)), tensors((3, 2, 2, 3)))
@settings(max_examples=20)
def test_conv2d_matches_torch(x, w):
    assert_close(minitorch.conv2d(x, w), reference_conv2d(x, w))


def test_kernel_wider_than_input():
    x = tensor([[[1.0, 2.0]]])
    w = tensor([[[1.0, 10.0, 100.0]]])
    assert minitorch.conv1d(x, w).to_numpy().tolist() == [[[21.0, 2.0]]]


@given(tensors((1, 1, 6)), tensors((1, 1, 4)))
@settings(max_examples=20)
def test_conv1d_gradients(x, w):
    grad_check(minitorch.Conv1dFun.apply, x, w)


@given(tensors((2, 2, 6)), tensors((3, 2, 2)))
@settings(max_examples=20)
def test_conv1d_channel_gradients(x, w):
    grad_check(minitorch.conv1d, x, w)


@given(tensors((2, 2, 4, 5)), tensors((3, 2, 2, 3)))
@settings(max_examples=10)
def test_conv2d_gradients(x, w):
    grad_check(minitorch.Conv2dFun.apply, x, w)


def test_conv2d_gradients_match_torch():
    x = minitorch._C.rand((2, 2, 5, 5)).requires_grad_(True)
    w = minitorch._C.rand((3, 2, 3, 2)).requires_grad_(True)
    minitorch.conv2d(x, w).sum().backward()
    tx, tw = to_torch(x, True), to_torch(w, True)
    reference_out = F.conv2d(F.pad(tx, (0, 1, 0, 2)), tw)
    reference_out.sum().backward()
    assert_close(x.grad, tx.grad)
    assert_close(w.grad, tw.grad)


def test_bad_shapes_raise_with_the_core_message():
    with pytest.raises(RuntimeError, match=r"conv1d: input of shape \[1, 2, 4\].*same in_channels"):
        minitorch.conv1d(minitorch._C.rand((1, 2, 4)), minitorch._C.rand((1, 3, 2)))
    with pytest.raises(RuntimeError, match=r"conv2d: input of shape \[1, 4, 4\]"):
        minitorch.conv2d(minitorch._C.rand((1, 4, 4)), minitorch._C.rand((1, 1, 2, 2)))


def test_wrong_types_raise_type_error():
    with pytest.raises(TypeError):
        minitorch.conv1d([[1.0, 2.0]], tensor([[[1.0]]]))
    with pytest.raises(TypeError):
        minitorch.Conv2dFun.apply(tensor([[[[1.0]]]]), "weight")


def test_torch_is_the_reference():
    assert torch.__version__.startswith("1.13")
