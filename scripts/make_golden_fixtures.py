#!/usr/bin/env python3
"""Generates the golden-value fixtures that tests/unit/test_golden.cpp checks minitorch against.

What it does: for every case in CASES below it draws small float64 inputs (torch.manual_seed(0),
one generator, cases in table order, so the output is deterministic), evaluates the case's
expression with PyTorch, reduces the result to a scalar (out.sum(), or (out * g).sum() with a
fixed random upstream gradient g stored in the fixture, so that gradient layout errors cannot
hide), calls backward(), and writes every input, the forward output and each input's gradient
to tests/fixtures/golden_tensor.json. Floats are written with Python's repr, which round-trips
float64 exactly.

How to run it (from the repository root; PyTorch is Debian's python3-torch, importable only by
the system interpreter):

    /usr/bin/python3 scripts/make_golden_fixtures.py

Then commit the regenerated tests/fixtures/golden_tensor.json. The script is never needed at
build or test time: the C++ test reads only the checked-in JSON.

The expressions live twice, here and in the C++ test's table (tests/unit/test_golden.cpp), keyed
by the case name; the C++ test fails when the two tables do not list the same cases. When you add
or change a case here, mirror it there, then rerun this script.
"""

import json
import math
import os
import sys

import torch

OUTPUT = os.path.join("tests", "fixtures", "golden_tensor.json")
DTYPE = torch.float64


# ---- inputs -----------------------------------------------------------------------------------
# An input is (shape, kind); the kinds keep each expression inside its domain.
def randn(*shape):
    return (list(shape), "randn")


def positive(*shape):  # uniform in [0.5, 2): for sqrt, log, inv
    return (list(shape), "positive")


def binary(*shape):  # 0 or 1: targets of a binary cross-entropy
    return (list(shape), "binary")


def draw(shape, kind):
    if kind == "randn":
        return torch.randn(shape, dtype=DTYPE)
    if kind == "positive":
        return torch.rand(shape, dtype=DTYPE) * 1.5 + 0.5
    if kind == "binary":
        return (torch.rand(shape, dtype=DTYPE) < 0.5).to(DTYPE)
    raise ValueError(f"unknown input kind {kind!r}")


# ---- the cases --------------------------------------------------------------------------------
# name -> (inputs {name: (shape, kind)}, expression over a dict of input tensors, reduction
#          [, constants]).
# Reduction "sum": out.sum().backward(). Reduction "weighted_sum": (out * g).sum().backward() with
# g drawn from randn in out's shape and stored in the fixture as "upstream".
# constants, when given, is a function (inputs, out) -> {name: tensor} run after the expression:
# what the expression drew at random (a dropout mask) or a parameter of it, recorded as inputs
# with "requires_grad": false so that the C++ side can replay the expression; they get no
# gradient.
# Keep this table and kCases in tests/unit/test_golden.cpp in step.


DROPOUT_P = 0.3


def log_softmax(a):
    m = a.max(1, keepdim=True).values
    return a - (a - m).exp().sum(1, keepdim=True).log() - m


def bce_from_sigmoid(a, y):
    p = a.sigmoid()
    return -(y * p.log() + (1 - y) * (1 - p).log()).mean()


