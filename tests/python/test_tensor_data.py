"""TensorData and the index arithmetic (course task 2.1 and 2.2)."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis.strategies import DataObject, data, integers, lists, permutations

import minitorch
from minitorch import IndexingError, TensorData

from tensor_strategies import shapes, tensor_data


def test_layout_and_members() -> None:
    td = TensorData([0.0] * 15, (3, 5), (5, 1))
    assert td.is_contiguous()
    assert td.shape == (3, 5) and td.strides == (5, 1)
    assert td.size == 15 and td.dims == 2
    assert td.index((1, 0)) == 5 and td.index((1, 2)) == 7
    column_major = TensorData([0.0] * 15, (5, 3), (1, 5))
    assert not column_major.is_contiguous()
    assert column_major.index((1, 2)) == 11
    storage, shape, strides = column_major.tuple()
    assert isinstance(storage, np.ndarray) and shape == (5, 3) and strides == (1, 5)
    assert len(td._storage) == 15


def test_strides_from_shape_and_positions() -> None:
    assert minitorch.strides_from_shape((4, 2, 2)) == (4, 2, 1)
    assert minitorch.index_to_position((1, 1, 1), (4, 2, 1)) == 7
    # The course passes int32 NumPy buffers.
    assert minitorch.index_to_position(np.array([1, 2], dtype=np.int32), np.array([3, 1])) == 5
    out = np.zeros(3, dtype=np.int32)
    minitorch.to_index(7, (4, 2, 2), out)
    assert out.tolist() == [1, 1, 1]
    small = np.zeros(2, dtype=np.int32)
    minitorch.broadcast_index(np.array([3, 2, 1]), (4, 3, 2), (1, 2), small)
    assert small.tolist() == [0, 1]


@given(tensor_data())
def test_enumeration_hits_every_position_once(td: TensorData) -> None:
    positions = [td.index(i) for i in td.indices()]
    assert len(positions) == td.size
    assert sorted(positions) == list(range(td.size))


@given(shapes(), data())
def test_to_index_round_trip(shape: tuple, d: DataObject) -> None:
    ordinal = d.draw(integers(min_value=0, max_value=int(minitorch.prod(shape)) - 1))
    index = np.zeros(len(shape), dtype=np.int32)
    minitorch.to_index(ordinal, shape, index)
    assert minitorch.index_to_position(index, minitorch.strides_from_shape(shape)) == ordinal


@given(tensor_data(), data())
def test_permute_moves_shape_and_strides(td: TensorData, d: DataObject) -> None:
    order = d.draw(permutations(range(td.dims)))
    p = td.permute(*order)
    assert p.shape == tuple(td.shape[i] for i in order)
    assert p.strides == tuple(td.strides[i] for i in order)
    for index in td.indices():
        moved = tuple(index[i] for i in order)
        assert p.get(moved) == td.get(index)


@given(tensor_data())
def test_sample_is_in_range(td: TensorData) -> None:
    index = td.sample()
    assert len(index) == td.dims
    assert all(0 <= i < s for i, s in zip(index, td.shape))


def test_get_set_share_storage() -> None:
    td = TensorData([1.0, 2.0, 3.0, 4.0], (2, 2))
    t = td.permute(1, 0)
    t.set((0, 1), 9.0)
    assert td.get((1, 0)) == 9.0
    assert td.get(np.array([1, 0])) == 9.0


def test_to_string_is_the_courses() -> None:
    td = TensorData([1.0, 2.0, 3.0, 4.0], (2, 2))
    assert td.to_string() == "\n[\n\t[1.00 2.00]\n\t[3.00 4.00]]"


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ((1,), (5, 5), (5, 5)),
        ((5, 5), (1,), (5, 5)),
        ((1, 5, 5), (5, 5), (1, 5, 5)),
        ((5, 1, 5, 1), (1, 5, 1, 5), (5, 5, 5, 5)),
        ((2, 5), (5,), (2, 5)),
    ],
)
def test_shape_broadcast(a: tuple, b: tuple, expected: tuple) -> None:
    assert minitorch.shape_broadcast(a, b) == expected
    assert TensorData.shape_broadcast(b, a) == expected


@pytest.mark.parametrize("a, b", [((5, 7, 5, 1), (1, 5, 1, 5)), ((5, 2), (5,))])
def test_shape_broadcast_error(a: tuple, b: tuple) -> None:
    with pytest.raises(IndexingError, match="broadcast"):
        minitorch.shape_broadcast(a, b)


def test_bad_input_raises() -> None:
    with pytest.raises(IndexingError, match="strides"):
        TensorData([0.0] * 15, (3, 5), (6,))
    with pytest.raises(IndexingError, match="too small"):
        TensorData([0.0] * 4, (3, 5))
    td = TensorData([0.0] * 6, (2, 3))
    for bad in [(2, 0), (0, -1), (0,), (0, 0, 0)]:
        with pytest.raises(IndexingError):
            td.index(bad)
    assert issubclass(IndexingError, RuntimeError)
    with pytest.raises(TypeError):
        td.index("a")
    with pytest.raises(TypeError):
        TensorData(["x"], (1,))
    with pytest.raises(TypeError, match="shape"):
        TensorData([0.0], (1.5,))
    with pytest.raises(RuntimeError, match="permutation"):
        td.permute(0, 0)


def test_names_the_course_exports() -> None:
    assert minitorch.MAX_DIMS == 32
    assert minitorch.prod([2, 3, 4]) == 24
    for name in ["UserIndex", "UserShape", "UserStrides", "Storage", "Index", "Shape", "Strides"]:
        assert hasattr(minitorch, name)


@given(lists(integers(min_value=1, max_value=4), min_size=1, max_size=3))
def test_contiguous_storage_matches_numpy(shape: list) -> None:
    size = int(minitorch.prod(shape))
    td = TensorData([float(i) for i in range(size)], tuple(shape))
    expected = np.arange(size, dtype=float).reshape(shape)
    for index in td.indices():
        assert td.get(index) == expected[index]


def test_an_ndarray_storage_is_shared_as_in_the_course() -> None:
    values = np.arange(6.0)
    td = TensorData(values, (2, 3))
    td.set((1, 2), -1.0)
    assert values[5] == -1.0
    moved = minitorch.Tensor.make(td._storage, (3, 2))  # as the course's View does
    moved[0, 0] = 7.0
    assert values[0] == 7.0 and td.get((0, 0)) == 7.0
    copied = TensorData(np.arange(6), (6,))  # integers: converted, so copied
    copied.set((0,), 5.0)
    assert copied.get((0,)) == 5.0
    with pytest.raises(IndexingError, match="negative"):
        TensorData(np.arange(6.0), (2, 3), (-1, 1))


def test_dtypes_print_as_minitorch_names() -> None:
    assert repr(minitorch.float32) == "minitorch.float32"
    assert str(minitorch.float64) == "minitorch.float64"
