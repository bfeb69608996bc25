"""minitorch.datasets: the course's six 2-D classification data sets.

The points and labels come from minitorch's C++ generators (``minitorch/data/datasets.h``), whose
labelling rules are the course's exactly:

============  ==================================================================
``Simple``    y = 1 when x1 < 0.5
``Diag``      y = 1 when x1 + x2 < 0.5
``Split``     y = 1 when x1 < 0.2 or x1 > 0.8
``Xor``       y = 1 when (x1 < 0.5 and x2 > 0.5) or (x1 > 0.5 and x2 < 0.5)
``Circle``    y = 1 when (x1 - 0.5)^2 + (x2 - 0.5)^2 > 0.1
``Spiral``    two interleaved arms of N // 2 points each, labels 0 and 1 (deterministic)
============  ==================================================================

Points are uniform in the unit square. Each generator takes an optional ``seed``; without one, the
seed is drawn from Python's ``random``, so ``random.seed(...)`` makes a script reproducible as in
the course (the numbers differ from the course's, which draws each coordinate from ``random``).
"""
import random
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

from . import _C

__all__ = ["make_pts", "Graph", "simple", "diag", "split", "xor", "circle", "spiral", "datasets"]


@dataclass
class Graph:
    """A data set: ``N`` requested points, the points ``X`` as (x1, x2), labels ``y`` (0 or 1)."""

    N: int
    X: List[Tuple[float, float]]
    y: List[int]


def _seed(seed: Optional[int]) -> int:
    return random.getrandbits(63) if seed is None else seed


def _generate(name: str, N: int, seed: Optional[int]) -> Graph:
    if not hasattr(_C, "make_dataset"):
        raise RuntimeError(
            "minitorch was built without its data library (MINITORCH_BUILD_DATA=OFF); "
            "rebuild with it to generate data sets"
        )
    X, y = _C.make_dataset(name, N, _seed(seed))
    return Graph(N, X, y)


def make_pts(N: int, seed: Optional[int] = None) -> List[Tuple[float, float]]:
    """N points drawn uniformly from the unit square."""
    return _generate("simple", N, seed).X


def simple(N: int, seed: Optional[int] = None) -> Graph:
    """N uniform points, labelled 1 left of x1 = 0.5."""
    return _generate("simple", N, seed)


def diag(N: int, seed: Optional[int] = None) -> Graph:
    """N uniform points, labelled 1 below the diagonal x1 + x2 = 0.5."""
    return _generate("diag", N, seed)


def split(N: int, seed: Optional[int] = None) -> Graph:
    """N uniform points, labelled 1 when x1 < 0.2 or x1 > 0.8."""
    return _generate("split", N, seed)


def xor(N: int, seed: Optional[int] = None) -> Graph:
    """N uniform points, labelled 1 in the top-left and bottom-right quarters."""
    return _generate("xor", N, seed)


def circle(N: int, seed: Optional[int] = None) -> Graph:
    """N uniform points, labelled 1 outside the circle of radius sqrt(0.1) around the centre."""
    return _generate("circle", N, seed)


def spiral(N: int) -> Graph:
    """Two interleaved spiral arms of N // 2 points each, labelled 0 and 1 (``Graph.N`` is N)."""
    return _generate("spiral", N, 0)


datasets: Dict[str, Callable[..., Graph]] = {
    "Simple": simple,
    "Diag": diag,
    "Split": split,
    "Xor": xor,
    "Circle": circle,
    "Spiral": spiral,
}
