"""minitorch.operators: values against Python's math, algebraic laws, higher-order functions."""
import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis.strategies import integers, lists
from scalar_strategies import assert_close, float_lists, positive_floats, small_floats

import minitorch
from minitorch import _C
from minitorch import operators as ops


# ---- values ----------------------------------------------------------------------------------


@given(small_floats, small_floats)
def test_binary_values_are_pythons(x: float, y: float) -> None:
    assert ops.mul(x, y) == x * y
    assert ops.add(x, y) == x + y
    assert ops.max(x, y) == (x if x > y else y)
    assert ops.lt(x, y) == (1.0 if x < y else 0.0)
    assert ops.eq(x, y) == (1.0 if x == y else 0.0)
    assert ops.is_close(x, y) == (1.0 if abs(x - y) < 1e-2 else 0.0)


@given(small_floats)
def test_unary_values_are_pythons(x: float) -> None:
    assert ops.id(x) == x
    assert ops.neg(x) == -x
    assert ops.relu(x) == (x if x > 0 else 0.0)
    assert ops.exp(x) == pytest.approx(math.exp(x))
    assert ops.sigmoid(x) == pytest.approx(1.0 / (1.0 + math.exp(-x)))
    if x != 0:
        assert ops.inv(x) == pytest.approx(1.0 / x)


@given(positive_floats, small_floats)
def test_log_and_its_derivative(x: float, d: float) -> None:
    assert ops.log(x) == pytest.approx(math.log(x))
    assert ops.log_back(x, d) == pytest.approx(d / x)


def test_log_has_no_epsilon() -> None:
    assert ops.log(1.0) == 0.0
    assert ops.log(0.0) == -math.inf


@given(small_floats, small_floats)
def test_backs(x: float, d: float) -> None:
    assume(abs(x) > 1e-3)
    assert ops.inv_back(x, d) == pytest.approx(-d / (x * x))
    assert ops.relu_back(x, d) == (d if x > 0 else 0.0)


def test_results_are_python_floats() -> None:
    values = (ops.mul(2, 3), ops.lt(1, 2), ops.eq(1, 1), ops.relu(3), ops.id(4), ops.prod([2, 3]))
    for value in values:
        assert type(value) is float


def test_sigmoid_does_not_overflow() -> None:
    assert ops.sigmoid(1000.0) == 1.0
    assert ops.sigmoid(-1000.0) == 0.0
    assert ops.sigmoid(0.0) == 0.5


# ---- laws (the course's task 0.2 properties) -------------------------------------------------


@given(small_floats)
def test_sigmoid_properties(a: float) -> None:
    s = ops.sigmoid(a)
    assert 0.0 <= s <= 1.0
    assert_close(1.0 - s, ops.sigmoid(-a))
    assert ops.sigmoid(a + 1.0) >= s


@given(small_floats, small_floats, small_floats)
def test_lt_is_transitive(a: float, b: float, c: float) -> None:
    if ops.lt(a, b) and ops.lt(b, c):
        assert ops.lt(a, c) == 1.0


@given(small_floats, small_floats)
def test_mul_and_add_are_symmetric(x: float, y: float) -> None:
    assert ops.mul(x, y) == ops.mul(y, x)
    assert ops.add(x, y) == ops.add(y, x)


@given(small_floats, small_floats, small_floats)
def test_mul_distributes_over_add(x: float, y: float, z: float) -> None:
    assert_close(ops.mul(z, ops.add(x, y)), ops.add(ops.mul(z, x), ops.mul(z, y)))


@given(small_floats)
def test_neg_is_an_involution_and_relu_is_idempotent(x: float) -> None:
    assert ops.neg(ops.neg(x)) == x
    assert ops.relu(ops.relu(x)) == ops.relu(x)


# ---- higher-order functions ------------------------------------------------------------------


@given(float_lists)
def test_map_applies_a_python_callable(ls: list) -> None:
    assert ops.map(lambda x: 2 * x)(ls) == [2 * x for x in ls]
    assert ops.negList(ls) == [-x for x in ls]


@given(lists(small_floats, min_size=3, max_size=3), lists(small_floats, min_size=3, max_size=3))
def test_zip_with(ls1: list, ls2: list) -> None:
    assert ops.zipWith(lambda x, y: x - y)(ls1, ls2) == [x - y for x, y in zip(ls1, ls2)]
    assert ops.addLists(ls1, ls2) == [x + y for x, y in zip(ls1, ls2)]


