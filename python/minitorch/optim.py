"""minitorch.optim: the course's ``SGD`` and PyTorch's ``Adam`` / ``AdamW``, on the C++ optimizers.

``SGD(parameters, lr=1.0)`` is the course's: ``zero_grad()`` clears every parameter's gradient
(``derivative`` of a ``Scalar``, ``grad`` of a tensor) and ``step()`` moves each parameter that
has one against it. A ``Scalar`` parameter is replaced by a new ``Scalar`` (the course's
``p.update(Scalar(data - lr * derivative))``); tensor parameters are updated in place by the
core's ``optim::SGD``, so a C++ layer holding the same tensor sees the step. PyTorch's
``momentum``, ``dampening``, ``weight_decay`` and ``nesterov`` apply to tensor parameters, with
``torch.optim.SGD``'s update.

``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)`` and
``AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)`` are
``torch.optim.Adam`` / ``AdamW`` (without ``amsgrad``), tensor parameters only.

Parameters are given as ``Parameter``s (``module.parameters()``), as tensors, or as PyTorch's
parameter groups (a list of dicts with ``"params"`` and options that replace the defaults).
``state_dict()`` / ``load_state_dict()`` use PyTorch's layout (``{"state": {i: {...}},
"param_groups": [{..., "params": [i, ...]}]}``, the same field names), checked by the core before
anything changes. When a ``Parameter``'s value is replaced by another tensor (``p.update(t)``),
the next step updates the new tensor, keeping the optimizer's state where the shapes match.

Bad options (negative learning rate, betas outside [0, 1), ...) raise ``RuntimeError`` with the
core's message; parameters of the wrong kind raise ``TypeError``.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from . import _C
from .module import Parameter

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]


def _is_scalar(value: Any) -> bool:
    return hasattr(value, "derivative") and hasattr(value, "data")


class _Slot:
    """One parameter: a ``Parameter`` (whose value may be replaced) or a bare tensor."""

    def __init__(self, item: Any) -> None:
        self.parameter = item if isinstance(item, Parameter) else None
        self.tensor = None if self.parameter is not None else item
        if self.parameter is None and not isinstance(item, _C.Tensor):
            raise TypeError(
                f"optimizer parameters are Parameters or tensors; got a {type(item).__name__}"
            )

    @property
    def value(self) -> Any:
        return self.parameter.value if self.parameter is not None else self.tensor


class _GroupView(dict):
    """A parameter group's options; writing ``"lr"`` reaches the optimizer."""

    def __init__(self, core: Any, index: int, options: Dict[str, Any]) -> None:
        super().__init__(options)
        self._core = core
        self._index = index

    def __setitem__(self, key: str, value: Any) -> None:
        if key != "lr":
            raise ValueError(
                f"param_groups: '{key}' cannot be changed after construction; only 'lr' can"
            )
        self._core.set_lr(self._index, float(value))
        super().__setitem__(key, float(value))