CASES = {
    "broadcast_mul_exp_sum_dim": (
        {"a": randn(2, 3), "b": randn(3)},
        lambda x: (x["a"] * x["b"] + x["a"].exp()).sum(1),
        "weighted_sum",
    ),
    "sigmoid_linear_mean": (
        {"x": randn(4, 3), "w": randn(3, 2), "bias": randn(2)},
        lambda x: (x["x"] @ x["w"] + x["bias"]).sigmoid().mean(),
        "sum",
    ),
    "batched_matmul_broadcast_batch": (
        {"a": randn(2, 1, 3, 4), "b": randn(3, 4, 2)},
        lambda x: x["a"] @ x["b"],
        "weighted_sum",
    ),
    "vector_matmul_matrix": (
        {"v": randn(3), "m": randn(3, 4), "n": randn(4, 3)},
        lambda x: x["v"] @ x["m"] + x["n"] @ x["v"],
        "weighted_sum",
    ),
    "gram_matrix_batched_transpose": (
        {"a": randn(2, 3, 2)},
        lambda x: x["a"] @ x["a"].transpose(1, 2),
        "weighted_sum",
    ),
    "permute_mul_relu": (
        {"a": randn(2, 3), "c": randn(3, 2)},
        lambda x: (x["a"].permute(1, 0) * x["c"]).relu(),
        "weighted_sum",
    ),
    "transpose_contiguous_view_mul": (
        {"a": randn(2, 3), "v": randn(6)},
        lambda x: x["a"].transpose(0, 1).contiguous().view(-1) * x["v"],
        "weighted_sum",
    ),
    "reshape_noncontiguous_then_view": (
        {"a": randn(2, 3, 4), "w": randn(12)},
        lambda x: x["a"].transpose(0, 2).reshape(4, 6).view(2, 12) * x["w"],
        "weighted_sum",
    ),
    "where_from_comparison": (
        {"a": randn(2, 3), "b": randn(2, 3)},
        lambda x: torch.where(x["a"] > 0, x["a"] * x["b"], x["b"].tanh()),
        "weighted_sum",
    ),
    "max_dim_values": (
        {"a": randn(3, 4)},
        lambda x: x["a"].max(dim=1).values,
        "weighted_sum",
    ),
    "maximum_times_global_max": (
        {"a": randn(2, 3), "b": randn(2, 3)},
        lambda x: x["a"].maximum(x["b"]) * x["a"].max() - x["b"].neg().exp(),
        "weighted_sum",
    ),
    "log_softmax_basic_ops": (
        {"a": randn(2, 4)},
        lambda x: log_softmax(x["a"]),
        "weighted_sum",
    ),
    "pow_div_square_plus_one": (
        {"a": randn(2, 3), "b": randn(2, 3)},
        lambda x: x["a"].pow(3) / (x["b"] * x["b"] + 1),
        "weighted_sum",
    ),
    "sqrt_log_inv_positive_mean_dim0": (
        {"a": positive(3, 2)},
        lambda x: (x["a"].sqrt() + x["a"].log() - 1 / x["a"]).mean(0),
        "weighted_sum",
    ),
    "narrow_times_select": (
        {"a": randn(3, 4)},
        lambda x: x["a"].narrow(1, 1, 2) * x["a"].select(0, 1).narrow(0, 2, 2),
        "weighted_sum",
    ),
    "expand_column": (
        {"c": randn(3, 1), "d": randn(3, 4)},
        lambda x: x["c"].expand(3, 4) * x["d"] - x["c"],
        "weighted_sum",
    ),
    "unsqueeze_outer_tanh_squeeze": (
        {"a": randn(3), "b": randn(4)},
        lambda x: (x["a"].unsqueeze(1) * x["b"].unsqueeze(0))
        .tanh()
        .sum(1, keepdim=True)
        .squeeze(1),
        "weighted_sum",
    ),
    "variance_mean_keepdim": (
        {"a": randn(3, 4)},
        lambda x: (x["a"] - x["a"].mean(1, keepdim=True)).pow(2).mean(1, keepdim=True),
        "weighted_sum",
    ),
    "mse_loss": (
        {"a": randn(2, 3), "b": randn(2, 3)},
        lambda x: (x["a"] - x["b"]).pow(2).mean(),
        "sum",
    ),
    "bce_from_sigmoid": (
        {"a": randn(2, 3), "y": binary(2, 3)},
        lambda x: bce_from_sigmoid(x["a"], x["y"]),
        "sum",
    ),
    "zero_dim_scalar_broadcast": (
        {"s": randn(), "a": randn(2, 3)},
        lambda x: (x["a"] * x["s"] + x["s"].exp()).sum(),
        "sum",
    ),
    "one_element_matmul_tanh": (
        {"u": randn(1, 3), "v": randn(3, 1)},
        lambda x: (x["u"] @ x["v"]).tanh(),
        "sum",
    ),
    # nn.functional (appended last: earlier cases keep their random draws)
    "nn_softmax_dim1": (
        {"a": randn(3, 5)},
        lambda x: torch.nn.functional.softmax(x["a"] * 3.0, dim=1),
        "weighted_sum",
    ),
    "nn_log_softmax_dim0": (
        {"a": randn(4, 3)},
        lambda x: torch.nn.functional.log_softmax(x["a"] * 3.0, dim=0),
        "weighted_sum",
    ),
    "nn_max_pool2d": (
        {"a": randn(2, 2, 4, 6)},
        lambda x: torch.nn.functional.max_pool2d(x["a"], 2),
        "weighted_sum",
    ),
    "nn_avg_pool2d": (
        {"a": randn(1, 3, 4, 6)},
        lambda x: torch.nn.functional.avg_pool2d(x["a"], (2, 3)),
        "weighted_sum",
    ),
    # losses; class targets are constants written into both tables: [3, 0, 4, 1]
    "nn_cross_entropy": (
        {"a": randn(4, 5)},
        lambda x: torch.nn.functional.cross_entropy(x["a"] * 2.0, torch.tensor([3, 0, 4, 1])),
        "sum",
    ),
    "nn_nll_loss": (
        {"a": randn(4, 5)},
        lambda x: torch.nn.functional.nll_loss(
            torch.nn.functional.log_softmax(x["a"], dim=1), torch.tensor([1, 1, 0, 4])),
        "sum",
    ),
    "nn_bce_with_logits": (
        {"a": randn(2, 4), "y": binary(2, 4)},
        lambda x: torch.nn.functional.binary_cross_entropy_with_logits(x["a"] * 4.0, x["y"]),
        "sum",
    ),
    # convolutions with stride, padding and dilation
    "nn_conv2d": (
        {"x": randn(2, 3, 7, 6), "w": randn(4, 3, 3, 2), "b": randn(4)},
        lambda x: torch.nn.functional.conv2d(x["x"], x["w"], x["b"], stride=(2, 1),
                                             padding=(1, 2), dilation=(1, 2)),
        "weighted_sum",
    ),
    "nn_conv1d": (
        {"x": randn(2, 3, 9), "w": randn(5, 3, 3), "b": randn(5)},
        lambda x: torch.nn.functional.conv1d(x["x"], x["w"], x["b"], stride=2, padding=1),
        "weighted_sum",
    ),
    # pooling with overlapping windows (kernel 3, stride 2) and with padding (never selected by
    # max pooling; counted as zeros by average pooling, PyTorch's count_include_pad=True)
    "nn_max_pool2d_k3_s2": (
        {"a": randn(2, 2, 7, 8)},
        lambda x: torch.nn.functional.max_pool2d(x["a"], 3, stride=2),
        "weighted_sum",
    ),
    "nn_avg_pool2d_k3_s2": (
        {"a": randn(1, 3, 7, 9)},
        lambda x: torch.nn.functional.avg_pool2d(x["a"], 3, stride=2),
        "weighted_sum",
    ),
    "nn_max_pool2d_k3_s1_p1": (
        {"a": randn(1, 2, 5, 6)},
        lambda x: torch.nn.functional.max_pool2d(x["a"], 3, stride=1, padding=1),
        "weighted_sum",
    ),
    "nn_avg_pool2d_k3_s1_p1": (
        {"a": randn(1, 2, 5, 6)},
        lambda x: torch.nn.functional.avg_pool2d(x["a"], 3, stride=1, padding=1),
        "weighted_sum",
    ),
    "nn_max_pool2d_k2_s2_p1": (
        {"a": randn(2, 1, 5, 6)},
        lambda x: torch.nn.functional.max_pool2d(x["a"], 2, stride=2, padding=1),
        "weighted_sum",
    ),
    "nn_avg_pool2d_k2_s2_p1": (
        {"a": randn(2, 1, 5, 6)},
        lambda x: torch.nn.functional.avg_pool2d(x["a"], 2, stride=2, padding=1),
        "weighted_sum",
    ),
    # a convolution with stride 2, padding and dilation in both dimensions
    "nn_conv2d_s2_p2_d2": (
        {"x": randn(2, 3, 11, 10), "w": randn(4, 3, 3, 3), "b": randn(4)},
        lambda x: torch.nn.functional.conv2d(x["x"], x["w"], x["b"], stride=2, padding=2,
                                             dilation=2),
        "weighted_sum",
    ),
    # PyTorch's own dropout draws the mask; it is recovered from the output (x is never exactly 0)
    # and replayed on the C++ side with dropout_with_mask, so the scaling code path is checked.
    "nn_dropout_fixed_mask": (
        {"x": randn(4, 6)},
        lambda x: torch.nn.functional.dropout(x["x"], DROPOUT_P, training=True),
        "weighted_sum",
        lambda x, out: {"mask": (out != 0).to(DTYPE),
                        "p": torch.tensor(DROPOUT_P, dtype=DTYPE)},
    ),
    # the semantics the differential test pinned down (new cases go last: earlier cases keep
    # their draws): a vector times a vector is their 0-D dot product; max() over all elements
    # splits its gradient among ties (m is 0 or 1, so its maximum is tied); the logits
    # cross-entropy is smooth at logits of exactly 0 (a times a 0/1 mask); a class target of any
    # layout (a column of a [4, 2] tensor)
    "vector_dot_vector": (
        {"u": randn(5), "v": randn(5)},
        lambda x: x["u"] @ x["v"],
        "weighted_sum",
    ),
    "max_all_ties": (
        {"m": binary(2, 4), "a": randn(2, 4)},
        lambda x: x["m"].max() * x["a"],
        "weighted_sum",
    ),
    "nn_bce_with_logits_zero_logits": (
        {"a": randn(2, 4), "m": binary(2, 4), "y": binary(2, 4)},
        lambda x: torch.nn.functional.binary_cross_entropy_with_logits(x["a"] * x["m"], x["y"]),
        "sum",
    ),
    "nn_cross_entropy_strided_target": (
        {"a": randn(4, 5)},
        lambda x: torch.nn.functional.cross_entropy(
            x["a"], torch.tensor([[3, 9], [0, 9], [4, 9], [1, 9]])[:, 0]),
        "sum",
    ),
}


