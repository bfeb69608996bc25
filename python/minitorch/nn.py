"""minitorch.nn: MiniTorch's network functions (module 4) and PyTorch-style layers.

The course's functions, with its semantics (every one computed by the C++ core, gradients by its
autograd):

- ``tile(input, (kh, kw))`` -> ``(tiled, new_height, new_width)``, ``tiled`` of shape
  ``(batch, channel, height / kh, width / kw, kh * kw)``;
- ``avgpool2d(input, kernel)`` / ``maxpool2d(input, kernel)``: pooling over non-overlapping
  windows; the kernel must divide the height and the width, as the course's ``tile`` asserts;
- ``max(input, dim)`` (the class ``Max`` behind it: ``Max.apply(input, dim)``) keeps the reduced
  dimension with size 1; its gradient goes to the maximum (to the first one where several elements
  tie, as PyTorch's, where the course's gives it to every tied element); ``max_reduce(input,
  dim)`` is the same values without a gradient;
- ``argmax(input, dim)`` is the course's one-hot mask: 1.0 wherever ``input`` equals the maximum
  along ``dim`` (ties give several ones), not PyTorch's indices;
- ``softmax(input, dim)`` and ``logsoftmax(input, dim)``, stable for any input;
- ``dropout(input, rate, ignore=False)``: ``rate`` is the probability of dropping an element;
  ``ignore=True`` returns the input unchanged.

Dropout and rescaling: ``minitorch.dropout`` keeps the course's definition, ``input * mask``
without dividing by ``1 - rate``, because the course's models and logs were produced that way
(its project scripts even leave dropout on at evaluation time, where not rescaling keeps training
and evaluation on the same scale); rescaling silently would change what course code computes.
The layer ``minitorch.nn.Dropout(p)`` is PyTorch's and does rescale by ``1 / (1 - p)``
(inverted dropout) in training mode and is the identity after ``eval()``: PyTorch code ported to
these layers keeps PyTorch's numbers.

Layers for PyTorch users (``minitorch.nn.Linear``, ``Conv1d``, ``Conv2d``, ``MaxPool2d``,
``AvgPool2d``, ``Embedding``, ``Dropout``, ``Sequential``, ``ReLU``, ``Sigmoid``, ``Tanh``,
``Flatten``): each is a ``minitorch.Module`` around the C++ layer of the same name, with PyTorch's
constructor arguments and defaults. Their parameters (``weight``, ``bias``) are ``Parameter``s
holding the C++ layer's own tensors, so ``named_parameters()``, ``state_dict()``,
``load_state_dict()`` and optimizers all reach the layer, and ``train()`` / ``eval()`` reach it
too. Parameters are created in the package's default dtype (``minitorch.get_default_dtype()``,
float64 unless changed) or in ``dtype=``. The layers are not exported at the package's top level
(the course's scripts define their own ``Linear``): use ``minitorch.nn.Linear``.

Bad shapes and arguments raise ``RuntimeError`` (or ``TypeError`` / ``ValueError`` for wrong
kinds of argument) with the core's message.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterator, Optional, Tuple, Union

from . import _C
from .module import Module, Parameter

__all__ = [
    "Max",
    "argmax",
    "avgpool2d",
    "dropout",
    "logsoftmax",
    "max",
    "max_reduce",
    "maxpool2d",
    "softmax",
    "tile",
]

Tensor = Any  # minitorch.Tensor (the core's tensor class)
Pair = Union[int, Tuple[int, int]]


# ---- the course's functions ------------------------------------------------------------------
def tile(input: Tensor, kernel: Tuple[int, int]) -> Tuple[Tensor, int, int]:
    """Each ``kh x kw`` window of ``input`` (batch, channel, height, width) along a last dimension.

    Returns the tensor of shape ``(batch, channel, height / kh, width / kw, kh * kw)`` and the
    new height and width.
    """
    tiled = _C.tile(input, kernel)
    return tiled, tiled.shape[2], tiled.shape[3]


def avgpool2d(input: Tensor, kernel: Tuple[int, int]) -> Tensor:
    """The mean of each non-overlapping ``kernel`` window: ``(batch, channel, h/kh, w/kw)``."""
    return _C.course_avgpool2d(input, kernel)


def maxpool2d(input: Tensor, kernel: Tuple[int, int]) -> Tensor:
    """The maximum of each non-overlapping ``kernel`` window: ``(batch, channel, h/kh, w/kw)``."""
    return _C.course_maxpool2d(input, kernel)


def max_reduce(input: Tensor, dim: int) -> Tensor:
    """The maximum along ``dim`` (kept with size 1), without a gradient (the course's reduce)."""
    return _C.max_keepdim(input, dim).detach()


def argmax(input: Tensor, dim: int) -> Tensor:
    """1.0 where ``input`` is the maximum along ``dim``, 0.0 elsewhere (the course's one-hot)."""
    return _C.one_hot_argmax(input, dim)


class Max:
    """The course's ``Max`` function: ``Max.apply(input, dim)`` is ``max(input, dim)``."""

    @staticmethod
    def apply(input: Tensor, dim: Any) -> Tensor:
        """The maximum along ``dim`` (an int or a one-element tensor), keeping the dimension."""
        return _C.max_keepdim(input, dim)


def max(input: Tensor, dim: int) -> Tensor:  # noqa: A001 - the course's name
    """The maximum along ``dim``, keeping the dimension (size 1); differentiable."""
    return Max.apply(input, dim)


def softmax(input: Tensor, dim: int) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``."""
    return _C.softmax(input, dim)


def logsoftmax(input: Tensor, dim: int) -> Tensor:
    """``x - log(sum(exp(x)))`` along ``dim`` (computed with the maximum subtracted first)."""
    return _C.log_softmax(input, dim)


def dropout(input: Tensor, rate: float, ignore: bool = False) -> Tensor:
    """Each element zeroed with probability ``rate``, the rest unchanged (not rescaled).

    ``ignore=True`` returns ``input`` itself. ``rate`` must be in [0, 1].
    """
    return _C.course_dropout(input, float(rate), bool(ignore))


# ---- layers bound from the core ----------------------------------------------------------------
class _CoreLayer(Module):
    """A ``Module`` around a C++ layer (``_C.Layer``): its tensors are this module's parameters."""

    def __init__(self, layer: Any) -> None:
        super().__init__()
        self.__dict__["_layer"] = layer
        for name, value in layer.named_parameters(False):
            setattr(self, name, Parameter(value, name))

    def forward(self, input: Tensor) -> Tensor:
        """The C++ layer's forward pass (the GIL is released when it does real work)."""
        return self._layer.forward(input)

    def _on_mode_change(self, training: bool) -> None:
        self._layer.train(training)

    def extra_repr(self) -> str:
        return self._layer.extra_repr()


class Linear(_CoreLayer):
    """``y = x W^T + b`` over the last dimension, as ``torch.nn.Linear``.

    ``weight`` is ``(out_features, in_features)``, ``bias`` ``(out_features,)``, both uniform in
    ``±1/sqrt(in_features)`` as PyTorch initialises them.
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, dtype: Any = None
    ) -> None:
        super().__init__(_C.Linear(in_features, out_features, bias, dtype))
        self.in_features = in_features
        self.out_features = out_features


class Conv2d(_CoreLayer):
    """PyTorch's 2-D convolution layer over ``(batch, in_channels, height, width)``.

    ``weight`` is ``(out_channels, in_channels, kh, kw)``, ``bias`` ``(out_channels,)``; sizes are
    an int or a pair. (``minitorch.conv2d`` is the course's same-size convolution instead.)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Pair,
        stride: Pair = 1,
        padding: Pair = 0,
        dilation: Pair = 1,
        bias: bool = True,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            _C.Conv2d(
                in_channels, out_channels, kernel_size, stride, padding, dilation, bias, dtype
            )
        )
        self.in_channels = in_channels
        self.out_channels = out_channels


class Conv1d(_CoreLayer):
    """PyTorch's 1-D convolution layer over ``(batch, in_channels, length)``."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        dilation: int = 1,
        bias: bool = True,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            _C.Conv1d(
                in_channels, out_channels, kernel_size, stride, padding, dilation, bias, dtype
            )
        )
        self.in_channels = in_channels
        self.out_channels = out_channels


class MaxPool2d(_CoreLayer):
    """PyTorch's max pooling: ``stride`` defaults to ``kernel_size``; ``padding <= kernel / 2``."""

    def __init__(self, kernel_size: Pair, stride: Optional[Pair] = None, padding: Pair = 0) -> None:
        super().__init__(_C.MaxPool2d(kernel_size, stride, padding))


class AvgPool2d(_CoreLayer):
    """PyTorch's average pooling (padding counted as zeros)."""

    def __init__(self, kernel_size: Pair, stride: Optional[Pair] = None, padding: Pair = 0) -> None:
        super().__init__(_C.AvgPool2d(kernel_size, stride, padding))


class Embedding(_CoreLayer):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, looked up by index.

    The input holds row numbers (as numbers of any dtype); ``weight`` is drawn from N(0, 1).
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, dtype: Any = None) -> None:
        super().__init__(_C.Embedding(num_embeddings, embedding_dim, dtype))
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim

    def forward(self, input: Tensor) -> Tensor:
        """The rows of ``weight`` named by ``input``: shape ``input.shape + (embedding_dim,)``."""
        dtype = self.weight.value.dtype
        if input.dtype != dtype:
            input = input.to(dtype)
        return self._layer.forward(input)


