"""Module and Parameter: attribute routing, the tree's names and modes, state dicts, printing."""
import copy
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch
from minitorch import Module, Parameter


class Leaf(Module):
    def __init__(self, value=1.0):
        super().__init__()
        self.p = Parameter(value)
        self.plain = "not a parameter"


class Tree(Module):
    def __init__(self):
        super().__init__()
        self.a = Leaf(2.0)
        self.b = Module()
        self.b.c = Leaf(3.0)
        self.top = Parameter(0.5)


def test_assignment_routes_parameters_children_and_plain_values():
    t = Tree()
    assert set(t._parameters) == {"top"}
    assert set(t._modules) == {"a", "b"}
    assert t.a.plain == "not a parameter"
    assert "plain" not in t.a._parameters and "plain" not in t.a._modules
    # Reassigning a name moves it between the tables.
    t.a = Parameter(7.0)
    assert "a" in t._parameters and "a" not in t._modules
    t.a = 3
    assert "a" not in t._parameters and t.a == 3
    del t.top
    assert "top" not in t._parameters and t.top is None


def test_named_parameters_are_dotted_paths_own_first():
    t = Tree()
    names = [name for name, _ in t.named_parameters()]
    assert names == ["top", "a.p", "b.c.p"]
    assert [p.value for p in t.parameters()] == [0.5, 2.0, 3.0]
    assert [name for name, _ in t.named_modules()] == ["", "a", "b", "b.c"]
    assert t.modules() == t.children() == [t.a, t.b]


def test_train_and_eval_reach_every_descendant():
    t = Tree()
    t.eval()
    assert not any(m.training for _, m in t.named_modules())
    t.train()
    assert all(m.training for _, m in t.named_modules())


def test_unknown_attributes_read_as_none_but_dunders_raise():
    t = Tree()
    assert t.does_not_exist is None
    with pytest.raises(AttributeError):
        t.__missing_dunder__
    # copy and pickle probe dunders: they must keep working.
    clone = copy.deepcopy(t)
    assert [n for n, _ in clone.named_parameters()] == ["top", "a.p", "b.c.p"]
    assert pickle.loads(pickle.dumps(Leaf(4.0))).p.value == 4.0
    with pytest.raises(TypeError, match="not iterable"):
        iter(t)


def test_forgetting_super_init_is_a_clear_error():
    class Broken(Module):
        def __init__(self):
            self.x = Parameter(1.0)

    with pytest.raises(RuntimeError, match="super\\(\\).__init__"):
        Broken()


def test_calling_runs_forward_and_base_forward_raises():
    class Double(Module):
        def forward(self, x):
            return 2 * x

    assert Double()(21) == 42
    with pytest.raises(NotImplementedError, match="Module does not define forward"):
        Module()(1)


def test_repr_nests_children_by_indentation():
    t = Tree()
    assert repr(Leaf()) == "Leaf()"
    assert repr(t) == "Tree(\n  (a): Leaf()\n  (b): Module(\n    (c): Leaf()\n  )\n)"


def test_parameter_marks_values_that_require_grad_and_updates():
    calls = []

    class Mock:
        def requires_grad_(self, on):
            calls.append(on)

    p = Parameter(Mock(), "w")
    p.update(Mock())
    assert calls == [True, True]
    t = minitorch.tensor([1.0, 2.0])
    assert Parameter(t).value.requires_grad
    assert repr(Parameter(5)) == "5"


def test_add_parameter_names_and_stores():
    m = Module()
    p = m.add_parameter("w", 3.0)
    assert m.w is p and p.name == "w" and m._parameters["w"] is p


@given(st.lists(st.floats(-10, 10), min_size=1, max_size=5))
def test_state_dict_round_trip_copies_in_place(values):
    m = Module()
    m.w = Parameter(minitorch.tensor(values))
    held = m.w.value
    state = {"w": minitorch.tensor([v + 1 for v in values])}
    m.load_state_dict(state)
    assert m.w.value is held  # same tensor object: layers holding it see the change
    assert held.tolist() == pytest.approx([v + 1 for v in values])
    assert m.state_dict()["w"] is held


def test_load_state_dict_names_what_is_wrong():
    m = Module()
    m.w = Parameter(minitorch.tensor([1.0, 2.0]))
    with pytest.raises(KeyError, match=r"missing keys \['w'\], unexpected keys \['v'\]"):
        m.load_state_dict({"v": minitorch.tensor([1.0, 2.0])})
    with pytest.raises(ValueError, match=r"'w' is a tensor of shape \(3,\); expected a tensor of shape \(2,\)"):
        m.load_state_dict({"w": minitorch.tensor([1.0, 2.0, 3.0])})
    with pytest.raises(ValueError, match="'w' is a float"):
        m.load_state_dict({"w": 1.0})
    m.load_state_dict({"w": minitorch.tensor([5.0, 6.0]), "extra": 1}, strict=False)
    assert m.w.value.tolist() == [5.0, 6.0]


def test_zero_grad_clears_tensors_and_scalars():
    m = Module()
    m.t = Parameter(minitorch.tensor([1.0, 2.0]))
    m.s = Parameter(minitorch.Scalar(3.0))
    (m.t.value * m.t.value).sum().backward()
    (m.s.value * m.s.value).backward()
    assert m.t.value.grad is not None and m.s.value.derivative is not None
    m.zero_grad()
    assert m.t.value.grad is None and m.s.value.derivative is None
