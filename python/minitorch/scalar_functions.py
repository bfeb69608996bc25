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


class Add(ScalarFunction):
    """f(a, b) = a + b"""

    @staticmethod
    def forward(ctx: Context, a: float, b: float) -> float:
        return _forward.add(a, b)

    @staticmethod
    def backward(ctx: Context, d_output: float) -> Tuple[float, ...]:
        return _derivative.add(0.0, 0.0, d_output)


class Log(ScalarFunction):
    """f(a) = ln a"""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        ctx.save_for_backward(a)
        return _forward.log(a)

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        (a,) = ctx.saved_values
        return _derivative.log(a, d_output)


class Mul(ScalarFunction):
    """f(a, b) = a * b"""

    @staticmethod
    def forward(ctx: Context, a: float, b: float) -> float:
        ctx.save_for_backward(a, b)
        return _forward.mul(a, b)

    @staticmethod
    def backward(ctx: Context, d_output: float) -> Tuple[float, float]:
        a, b = ctx.saved_values
        return _derivative.mul(a, b, d_output)


class Inv(ScalarFunction):
    """f(a) = 1 / a"""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        ctx.save_for_backward(a)
        return _forward.inv(a)

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        (a,) = ctx.saved_values
        return _derivative.inv(a, d_output)


class Neg(ScalarFunction):
    """f(a) = -a"""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        return _forward.neg(a)

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        return _derivative.neg(0.0, d_output)


class Sigmoid(ScalarFunction):
    """f(a) = 1 / (1 + e^-a)"""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        ctx.save_for_backward(a)
        return _forward.sigmoid(a)

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        (a,) = ctx.saved_values
        return _derivative.sigmoid(a, d_output)


class ReLU(ScalarFunction):
    """f(a) = max(a, 0)"""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        ctx.save_for_backward(a)
        return _forward.relu(a)

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        (a,) = ctx.saved_values
        return _derivative.relu(a, d_output)


class Exp(ScalarFunction):
    """f(a) = e^a"""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        ctx.save_for_backward(a)
        return _forward.exp(a)

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        (a,) = ctx.saved_values
        return _derivative.exp(a, d_output)


class LT(ScalarFunction):
    """f(a, b) = 1.0 if a < b else 0.0 (zero derivative)"""

    @staticmethod
    def forward(ctx: Context, a: float, b: float) -> float:
        ctx.save_for_backward(a, b)
        return _forward.lt(a, b)

    @staticmethod
    def backward(ctx: Context, d_output: float) -> Tuple[float, float]:
        a, b = ctx.saved_values
        return _derivative.lt(a, b, d_output)


class EQ(ScalarFunction):
    """f(a, b) = 1.0 if a == b else 0.0 (zero derivative)"""

    @staticmethod
    def forward(ctx: Context, a: float, b: float) -> float:
        ctx.save_for_backward(a, b)
        return _forward.eq(a, b)

    @staticmethod
    def backward(ctx: Context, d_output: float) -> Tuple[float, float]:
        a, b = ctx.saved_values
        return _derivative.eq(a, b, d_output)
