"""minitorch.testing: the course's table of math functions that drives its parametrized tests.

``MathTest`` defines each function on floats with ``minitorch.operators``; ``MathTestVariable``
defines the same functions on variables (Scalar, Tensor) with their methods. A function's name
says how many arguments it takes: names ending in ``2`` take two, names ending in ``red`` take a
collection to reduce, the others take one.

``_tests()`` lists ``(name, function)`` for each group, sorted by name; ``_comp_testing()`` pairs
each variable function with its float counterpart as ``(name, float_fn, variable_fn)``.
"""
from typing import Any, Callable, List, Tuple

from . import operators

__all__ = ["MathTest", "MathTestVariable"]

Named = Tuple[str, Callable[..., Any]]
Compared = Tuple[str, Callable[..., Any], Callable[..., Any]]


class MathTest:
    """Each function of the table, on floats."""

    # ---- one argument -------------------------------------------------------------------------

    @staticmethod
    def neg(a: Any) -> Any:
        """-a"""
        return -a

    @staticmethod
    def addConstant(a: Any) -> Any:
        """5 + a"""
        return 5 + a

    @staticmethod
    def subConstant(a: Any) -> Any:
        """a - 5"""
        return a - 5

    @staticmethod
    def multConstant(a: Any) -> Any:
        """5 a"""
        return 5 * a

    @staticmethod
    def div(a: Any) -> Any:
        """a / 5"""
        return a / 5

    @staticmethod
    def square(a: Any) -> Any:
        """a a"""
        return a * a

    @staticmethod
    def cube(a: Any) -> Any:
        """a a a"""
        return a * a * a

    @staticmethod
    def inv(a: Any) -> Any:
        """1 / (a + 3.5)"""
        return operators.inv(a + 3.5)

    @staticmethod
    def sig(a: Any) -> Any:
        """sigmoid(a)"""
        return operators.sigmoid(a)

    @staticmethod
    def log(a: Any) -> Any:
        """log(a + 100000): the logarithm away from 0"""
        return operators.log(a + 100000)

    @staticmethod
    def relu(a: Any) -> Any:
        """relu(a + 5.5)"""
        return operators.relu(a + 5.5)

    @staticmethod
    def exp(a: Any) -> Any:
        """exp(a - 200): the exponential of small values"""
        return operators.exp(a - 200)

    @staticmethod
    def explog(a: Any) -> Any:
        """log(a + 100000) + exp(a - 200)"""
        return operators.log(a + 100000) + operators.exp(a - 200)

    @staticmethod
    def complex(a: Any) -> Any:
        """log(sigmoid(10 relu(6 relu(10 a + 7) + 5))) / 50"""
        inner = operators.relu(operators.relu(a * 10 + 7) * 6 + 5)
        return operators.log(operators.sigmoid(inner * 10)) / 50

    # ---- two arguments ------------------------------------------------------------------------

    @staticmethod
    def add2(a: Any, b: Any) -> Any:
        """a + b"""
        return a + b

    @staticmethod
    def mul2(a: Any, b: Any) -> Any:
        """a b"""
        return a * b

    @staticmethod
    def div2(a: Any, b: Any) -> Any:
        """a / (b + 5.5)"""
        return a / (b + 5.5)

    @staticmethod
    def gt2(a: Any, b: Any) -> Any:
        """a + 1.2 > b"""
        return operators.lt(b, a + 1.2)

    @staticmethod
    def lt2(a: Any, b: Any) -> Any:
        """a + 1.2 < b"""
        return operators.lt(a + 1.2, b)

    @staticmethod
    def eq2(a: Any, b: Any) -> Any:
        """a == b + 5.5"""
        return operators.eq(a, b + 5.5)

    # ---- reductions ---------------------------------------------------------------------------

    @staticmethod
    def sum_red(a: Any) -> Any:
        """the sum of a's elements"""
        return operators.sum(a)

    @staticmethod
    def mean_red(a: Any) -> Any:
        """the mean of a's elements (along dimension 0 for a tensor)"""
        return operators.sum(a) / float(len(a))

    @staticmethod
    def mean_full_red(a: Any) -> Any:
        """the mean of all of a's elements"""
        return operators.sum(a) / float(len(a))

    # ---- the table ----------------------------------------------------------------------------

    @classmethod
    def _tests(cls) -> Tuple[List[Named], List[Named], List[Named]]:
        """``(name, function)`` of this class for each function of the table, sorted by name and
        split into one-argument, two-argument and reduction functions."""
        one_arg: List[Named] = []
        two_arg: List[Named] = []
        red_arg: List[Named] = []
        for name in sorted(vars(MathTest)):
            if name.startswith("_"):
                continue
            entry = (name, getattr(cls, name))
            if name.endswith("2"):
                two_arg.append(entry)
            elif name.endswith("red"):
                red_arg.append(entry)
            else:
                one_arg.append(entry)
        return one_arg, two_arg, red_arg

    @classmethod
    def _comp_testing(cls) -> Tuple[List[Compared], List[Compared], List[Compared]]:
        """``(name, float function, this class's function)`` for each function of the table."""
        ours = cls._tests()
        floats = MathTest._tests()
        return tuple(  # type: ignore[return-value]
            [(name, float_fn, fn) for (name, fn), (_, float_fn) in zip(group, float_group)]
            for group, float_group in zip(ours, floats)
        )


class MathTestVariable(MathTest):
    """The functions of the table on variables (Scalar, Tensor), through their methods."""

    @staticmethod
    def inv(a: Any) -> Any:
        """1 / (a + 3.5)"""
        return 1.0 / (a + 3.5)

    @staticmethod
    def sig(a: Any) -> Any:
        """sigmoid(a)"""
        return a.sigmoid()

    @staticmethod
    def log(a: Any) -> Any:
        """log(a + 100000)"""
        return (a + 100000).log()

    @staticmethod
    def relu(a: Any) -> Any:
        """relu(a + 5.5)"""
        return (a + 5.5).relu()

    @staticmethod
    def exp(a: Any) -> Any:
        """exp(a - 200)"""
        return (a - 200).exp()

    @staticmethod
    def explog(a: Any) -> Any:
        """log(a + 100000) + exp(a - 200)"""
        return (a + 100000).log() + (a - 200).exp()

    @staticmethod
    def complex(a: Any) -> Any:
        """log(sigmoid(10 relu(6 relu(10 a + 7) + 5))) / 50"""
        return (((a * 10 + 7).relu() * 6 + 5).relu() * 10).sigmoid().log() / 50

    @staticmethod
    def gt2(a: Any, b: Any) -> Any:
        """a + 1.2 > b"""
        return a + 1.2 > b

    @staticmethod
    def lt2(a: Any, b: Any) -> Any:
        """a + 1.2 < b"""
        return a + 1.2 < b

    @staticmethod
    def eq2(a: Any, b: Any) -> Any:
        """a == b + 5.5"""
        return a == (b + 5.5)

    @staticmethod
    def sum_red(a: Any) -> Any:
        """a.sum(0)"""
        return a.sum(0)

    @staticmethod
    def mean_red(a: Any) -> Any:
        """a.mean(0)"""
        return a.mean(0)

    @staticmethod
    def mean_full_red(a: Any) -> Any:
        """a.mean()"""
        return a.mean()
