"""minitorch.Scalar: arithmetic against floats, derivatives against central differences."""
import math
import operator

import pytest
from hypothesis import assume, given
from scalar_strategies import assert_close, scalars, small_floats, small_scalars

import minitorch
from minitorch import MathTestVariable, Scalar, derivative_check

one_arg, two_arg, _ = MathTestVariable._comp_testing()


# ---- forward values --------------------------------------------------------------------------


@given(small_scalars)
@pytest.mark.parametrize("fn", one_arg, ids=[name for name, _, _ in one_arg])
def test_one_arg_values(fn, t1: Scalar) -> None:
    name, float_fn, scalar_fn = fn
    assert_close(scalar_fn(t1).data, float_fn(t1.data))


@given(small_scalars, small_scalars)
@pytest.mark.parametrize("fn", two_arg, ids=[name for name, _, _ in two_arg])
def test_two_arg_values(fn, t1: Scalar, t2: Scalar) -> None:
    name, float_fn, scalar_fn = fn
    assert_close(scalar_fn(t1, t2).data, float_fn(t1.data, t2.data))


BINARY = [operator.add, operator.sub, operator.mul, operator.truediv]


@given(small_floats, small_floats)
@pytest.mark.parametrize("op", BINARY, ids=lambda op: op.__name__)
def test_operators_with_numbers_on_either_side(op, a: float, b: float) -> None:
    if op is operator.truediv:
        assume(abs(b) > 1e-3)
    expected = op(a, b)
    for result in (op(Scalar(a), Scalar(b)), op(Scalar(a), b), op(a, Scalar(b))):
        assert isinstance(result, Scalar)
        assert result.data == pytest.approx(expected)


@pytest.mark.parametrize("op", BINARY, ids=lambda op: op.__name__)
def test_operators_with_ints(op) -> None:
    assert op(Scalar(6.0), 4).data == op(6.0, 4)
    assert op(6, Scalar(4.0)).data == op(6, 4.0)


@given(small_floats, small_floats)
def test_comparisons(a: float, b: float) -> None:
    assert (Scalar(a) < Scalar(b)).data == float(a < b)
    assert (Scalar(a) > b).data == float(a > b)
    assert (a < Scalar(b)).data == float(a < b)
    assert (Scalar(a) == Scalar(a)).data == 1.0
    assert (Scalar(a) == a + 1.0).data == 0.0
    assert (-Scalar(a)).data == -a


@given(small_floats)
def test_methods(a: float) -> None:
    s = Scalar(a)
    assert s.relu().data == max(a, 0.0)
    assert s.sigmoid().data == pytest.approx(1 / (1 + math.exp(-a)))
    assert (s / 100).exp().data == pytest.approx(math.exp(a / 100))
    if a > 0:
        assert s.log().data == pytest.approx(math.log(a))


# ---- derivatives -----------------------------------------------------------------------------


@given(small_scalars)
@pytest.mark.parametrize("fn", one_arg, ids=[name for name, _, _ in one_arg])
def test_one_arg_derivatives(fn, t1: Scalar) -> None:
    derivative_check(fn[2], t1)


@given(small_scalars, small_scalars)
@pytest.mark.parametrize("fn", two_arg, ids=[name for name, _, _ in two_arg])
def test_two_arg_derivatives(fn, t1: Scalar, t2: Scalar) -> None:
    derivative_check(fn[2], t1, t2)


@given(scalars(min_value=0.5, max_value=10), scalars(min_value=0.5, max_value=10))
def test_derivative_of_a_composite(a: Scalar, b: Scalar) -> None:
    derivative_check(lambda x, y: (x * y + 3 + y / x).log() * x.sigmoid() - (2 / y).exp(), a, b)


def test_derivative_values() -> None:
    x = Scalar(3.0)
    y = x * x * x + 2 * x
    y.backward()
    assert x.derivative == pytest.approx(3 * 9 + 2)
    z = Scalar(2.0)
    (1 / z).backward(d_output=4.0)
    assert z.derivative == pytest.approx(-1.0)


def test_derivatives_accumulate_across_backward_calls() -> None:
    x = Scalar(2.0)
    (x * 3).backward()
    (x * 4).backward()
    assert x.derivative == 7.0


def test_shared_subexpressions_are_summed() -> None:
    x = Scalar(1.5)
    h = x.exp()
    y = h * h + h
    y.backward()
    assert x.derivative == pytest.approx(2 * math.exp(3.0) + math.exp(1.5))


def test_derivative_check_catches_a_wrong_backward() -> None:
    class WrongSquare(minitorch.ScalarFunction):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, d):
            (a,) = ctx.saved_values
            return a * d  # should be 2 a d

    with pytest.raises(AssertionError):
        derivative_check(WrongSquare.apply, Scalar(3.0))


# ---- the object ------------------------------------------------------------------------------


def test_fields_and_protocol() -> None:
    a = Scalar(2)
    assert type(a.data) is float and a.data == 2.0
    assert a.derivative is None
    assert a.name == str(a.unique_id)
    assert Scalar(1.0, name="x").name == "x"
    b = Scalar(1.0)
    assert b.unique_id > a.unique_id
    assert a.is_leaf() and not a.is_constant() and list(a.parents) == []
    c = a * b
    assert not c.is_leaf() and not c.is_constant()
    assert c.history.last_fn is minitorch.scalar_functions.Mul
    first, second = c.parents
    assert first is a and second is b
    constant = Scalar(1.0, None)
    assert constant.is_constant() and not constant.is_leaf()


def test_repr_bool_hash() -> None:
    assert repr(Scalar(1.5)) == "Scalar(1.5)"
    assert bool(Scalar(0.0)) is False and bool(Scalar(2.0)) is True
    a, b = Scalar(1.0), Scalar(1.0)
    assert len({a, b}) == 2
    assert hash(a) != hash(b)


def test_wrong_types_raise_type_error() -> None:
    with pytest.raises(TypeError, match="expected a real number"):
        Scalar("1.0")
    with pytest.raises(TypeError):
        Scalar(1.0) + "x"
    with pytest.raises(TypeError):
        Scalar(1.0) * None


def test_accumulate_derivative_only_on_leaves() -> None:
    c = Scalar(1.0) * Scalar(2.0)
    with pytest.raises(RuntimeError, match="only leaf"):
        c.accumulate_derivative(1.0)


def test_backward_of_a_constant_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        Scalar(1.0, None).backward()


def test_top_level_names() -> None:
    import types

    for name in ("Scalar", "ScalarFunction", "ScalarHistory", "Context", "derivative_check",
                 "central_difference", "topological_sort", "backpropagate", "MathTest",
                 "MathTestVariable"):
        assert callable(getattr(minitorch, name)), name
    assert isinstance(minitorch.datasets, dict)
    assert isinstance(minitorch.operators, types.ModuleType)
    assert isinstance(minitorch.scalar_functions, types.ModuleType)
    assert minitorch.scalar_functions.Mul.apply(2, 3).data == 6.0
