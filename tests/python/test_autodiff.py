"""minitorch.autodiff: central differences, Context, user-defined functions and the engine."""
import math
from typing import Any, Iterable, List, Tuple

import numpy as np
import pytest
from hypothesis import given
from scalar_strategies import assert_close, positive_floats, small_floats

import minitorch
from minitorch import (
    Context,
    Scalar,
    ScalarFunction,
    ScalarHistory,
    backpropagate,
    central_difference,
    operators,
    topological_sort,
)


class AddTen(ScalarFunction):
    """f(x, y) = x + y + 10"""

    @staticmethod
    def forward(ctx: Context, x: float, y: float) -> float:
        return x + y + 10

    @staticmethod
    def backward(ctx: Context, d: float) -> Tuple[float, float]:
        return d, d


class MulPlusX(ScalarFunction):
    """f(x, y) = x y + x"""

    @staticmethod
    def forward(ctx: Context, x: float, y: float) -> float:
        ctx.save_for_backward(x, y)
        return x * y + x

    @staticmethod
    def backward(ctx: Context, d: float) -> Tuple[float, float]:
        x, y = ctx.saved_values
        return d * (y + 1), d * x


class Cube(ScalarFunction):
    """f(x) = x^3, backward returning a bare float"""

    @staticmethod
    def forward(ctx: Context, x: float) -> float:
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx: Context, d: float) -> float:
        (x,) = ctx.saved_tensors
        return 3 * x * x * d


# ---- central differences ---------------------------------------------------------------------


@given(small_floats, small_floats)
def test_central_difference_on_floats(x: float, y: float) -> None:
    assert_close(central_difference(operators.mul, x, y, arg=0), y)
    assert_close(central_difference(operators.mul, x, y, arg=1), x)
    assert_close(central_difference(operators.id, x), 1.0)


@given(positive_floats)
def test_central_difference_on_scalars(x: float) -> None:
    d = central_difference(lambda s: s.log(), Scalar(x))
    assert isinstance(d, Scalar)
    assert_close(d.data, 1.0 / x)


def test_central_difference_epsilon_and_ints() -> None:
    assert central_difference(lambda a: a * a, 3, epsilon=0.5) == pytest.approx(6.0)
    assert central_difference(operators.exp, 2, arg=0) == pytest.approx(math.exp(2), rel=1e-5)
    assert central_difference(lambda a: a * a, np.float64(3.0)) == pytest.approx(6.0)


def test_central_difference_bad_arg() -> None:
    with pytest.raises(IndexError, match="out of range"):
        central_difference(operators.add, 1.0, 2.0, arg=2)


# ---- Context and ScalarHistory ---------------------------------------------------------------


def test_context() -> None:
    ctx = Context()
    assert ctx.no_grad is False and ctx.saved_values == ()
    ctx.save_for_backward(1.0, 2.0)
    assert ctx.saved_values == (1.0, 2.0) and ctx.saved_tensors == (1.0, 2.0)
    frozen = Context(no_grad=True)
    frozen.save_for_backward(3.0)
    assert frozen.saved_values == ()


def test_scalar_history_defaults_and_keywords() -> None:
    h = ScalarHistory()
    assert h.last_fn is None and h.ctx is None and tuple(h.inputs) == ()
    x = Scalar(1.0)
    h = ScalarHistory(AddTen, ctx=Context(), inputs=[x, x])
    assert h.last_fn is AddTen and list(h.inputs) == [x, x]


# ---- user-defined functions ------------------------------------------------------------------


def test_user_function_forward_and_chain_rule() -> None:
    var = Scalar(5)
    y = MulPlusX.apply(10, var)
    assert y.data == 60.0
    back = list(y.chain_rule(d_output=5))
    assert len(back) == 2  # the literal 10 became a leaf Scalar: nothing is dropped
    assert back[0][0].data == 10.0 and back[0][1] == 5 * (5 + 1)
    assert back[1][0] is var and back[1][1] == 5 * 10


def test_hand_built_history() -> None:
    x = Scalar(0.0)
    node = Scalar(0.0, ScalarHistory(AddTen, ctx=Context(), inputs=[x, x]))
    assert [d for _, d in node.chain_rule(5)] == [5, 5]
    node.backward(d_output=5)
    assert x.derivative == 10


@given(small_floats)
def test_user_function_derivative(x: float) -> None:
    minitorch.derivative_check(lambda s: Cube.apply(s) + s, Scalar(x / 10))


def test_backprop_through_user_functions() -> None:
    v1 = Scalar(0)
    v2 = AddTen.apply(0, v1)
    v3 = AddTen.apply(0, v1)
    v4 = AddTen.apply(v2, v3)
    v4.backward(d_output=5)
    assert v1.derivative == 10


# ---- topological order -----------------------------------------------------------------------


def test_topological_sort_puts_each_node_before_its_parents_once() -> None:
    x, y = Scalar(1.0), Scalar(2.0)
    a = x * y
    b = a + x
    c = a * b
    order = topological_sort(c)
    ids = [v.unique_id for v in order]
    assert order[0] is c
    assert len(ids) == len(set(ids)) == 5
    position = {v.unique_id: i for i, v in enumerate(order)}
    for v in order:
        for p in v.parents:
            assert position[v.unique_id] < position[p.unique_id]


