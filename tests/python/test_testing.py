"""minitorch.testing: the table of math functions the parametrized tests are drawn from."""
import math

import pytest
from hypothesis import given
from scalar_strategies import small_floats

import minitorch
from minitorch import MathTest, MathTestVariable, Scalar

ONE = ["addConstant", "complex", "cube", "div", "exp", "explog", "inv", "log", "multConstant",
       "neg", "relu", "sig", "square", "subConstant"]
TWO = ["add2", "div2", "eq2", "gt2", "lt2", "mul2"]
RED = ["mean_full_red", "mean_red", "sum_red"]


def test_groups_and_names() -> None:
    one, two, red = MathTest._tests()
    assert [n for n, _ in one] == ONE
    assert [n for n, _ in two] == TWO
    assert [n for n, _ in red] == RED
    one_v, _, _ = MathTestVariable._tests()
    assert dict(one_v)["sig"] is MathTestVariable.sig
    assert dict(one)["sig"] is MathTest.sig


def test_comp_testing_pairs_float_and_variable_functions() -> None:
    groups = MathTestVariable._comp_testing()
    assert [len(g) for g in groups] == [14, 6, 3]
    for group in groups:
        for name, float_fn, variable_fn in group:
            assert float_fn is getattr(MathTest, name)
            assert variable_fn is getattr(MathTestVariable, name)


def test_float_values() -> None:
    assert MathTest.addConstant(1.0) == 6.0
    assert MathTest.subConstant(1.0) == -4.0
    assert MathTest.multConstant(2.0) == 10.0
    assert MathTest.div(10.0) == 2.0
    assert MathTest.cube(2.0) == 8.0
    assert MathTest.inv(0.5) == 0.25
    assert MathTest.log(0.0) == pytest.approx(math.log(100000))
    assert MathTest.exp(200.0) == 1.0
    assert MathTest.relu(-6.0) == 0.0
    assert MathTest.div2(1.0, -3.5) == 0.5
    assert MathTest.gt2(0.0, 1.0) == 1.0 and MathTest.lt2(0.0, 1.0) == 0.0
    assert MathTest.eq2(6.5, 1.0) == 1.0
    assert MathTest.sum_red([1.0, 2.0]) == 3.0
    assert MathTest.mean_red([1.0, 2.0]) == 1.5 == MathTest.mean_full_red([1.0, 2.0])
    expected = math.log(1 / (1 + math.exp(-10 * (6 * 7 + 5)))) / 50
    assert MathTest.complex(0.0) == pytest.approx(expected)


@given(small_floats)
def test_variable_functions_agree_with_float_functions(x: float) -> None:
    one, two, _ = MathTestVariable._comp_testing()
    for name, float_fn, variable_fn in one:
        assert variable_fn(Scalar(x)).data == pytest.approx(float_fn(x), rel=1e-9, abs=1e-9), name
    for name, float_fn, variable_fn in two:
        assert variable_fn(Scalar(x), Scalar(1.5)).data == pytest.approx(float_fn(x, 1.5)), name


def test_exported_at_top_level() -> None:
    assert minitorch.MathTest is MathTest and minitorch.MathTestVariable is MathTestVariable
