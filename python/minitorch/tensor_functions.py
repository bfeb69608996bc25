"""minitorch.tensor_functions: the differentiable tensor Functions and tensor creation (module 2).

Each course Function (``Neg``, ``Mul``, ``Sum``, ``Permute``, ``MatMul``, ...) is one of the core's
operations: ``Mul.apply(a, b)`` is ``a * b`` computed, and recorded in the graph, by the core. Its
forward rule and its derivative are written once, in C++ (operators and the tensor layer); the
graph never calls back into Python. As in the course, non-tensor arguments (``dim``, ``order``,
``shape``) may be given as tensors.

``tensor``, ``rand``, ``zeros`` make tensors (``backend=``, ``requires_grad=``, ``dtype=``; the
core's default backend is the fast one, with the same results as ``SimpleBackend``).
``grad_check`` compares each input's gradient at one random index with a central difference.
"""
from __future__ import annotations

import random
from typing import Any, Callable, Dict, Sequence, Type

import numpy as np

from . import _C
from .tensor import Tensor

__all__ = [
    "Add",
    "All",
    "Copy",
    "EQ",
    "Exp",
    "Function",
    "Inv",
    "IsClose",
    "LT",
    "Log",
    "MatMul",
    "Mul",
    "Neg",
    "Permute",
    "ReLU",
    "Sigmoid",
    "Sum",
    "View",
    "function_named",
    "grad_central_difference",
    "grad_check",
    "ones",
    "rand",
    "tensor",
    "zeros",
]


def _ints(value: Any) -> list:
    """A dim, order or shape given as an int, a sequence or a tensor, as a list of ints."""
    if isinstance(value, Tensor):
        return [int(v) for v in value.to_numpy().reshape(-1)]
    if isinstance(value, (int, np.integer)):
        return [int(value)]
    return [int(v) for v in value]


class Function:
    """A differentiable tensor operation: ``apply(*vals)`` computes it and records its backward."""

    @classmethod
    def apply(cls, *vals: Any) -> Tensor:
        """The operation applied to ``vals``; the result remembers it when an input needs grad."""
        return cls._apply(*vals)

    @staticmethod
    def _apply(*vals: Any) -> Tensor:
        raise NotImplementedError


class Neg(Function):
    """-a."""

    _apply = staticmethod(lambda a: -a)


class Inv(Function):
    """1 / a; backward -g / a²."""

    _apply = staticmethod(lambda a: a.inv())


class Add(Function):
    """a + b; backward (g, g)."""

    _apply = staticmethod(lambda a, b: a + b)


class Mul(Function):
    """a * b; backward (g b, g a)."""

    _apply = staticmethod(lambda a, b: a * b)


class Sigmoid(Function):
    """σ(a); backward g σ(a)(1 - σ(a))."""

    _apply = staticmethod(lambda a: a.sigmoid())


class ReLU(Function):
    """max(a, 0); backward g where a > 0."""

    _apply = staticmethod(lambda a: a.relu())


class Log(Function):
    """log(a); backward g / a."""

    _apply = staticmethod(lambda a: a.log())


class Exp(Function):
    """exp(a); backward g exp(a)."""

    _apply = staticmethod(lambda a: a.exp())


class Sum(Function):
    """The sum over ``dim`` (kept, size 1); backward g broadcast back."""

    _apply = staticmethod(lambda a, dim: a.sum(_ints(dim)[0]))


class All(Function):
    """1 where every element over ``dim`` (or all, when None) is non-zero, else 0."""

    _apply = staticmethod(lambda a, dim=None: a.all(None if dim is None else _ints(dim)[0]))


class LT(Function):
    """a < b as 1.0 / 0.0 (no gradient)."""

    _apply = staticmethod(lambda a, b: a < b)


class EQ(Function):
    """a == b as 1.0 / 0.0 (no gradient)."""

    _apply = staticmethod(lambda a, b: a == b)


class IsClose(Function):
    """|a - b| < 1e-2 as 1.0 / 0.0 (no gradient)."""

    _apply = staticmethod(lambda a, b: a.is_close(b))


