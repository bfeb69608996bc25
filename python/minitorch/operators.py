"""minitorch.operators: the course's module 0 operators, computed by minitorch's C++ functors.

Every function takes Python numbers and returns a Python ``float``; comparisons return 1.0 or 0.0.
The rules are the C++ library's (``minitorch/operators/operators.h``), shared with the scalar
autodiff and every tensor backend:

* ``is_close(x, y)`` is ``|x - y| < 1e-2`` (absolute tolerance), as in the course.
* ``sigmoid`` uses the form that cannot overflow for either sign of ``x``.
* ``log`` is the plain natural logarithm, as PyTorch's: the course adds ``1e-6`` to its argument,
  minitorch does not (``log(0.0)`` is ``-inf``, ``log_back(x, d)`` is ``d / x``). No test of the
  course depends on the epsilon (they take logs of values far from 0).
* ``inv(0.0)`` is ``inf`` and ``log`` of a negative number is ``nan`` (IEEE arithmetic), where
  Python's ``math`` would raise.

``map``, ``zipWith`` and ``reduce`` take any Python callable and return a callable; they run the
C++ higher-order functions over Python objects. ``zipWith`` requires equal lengths (RuntimeError
otherwise; the course's ``zip`` would truncate), and ``reduce(fn, start)(xs)`` computes
``fn(...fn(fn(start, x0), x1)..., xn)``. ``negList``, ``addLists``, ``sum`` and ``prod`` are the
C++ list helpers built from them; they accept any iterable of numbers (lists, tuples, shapes,
NumPy arrays) and raise TypeError naming the first element that is not a number.
"""
from typing import Callable, Iterable, List

from ._C import operators as _ops

__all__ = [
    "mul",
    "id",
    "add",
    "neg",
    "lt",
    "eq",
    "max",
    "is_close",
    "sigmoid",
    "relu",
    "log",
    "exp",
    "inv",
    "log_back",
    "inv_back",
    "relu_back",
    "map",
    "zipWith",
    "reduce",
    "negList",
    "addLists",
    "sum",
    "prod",
]

# x * y
mul: Callable[[float, float], float] = _ops.mul
# x
id: Callable[[float], float] = _ops.id
# x + y
add: Callable[[float, float], float] = _ops.add
# -x
neg: Callable[[float], float] = _ops.neg
# 1.0 if x < y else 0.0
lt: Callable[[float, float], float] = _ops.lt
# 1.0 if x == y else 0.0
eq: Callable[[float, float], float] = _ops.eq
# x if x > y else y
max: Callable[[float, float], float] = _ops.max
# 1.0 if |x - y| < 1e-2 else 0.0
is_close: Callable[[float, float], float] = _ops.is_close
# 1 / (1 + e^-x), computed without overflow
sigmoid: Callable[[float], float] = _ops.sigmoid
# x if x > 0 else 0.0
relu: Callable[[float], float] = _ops.relu
# ln x (no epsilon)
log: Callable[[float], float] = _ops.log
# e^x
exp: Callable[[float], float] = _ops.exp
# 1 / x
inv: Callable[[float], float] = _ops.inv
# d / x: d times the derivative of log at x
log_back: Callable[[float, float], float] = _ops.log_back
# -d / x^2: d times the derivative of inv at x
inv_back: Callable[[float, float], float] = _ops.inv_back
# d if x > 0 else 0.0: d times the derivative of relu at x
relu_back: Callable[[float, float], float] = _ops.relu_back


def map(fn: Callable[[float], float]) -> Callable[[Iterable[float]], List[float]]:
    """Return the function that applies ``fn`` to every element of an iterable (a list)."""
    return _ops.map(fn)


def zipWith(
    fn: Callable[[float, float], float]
) -> Callable[[Iterable[float], Iterable[float]], List[float]]:
    """Return the function ``(xs, ys) -> [fn(x, y) for x, y in zip(xs, ys)]`` (equal lengths)."""
    return _ops.zipWith(fn)


def reduce(
    fn: Callable[[float, float], float], start: float
) -> Callable[[Iterable[float]], float]:
    """Return the function ``xs -> fn(...fn(fn(start, x0), x1)..., xn)`` (``start`` if empty)."""
    return _ops.reduce(fn, start)


def negList(ls: Iterable[float]) -> List[float]:
    """Negate every element: ``map(neg)(ls)``."""
    return _ops.negList(ls)


def addLists(ls1: Iterable[float], ls2: Iterable[float]) -> List[float]:
    """Add two lists element by element: ``zipWith(add)(ls1, ls2)``."""
    return _ops.addLists(ls1, ls2)


def sum(ls: Iterable[float]) -> float:
    """Sum of the elements: ``reduce(add, 0.0)(ls)``."""
    return _ops.sum(ls)


def prod(ls: Iterable[float]) -> float:
    """Product of the elements (of a shape, too): ``reduce(mul, 1.0)(ls)``, as a float."""
    return _ops.prod(ls)
