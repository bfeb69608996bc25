"""minitorch.autodiff: central differences, the Variable protocol, Context and the engine.

``topological_sort`` and ``backpropagate`` run minitorch's C++ reverse-mode engine (the one the
C++ Scalar and Tensor use) over Python objects: any object following the ``Variable`` protocol
below is differentiated, ``Scalar`` included, and derivatives are combined with Python's ``+``.
An exception raised by a variable's method during the pass reaches the caller unchanged.

``central_difference`` calls the C++ central difference with a Python function; it accepts plain
numbers and values with a ``data`` attribute (``Scalar``) alike.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Iterable, Protocol, Tuple


from . import _C

__all__ = [
    "central_difference",
    "Variable",
    "topological_sort",
    "backpropagate",
    "Context",
]


def _value_of(x: Any) -> float:
    return float(x) if isinstance(x, numbers.Real) else float(x.data)


def central_difference(f: Any, *vals: Any, arg: int = 0, epsilon: float = 1e-6) -> Any:
    r"""Approximate the derivative of ``f`` in its argument ``arg`` by central differences.

    Computes :math:`(f(..., x_{arg} + \epsilon, ...) - f(..., x_{arg} - \epsilon, ...))
    / (2\epsilon)`.
    ``vals`` may be numbers or ``Scalar``\ s: a ``Scalar`` argument is shifted as a new ``Scalar``,
    the other arguments are passed unchanged. Returns a float, or a ``Scalar`` when ``f`` returns
    ``Scalar``\ s (as the course's, so ``derivative_check`` can read ``.data``).
    """
    if not 0 <= arg < len(vals):
        raise IndexError(f"central_difference: arg {arg} is out of range for {len(vals)} values")
    shifted = vals[arg]
    rebuild = float if isinstance(shifted, numbers.Real) else type(shifted)
    returned_variable = False

    def f_at(values: list) -> float:
        nonlocal returned_variable
        args = list(vals)
        args[arg] = rebuild(values[arg])
        out = f(*args)
        returned_variable = returned_variable or not isinstance(out, numbers.Real)
        return _value_of(out)

    result = _C.central_difference(f_at, [_value_of(v) for v in vals], arg, epsilon)
    if returned_variable:
        from .scalar import Scalar

        return Scalar(result)
    return result


class Variable(Protocol):
    """What the engine needs from a node of a computation graph."""

    def accumulate_derivative(self, x: Any) -> None:
        """Add ``x`` to the derivative stored on this leaf."""

    @property
    def unique_id(self) -> int:
        """An identifier no other variable shares."""

    def is_leaf(self) -> bool:
        """True for a variable created by the user (it accumulates derivatives)."""

    def is_constant(self) -> bool:
        """True when no derivative flows into this variable."""

    @property
    def parents(self) -> Iterable["Variable"]:
        """The inputs of the operation that produced this variable."""

    def chain_rule(self, d_output: Any) -> Iterable[Tuple["Variable", Any]]:
        """Pairs (input, d_output times the derivative with respect to that input)."""


def topological_sort(variable: Variable) -> Iterable[Variable]:
    """The non-constant variables reachable from ``variable``, each once (by ``unique_id``) and
    before all of its parents: ``variable`` first. Empty when ``variable`` is constant."""
    return _C.topological_sort(variable)


def backpropagate(variable: Variable, deriv: Any) -> None:
    """Add ``deriv`` times the derivative of ``variable`` to every leaf it depends on.

    Each node's ``chain_rule`` runs once, after the derivatives of all its uses have been summed;
    only leaves receive ``accumulate_derivative``. RuntimeError when ``variable`` is constant.
    """
    _C.backpropagate(variable, deriv)


@dataclass
class Context:
    """What a function's forward keeps for its backward."""

    no_grad: bool = False
    saved_values: Tuple[Any, ...] = ()

    def save_for_backward(self, *values: Any) -> None:
        """Keep ``values`` for the backward pass (nothing is kept when ``no_grad``)."""
        if self.no_grad:
            return
        self.saved_values = values

    @property
    def saved_tensors(self) -> Tuple[Any, ...]:
        """The saved values (the name tensor functions use)."""
        return self.saved_values
