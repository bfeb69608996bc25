"""minitorch.scalar: Scalar, a float that records how it was computed, and derivative_check.

A ``Scalar`` behaves like a Python number under ``+ - * /``, unary ``-``, ``< > ==`` (also with
ints and floats on either side) and ``log() exp() sigmoid() relu()``; each operation is a
``ScalarFunction`` computed by minitorch's C++ operators. ``backward()`` runs minitorch's C++
reverse-mode engine, which leaves in each leaf's ``derivative`` the derivative of the output
with respect to it.

Variable protocol (see ``minitorch.autodiff.Variable``): a Scalar with ``history=None`` is a
constant, one whose history has no ``last_fn`` is a leaf, any other was computed.
"""
from __future__ import annotations

import itertools
import numbers
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional, Sequence, Tuple, Type, Union

import numpy as np

from .autodiff import Context, Variable, backpropagate, central_difference
from .scalar_functions import (
    EQ,
    LT,
    Add,
    Exp,
    Inv,
    Log,
    Mul,
    Neg,
    ReLU,
    ScalarFunction,
    Sigmoid,
)

__all__ = ["ScalarHistory", "Scalar", "ScalarLike", "derivative_check"]

ScalarLike = Union[float, int, "Scalar"]


@dataclass
class ScalarHistory:
    """How a Scalar was computed: the function, its context and its input Scalars."""

    last_fn: Optional[Type[ScalarFunction]] = None
    ctx: Optional[Context] = None
    inputs: Sequence["Scalar"] = ()


_LEAF = ScalarHistory()
_next_id = itertools.count(1)


def _check_number(v: Any) -> None:
    if isinstance(v, (float, int)) or isinstance(v, numbers.Real):
        return
    raise TypeError(f"Scalar: got a {type(v).__name__}; expected a real number (float or int)")


class Scalar:
    """A float that tracks the operations that produced it, for autodifferentiation."""

    history: Optional[ScalarHistory]
    derivative: Optional[float]
    data: float
    unique_id: int
    name: str

    def __init__(
        self, v: float, back: Optional[ScalarHistory] = _LEAF, name: Optional[str] = None
    ) -> None:
        _check_number(v)
        self.unique_id = next(_next_id)
        self.data = float(v)
        self.history = back
        self.derivative = None
        self.name = name if name is not None else str(self.unique_id)

    def __repr__(self) -> str:
        return f"Scalar({self.data})"

    def __hash__(self) -> int:
        return hash(self.unique_id)

    def __bool__(self) -> bool:
        return bool(self.data)

    # ---- arithmetic ---------------------------------------------------------------------------

    def __add__(self, b: ScalarLike) -> Scalar:
        return Add.apply(self, b)

    def __radd__(self, b: ScalarLike) -> Scalar:
        return Add.apply(b, self)

    def __sub__(self, b: ScalarLike) -> Scalar:
        return Add.apply(self, Neg.apply(b))

    def __rsub__(self, b: ScalarLike) -> Scalar:
        return Add.apply(b, Neg.apply(self))

    def __mul__(self, b: ScalarLike) -> Scalar:
        return Mul.apply(self, b)

    def __rmul__(self, b: ScalarLike) -> Scalar:
        return Mul.apply(b, self)

    def __truediv__(self, b: ScalarLike) -> Scalar:
        return Mul.apply(self, Inv.apply(b))

    def __rtruediv__(self, b: ScalarLike) -> Scalar:
        return Mul.apply(b, Inv.apply(self))

    def __neg__(self) -> Scalar:
        return Neg.apply(self)

    # ---- comparisons (1.0 or 0.0, zero derivative) ------------------------------------------

    def __lt__(self, b: ScalarLike) -> Scalar:
        return LT.apply(self, b)

    def __gt__(self, b: ScalarLike) -> Scalar:
        return LT.apply(b, self)

    def __eq__(self, b: ScalarLike) -> Scalar:  # type: ignore[override]
        return EQ.apply(self, b)

    # ---- functions ----------------------------------------------------------------------------

    def log(self) -> Scalar:
        """Natural logarithm (no epsilon: log(0) is -inf)."""
        return Log.apply(self)

    def exp(self) -> Scalar:
        """e to the power of self."""
        return Exp.apply(self)

    def sigmoid(self) -> Scalar:
        """1 / (1 + e^-self)."""
        return Sigmoid.apply(self)

    def relu(self) -> Scalar:
        """self if positive, else 0."""
        return ReLU.apply(self)

    # ---- Variable protocol --------------------------------------------------------------------

    def accumulate_derivative(self, x: Any) -> None:
        """Add ``x`` to this leaf's derivative (which starts at 0.0)."""
        if not self.is_leaf():
            raise RuntimeError(
                f"accumulate_derivative: {self!r} was computed by a function; "
                "only leaf Scalars (created by the user) accumulate derivatives"
            )
        if self.derivative is None:
            self.derivative = 0.0
        self.derivative += x

    def is_leaf(self) -> bool:
        """True for a Scalar created by the user (a history without ``last_fn``)."""
        return self.history is not None and self.history.last_fn is None

    def is_constant(self) -> bool:
        """True for a Scalar without history: no derivative flows into it."""
        return self.history is None

    @property
    def parents(self) -> Iterable[Variable]:
        """The input Scalars of the function that computed this one (none for a leaf)."""
        return () if self.history is None else self.history.inputs

    def chain_rule(self, d_output: Any) -> Iterable[Tuple[Variable, Any]]:
        """Pairs (input, d_output times the derivative with respect to that input), one per
        input of the function that computed this Scalar."""
        h = self.history
        if h is None or h.last_fn is None or h.ctx is None:
            raise RuntimeError(
                f"chain_rule: {self!r} is a leaf or a constant; expected a Scalar computed by a "
                "ScalarFunction"
            )
        derivatives = h.last_fn._backward(h.ctx, d_output)
        if len(derivatives) != len(h.inputs):
            raise ValueError(
                f"{h.last_fn.__name__}.backward returned {len(derivatives)} derivatives for "
                f"{len(h.inputs)} inputs; expected one per input"
            )
        return list(zip(h.inputs, derivatives))

    def backward(self, d_output: Optional[float] = None) -> None:
        """Backpropagate ``d_output`` (default 1.0) into the derivatives of the leaves."""
        backpropagate(self, 1.0 if d_output is None else d_output)


def derivative_check(f: Any, *scalars: Scalar) -> None:
    """Assert that the derivatives backpropagated through ``f`` at ``scalars`` match central
    differences (``np.testing.assert_allclose`` with rtol = atol = 1e-2)."""
    out = f(*scalars)
    out.backward()
    inputs: List[float] = [x.data for x in scalars]
    for i, x in enumerate(scalars):
        expected = central_difference(f, *scalars, arg=i)
        expected = getattr(expected, "data", expected)
        assert x.derivative is not None, f"no derivative reached argument {i} of f{inputs}"
        np.testing.assert_allclose(
            x.derivative,
            expected,
            rtol=1e-2,
            atol=1e-2,
            err_msg=f"f{inputs}: autodiff gave f'={x.derivative} for argument {i}, central "
            f"differences {expected}",
        )
