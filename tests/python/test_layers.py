"""minitorch.nn layers bound from the C++ layers: PyTorch's arguments, defaults and values,
parameters shared with the C++ layer, train / eval, dtypes and bad arguments."""
from collections import OrderedDict

import numpy as np
import pytest
import torch
from hypothesis import given, settings

import minitorch
import minitorch.nn as nn
from minitorch import _C
from nn_strategies import assert_close, from_torch, tensor, tensors, to_torch


def copy_into_torch(ours, theirs):
    """Gives the torch module our module's parameter values (same names)."""
    with torch.no_grad():
        for name, p in theirs.named_parameters():
            p.copy_(to_torch(dict(ours.named_parameters())[name].value))


def test_linear_parameters_and_values():
    layer = nn.Linear(3, 2)
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    assert layer.weight.value.shape == (2, 3) and layer.bias.value.shape == (2,)
    assert layer.weight.value.dtype == minitorch.float64
    assert layer.weight.value.requires_grad
    bound = 1 / np.sqrt(3)
    assert np.all(np.abs(layer.weight.value.to_numpy()) <= bound)
    reference = torch.nn.Linear(3, 2).double()
    copy_into_torch(layer, reference)
    x = _C.rand((4, 3))
    assert_close(layer(x), reference(to_torch(x)))
    assert nn.Linear(3, 2, bias=False).named_parameters()[0][0] == "weight"
    assert len(nn.Linear(3, 2, bias=False).parameters()) == 1
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=True)"


def test_linear_gradients_match_torch():
    layer = nn.Linear(4, 3)
    reference = torch.nn.Linear(4, 3).double()
    copy_into_torch(layer, reference)
    x = _C.rand((5, 4))
    (layer(x) * layer(x)).sum().backward()
    (reference(to_torch(x)) ** 2).sum().backward()
    assert_close(layer.weight.value.grad, reference.weight.grad)
    assert_close(layer.bias.value.grad, reference.bias.grad)


@given(tensors((2, 2, 7, 6)))
@settings(max_examples=10)
def test_conv2d_matches_torch(x):
    for kwargs in [{}, {"stride": 2}, {"padding": 1}, {"padding": (1, 0), "stride": (1, 2)}]:
        layer = nn.Conv2d(2, 3, (3, 2), **kwargs)
        reference = torch.nn.Conv2d(2, 3, (3, 2), **kwargs).double()
        copy_into_torch(layer, reference)
        assert_close(layer(x), reference(to_torch(x)))


def test_conv1d_matches_torch():
    layer = nn.Conv1d(2, 4, 3, padding=1)
    reference = torch.nn.Conv1d(2, 4, 3, padding=1).double()
    copy_into_torch(layer, reference)
    x = _C.rand((3, 2, 8))
    assert_close(layer(x), reference(to_torch(x)))


def test_pooling_layers_match_torch():
    x = _C.rand((2, 3, 6, 6))
    assert_close(nn.MaxPool2d(2)(x), torch.nn.MaxPool2d(2)(to_torch(x)))
    assert_close(nn.MaxPool2d(3, stride=2, padding=1)(x),
                 torch.nn.MaxPool2d(3, stride=2, padding=1)(to_torch(x)))
    assert_close(nn.AvgPool2d((2, 3))(x), torch.nn.AvgPool2d((2, 3))(to_torch(x)))
    assert repr(nn.MaxPool2d(2)) == repr(torch.nn.MaxPool2d(2))


def test_embedding():
    layer = nn.Embedding(5, 3)
    weight = layer.weight.value.to_numpy()
    out = layer(tensor([[1, 4], [0, 0]]))
    assert out.shape == (2, 2, 3)
    assert_close(out, weight[[[1, 4], [0, 0]]])
    with pytest.raises(RuntimeError):
        layer(tensor([7]))


def test_activations():
    x = tensor([[-1.0, 0.5, 2.0]])
    assert_close(nn.ReLU()(x), torch.relu(to_torch(x)))
    assert_close(nn.Sigmoid()(x), torch.sigmoid(to_torch(x)))
    assert_close(nn.Tanh()(x), torch.tanh(to_torch(x)))
    assert nn.Flatten()(_C.rand((2, 3, 4))).shape == (2, 12)


