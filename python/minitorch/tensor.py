"""minitorch.tensor: the Tensor class (MiniTorch module 2).

``Tensor`` is the core's tensor (``minitorch._C.Tensor``): values, gradient and graph live in C++,
and every operator (``+ - * / < > == @``, ``sum``, ``permute``, ...) is one call into the core.
The course's members that only rearrange what the core already knows -- ``backend``, ``history``,
``parents``, ``make``, ``tuple``, ``expand(other)`` for gradients -- are added here in Python.

Course semantics kept: reductions keep the reduced dimension (size 1), and reducing a whole tensor
gives shape (1,); Python numbers in arithmetic are constants; indexing with an int or a tuple
reads or writes one element. Beyond the course: a dtype (float64 by default, ``dtype=float32``),
``numpy()`` sharing memory and ``minitorch.from_numpy`` (no copy either way).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, Tuple, Type

from . import _C

__all__ = ["History", "Tensor", "from_numpy"]

Tensor = _C.Tensor
from_numpy = _C.from_numpy


@dataclass
class History:
    """How a tensor was computed: the Function class, its context and its inputs."""

    last_fn: Optional[Type[Any]] = None
    ctx: Optional[Any] = None
    inputs: Sequence[Any] = field(default_factory=tuple)


def _backend(self: Any) -> Any:
    """The TensorBackend this tensor's operations run on."""
    from .tensor_ops import backend_of

    return backend_of(self._backend)


def _history(self: Any) -> Optional[History]:
    """The course's History: None for a constant, empty for a leaf, else the op and its inputs."""
    if self.is_constant():
        return None
    name = self.grad_fn
    if name is None:
        return History()
    from . import tensor_functions

    return History(tensor_functions.function_named(name), None, tuple(self.parents))


def _expand(self: Any, *args: Any) -> Any:
    """``expand(other)``: the gradient ``other`` summed back to this tensor's shape (course);
    ``expand(*shape)``: this tensor broadcast to ``shape``, a view (PyTorch)."""
    if len(args) == 1 and isinstance(args[0], Tensor):
        return _C.sum_to_shape(args[0], self.shape)
    return self._expand_to(*args)


def _make(
    storage: Any,
    shape: Sequence[int],
    strides: Optional[Sequence[int]] = None,
    backend: Any = None,
) -> Any:
    """A tensor over ``storage`` (values, copied) with ``shape`` and optional ``strides``."""
    return Tensor(_C.TensorData(storage, tuple(shape), strides), backend=backend)


def _tuple(self: Any) -> Tuple[Any, Tuple[int, ...], Tuple[int, ...]]:
    """(storage as a NumPy array, shape, strides) of this tensor's data."""
    return self._tensor.tuple()


def _new(self: Any, tensor_data: Any) -> Any:
    """A tensor over ``tensor_data`` on this tensor's backend."""
    return Tensor(tensor_data, backend=self._backend)


def _type_(self: Any, backend: Any) -> None:
    """Moves this leaf to ``backend`` in place (the course's ``_type_``)."""
    self.to_(backend)


def _array(self: Any, dtype: Any = None, copy: Any = None) -> Any:
    """``np.asarray(tensor)``: the values as a NumPy array (shares memory when contiguous)."""
    values = self.to_numpy()
    return values if dtype is None else values.astype(dtype)


def _install() -> None:
    # The C++ class is the Tensor: results of core operations are already of this type, and a
    # Python subclass would not be. These members only reshape what the core exposes.
    members = {
        "backend": property(_backend),
        "f": property(_backend),
        "history": property(_history),
        "expand": _expand,
        "make": staticmethod(_make),
        "tuple": _tuple,
        "_new": _new,
        "_type_": _type_,
        "__array__": _array,
        # NumPy defers to the tensor's own operators: np.float64(2) * t is t.__rmul__(2), a
        # Tensor, and ufuncs (np.exp(t)) raise TypeError instead of iterating over elements.
        "__array_ufunc__": None,
    }
    for name, member in members.items():
        setattr(Tensor, name, member)


_install()
