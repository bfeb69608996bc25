"""Saving and loading: state dicts as safetensors files, and the run directories of the CLI.

- ``save(obj, path, metadata=None)``: ``obj`` is a ``Module`` (its ``state_dict()``) or a dict of
  names to tensors (or ``Parameter``s holding tensors); the file is a safetensors file (the
  format PyTorch, NumPy and Hugging Face read), replaced atomically: a reader sees the old file or
  the new one, never half of it. ``metadata`` is a dict of strings stored in the header.
- ``load_state_dict(path)``: the tensors of a safetensors file, by name, in file order (a dict to
  hand to ``Module.load_state_dict``).
- ``load(run_dir)``: the model trained by ``minitorch train --run run_dir``, rebuilt from the
  model card in ``model.safetensors`` by the core's model registry and loaded with its weights,
  in eval mode. It is a ``Module`` whose ``forward`` runs the trained network on inputs shaped as
  it was trained on (images ``[B, C, H, W]``, token ids ``[B, L]``, 2-D points ``[B, 2]``) and
  answers logits ``[B, classes]``; ``normalize(x)`` applies the run's input normalisation first
  (as ``minitorch predict`` does); ``.config`` is the run's ``config.json`` as a dict, ``.card``
  the model card (task, model, classes, input shape, normalisation), ``.classes`` the class names.

Files are read and written by the C++ core (``io/safetensors.h``); a malformed file, a missing
file or a model that does not match raises an error naming the path and what was expected.
"""
from __future__ import annotations

import json
import os
from collections import OrderedDict
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from . import _C
from .module import Module, Parameter

__all__ = ["save", "load_state_dict", "load"]

PathLike = Union[str, "os.PathLike[str]"]


def save(obj: Any, path: PathLike, metadata: Optional[Mapping[str, str]] = None) -> None:
    """Writes a module's state dict, or a dict of named tensors, to a safetensors file."""
    if isinstance(obj, Module):
        state = obj.state_dict()
    elif isinstance(obj, Mapping):
        state = obj
    else:
        raise TypeError(
            f"save: got a {type(obj).__name__}; expected a minitorch.Module or a dict of "
            "names to tensors"
        )
    tensors: List[Tuple[str, Any]] = []
    for name, value in state.items():
        if isinstance(value, Parameter):
            value = value.value
        if not isinstance(name, str):
            raise TypeError(f"save: key {name!r} is a {type(name).__name__}; expected str names")
        if not isinstance(value, _C.Tensor):
            raise TypeError(
                f"save: '{name}' is a {type(value).__name__}; expected a tensor (safetensors "
                "files hold tensors only)"
            )
        tensors.append((name, value))
    meta = dict(metadata or {})
    for key, value in meta.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"save: metadata {key!r}: {value!r}; expected strings only")
    _C.save_safetensors(os.fspath(path), tensors, meta)


def load_state_dict(path: PathLike) -> "OrderedDict[str, Any]":
    """The tensors of a safetensors file by name, in the order they are stored."""
    file = _C.load_safetensors(os.fspath(path))
    return OrderedDict(file.tensors)


# ---- run directories ---------------------------------------------------------------------------
_MODEL_FILE = "model.safetensors"
_CONFIG_FILE = "config.json"


class _CoreModule(Module):
    """A ``Module`` mirroring a C++ module tree: its tensors as ``Parameter``s, its children."""

    def __init__(self, layer: Any) -> None:
        super().__init__()
        self.__dict__["_layer"] = layer
        for name, value in layer.named_parameters(False):
            setattr(self, name, Parameter(value, name))
        for name, child in layer.named_children():
            if child is not None:
                setattr(self, name, _CoreModule(child))

    def forward(self, input: Any) -> Any:
        return self._layer.forward(input)

    def _on_mode_change(self, training: bool) -> None:
        self._layer.train(training)

    def __repr__(self) -> str:
        return repr(self._layer)


class TrainedModel(_CoreModule):
    """The network of a ``minitorch train`` run (see ``load``)."""

    def __init__(self, layer: Any, config: Dict[str, Any], card: Dict[str, Any], dtype: Any):
        super().__init__(layer)
        self.config = config
        self.card = card
        self.classes = list(card["classes"])
        self.dtype = dtype

    def forward(self, input: Any) -> Any:
        """The trained network's logits for ``input`` (converted to the model's dtype)."""
        if input.dtype != self.dtype:
            input = input.to(self.dtype)
        return self._layer.forward(input)

    def normalize(self, input: Any) -> Any:
        """``(input - mean) / std`` with the run's normalisation (identity where there is none)."""
        mean, std = self.card["normalize_mean"], self.card["normalize_std"]
        if mean == 0.0 and std == 1.0:
            return input
        return (input - mean) * (1.0 / std)


