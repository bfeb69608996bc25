"""PyTorch side of the differential test: evaluates minitorch test programs with torch in float64.

Reads {"programs": [...]} on stdin (the format is described in program.h) and writes
{"results": [...]} on stdout: per program the output's values, each input's gradient (null where
torch has none), and the largest magnitudes of every intermediate value and gradient, from which
the C++ side derives its tolerances; or {"error": message} where torch rejects the program.
With --script it prints instead a self-contained PyTorch script replaying the one program given.

Every operation is one expression template below, used both to evaluate and to print scripts, so
the two cannot disagree.
"""
import json
import sys

import torch
import torch.nn.functional as F

OPS = {
    "neg": "-{0}",
    "inv": "torch.reciprocal({0})",
    "log": "torch.log({0})",
    "exp": "torch.exp({0})",
    "sigmoid": "torch.sigmoid({0})",
    "relu": "torch.relu({0})",
    "tanh": "torch.tanh({0})",
    "sqrt": "torch.sqrt({0})",
    "pow": "torch.pow({0}, {exponent})",
    "add": "torch.add({0}, {1})",
    "sub": "torch.sub({0}, {1})",
    "mul": "torch.mul({0}, {1})",
    "div": "torch.div({0}, {1})",
    "maximum": "torch.maximum({0}, {1})",
    "lt": "torch.lt({0}, {1}).double()",
    "gt": "torch.gt({0}, {1}).double()",
    "eq": "torch.eq({0}, {1}).double()",
    "where": "torch.where({0} != 0, {1}, {2})",
    "sum": "{0}.sum({dim}, keepdim={keepdim})",
    "sum_all": "{0}.sum()",
    "mean": "{0}.mean({dim}, keepdim={keepdim})",
    "mean_all": "{0}.mean()",
    "max": "{0}.max({dim}, keepdim={keepdim}).values",
    "max_all": "{0}.max()",
    "argmax": "{0}.argmax({dim}, keepdim={keepdim}).double()",
    "permute": "{0}.permute({order})",
    "transpose": "{0}.transpose({dim0}, {dim1})",
    "view": "{0}.view({shape})",
    "reshape": "{0}.reshape({shape})",
    "contiguous": "{0}.contiguous()",
    "expand": "{0}.expand({shape})",
    "narrow": "{0}.narrow({dim}, {start}, {length})",
    "select": "{0}.select({dim}, {index})",
    "unsqueeze": "{0}.unsqueeze({dim})",
    "squeeze": "{0}.squeeze({dim})",
    "flatten": "{0}.flatten()",
    "matmul": "torch.matmul({0}, {1})",
    "clone": "{0}.clone()",
    "cat": "torch.cat([{0}, {1}], {dim})",
    "softmax": "torch.softmax({0}, {dim})",
    "log_softmax": "torch.log_softmax({0}, {dim})",
    "mse_loss": "F.mse_loss({0}, {1})",
    "binary_cross_entropy_with_logits": "F.binary_cross_entropy_with_logits({0}, {1})",
    "cross_entropy": "F.cross_entropy({0}, {1}.long())",
    "nll_loss": "F.nll_loss({0}, {1}.long())",
    "embedding": "F.embedding({1}.long(), {0})",
}


def expression(step, names):
    attrs = step.get("attrs") or {}
    return OPS[step["op"]].format(*[names[i] for i in step["args"]], **attrs)


def make_input(spec):
    values = torch.tensor(spec["values"], dtype=torch.float64).reshape(spec["shape"])
    return values.requires_grad_() if spec["grad"] else values


def max_abs(tensors):
    magnitudes = [t.detach().abs().max().item() for t in tensors if t is not None and t.numel()]
    return max(magnitudes + [0.0])


def upstream(values, out):
    """The gradient fed to out's backward: the given values repeated to fill out's shape."""
    repeated = torch.tensor(values, dtype=torch.float64).repeat(out.numel() // len(values) + 1)
    return repeated[: out.numel()].reshape(out.shape)


def evaluate(program):
    inputs = [make_input(spec) for spec in program["inputs"]]
    values = list(inputs)
    names = ["v[%d]" % i for i in range(len(values) + len(program["steps"]))]
    for step in program["steps"]:
        value = eval(expression(step, names), {"torch": torch, "F": F, "v": values})
        if value.requires_grad:
            value.retain_grad()
        values.append(value)
    out = values[-1]
    result = {"values": out.detach().reshape(-1).tolist(), "shape": list(out.shape)}
    if out.requires_grad:
        out.backward(upstream(program["upstream"], out))
    result["grads"] = [None if t.grad is None else t.grad.reshape(-1).tolist() for t in inputs]
    result["value_scale"] = max_abs(values)
    result["grad_scale"] = max_abs([t.grad if t.requires_grad else None for t in values])
    if not all(torch.isfinite(t.detach()).all() for t in values):
        result["nonfinite"] = True
    return result


def evaluate_or_error(program):
    try:
        return evaluate(program)
    except Exception as error:  # torch rejects the program: the C++ side must reject it too
        return {"error": "%s: %s" % (type(error).__name__, error)}


def script(program):
    lines = ["import torch", "import torch.nn.functional as F", ""]
    for i, spec in enumerate(program["inputs"]):
        grad = ".requires_grad_()" if spec["grad"] else ""
        lines.append("v%d = torch.tensor(%r, dtype=torch.float64).reshape(%r)%s"
                     % (i, spec["values"], spec["shape"], grad))
    names = ["v%d" % i for i in range(len(program["inputs"]) + len(program["steps"]))]
    for k, step in enumerate(program["steps"]):
        lines.append("%s = %s" % (names[len(program["inputs"]) + k], expression(step, names)))
    out = names[-1]
    lines.append("print(%s)" % out)
    if any(spec["grad"] for spec in program["inputs"]):
        lines.append("up = torch.tensor(%r, dtype=torch.float64)" % program["upstream"])
        lines.append("%s.backward(up.repeat(%s.numel() // len(up) + 1)[:%s.numel()]"
                     ".reshape(%s.shape))" % (out, out, out, out))
        for i, spec in enumerate(program["inputs"]):
            if spec["grad"]:
                lines.append("print('v%d.grad', v%d.grad)" % (i, i))
    return "\n".join(lines) + "\n"


def main():
    request = json.load(sys.stdin)
    if "--script" in sys.argv[1:]:
        sys.stdout.write(script(request["programs"][0]))
        return
    json.dump({"results": [evaluate_or_error(p) for p in request["programs"]]}, sys.stdout)


if __name__ == "__main__":
    main()
