"""minitorch.optim: the course's SGD (Scalars and tensors) and SGD / Adam / AdamW against
torch.optim on the same problem (float64, 1e-10), in-place updates, state dicts, bad options."""
import numpy as np
import pytest
import torch

import minitorch
import minitorch.nn as nn
from nn_strategies import assert_close, tensor

A = np.array([[0.5, -1.5, 2.0], [1.0, 0.25, -0.75]])
B = np.array([0.3, -0.2, 0.9])


def loss_of(w, b, a, c):
    """sum((w * a - 1)^2) + sum(b * b * c) + sum(w * w * w) / 10: works on ours and torch's."""
    return ((w * a - 1.0) * (w * a - 1.0)).sum() + (b * b * c).sum() + (w * w * w).sum() * 0.1


def run_ours(make, steps=6):
    w = minitorch.Parameter(tensor(A.copy()))
    b = minitorch.Parameter(tensor(B.copy()))
    a, c = tensor(A * 0.7 + 0.1), tensor(B + 1.0)
    optimizer = make([w, b])
    for _ in range(steps):
        optimizer.zero_grad()
        loss_of(w.value, b.value, a, c).sum().backward()
        optimizer.step()
    return w.value, b.value, optimizer


def run_torch(make, steps=6):
    w = torch.tensor(A.copy(), requires_grad=True)
    b = torch.tensor(B.copy(), requires_grad=True)
    a, c = torch.tensor(A * 0.7 + 0.1), torch.tensor(B + 1.0)
    optimizer = make([w, b])
    for _ in range(steps):
        optimizer.zero_grad()
        loss_of(w, b, a, c).backward()
        optimizer.step()
    return w, b, optimizer


CASES = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "dampening": 0.3}),
    ("Adam", {}),
    ("Adam", {"lr": 0.1, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.05}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.1, "weight_decay": 0.3}),
]


@pytest.mark.parametrize("name,kwargs", CASES)
def test_updates_match_torch(name, kwargs):
    ours = getattr(minitorch.optim, name)
    theirs = getattr(torch.optim, name)
    w, b, _ = run_ours(lambda ps: ours(ps, **kwargs))
    tw, tb, _ = run_torch(lambda ps: theirs(ps, **kwargs))
    assert_close(w, tw, 1e-10)
    assert_close(b, tb, 1e-10)


def test_course_sgd_default_lr_is_one():
    w, b, _ = run_ours(lambda ps: minitorch.SGD(ps), steps=1)
    tw, tb, _ = run_torch(lambda ps: torch.optim.SGD(ps, lr=1.0), steps=1)
    assert_close(w, tw, 1e-10)
    assert_close(b, tb, 1e-10)


def test_defaults_are_torchs():
    p = [tensor([1.0])]
    assert minitorch.Adam(p).param_groups[0]["betas"] == (0.9, 0.999)
    assert minitorch.Adam(p).param_groups[0]["lr"] == 1e-3
    assert minitorch.AdamW(p).param_groups[0]["weight_decay"] == 1e-2
    assert minitorch.SGD(p).lr == 1.0


def test_step_updates_the_layer_in_place():
    layer = nn.Linear(2, 1)
    weight = layer.weight.value
    before = layer(tensor([[1.0, 1.0]]))[0, 0]
    optimizer = minitorch.SGD(layer.parameters(), lr=0.5)
    layer(tensor([[1.0, 1.0]])).sum().backward()
    optimizer.step()
    assert layer.weight.value is weight  # the same tensor, updated in place
    assert layer(tensor([[1.0, 1.0]]))[0, 0] == pytest.approx(before - 0.5 * 3)
    optimizer.zero_grad()
    assert layer.weight.value.grad is None and layer.bias.value.grad is None


def test_parameters_without_gradient_are_skipped():
    p, q = minitorch.Parameter(tensor([1.0])), minitorch.Parameter(tensor([2.0]))
    optimizer = minitorch.Adam([p, q], lr=0.1)
    (p.value * 3.0).sum().backward()
    optimizer.step()
    assert q.value[0] == 2.0 and p.value[0] == pytest.approx(0.9)


