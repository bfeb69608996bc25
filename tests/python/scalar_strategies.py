"""Hypothesis strategies and helpers shared by the module 0 and module 1 tests."""
import minitorch
from hypothesis.strategies import SearchStrategy, composite, floats, lists

small_floats = floats(min_value=-100, max_value=100, allow_nan=False)
positive_floats = floats(min_value=0.1, max_value=100, allow_nan=False)
float_lists = lists(small_floats, max_size=20)


@composite
def scalars(draw, min_value: float = -100, max_value: float = 100) -> minitorch.Scalar:
    """A leaf Scalar holding a float from [min_value, max_value]."""
    return minitorch.Scalar(draw(floats(min_value=min_value, max_value=max_value)))


small_scalars: SearchStrategy = scalars()


def assert_close(a: float, b: float) -> None:
    """Absolute tolerance 1e-2, as the course's tests."""
    assert minitorch.operators.is_close(a, b), f"{a} and {b} differ by 1e-2 or more"