class Optimizer:
    """The course's base class: holds ``parameters``; subclasses define ``step``."""

    # Options of a parameter group that the core does not hold, with PyTorch's defaults: a group
    # may carry them (as torch's state_dict does) as long as they keep those values.
    _TORCH_FLAGS: Dict[str, Any] = {}

    def __init__(self, parameters: Iterable[Any], **defaults: Any) -> None:
        items = list(parameters)
        if items and isinstance(items[0], dict):
            groups = items
        else:
            groups = [{"params": items}]
        self.defaults = dict(defaults)
        self._groups: List[Tuple[List[_Slot], Dict[str, Any]]] = []
        for group in groups:
            if not isinstance(group, dict) or "params" not in group:
                raise TypeError("a parameter group is a dict with 'params'; got " + repr(group))
            params = group["params"]
            params = [params] if isinstance(params, (Parameter, _C.Tensor)) else list(params)
            options = {k: v for k, v in group.items() if k != "params"}
            self._groups.append(([_Slot(p) for p in params], options))
        self.parameters: Sequence[Any] = [
            s.parameter if s.parameter is not None else s.tensor for s in self._slots()
        ]
        self._flat = [(s.parameter, s.tensor) for s in self._slots()]
        self._core: Optional[Any] = None
        self._core_values: List[Any] = []
        self._only_tensors = False
        self._sync()

    # ---- the core optimizer over the tensor parameters ------------------------------------------
    def _slots(self) -> List[_Slot]:
        return [s for slots, _ in self._groups for s in slots]

    def _tensor_groups(self) -> List[Tuple[List[Any], Dict[str, Any]]]:
        out = []
        for slots, options in self._groups:
            tensors = [s.value for s in slots if isinstance(s.value, _C.Tensor)]
            out.append((tensors, options))
        return out

    def _make_core(self, groups: List[Any]) -> Any:
        raise NotImplementedError

    def _core_group_options(self, options: Dict[str, Any]) -> Dict[str, float]:
        """A group's options under the core's names and as numbers."""
        out: Dict[str, float] = {}
        for key, value in options.items():
            if key in self._TORCH_FLAGS:
                if value != self._TORCH_FLAGS[key]:
                    raise ValueError(
                        f"{type(self).__name__}: {key}={value!r} is not supported; expected "
                        f"{self._TORCH_FLAGS[key]!r}"
                    )
            elif key == "betas":
                out["beta1"], out["beta2"] = (float(b) for b in value)
            else:
                out[key] = float(value)
        return out

    def _values(self) -> List[Any]:
        """Every parameter's current value, in order (a Parameter's may have been replaced)."""
        return [p.value if p is not None else t for p, t in self._flat]

    def _sync(self) -> List[Any]:
        """(Re)builds the core optimizer when the tensors behind the parameters changed.

        Returns the parameters' current values. The check is one identity comparison per
        parameter: it runs on every step and zero_grad, so it stays cheap.
        """
        values = self._values()
        if self._core is not None and len(values) == len(self._core_values) and all(
            a is b for a, b in zip(values, self._core_values)
        ):
            return values
        groups = self._tensor_groups()
        specs = [_C.ParamGroupSpec(tensors, self._core_group_options(o)) for tensors, o in groups]
        core = self._make_core(specs)
        if self._core is not None:
            try:
                core.load_state_dict(*self._core.state_dict())
            except RuntimeError:
                pass  # other shapes: the new tensors start with fresh state
        self._core = core
        self._core_values = values
        self._only_tensors = all(isinstance(v, _C.Tensor) for v in values)
        return values

    # ---- PyTorch's interface --------------------------------------------------------------------
    def zero_grad(self) -> None:
        """Clears every parameter's gradient (``grad`` / ``derivative`` become ``None``)."""
        values = self._sync()
        if self._only_tensors:
            self._core.zero_grad()  # one call into the core for all of them
            return
        for value in values:
            if isinstance(value, _C.Tensor):
                value.grad = None
            elif _is_scalar(value):
                value.derivative = None

    def step(self) -> None:
        """Updates every tensor parameter that has a gradient, in place."""
        self._sync()
        self._core.step()

    @property
    def lr(self) -> float:
        """The learning rate of the first group; setting it sets every group's."""
        return self._core.lr(0)

    @lr.setter
    def lr(self, value: float) -> None:
        for g in range(self._core.num_param_groups):
            self._core.set_lr(g, float(value))

    @property
    def param_groups(self) -> List[Dict[str, Any]]:
        """Each group's options (PyTorch's names) and parameters.

        As with PyTorch, ``group["lr"] = x`` sets that group's learning rate (how schedulers
        written for PyTorch change it); the other entries are read-only here.
        """
        groups, _ = self._core.state_dict()
        out = []
        for index, ((slots, _), options) in enumerate(zip(self._groups, groups)):
            d = _GroupView(self._core, index, self._from_core_options(options))
            dict.__setitem__(d, "params", [s.value for s in slots])
            out.append(d)
        return out

    def _from_core_options(self, options: Dict[str, float]) -> Dict[str, Any]:
        return dict(options)

    def state_dict(self) -> Dict[str, Any]:
        """PyTorch's layout: ``{"state": {i: {field: tensor}}, "param_groups": [...]}``."""
        self._sync()
        groups, entries = self._core.state_dict()
        state: Dict[int, Dict[str, Any]] = {}
        for name, value in entries:
            index, field = name.split(".", 1)
            state.setdefault(int(index), {})[field] = value
        param_groups = []
        start = 0
        for (tensors, _), options in zip(self._tensor_groups(), groups):
            d = self._from_core_options(options)
            d["params"] = list(range(start, start + len(tensors)))
            start += len(tensors)
            param_groups.append(d)
        return {"state": state, "param_groups": param_groups}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        """Restores what ``state_dict()`` returned (checked in full before anything changes)."""
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError(
                "load_state_dict: expected a dict with exactly 'state' and 'param_groups'"
            )
        self._sync()
        groups = [
            self._core_group_options({k: v for k, v in g.items() if k != "params"})
            for g in state_dict["param_groups"]
        ]
        entries = [
            (f"{index}.{field}", value)
            for index, fields in state_dict["state"].items()
            for field, value in fields.items()
        ]
        self._core.load_state_dict(groups, entries)