def test_dropout_layer_rescales_in_training_and_is_identity_in_eval():
    layer = nn.Dropout(0.25)
    x = _C.ones((50, 50))
    y = layer(x).to_numpy()
    assert set(np.unique(y)) <= {0.0, 1.0 / 0.75}
    assert 0.2 < (y == 0).mean() < 0.3
    layer.eval()
    assert (layer(x).to_numpy() == 1.0).all()
    layer.train()
    assert (layer(x).to_numpy() == 0).any()
    assert repr(layer) == repr(torch.nn.Dropout(0.25))


def test_sequential_names_modes_and_values():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4, 2))
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "3.weight", "3.bias"]
    assert len(model) == 4 and isinstance(model[3], nn.Linear)
    reference = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Dropout(0.5),
                                    torch.nn.Linear(4, 2)).double()
    copy_into_torch(model, reference)
    model.eval()
    reference.eval()
    x = _C.rand((6, 3))
    assert_close(model(x), reference(to_torch(x)))
    assert not model[2]._layer.training
    model.train()
    assert model[2]._layer.training


def test_sequential_with_python_modules():
    class Double(minitorch.Module):
        def forward(self, x):
            return x * 2.0

    inner = nn.Linear(2, 2)
    model = nn.Sequential(OrderedDict(first=inner, double=Double()))
    x = _C.rand((3, 2))
    assert_close(model(x), (inner(x) * 2.0).to_numpy())
    assert [n for n, _ in model.named_parameters()] == ["first.weight", "first.bias"]
    with pytest.raises(TypeError, match="expected a minitorch.Module"):
        nn.Sequential(lambda x: x)


def test_parameters_are_the_layers_tensors():
    layer = nn.Linear(2, 1)
    _C.set_data_(layer.weight.value, tensor([[1.0, 2.0]]))
    _C.set_data_(layer.bias.value, tensor([0.5]))
    assert layer(tensor([[3.0, 4.0]]))[0, 0] == 11.5
    layer.load_state_dict({"weight": tensor([[0.0, 1.0]]), "bias": tensor([0.0])})
    assert layer(tensor([[3.0, 4.0]]))[0, 0] == 4.0


def test_subclassing_with_layers():
    class Net(minitorch.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3, padding=1)
            self.fc = nn.Linear(2 * 4 * 4, 3)

        def forward(self, x):
            h = minitorch.maxpool2d(self.conv(x).relu(), (2, 2))
            return minitorch.logsoftmax(self.fc(h.view(x.shape[0], 32)), dim=1)

    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["conv.weight", "conv.bias", "fc.weight", "fc.bias"]
    out = net(_C.rand((2, 1, 8, 8)))
    assert out.shape == (2, 3)
    out.sum().backward()
    assert all(p.value.grad is not None for p in net.parameters())


def test_default_dtype_and_dtype_argument():
    assert nn.Linear(2, 2, dtype=minitorch.float32).weight.value.dtype == minitorch.float32
    previous = minitorch.get_default_dtype()
    minitorch.set_default_dtype(minitorch.float32)
    try:
        assert nn.Conv2d(1, 1, 2).weight.value.dtype == minitorch.float32
        assert nn.Embedding(3, 2).weight.value.dtype == minitorch.float32
    finally:
        minitorch.set_default_dtype(previous)
    assert nn.Linear(2, 2).weight.value.dtype == previous


def test_bad_arguments():
    with pytest.raises(RuntimeError, match="Linear"):
        nn.Linear(0, 2)
    with pytest.raises(RuntimeError):
        nn.Linear(3, 2)(_C.rand((4, 5)))
    with pytest.raises(RuntimeError, match="conv2d"):
        nn.Conv2d(2, 1, 3)(_C.rand((1, 3, 5, 5)))
    with pytest.raises(ValueError, match="kernel_size"):
        nn.Conv2d(1, 1, (1, 2, 3))
    with pytest.raises(TypeError):
        nn.Linear("3", 2)
    with pytest.raises(RuntimeError, match="p = 2"):
        nn.Dropout(2.0)
    with pytest.raises(RuntimeError, match="padding"):
        nn.MaxPool2d(2, padding=2)
    with pytest.raises(TypeError):
        nn.Linear(2, 2)([[1.0, 2.0]])


def test_from_torch_round_trip():
    t = torch.randn(2, 3, dtype=torch.float64)
    assert_close(from_torch(t), t)


def test_threads_share_layers_safely():
    import threading

    layer = nn.Conv2d(4, 8, 3, padding=1)
    x = _C.rand((4, 4, 32, 32))  # enough work for forward to run without the GIL
    expected = layer(x).to_numpy()
    results = [None] * 4

    def work(i):
        results[i] = layer(x).to_numpy()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        assert np.array_equal(r, expected)
