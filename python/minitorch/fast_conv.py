"""Convolutions with MiniTorch's semantics (module 4, tasks 4.1 and 4.2).

``conv1d(input, weight)``: input ``(batch, in_channels, width)``, weight
``(out_channels, in_channels, k)`` -> ``(batch, out_channels, width)``;
``conv2d(input, weight)``: input ``(batch, in_channels, height, width)``, weight
``(out_channels, in_channels, kh, kw)`` -> ``(batch, out_channels, height, width)``.

As the course's, the output has the input's size: the kernel is anchored at the top-left of each
output position (cross-correlation, not flipped) and reads zeros past the right and bottom edges,
so ``conv1d([0, 1, 2, 3], [1, 2, 3])`` is ``[8, 14, 8, 3]``. The C++ core pads the input with
zeros on those edges and runs its convolution without padding; the gradients with respect to both
the input and the weight come from its autograd. There is no bias (the course's has none);
``minitorch.nn.Conv2d`` is the PyTorch-style layer with one.

Shapes that do not fit (wrong number of dimensions, differing in_channels) raise
``RuntimeError`` with the core's message.
"""
from __future__ import annotations

from typing import Any

from . import _C

__all__ = ["Conv1dFun", "Conv2dFun", "conv1d", "conv2d"]


class Conv1dFun:
    """The course's ``Conv1dFun``: ``Conv1dFun.apply(input, weight)`` is ``conv1d``."""

    @staticmethod
    def apply(input: Any, weight: Any) -> Any:
        """The 1-D convolution of ``input`` by ``weight`` (see the module docstring)."""
        return _C.course_conv1d(input, weight)


class Conv2dFun:
    """The course's ``Conv2dFun``: ``Conv2dFun.apply(input, weight)`` is ``conv2d``."""

    @staticmethod
    def apply(input: Any, weight: Any) -> Any:
        """The 2-D convolution of ``input`` by ``weight`` (see the module docstring)."""
        return _C.course_conv2d(input, weight)


conv1d = Conv1dFun.apply
conv2d = Conv2dFun.apply