def test_topological_sort_skips_constants() -> None:
    x = Scalar(1.0)
    constant = Scalar(2.0, None)
    y = x * constant
    assert [v.unique_id for v in topological_sort(y)] == [y.unique_id, x.unique_id]
    assert list(topological_sort(constant)) == []


def test_deep_graph_does_not_recurse() -> None:
    x = Scalar(1.0)
    y = x
    for _ in range(20000):
        y = y + 1.0
    # each `+ 1.0` wraps the literal in a new leaf Scalar, as in the course
    assert len(topological_sort(y)) == 2 * 20000 + 1
    y.backward()
    assert x.derivative == 1.0


# ---- the engine over any Python object following the Variable protocol -----------------------


class Node:
    """A Variable that is not a Scalar: y = sum of weight * input, ids are strings."""

    def __init__(self, name: str, inputs: Iterable[Tuple["Node", float]] = (), constant=False):
        self.name = name
        self.inputs = list(inputs)
        self.constant = constant
        self.derivative = None
        self.chain_rule_calls = 0

    @property
    def unique_id(self) -> str:
        return self.name

    def is_leaf(self) -> bool:
        return not self.inputs and not self.constant

    def is_constant(self) -> bool:
        return self.constant

    @property
    def parents(self) -> List["Node"]:
        return [node for node, _ in self.inputs]

    def chain_rule(self, d: Any):
        self.chain_rule_calls += 1
        return [(node, weight * d) for node, weight in self.inputs]

    def accumulate_derivative(self, d: Any) -> None:
        self.derivative = d if self.derivative is None else self.derivative + d


def test_engine_runs_on_any_variable() -> None:
    a, b, k = Node("a"), Node("b"), Node("k", constant=True)
    mid = Node("mid", [(a, 2.0), (b, 3.0)])
    top = Node("top", [(mid, 5.0), (a, 7.0), (k, 11.0)])
    backpropagate(top, 1.0)
    assert a.derivative == 2 * 5 + 7
    assert b.derivative == 3 * 5
    assert k.derivative is None
    assert mid.chain_rule_calls == 1 and top.chain_rule_calls == 1
    names = [n.name for n in topological_sort(top)]
    assert names in (["top", "mid", "a", "b"], ["top", "mid", "b", "a"])


def test_engine_adds_derivatives_with_python_plus() -> None:
    a = Node("a")
    top = Node("top", [(a, 1), (a, 1)])
    backpropagate(top, [1])  # lists: + concatenates, so each contribution is visible
    assert a.derivative == [1, 1]


def test_exception_in_a_callback_propagates_unchanged() -> None:
    class Boom(Exception):
        pass

    class Failing(Node):
        def chain_rule(self, d):
            raise Boom("chain_rule failed")

    a = Node("a")
    with pytest.raises(Boom, match="chain_rule failed"):
        backpropagate(Failing("top", [(a, 1.0)]), 1.0)

    class BadParents(Node):
        @property
        def parents(self):
            raise KeyError("no parents")

    with pytest.raises(KeyError):
        topological_sort(BadParents("top", [(a, 1.0)]))


def test_chain_rule_must_give_pairs_of_parents() -> None:
    a, stranger = Node("a"), Node("stranger")

    class NotPairs(Node):
        def chain_rule(self, d):
            return [1.0]

    class Stranger(Node):
        def chain_rule(self, d):
            return [(stranger, d)]

    with pytest.raises(TypeError, match="pairs"):
        backpropagate(NotPairs("top", [(a, 1.0)]), 1.0)
    with pytest.raises(RuntimeError, match="not among the node's parents"):
        backpropagate(Stranger("top", [(a, 1.0)]), 1.0)


def test_derivatives_that_do_not_add_raise_type_error() -> None:
    a = Node("a")
    top = Node("top", [(a, 1.0), (a, 1.0)])

    class Opaque:
        def __rmul__(self, other):
            return self

    with pytest.raises(TypeError):
        backpropagate(top, Opaque())


def test_python_forward_that_raises_propagates() -> None:
    class Broken(ScalarFunction):
        @staticmethod
        def forward(ctx, x):
            raise ZeroDivisionError("forward failed")

        @staticmethod
        def backward(ctx, d):
            return d

    with pytest.raises(ZeroDivisionError, match="forward failed"):
        Broken.apply(1.0)


def test_python_backward_that_raises_propagates() -> None:
    class BrokenBack(ScalarFunction):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, d):
            raise ValueError("backward failed")

    x = Scalar(1.0)
    with pytest.raises(ValueError, match="backward failed"):
        (BrokenBack.apply(x) * 2).backward()


def test_forward_must_return_a_float() -> None:
    class ReturnsInt(ScalarFunction):
        @staticmethod
        def forward(ctx, x):
            return 1

        @staticmethod
        def backward(ctx, d):
            return d

    with pytest.raises(TypeError, match="ReturnsInt.forward returned a int; expected a float"):
        ReturnsInt.apply(1.0)


def test_backward_must_give_one_derivative_per_input() -> None:
    class TooFew(ScalarFunction):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, d):
            return d

    with pytest.raises(ValueError, match="1 derivatives for 2 inputs"):
        TooFew.apply(Scalar(1.0), Scalar(2.0)).backward()
