"""Module and Parameter (MiniTorch module 0): the tree a model is built as.

A ``Module`` routes attribute assignment: a ``Parameter`` goes to ``_parameters``, a ``Module`` to
``_modules``, anything else is a plain attribute. ``named_parameters()`` walks the tree and names
each parameter by its dotted path (``"layer1.weights"``), ``train()`` / ``eval()`` set ``training``
on the whole tree, and calling a module runs its ``forward``.

Semantics, as the course's, with PyTorch's names added where PyTorch users reach for them:

- reading an attribute that is neither a parameter, a child nor a plain attribute gives ``None``
  (the course's behaviour), except for dunder names, which raise ``AttributeError`` so that
  ``copy``, ``pickle`` and NumPy's probing keep working;
- ``modules()`` and ``children()`` are the direct children (the course's ``modules()``);
  ``named_modules()`` is the whole tree, as in PyTorch;
- ``state_dict()`` maps each dotted name to its parameter's value; ``load_state_dict`` copies
  values back in place (same shapes required; ``strict`` names missing and unexpected keys).

A ``Parameter`` wraps any value (a float, a ``Scalar``, a ``Tensor``); when the value has
``requires_grad_``, it is marked as requiring grad.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from . import _C

__all__ = ["Module", "Parameter"]


class Parameter:
    """A value a module owns and an optimizer updates."""

    def __init__(self, x: Any = None, name: Optional[str] = None) -> None:
        self.value = x
        self.name = name
        self._mark(x)

    def _mark(self, x: Any) -> None:
        if hasattr(x, "requires_grad_"):
            x.requires_grad_(True)
            if self.name:
                try:
                    x.name = self.name
                except (AttributeError, TypeError):
                    pass  # values without a name slot (C++ tensors) keep none

    def update(self, x: Any) -> None:
        """Replaces the value (marked as requiring grad, like the first one)."""
        self.value = x
        self._mark(x)

    def __repr__(self) -> str:
        return repr(self.value)

    def __str__(self) -> str:
        return str(self.value)


class Module:
    """A node of the model tree: parameters, child modules, a training flag and ``forward``."""

    _modules: Dict[str, "Module"]
    _parameters: Dict[str, Parameter]
    training: bool

    def __init__(self) -> None:
        self.__dict__["_modules"] = {}
        self.__dict__["_parameters"] = {}
        self.__dict__["training"] = True

    # ---- the tree --------------------------------------------------------------------------
    def _state(self) -> Tuple[Dict[str, "Module"], Dict[str, Parameter]]:
        try:
            return self.__dict__["_modules"], self.__dict__["_parameters"]
        except KeyError:
            raise RuntimeError(
                f"{type(self).__name__}.__init__ did not call super().__init__(); "
                "expected Module.__init__ to run before attributes are assigned"
            ) from None

    # A parameter or child is kept both in its table and in the instance's __dict__: the tables
    # give the tree its order and names, __dict__ lets `self.layer1` be read at the speed of any
    # attribute (forward reads them on every call) instead of through __getattr__.
    def __setattr__(self, key: str, val: Any) -> None:
        modules, parameters = self._state()
        if isinstance(val, Parameter):
            modules.pop(key, None)
            parameters[key] = val
        elif isinstance(val, Module):
            parameters.pop(key, None)
            modules[key] = val
        else:
            parameters.pop(key, None)
            modules.pop(key, None)
        object.__setattr__(self, key, val)

    def __getattr__(self, key: str) -> Any:
        # Only called when normal lookup fails: the course's modules read unknown names as None.
        if key.startswith("__") and key.endswith("__"):
            raise AttributeError(key)
        return None

    def __delattr__(self, key: str) -> None:
        modules, parameters = self._state()
        parameters.pop(key, None)
        modules.pop(key, None)
        object.__delattr__(self, key)

    def modules(self) -> List["Module"]:
        """The direct children (the course's ``modules()``)."""
        return list(self.__dict__["_modules"].values())

    def children(self) -> List["Module"]:
        """The direct children, as PyTorch's ``children()``."""
        return self.modules()

    def named_children(self) -> List[Tuple[str, "Module"]]:
        return list(self.__dict__["_modules"].items())

    def named_modules(self, prefix: str = "") -> List[Tuple[str, "Module"]]:
        """This module (named ``prefix``) and every descendant, by dotted path, depth first."""
        out: List[Tuple[str, Module]] = [(prefix, self)]
        for name, child in self.__dict__["_modules"].items():
            out.extend(child.named_modules(f"{prefix}.{name}" if prefix else name))
        return out

    def named_parameters(self) -> List[Tuple[str, Parameter]]:
        """Every parameter of the tree with its dotted name, this module's own first."""
        out = list(self.__dict__["_parameters"].items())
        for name, child in self.__dict__["_modules"].items():
            out.extend((f"{name}.{sub}", p) for sub, p in child.named_parameters())
        return out

    def parameters(self) -> List[Parameter]:
        """Every parameter of the tree (in the order of ``named_parameters``)."""
        return [p for _, p in self.named_parameters()]

    def add_parameter(self, k: str, v: Any) -> Parameter:
        """Wraps ``v`` as the parameter named ``k`` and stores it (readable as ``self.k``)."""
        p = Parameter(v, k)
        self.__setattr__(k, p)
        return p

    def register_parameter(self, name: str, param: Parameter) -> None:
        setattr(self, name, param)

    def register_module(self, name: str, module: "Module") -> "Module":
        setattr(self, name, module)
        return module

    def apply(self, fn: Callable[["Module"], None]) -> "Module":
        """Calls ``fn`` on every descendant, then on this module (PyTorch's order)."""
        for child in self.modules():
            child.apply(fn)
        fn(self)
        return self

    # ---- modes -----------------------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Sets ``training`` on this module and every descendant."""
        for _, m in self.named_modules():
            m.__dict__["training"] = mode
            m._on_mode_change(mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def _on_mode_change(self, training: bool) -> None:
        """Hook for modules that mirror the flag elsewhere (layers bound from C++)."""

    # ---- gradients and state ---------------------------------------------------------------
    def zero_grad(self) -> None:
        """Clears the gradient of every parameter that has one."""
        for p in self.parameters():
            v = p.value
            if hasattr(v, "zero_grad_"):
                v.zero_grad_()
            elif hasattr(v, "derivative"):
                v.derivative = None

    def state_dict(self) -> Dict[str, Any]:
        """Each parameter's value by dotted name (the values themselves, not copies)."""
        return {name: p.value for name, p in self.named_parameters()}

    def load_state_dict(self, state: Dict[str, Any], strict: bool = True) -> None:
        """Copies ``state``'s values into the parameters of the same names, in place.

        Raises ``KeyError`` naming the missing and unexpected names (when ``strict``) and
        ``ValueError`` naming a parameter whose shape differs.
        """
        own = dict(self.named_parameters())
        if strict:
            missing = sorted(set(own) - set(state))
            unexpected = sorted(set(state) - set(own))
            if missing or unexpected:
                raise KeyError(
                    f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}; "
                    f"expected exactly {sorted(own)}"
                )
        for name, value in state.items():
            if name not in own:
                continue
            _copy_into(own[name], value, name)

    # ---- calling and printing --------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        children = self.__dict__["_modules"]
        extra = self.extra_repr()
        if not children:
            return f"{type(self).__name__}({extra})"
        lines = [f"{type(self).__name__}("]
        for key, module in children.items():
            child = repr(module).replace("\n", "\n  ")
            lines.append(f"  ({key}): {child}")
        return "\n".join(lines) + "\n)"

    def __iter__(self) -> Iterator["Module"]:
        # Modules are not sequences; without this, __getattr__'s None would make iteration
        # fall back to __getitem__ and fail obscurely.
        raise TypeError(f"'{type(self).__name__}' object is not iterable")


def _copy_into(param: Parameter, value: Any, name: str) -> None:
    """Writes ``value`` into ``param`` in place when both are tensors, else replaces it."""
    current = param.value
    if isinstance(current, _C.Tensor):
        if not isinstance(value, _C.Tensor) or current.shape != value.shape:
            raise ValueError(
                f"load_state_dict: '{name}' is {_describe(value)}; expected a tensor of shape "
                f"{current.shape}"
            )
        _C.set_data_(current, value)
    else:
        param.update(value)


def _describe(value: Any) -> str:
    if isinstance(value, _C.Tensor):
        return f"a tensor of shape {value.shape}"
    return f"a {type(value).__name__}"
