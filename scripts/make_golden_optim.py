"""Writes tests/fixtures/golden_optim.json: parameter trajectories of PyTorch's optimizers and
learning-rate schedules, which tests/unit/test_golden_optim.cpp reproduces with minitorch.

Run from the repository root with Debian's PyTorch (never needed to build or test):
    /usr/bin/python3 scripts/make_golden_optim.py

Each case minimises L(w) = sum(c * (w - t)^2) from w0 for 10 steps (zero_grad, backward, step,
then the schedule's step) in float64 and records w after every step.
"""
import json
import math

import torch

torch.manual_seed(0)
W0 = torch.randn(5, dtype=torch.float64)
TARGET = torch.randn(5, dtype=torch.float64)
WEIGHTS = torch.rand(5, dtype=torch.float64) + 0.5
STEPS = 10

CASES = {
    "adam": (lambda p: torch.optim.Adam(p, lr=0.1), None),
    "adam_betas_eps_l2": (
        lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
        None),
    "adamw": (lambda p: torch.optim.AdamW(p, lr=0.1, weight_decay=0.05), None),
    "adam_step_lr": (lambda p: torch.optim.Adam(p, lr=0.1),
                     lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5)),
    "sgd_nesterov_cosine": (
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001)),
}


def trajectory(make_optimizer, make_schedule):
    w = W0.clone().requires_grad_(True)
    optimizer = make_optimizer([w])
    schedule = make_schedule(optimizer) if make_schedule else None
    steps = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        (WEIGHTS * (w - TARGET) ** 2).sum().backward()
        optimizer.step()
        if schedule:
            schedule.step()
        steps.append([float(v) for v in w.detach()])
    return steps


def main():
    out = {"w0": [float(v) for v in W0], "target": [float(v) for v in TARGET],
           "weights": [float(v) for v in WEIGHTS],
           "cases": {name: trajectory(*spec) for name, spec in CASES.items()}}
    assert all(math.isfinite(v) for case in out["cases"].values() for s in case for v in s)
    with open("tests/fixtures/golden_optim.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote tests/fixtures/golden_optim.json: {len(CASES)} cases")


if __name__ == "__main__":
    main()