@given(float_lists, float_lists)
def test_sum_distributes(ls1: list, ls2: list) -> None:
    n = min(len(ls1), len(ls2))
    ls1, ls2 = ls1[:n], ls2[:n]
    assert_close(ops.sum(ls1) + ops.sum(ls2), ops.sum(ops.addLists(ls1, ls2)))


@given(float_lists)
def test_sum_and_prod(ls: list) -> None:
    assert ops.sum(ls) == pytest.approx(math.fsum(ls), abs=1e-6)
    assert ops.prod(ls[:5]) == pytest.approx(math.prod(ls[:5]))


def test_reduce_folds_from_the_left_starting_with_start() -> None:
    assert ops.reduce(lambda acc, x: acc + [x], [])([1, 2, 3]) == [1, 2, 3]
    assert ops.reduce(lambda acc, x: acc * 10 + x, 0)((1, 2, 3)) == 123
    assert ops.reduce(ops.add, 7.0)([]) == 7.0


def test_map_and_reduce_accept_any_iterable() -> None:
    assert ops.map(ops.neg)(x for x in (1.0, 2.0)) == [-1.0, -2.0]
    assert ops.map(str)(range(3)) == ["0", "1", "2"]


@given(lists(integers(min_value=1, max_value=5), max_size=4))
def test_prod_of_shapes(shape: list) -> None:
    assert ops.prod(tuple(shape)) == math.prod(shape)
    assert ops.prod(np.array(shape, dtype=np.int64)) == math.prod(shape)


def test_empty_sum_and_prod() -> None:
    assert ops.sum([]) == 0.0
    assert ops.prod(()) == 1.0


def test_derivatives_of_every_functor() -> None:
    d = _C.derivatives
    assert d.mul(2.0, 3.0, 5.0) == (15.0, 10.0)
    assert d.add(2.0, 3.0, 5.0) == (5.0, 5.0)
    assert d.lt(2.0, 3.0, 5.0) == (0.0, 0.0)
    assert d.eq(2.0, 2.0, 5.0) == (0.0, 0.0)
    assert d.max(3.0, 2.0, 5.0) == (5.0, 0.0)
    assert d.neg(2.0, 5.0) == -5.0
    assert d.log(2.0, 5.0) == 2.5
    assert d.inv(2.0, 4.0) == -1.0
    assert d.exp(0.0, 5.0) == 5.0
    assert d.sigmoid(0.0, 4.0) == 1.0
    assert d.relu(-1.0, 4.0) == 0.0 and d.relu(1.0, 4.0) == 4.0
    assert d.id(3.0, 4.0) == 4.0


# ---- bad input -------------------------------------------------------------------------------


def test_wrong_types_raise_type_error() -> None:
    with pytest.raises(TypeError):
        ops.mul("a", 1.0)
    with pytest.raises(TypeError):
        ops.relu(None)
    with pytest.raises(TypeError, match="element 1 is a str; expected a number"):
        ops.sum([1.0, "x"])
    with pytest.raises(TypeError, match="expected an iterable of numbers"):
        ops.prod(3)
    with pytest.raises(TypeError):
        ops.map(5)
    with pytest.raises(TypeError):
        ops.map(ops.neg)(5)


def test_zip_with_requires_equal_lengths() -> None:
    with pytest.raises(RuntimeError, match="lengths 1 and 2 differ"):
        ops.zipWith(ops.add)([1.0], [1.0, 2.0])
    with pytest.raises(RuntimeError, match="differ"):
        ops.addLists([1.0], [])


def test_an_exception_in_the_callable_propagates_unchanged() -> None:
    class Boom(Exception):
        pass

    def fail(*args):
        raise Boom("from the callable")

    with pytest.raises(Boom, match="from the callable"):
        ops.map(fail)([1.0])
    with pytest.raises(Boom):
        ops.zipWith(fail)([1.0], [2.0])
    with pytest.raises(Boom):
        ops.reduce(fail, 0.0)([1.0])
    assert ops.map(ops.neg)([1.0]) == [-1.0]  # still usable afterwards


def test_operators_module_is_importable_by_name() -> None:
    import minitorch.operators as by_name
    from minitorch.operators import mul

    assert by_name is minitorch.operators
    assert mul(2, 4) == 8.0
    assert set(by_name.__all__) >= {"mul", "map", "zipWith", "reduce", "prod", "log_back"}
