"""A stand-in for the ``numba`` import guard of the course's test_tensor_general.py.

The course's tests ask ``numba.cuda.is_available()`` to decide whether to run the CUDA tests;
here the answer is minitorch's (built with CUDA and a device present). Put this directory on
PYTHONPATH only when running the course's suite; minitorch itself never imports numba.
"""
import minitorch


class _Cuda:
    @staticmethod
    def is_available() -> bool:
        """True where minitorch's CUDA backend can run."""
        return bool(minitorch.cuda_available())


cuda = _Cuda()
