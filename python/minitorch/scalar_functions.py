"""minitorch.scalar_functions: differentiable functions of Scalars.

A ``ScalarFunction`` is a class (never instantiated) with a static ``forward(ctx, *floats)`` and
``backward(ctx, d_output)``; ``apply(*values)`` runs ``forward`` on the values' floats and returns
a ``Scalar`` that remembers the function, its ``Context`` and its inputs for the backward pass.
Subclass it in Python to define new functions.

The course's functions below compute their forward rule and their derivative with minitorch's
C++ operator functors (``_C.operators`` and ``_C.derivatives``), the ones the tensor backends use.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Tuple

from . import _C
from .autodiff import Context

if TYPE_CHECKING:
    from .scalar import Scalar, ScalarLike

__all__ = [
    "wrap_tuple",
    "unwrap_tuple",
    "ScalarFunction",
    "Add",
    "Log",
    "Mul",
    "Inv",
    "Neg",
    "Sigmoid",
    "ReLU",
    "Exp",
    "LT",
    "EQ",
]

_forward = _C.operators
_derivative = _C.derivatives


def wrap_tuple(x: Any) -> Tuple[Any, ...]:
    """``x`` itself when it is a tuple, else the 1-tuple ``(x,)``."""
    if isinstance(x, tuple):
        return x
    return (x,)


def unwrap_tuple(x: Tuple[Any, ...]) -> Any:
    """The single element of a 1-tuple, else the tuple itself."""
    if len(x) == 1:
        return x[0]
    return x


class ScalarFunction:
    """A function of floats with its derivative, applied to Scalars with ``apply``."""

    @classmethod
    def _forward(cls, ctx: Context, *inps: float) -> float:
        return cls.forward(ctx, *inps)  # type: ignore[attr-defined]

    @classmethod
    def _backward(cls, ctx: Context, d_out: float) -> Tuple[float, ...]:
        return wrap_tuple(cls.backward(ctx, d_out))  # type: ignore[attr-defined]

    @classmethod
    def apply(cls, *vals: "ScalarLike") -> "Scalar":
        """``forward`` on the floats of ``vals`` (numbers become new leaf Scalars), as a Scalar
        whose history records this function, its context and the input Scalars."""
        from .scalar import Scalar, ScalarHistory

        scalars = [v if isinstance(v, Scalar) else Scalar(v) for v in vals]
        ctx = Context(False)
        c = cls._forward(ctx, *[s.data for s in scalars])
        if not isinstance(c, float):
            raise TypeError(
                f"{cls.__name__}.forward returned a {type(c).__name__}; expected a float"
            )
        return Scalar(c, ScalarHistory(cls, ctx, scalars))


class _OperatorFunction(ScalarFunction):
    """A course function whose forward rule and derivative are one C++ operator functor: ``op``
    names it in ``_C.operators`` (forward) and ``_C.derivatives`` (backward). The inputs are saved
    for the backward pass, which multiplies ``d_output`` by the functor's derivative at them."""

    op = ""

    @classmethod
    def forward(cls, ctx: Context, *inputs: float) -> float:
        ctx.save_for_backward(*inputs)
        return getattr(_forward, cls.op)(*inputs)

    @classmethod
    def backward(cls, ctx: Context, d_output: float) -> Any:
        return getattr(_derivative, cls.op)(*ctx.saved_values, d_output)


class Add(_OperatorFunction):
    """f(a, b) = a + b"""

    op = "add"


class Log(_OperatorFunction):
    """f(a) = ln a"""

    op = "log"


class Mul(_OperatorFunction):
    """f(a, b) = a * b"""

    op = "mul"


class Inv(_OperatorFunction):
    """f(a) = 1 / a"""

    op = "inv"


class Neg(_OperatorFunction):
    """f(a) = -a"""

    op = "neg"


class Sigmoid(_OperatorFunction):
    """f(a) = 1 / (1 + e^-a)"""

    op = "sigmoid"


class ReLU(_OperatorFunction):
    """f(a) = max(a, 0)"""

    op = "relu"


class Exp(_OperatorFunction):
    """f(a) = e^a"""

    op = "exp"


class LT(_OperatorFunction):
    """f(a, b) = 1.0 if a < b else 0.0 (zero derivative)"""

    op = "lt"


class EQ(_OperatorFunction):
    """f(a, b) = 1.0 if a == b else 0.0 (zero derivative)"""

    op = "eq"
