"""Shared helpers of the module-4 tests: Hypothesis strategies for small float64 tensors, a
central-difference gradient check, and conversions to PyTorch for the reference values."""
from __future__ import annotations

import random
from typing import Any, Callable, Sequence

import numpy as np
from hypothesis import strategies as st

from minitorch._C import tensor, zeros  # the core's creation functions

__all__ = [
    "assert_close", "distinct_tensors", "from_torch", "grad_check", "tensor", "tensors",
    "to_torch", "zeros",
]

small_floats = st.floats(min_value=-10.0, max_value=10.0, allow_nan=False, width=64)


@st.composite
def tensors(draw: Callable[..., Any], shape: Sequence[int]) -> Any:
    """A float64 tensor of ``shape`` with values in [-10, 10]."""
    n = int(np.prod(shape))
    values = draw(st.lists(small_floats, min_size=n, max_size=n))
    return tensor(np.array(values, dtype=np.float64).reshape(shape))


@st.composite
def distinct_tensors(draw: Callable[..., Any], shape: Sequence[int]) -> Any:
    """A float64 tensor of ``shape`` whose values differ pairwise by at least 0.5 (no ties, so
    maxima are differentiable)."""
    n = int(np.prod(shape))
    # A seed rather than a drawn permutation: Hypothesis's data would outgrow its limits.
    order = np.random.RandomState(draw(st.integers(0, 2**31 - 1))).permutation(n)
    shift = draw(small_floats)
    return tensor((np.array(order, dtype=np.float64) * 0.5 + shift).reshape(shape))


def to_torch(t: Any, requires_grad: bool = False) -> Any:
    """The values of ``t`` as a float64 torch tensor."""
    import torch

    out = torch.tensor(np.array(t.to_numpy(), dtype=np.float64))
    return out.requires_grad_(requires_grad)


def from_torch(t: Any) -> Any:
    """A torch tensor's values as a core tensor (float64)."""
    return tensor(t.detach().double().numpy())


def assert_close(actual: Any, expected: Any, tol: float = 1e-9) -> None:
    """Elementwise |actual - expected| <= tol · (1 + |expected|) for tensors, arrays or numbers."""
    a = actual.to_numpy() if hasattr(actual, "to_numpy") else np.asarray(actual)
    e = expected.detach().numpy() if hasattr(expected, "detach") else np.asarray(expected)
    assert a.shape == e.shape, f"shapes {a.shape} and {e.shape}"
    np.testing.assert_allclose(a, e, rtol=tol, atol=tol)


def _sum(t: Any) -> float:
    return float(t.to_numpy().sum())


def grad_check(f: Callable[..., Any], *vals: Any, epsilon: float = 1e-6, samples: int = 3) -> None:
    """Compares the gradient of ``f(*vals).sum()`` with central differences at a few elements."""
    for v in vals:
        v.requires_grad_(True)
        v.grad = None
    f(*vals).sum().backward()
    rng = random.Random(10)
    for arg, v in enumerate(vals):
        assert v.grad is not None, f"argument {arg} got no gradient"
        for _ in range(samples):
            index = tuple(rng.randrange(s) for s in v.shape)
            bump = zeros(v.shape)
            bump[index] = epsilon
            up = [x + bump if i == arg else x for i, x in enumerate(vals)]
            down = [x - bump if i == arg else x for i, x in enumerate(vals)]
            expected = (_sum(f(*up)) - _sum(f(*down))) / (2 * epsilon)
            np.testing.assert_allclose(
                v.grad[index], expected, rtol=1e-4, atol=1e-4,
                err_msg=f"gradient of argument {arg} at {index}",
            )