def _field(metadata: Mapping[str, str], name: str, path: str) -> str:
    if name not in metadata:
        raise ValueError(
            f"{path}: metadata has no '{name}'; expected a model saved by `minitorch train`"
        )
    return metadata[name]


def _number(metadata: Mapping[str, str], name: str, path: str, kind: type) -> Any:
    text = _field(metadata, name, path)
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"{path}: metadata '{name}' is '{text}'; expected a number") from None


def _json(metadata: Mapping[str, str], name: str, path: str) -> Any:
    text = _field(metadata, name, path)
    try:
        return json.loads(text)
    except ValueError:
        raise ValueError(f"{path}: metadata '{name}' is '{text}'; expected JSON") from None


def _model_card(metadata: Mapping[str, str], path: str) -> Dict[str, Any]:
    """The model card the CLI writes into model.safetensors (see its ``ModelCard``)."""
    card: Dict[str, Any] = {
        "task": _field(metadata, "task", path),
        "model": _field(metadata, "model", path),
        "epoch": _number(metadata, "epoch", path, int),
        "input": _field(metadata, "input", path),
        "input_shape": _json(metadata, "input_shape", path),
        "classes": _json(metadata, "classes", path),
        "vocab_size": _number(metadata, "vocab_size", path, int),
        "embedding_dim": _number(metadata, "embedding_dim", path, int),
        "normalize_mean": _number(metadata, "normalize_mean", path, float),
        "normalize_std": _number(metadata, "normalize_std", path, float),
    }
    shape, kind = card["input_shape"], card["input"]
    expected = {"image": 3, "tokens": 1, "features": 1}
    if kind not in expected:
        raise ValueError(
            f"{path}: metadata 'input' is '{kind}'; expected image, tokens or features"
        )
    if (
        not isinstance(shape, list)
        or len(shape) != expected[kind]
        or not all(isinstance(s, int) for s in shape)
    ):
        raise ValueError(
            f"{path}: metadata 'input_shape' is {shape!r}; expected {expected[kind]} integer(s) "
            f"for an input of kind {kind}"
        )
    if not isinstance(card["classes"], list) or not card["classes"]:
        raise ValueError(f"{path}: metadata 'classes' lists no class")
    if kind == "features":
        card["hidden"] = _number(metadata, "hidden", path, int)
    return card


def _model_sizes(card: Dict[str, Any]) -> Dict[str, int]:
    sizes = {"num_classes": len(card["classes"])}
    shape = card["input_shape"]
    if card["input"] == "image":
        sizes.update(in_channels=shape[0], height=shape[1], width=shape[2])
    elif card["input"] == "tokens":
        sizes.update(vocab_size=card["vocab_size"], embedding_dim=card["embedding_dim"])
    else:
        sizes.update(in_features=shape[0], hidden=card["hidden"])
    return sizes


def load(run_dir: PathLike) -> TrainedModel:
    """The trained model of a ``minitorch train`` run directory, in eval mode (see the module)."""
    run = os.fspath(run_dir)
    if not os.path.isdir(run):
        raise FileNotFoundError(
            f"{run}: no such directory; expected the run directory of `minitorch train --run`"
        )
    config_path = os.path.join(run, _CONFIG_FILE)
    if not os.path.isfile(config_path):
        raise FileNotFoundError(
            f"{config_path} does not exist; expected a run directory written by `minitorch train`"
        )
    try:
        with open(config_path, encoding="utf-8") as f:
            config = json.load(f)
    except ValueError as e:
        raise ValueError(f"{config_path} is not valid JSON ({e})") from None
    model_path = os.path.join(run, _MODEL_FILE)
    if not os.path.isfile(model_path):
        raise FileNotFoundError(
            f"{model_path} does not exist; expected the run directory of a finished "
            "`minitorch train` of a network"
        )
    file = _C.load_safetensors(model_path)
    card = _model_card(file.metadata, model_path)
    # (A 2-D run's config names the CLI's model option, its card the registry's "mlp2d": only
    # the task is compared.)
    if isinstance(config, dict) and config.get("task", card["task"]) != card["task"]:
        raise ValueError(
            f"{model_path}: this model is for task {card['task']} (model {card['model']}); "
            f"{config_path} is for task {config.get('task')}"
        )
    bad = _C.first_non_finite(file.tensors)
    if bad is not None:
        raise ValueError(
            f"{model_path}: holds a non-finite value ({bad}); expected finite weights (the run "
            "that wrote it diverged)"
        )
    dtype = file.tensors[0][1].dtype if file.tensors else _C.float32
    layer = _C.make_model(card["model"], _model_sizes(card), dtype)
    _C.load_layer_state(layer, file)
    model = TrainedModel(layer, config, card, dtype)
    model.eval()
    return model
