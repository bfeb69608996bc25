"""minitorch.tensor_ops: backends and their function tables (MiniTorch task 2.3 and 3.x).

``TensorBackend(ops)`` selects one of the core's backends by its ops class -- ``SimpleOps`` the
reference backend, ``FastOps`` (fast_ops.py) the vectorised threaded CPU backend, ``CudaOps``
(cuda_ops.py) the CUDA backend -- and builds the course's function table (``neg_map``,
``add_zip``, ``add_reduce``, ``matrix_multiply``, ...) over that backend's primitives.

``ops.map(fn)`` / ``zip(fn)`` / ``reduce(fn, start)`` accept the functions of
``minitorch.operators``, which run as the backend's compiled kernels (``add`` and ``max`` reduce
in C++; a product reduction has no kernel and folds element by element). Any other Python
callable runs element by element through NumPy's ``vectorize`` on CPU tensors: slow but
correct, for experiments only.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Type

import numpy as np

from . import _C, operators

__all__ = [
    "MapProto",
    "SimpleBackend",
    "SimpleOps",
    "TensorBackend",
    "TensorOps",
    "backend_of",
]


class MapProto:
    """What ``TensorOps.map(fn)`` returns: ``ret(a, out=None) -> Tensor``."""

    def __call__(self, x: Any, out: Optional[Any] = ..., /) -> Any:
        """Applies the mapped function to ``x`` (into ``out`` when given)."""
        raise NotImplementedError


# Names the course's operators carry, and the core primitive each one is.
_UNARY = {
    "neg": _C.UnaryOp.neg,
    "inv": _C.UnaryOp.inv,
    "log": _C.UnaryOp.log,
    "exp": _C.UnaryOp.exp,
    "sigmoid": _C.UnaryOp.sigmoid,
    "relu": _C.UnaryOp.relu,
    "tanh": _C.UnaryOp.tanh,
    "sqrt": _C.UnaryOp.sqrt,
}
_BINARY = {
    "add": _C.BinaryOp.add,
    "mul": _C.BinaryOp.mul,
    "lt": _C.BinaryOp.lt,
    "eq": _C.BinaryOp.eq,
    "is_close": _C.BinaryOp.is_close,
    "max": _C.BinaryOp.max,
}
# Backward zips: out = d * f'(a), the core's map_backward of f.
_BACKWARD = {
    "relu_back": _C.UnaryOp.relu,
    "log_back": _C.UnaryOp.log,
    "inv_back": _C.UnaryOp.inv,
}
_REDUCE = {"add": _C.ReduceOp.sum, "max": _C.ReduceOp.max}


def _ours(fn: Callable[..., Any], table: Dict[str, Any]) -> Optional[Any]:
    """The core primitive ``fn`` is, when it is a ``minitorch.operators`` function."""
    name = getattr(fn, "__name__", None)
    module = getattr(fn, "__module__", None) or ""
    if name in table and module.startswith("minitorch"):
        return table[name]
    return None


def _numpy_of(t: Any) -> np.ndarray:
    """The tensor's values as a NumPy view (CPU only), for the per-element fallback."""
    return t.numpy()