class Permute(Function):
    """The dimensions reordered by ``order`` (a view); backward the inverse permutation."""

    _apply = staticmethod(lambda a, order: a.permute(*_ints(order)))


class View(Function):
    """A contiguous tensor viewed with another ``shape``; backward g viewed back."""

    _apply = staticmethod(lambda a, shape: a.view(*_ints(shape)))


class Copy(Function):
    """A contiguous copy; backward g."""

    _apply = staticmethod(lambda a: a.clone())


class MatMul(Function):
    """a @ b with batch dimensions broadcast; backward (g @ bᵀ, aᵀ @ g)."""

    _apply = staticmethod(lambda a, b: a @ b)


# The core's names for its graph nodes ("MulBackward0") and the course's Function classes.
_BY_CORE_NAME: Dict[str, Type[Function]] = {
    "neg": Neg,
    "inv": Inv,
    "add": Add,
    "mul": Mul,
    "sigmoid": Sigmoid,
    "relu": ReLU,
    "log": Log,
    "exp": Exp,
    "sum": Sum,
    "permute": Permute,
    "view": View,
    "copy": Copy,
    "clone": Copy,
    "contiguous": Copy,
    "matmul": MatMul,
}


def function_named(grad_fn: str) -> Type[Function]:
    """The Function class of a core graph node name such as ``"MulBackward0"``.

    Operations the course has no class for get a Function subclass carrying the core's name.
    """
    core = grad_fn[: -len("Backward0")] if grad_fn.endswith("Backward0") else grad_fn
    found = _BY_CORE_NAME.get(core.lower())
    if found is None:
        found = type(core, (Function,), {"__doc__": f"The core's {core} operation."})
        _BY_CORE_NAME[core.lower()] = found
    return found


tensor = _C.tensor
zeros = _C.zeros
ones = _C.ones
rand = _C.rand


def grad_central_difference(
    f: Any, *vals: Tensor, arg: int = 0, epsilon: float = 1e-6, ind: Sequence[int]
) -> float:
    """The central difference of ``f(*vals).sum()`` in input ``arg`` at index ``ind``.

    Computed in float64 whatever the inputs' dtype (a step of 1e-6 is below float32's
    resolution).
    """
    exact = [v.detach().double() for v in vals]
    up = exact[arg].clone()
    down = exact[arg].clone()
    up[ind] = up[ind] + epsilon
    down[ind] = down[ind] - epsilon
    vals_up = [up if j == arg else v for j, v in enumerate(exact)]
    vals_down = [down if j == arg else v for j, v in enumerate(exact)]
    delta = f(*vals_up).sum() - f(*vals_down).sum()
    return delta[0] / (2.0 * epsilon)


def grad_check(f: Callable[..., Tensor], *vals: Tensor) -> None:
    """Checks the gradient of ``f(*vals).sum()`` for every input at one random index.

    As the course's: each input becomes a leaf requiring grad (a computed input is detached
    first), ``random`` is seeded with 10, and the gradient must match the central difference
    within rtol = atol = 1e-2. An input no gradient reaches (through comparisons only, say)
    has gradient 0, as the course's zero backward of LT and EQ gives.
    """
    leaves = [v if v.is_leaf else v.detach() for v in vals]
    for x in leaves:
        x.requires_grad_(True)
        x.zero_grad_()
    random.seed(10)
    out = f(*leaves).sum()
    # Comparisons record no graph (their derivative is 0 everywhere): nothing to propagate then.
    if out.requires_grad:
        out.backward()
    err_msg = """

Gradient check error for function %s.

Input %s

Received derivative %f for argument %d and index %s,
but was expecting derivative %f from central difference.

"""
    for i, x in enumerate(leaves):
        ind = x._tensor.sample()
        check = grad_central_difference(f, *leaves, arg=i, ind=ind)
        received = 0.0 if x.grad is None else x.grad[ind]
        np.testing.assert_allclose(
            received,
            check,
            1e-2,
            1e-2,
            err_msg=err_msg % (f, leaves, received, i, ind, check),
        )