class Dropout(_CoreLayer):
    """PyTorch's dropout: in training mode zeroes with probability ``p`` and scales the rest by
    ``1 / (1 - p)``; after ``eval()`` the identity."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(_C.Dropout(p))
        self.p = p

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace=False"  # as PyTorch prints it


class ReLU(_CoreLayer):
    """``max(x, 0)`` elementwise."""

    def __init__(self) -> None:
        super().__init__(_C.ReLU())


class Sigmoid(_CoreLayer):
    """``1 / (1 + exp(-x))`` elementwise."""

    def __init__(self) -> None:
        super().__init__(_C.Sigmoid())


class Tanh(_CoreLayer):
    """``tanh(x)`` elementwise."""

    def __init__(self) -> None:
        super().__init__(_C.Tanh())


class Flatten(_CoreLayer):
    """``(batch, ...)`` -> ``(batch, rest)``."""

    def __init__(self) -> None:
        super().__init__(_C.Flatten())


# The classes whose forward is exactly their C++ layer's: a Sequential of only these runs its
# whole chain in one call into the core.
_PLAIN_LAYERS = (
    Linear, Conv1d, Conv2d, MaxPool2d, AvgPool2d, Dropout, ReLU, Sigmoid, Tanh, Flatten
)


class Sequential(Module):
    """Modules applied in order, as ``torch.nn.Sequential``; children are named ``"0"``, ``"1"``...

    ``Sequential(a, b, c)`` or ``Sequential(OrderedDict(name=module, ...))``. Any
    ``minitorch.Module`` may be a child; when every child is one of this module's layers (exactly,
    not a subclass), the chain runs inside the core in one call.
    """

    def __init__(self, *modules: Any) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            items = list(modules[0].items())
        else:
            items = [(str(i), m) for i, m in enumerate(modules)]
        for name, module in items:
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential: child {name} is a {type(module).__name__}; "
                    "expected a minitorch.Module"
                )
            setattr(self, name, module)
        self.__dict__["_chain"] = self._core_chain()

    def _core_chain(self) -> Optional[Any]:
        children = self.modules()
        if not children or any(type(m) not in _PLAIN_LAYERS for m in children):
            return None
        return _C.Sequential([m._layer for m in children])

    def forward(self, input: Any) -> Any:
        """Each child applied to the previous one's output."""
        chain = self.__dict__["_chain"]
        if chain is not None and len(chain) == len(self.__dict__["_modules"]):
            return chain.forward(input)
        for module in self.modules():
            input = module(input)
        return input

    def __setattr__(self, key: str, val: Any) -> None:
        super().__setattr__(key, val)
        if isinstance(val, Module) and "_chain" in self.__dict__:
            self.__dict__["_chain"] = self._core_chain()  # a child changed: rebuild

    def __len__(self) -> int:
        return len(self.__dict__["_modules"])

    def __getitem__(self, index: int) -> Module:
        return self.modules()[index]

    def __iter__(self) -> Iterator[Module]:  # type: ignore[override]
        return iter(self.modules())