class TensorOps:
    """The course's ops interface: higher-order map, zip, reduce and matrix multiply."""

    cuda = False
    _ops_classes: List[Type["TensorOps"]] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        TensorOps._ops_classes.append(cls)

    @staticmethod
    def _core() -> Any:
        """The core backend (``minitorch._C.Backend``) these ops run on."""
        raise NotImplementedError("TensorOps is abstract: use SimpleOps, FastOps or CudaOps")

    @classmethod
    def map(cls, fn: Callable[[float], float]) -> MapProto:
        """``ret(a, out=None)``: ``fn`` of every element of ``a`` (broadcast into ``out``)."""
        core = cls._core()
        op = _ours(fn, _UNARY)
        identity = _ours(fn, {"id": True}) is not None

        def ret(a: Any, out: Optional[Any] = None) -> Any:
            if out is None:
                out = a.zeros(a.shape)
            if identity:
                core.copy(a._tensor, out._tensor)
            elif op is not None:
                core.map(op, a._tensor, out._tensor)
            else:
                target = _numpy_of(out)
                target[...] = np.vectorize(fn, otypes=[target.dtype])(
                    np.broadcast_to(_numpy_of(a), target.shape)
                )
            return out

        return ret  # type: ignore[return-value]

    @classmethod
    def cmap(cls, fn: Callable[[float], float]) -> Callable[[Any, Any], Any]:
        """``ret(a, out)``: map into a given output (the 2022 course's ``cmap``)."""
        mapped = cls.map(fn)
        return lambda a, out: mapped(a, out)

    @classmethod
    def zip(cls, fn: Callable[[float, float], float]) -> Callable[[Any, Any], Any]:
        """``ret(a, b)``: ``fn`` of every pair of elements, ``a`` and ``b`` broadcast together."""
        core = cls._core()
        op = _ours(fn, _BINARY)
        backward = _ours(fn, _BACKWARD)

        def ret(a: Any, b: Any) -> Any:
            shape = _C.shape_broadcast(a.shape, b.shape)
            out = a.zeros(shape)
            if op is not None:
                core.zip(op, a._tensor, b._tensor, out._tensor)
            elif backward is not None:
                core.map_backward(backward, a._tensor, b._tensor, out._tensor)
            else:
                target = _numpy_of(out)
                target[...] = np.vectorize(fn, otypes=[target.dtype])(
                    np.broadcast_to(_numpy_of(a), shape), np.broadcast_to(_numpy_of(b), shape)
                )
            return out

        return ret

    @classmethod
    def reduce(
        cls, fn: Callable[[float, float], float], start: float = 0.0
    ) -> Callable[[Any, int], Any]:
        """``ret(a, dim)``: ``fn`` folded over dimension ``dim`` from ``start`` (size 1 there).

        The core's reductions (add, max) fold from their own identity (0, -inf) rather than
        ``start``; other functions fold from ``start`` element by element.
        """
        core = cls._core()
        op = _ours(fn, _REDUCE)

        def ret(a: Any, dim: int) -> Any:
            shape = list(a.shape)
            shape[dim] = 1
            out = a.zeros(tuple(shape))
            if op is not None:
                core.reduce(op, a._tensor, dim, out._tensor)
            else:
                values = _numpy_of(a)
                step = np.vectorize(fn, otypes=[values.dtype])
                acc = np.full(tuple(shape), start, dtype=values.dtype)
                for k in range(values.shape[dim]):
                    acc = step(acc, np.take(values, [k], axis=dim))
                _numpy_of(out)[...] = acc
            return out

        return ret

    @classmethod
    def matrix_multiply(cls, a: Any, b: Any) -> Any:
        """``a @ b`` over the last two dimensions; the others are batches that broadcast."""
        both_2d = len(a.shape) == 2 and len(b.shape) == 2
        if len(a.shape) == 2:
            a = a.contiguous().view(1, a.shape[0], a.shape[1])
        if len(b.shape) == 2:
            b = b.contiguous().view(1, b.shape[0], b.shape[1])
        if a.shape[-1] != b.shape[-2]:
            raise _C.IndexingError(
                f"matrix_multiply: shapes {a.shape} @ {b.shape}; expected the last size of the "
                "first to equal the second-to-last size of the second"
            )
        batch = _C.shape_broadcast(a.shape[:-2], b.shape[:-2])
        out = a.zeros((*batch, a.shape[-2], b.shape[-1]))
        cls._core().matmul(a._tensor, b._tensor, out._tensor)
        if both_2d:
            out = out.view(out.shape[1], out.shape[2])
        return out


class SimpleOps(TensorOps):
    """The reference backend: plain loops, the oracle the others are tested against."""

    @staticmethod
    def _core() -> Any:
        return _C.reference_backend()


class TensorBackend:
    """A backend chosen by its ops class, with the course's function table over it.

    ``_c`` is the core backend: pass a TensorBackend as ``backend=`` anywhere a tensor is made.
    """

    def __init__(self, ops: Type[TensorOps]) -> None:
        if not (isinstance(ops, type) and issubclass(ops, TensorOps)):
            raise TypeError(
                "TensorBackend: expected an ops class (SimpleOps, FastOps or CudaOps); "
                f"got {ops!r}"
            )
        self.ops = ops
        self._c = ops._core()
        self.cuda = ops.cuda

        self.neg_map = ops.map(operators.neg)
        self.sigmoid_map = ops.map(operators.sigmoid)
        self.relu_map = ops.map(operators.relu)
        self.log_map = ops.map(operators.log)
        self.exp_map = ops.map(operators.exp)
        self.id_map = ops.map(operators.id)
        self.id_cmap = ops.cmap(operators.id)
        self.inv_map = ops.map(operators.inv)

        self.add_zip = ops.zip(operators.add)
        self.mul_zip = ops.zip(operators.mul)
        self.lt_zip = ops.zip(operators.lt)
        self.eq_zip = ops.zip(operators.eq)
        self.is_close_zip = ops.zip(operators.is_close)
        self.relu_back_zip = ops.zip(operators.relu_back)
        self.log_back_zip = ops.zip(operators.log_back)
        self.inv_back_zip = ops.zip(operators.inv_back)

        self.add_reduce = ops.reduce(operators.add, 0.0)
        self.mul_reduce = ops.reduce(operators.mul, 1.0)
        self.matrix_multiply = ops.matrix_multiply
        _BACKENDS.setdefault(self._c, self)

    def __repr__(self) -> str:
        return f"TensorBackend({self.ops.__name__})"


# The TensorBackend each core backend was first made with (what Tensor.backend returns).
_BACKENDS: Dict[Any, TensorBackend] = {}


def backend_of(core: Any) -> TensorBackend:
    """The TensorBackend of a core backend, made from its ops class on first use."""
    found = _BACKENDS.get(core)
    if found is not None:
        return found
    for ops in TensorOps._ops_classes:
        try:
            if ops._core() == core:
                return TensorBackend(ops)
        except (RuntimeError, NotImplementedError):
            continue
    raise ValueError(f"no ops class runs on the core backend {core!r}")


SimpleBackend = TensorBackend(SimpleOps)