class SGD(Optimizer):
    """The course's SGD (``lr`` defaults to 1.0), with ``torch.optim.SGD``'s options for tensors."""

    def __init__(
        self,
        parameters: Iterable[Any],
        lr: float = 1.0,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(
            parameters,
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
        )

    def _make_core(self, groups: List[Any]) -> Any:
        d = self.defaults
        return _C.SGD(
            groups,
            float(d["lr"]),
            float(d["momentum"]),
            float(d["dampening"]),
            float(d["weight_decay"]),
            bool(d["nesterov"]),
        )

    def _from_core_options(self, options: Dict[str, float]) -> Dict[str, Any]:
        out: Dict[str, Any] = dict(options)
        out["nesterov"] = bool(out.get("nesterov", 0.0))
        return out

    def step(self) -> None:
        """Moves each parameter against its gradient: Scalars replaced, tensors in place."""
        self._sync()
        if self._only_tensors:
            self._core.step()
            return
        scalar_type = None
        for group_index, (slots, options) in enumerate(self._groups):
            lr = self._core.lr(group_index) if self._core is not None else self.defaults["lr"]
            for slot in slots:
                value = slot.value
                if isinstance(value, _C.Tensor) or not _is_scalar(value):
                    continue
                if value.derivative is None:
                    continue
                if slot.parameter is None:
                    raise TypeError("a Scalar to optimize must be held by a Parameter")
                if scalar_type is None:
                    from .scalar import Scalar as scalar_type  # the course's Scalar
                slot.parameter.update(scalar_type(value.data - lr * value.derivative))
        super().step()


class Adam(Optimizer):
    """``torch.optim.Adam`` (``amsgrad``, ``maximize``, ... keep PyTorch's defaults)."""

    _TORCH_FLAGS = {
        "amsgrad": False,
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "fused": None,
    }

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: Tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        if amsgrad:
            raise ValueError(f"{type(self).__name__}: amsgrad=True is not supported")
        super().__init__(params, lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay)

    def _core_class(self) -> Any:
        return _C.Adam

    def _make_core(self, groups: List[Any]) -> Any:
        d = self.defaults
        betas = (float(d["betas"][0]), float(d["betas"][1]))
        return self._core_class()(
            groups, float(d["lr"]), betas, float(d["eps"]), float(d["weight_decay"])
        )

    def _from_core_options(self, options: Dict[str, float]) -> Dict[str, Any]:
        out: Dict[str, Any] = {k: v for k, v in options.items() if k not in ("beta1", "beta2")}
        out["betas"] = (options["beta1"], options["beta2"])
        return out


class AdamW(Adam):
    """``torch.optim.AdamW``: decoupled weight decay (default 1e-2)."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: Tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)

    def _core_class(self) -> Any:
        return _C.AdamW