def test_replaced_parameter_value_is_followed():
    p = minitorch.Parameter(tensor([1.0]))
    optimizer = minitorch.SGD([p], lr=0.5, momentum=0.9)
    (p.value * 2.0).sum().backward()
    optimizer.step()
    p.update(tensor([10.0]))
    (p.value * 2.0).sum().backward()
    optimizer.step()
    # momentum buffer 2 -> 0.9 * 2 + 2 = 3.8, applied to the new value
    assert p.value[0] == pytest.approx(10.0 - 0.5 * 3.8)


def test_state_dict_round_trip_gives_the_same_steps():
    _, _, first = run_ours(lambda ps: minitorch.Adam(ps, lr=0.1), steps=3)
    state = first.state_dict()
    assert set(state["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}
    assert state["param_groups"][0]["params"] == [0, 1]
    _, _, tfirst = run_torch(lambda ps: torch.optim.Adam(ps, lr=0.1), steps=3)
    tstate = tfirst.state_dict()
    assert_close(state["state"][1]["exp_avg"], tstate["state"][1]["exp_avg"], 1e-10)

    w = minitorch.Parameter(tensor(A.copy()))
    b = minitorch.Parameter(tensor(B.copy()))
    second = minitorch.Adam([w, b])
    second.load_state_dict(state)
    assert second.lr == 0.1
    assert_close(second.state_dict()["state"][0]["exp_avg_sq"],
                 state["state"][0]["exp_avg_sq"].to_numpy())


def test_load_state_dict_checks_before_changing():
    optimizer = minitorch.Adam([tensor([1.0, 2.0])])
    bad = {"state": {0: {"step": tensor([1.0]), "exp_avg": tensor([1.0]),
                         "exp_avg_sq": tensor([1.0])}},
           "param_groups": [{"lr": 0.5, "betas": (0.9, 0.999), "eps": 1e-8,
                             "weight_decay": 0.0, "params": [0]}]}
    with pytest.raises(RuntimeError, match="exp_avg"):
        optimizer.load_state_dict(bad)
    assert optimizer.lr == 1e-3
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        optimizer.load_state_dict({"state": {}})


def test_parameter_groups():
    p, q = tensor([1.0]).requires_grad_(True), tensor([1.0]).requires_grad_(True)
    optimizer = minitorch.SGD([{"params": [p]}, {"params": [q], "lr": 0.1}], lr=1.0)
    (p * 1.0 + q * 1.0).sum().backward()
    optimizer.step()
    assert p[0] == 0.0 and q[0] == pytest.approx(0.9)
    assert [g["lr"] for g in optimizer.param_groups] == [1.0, 0.1]


def test_bad_options_and_parameters():
    with pytest.raises(RuntimeError, match="learning rate"):
        minitorch.SGD([tensor([1.0])], lr=-1.0)
    with pytest.raises(RuntimeError, match="betas"):
        minitorch.Adam([tensor([1.0])], betas=(1.5, 0.9))
    with pytest.raises(RuntimeError, match="nesterov"):
        minitorch.SGD([tensor([1.0])], lr=0.1, nesterov=True)
    with pytest.raises(TypeError, match="Parameters or tensors"):
        minitorch.Adam(["weights"])
    with pytest.raises(ValueError, match="amsgrad"):
        minitorch.Adam([tensor([1.0])], amsgrad=True)


def test_course_sgd_on_scalars():
    if not hasattr(minitorch, "Scalar"):
        pytest.skip("minitorch.Scalar is not part of this build")
    x = minitorch.Parameter(minitorch.Scalar(2.0))
    optimizer = minitorch.SGD([x], lr=0.25)
    out = x.value * x.value
    out.backward()
    optimizer.step()
    assert x.value.data == pytest.approx(2.0 - 0.25 * 4.0)
    optimizer.zero_grad()
    assert x.value.derivative is None


def test_param_groups_lr_can_be_set_as_in_torch():
    p = tensor([1.0]).requires_grad_(True)
    optimizer = minitorch.SGD([p], lr=1.0)
    for group in optimizer.param_groups:
        group["lr"] = 0.25
    assert optimizer.lr == 0.25
    (p * 2.0).sum().backward()
    optimizer.step()
    assert p[0] == 0.5
    with pytest.raises(ValueError, match="only 'lr'"):
        optimizer.param_groups[0]["momentum"] = 0.9
    with pytest.raises(RuntimeError, match="learning rate"):
        optimizer.param_groups[0]["lr"] = -1.0
