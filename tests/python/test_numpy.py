"""NumPy exchange without copies: minitorch.from_numpy and Tensor.numpy() share memory."""
import gc
import sys
import weakref

import numpy as np
import pytest

import minitorch


def test_from_numpy_shares_memory_both_ways() -> None:
    a = np.arange(12.0).reshape(3, 4)
    t = minitorch.from_numpy(a)
    assert t.shape == (3, 4) and t.dtype == minitorch.float64
    t[0, 1] = 100.0
    assert a[0, 1] == 100.0
    a[2, 3] = -7.0
    assert t[2, 3] == -7.0
    assert np.shares_memory(t.numpy(), a)


def test_tensor_keeps_the_array_alive() -> None:
    a = np.arange(6.0)
    before = sys.getrefcount(a)
    t = minitorch.from_numpy(a)
    assert sys.getrefcount(a) == before + 1
    ref = weakref.ref(a.base) if a.base is not None else None
    del a
    gc.collect()
    assert t.sum().item() == 15.0
    if ref is not None:
        assert ref() is not None


def test_array_released_with_the_last_tensor() -> None:
    a = np.arange(6.0)
    before = sys.getrefcount(a)
    t = minitorch.from_numpy(a)
    view = (t.permute(0) if t.dims == 1 else t).detach()
    del t
    assert sys.getrefcount(a) == before + 1  # the view still holds the storage
    del view
    gc.collect()
    assert sys.getrefcount(a) == before


def test_numpy_view_outlives_the_tensor() -> None:
    t = minitorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    n = t.permute(1, 0).numpy()
    assert n.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    del t
    gc.collect()
    assert n.sum() == 10.0
    n[0, 0] = 5.0  # still writable memory of the storage
    assert n[0, 0] == 5.0


def test_strided_and_reversed_arrays() -> None:
    base = np.arange(24.0).reshape(4, 6)
    repeated = np.broadcast_to(base[0], (3, 6)).copy()
    for view in [base[::2, 1::2], base[::-1, ::-3], base.T, repeated]:
        t = minitorch.from_numpy(view)
        assert t.shape == view.shape
        np.testing.assert_array_equal(t.to_numpy(), view)
        np.testing.assert_array_equal((t * 2).to_numpy(), view * 2)
    rev = base[::-1]
    minitorch.from_numpy(rev)[0, 0] = 99.0
    assert base[3, 0] == 99.0


def test_float32_and_gradients() -> None:
    a = np.ones((2, 3), dtype=np.float32)
    t = minitorch.from_numpy(a, requires_grad=True)
    assert t.dtype == minitorch.float32
    (t * t).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.full((2, 3), 2.0, dtype=np.float32))


def test_from_numpy_bad_input() -> None:
    with pytest.raises(TypeError, match="int64"):
        minitorch.from_numpy(np.arange(3))
    with pytest.raises(TypeError):
        minitorch.from_numpy([1.0, 2.0])
    read_only = np.ones(3)
    read_only.setflags(write=False)
    with pytest.raises(ValueError, match="read-only"):
        minitorch.from_numpy(read_only)
    raw = np.zeros(25, dtype=np.uint8)[1:].view(np.float64)  # misaligned by one byte
    with pytest.raises(ValueError, match="aligned"):
        minitorch.from_numpy(raw)


def test_tensor_from_array_copies() -> None:
    a = np.arange(4.0)
    t = minitorch.tensor(a)
    t[0] = 50.0
    assert a[0] == 0.0


def test_numpy_scalars_and_asarray() -> None:
    t = minitorch.tensor([1.0, 2.0])
    left = np.float64(2.0) * t  # NumPy defers to the tensor's reflected operator
    assert isinstance(left, minitorch.Tensor) and left.to_numpy().tolist() == [2.0, 4.0]
    assert isinstance(np.int64(3) - t, minitorch.Tensor)
    assert np.asarray(t).tolist() == [1.0, 2.0]
    assert np.asarray(t.permute(0), dtype=np.float32).dtype == np.float32
    with pytest.raises(TypeError, match="ufunc"):
        np.exp(t)