# ---- writing ----------------------------------------------------------------------------------
def floats(t):
    values = [float(v) for v in t.detach().reshape(-1).tolist()]
    for v in values:
        if not math.isfinite(v):
            raise ValueError("non-finite value in a fixture")
    return values


def tensor_entry(t):
    return {"shape": list(t.shape), "values": floats(t)}


def make_case(name, inputs, expression, reduction, constants=None):
    tensors = {}
    input_entries = []
    for input_name, (shape, kind) in inputs.items():
        t = draw(shape, kind).requires_grad_(True)
        tensors[input_name] = t
        entry = {"name": input_name}
        entry.update(tensor_entry(t))
        input_entries.append(entry)
    out = expression(tensors)
    if constants is not None:
        for input_name, t in constants(tensors, out.detach()).items():
            entry = {"name": input_name, "requires_grad": False}
            entry.update(tensor_entry(t))
            input_entries.append(entry)
    case = {"inputs": input_entries, "reduction": reduction}
    if reduction == "sum":
        loss = out.sum()
    elif reduction == "weighted_sum":
        g = torch.randn(out.shape, dtype=DTYPE)
        case["upstream"] = tensor_entry(g)
        loss = (out * g).sum()
    else:
        raise ValueError(f"{name}: unknown reduction {reduction!r}")
    loss.backward()
    case["output"] = tensor_entry(out)
    grads = {}
    for input_name, t in tensors.items():
        if t.grad is None:
            raise ValueError(f"{name}: no gradient reached input {input_name!r}")
        grads[input_name] = tensor_entry(t.grad)
    case["grads"] = grads
    return case


def dump(value, indent=0):
    """JSON with objects indented and lists of numbers (shapes, values) kept on one line."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f'{pad}  {json.dumps(k)}: {dump(v, indent + 2)}' for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        items = [pad + "  " + dump(v, indent + 2) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value)


def main():
    torch.manual_seed(0)
    cases = {name: make_case(name, *spec) for name, spec in CASES.items()}
    document = {
        "generator": "scripts/make_golden_fixtures.py",
        "torch_version": torch.__version__,
        "dtype": "float64",
        "cases": cases,
    }
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    text = dump(document) + "\n"
    json.loads(text)  # the writer's own output must parse
    with open(OUTPUT, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {OUTPUT}: {len(cases)} cases, {len(text)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
