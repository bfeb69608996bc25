"""minitorch.datasets: the course's six data sets, labelled by the course's rules."""
import math
import random

import pytest
from hypothesis import given
from hypothesis.strategies import integers

import minitorch
from minitorch.datasets import Graph, make_pts

RULES = {
    "Simple": lambda x1, x2: x1 < 0.5,
    "Diag": lambda x1, x2: x1 + x2 < 0.5,
    "Split": lambda x1, x2: x1 < 0.2 or x1 > 0.8,
    "Xor": lambda x1, x2: (x1 < 0.5 and x2 > 0.5) or (x1 > 0.5 and x2 < 0.5),
    "Circle": lambda x1, x2: (x1 - 0.5) ** 2 + (x2 - 0.5) ** 2 > 0.1,
}


def test_the_dict_has_the_course_keys() -> None:
    assert set(minitorch.datasets) == {"Simple", "Diag", "Split", "Xor", "Circle", "Spiral"}


@pytest.mark.parametrize("name", sorted(RULES))
@given(integers(min_value=1, max_value=200), integers(min_value=0, max_value=2**62))
def test_uniform_sets_follow_the_course_rules(name: str, n: int, seed: int) -> None:
    graph = minitorch.datasets[name](n, seed=seed)
    assert isinstance(graph, Graph) and graph.N == n
    assert len(graph.X) == len(graph.y) == n
    for (x1, x2), y in zip(graph.X, graph.y):
        assert 0.0 <= x1 < 1.0 and 0.0 <= x2 < 1.0
        assert y == int(RULES[name](x1, x2))


def test_both_labels_appear() -> None:
    for name in RULES:
        assert set(minitorch.datasets[name](500, seed=1).y) == {0, 1}


def test_spiral() -> None:
    graph = minitorch.datasets["Spiral"](11)
    assert graph.N == 11 and len(graph.X) == 10
    assert graph.y == [0] * 5 + [1] * 5
    t = 10.0 * 5 / 5
    x1, x2 = graph.X[0]
    assert x1 == pytest.approx(t * math.cos(t) / 20 + 0.5)
    assert x2 == pytest.approx(t * math.sin(t) / 20 + 0.5)
    assert graph.X[5] == pytest.approx((-t * math.sin(-t) / 20 + 0.5, -t * math.cos(-t) / 20 + 0.5))


def test_seeds() -> None:
    assert minitorch.datasets["Xor"](20, seed=3) == minitorch.datasets["Xor"](20, seed=3)
    assert minitorch.datasets["Xor"](20, seed=3) != minitorch.datasets["Xor"](20, seed=4)
    random.seed(7)
    first = minitorch.datasets["Circle"](20)
    random.seed(7)
    assert minitorch.datasets["Circle"](20) == first


def test_make_pts() -> None:
    pts = make_pts(30, seed=2)
    assert len(pts) == 30 and all(len(p) == 2 and 0 <= min(p) and max(p) < 1 for p in pts)


def test_bad_sizes_raise() -> None:
    with pytest.raises(RuntimeError, match="points must be at least 1"):
        minitorch.datasets["Simple"](0)
    with pytest.raises(TypeError):
        minitorch.datasets["Simple"]("ten")
