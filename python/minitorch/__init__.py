"""minitorch: MiniTorch's API (Cornell CS 5781) on minitorch's C++ core.

Every course module is here under its own name (``minitorch.operators``, ``scalar``,
``tensor_data``, ``tensor``, ``fast_ops``, ``nn``, ...), and, as in the course, everything is also
re-exported at the top level. The computation happens in the extension ``minitorch._C``; these
modules give it the course's names and semantics.
"""
# Module 0 and 1
import minitorch.scalar_functions as scalar_functions  # noqa: F401

from ._C import (  # noqa: F401
    IndexingError,
    arange,
    cat,
    full,
    randn,
    where,
    cuda_available,
    float32,
    float64,
    get_default_dtype,
    get_num_threads,
    manual_seed,
    set_default_dtype,
    set_num_threads,
)
from .autodiff import *  # noqa: F401,F403
from .cuda_ops import *  # noqa: F401,F403
from .datasets import datasets  # noqa: F401  (the course exports the dict alone)
from .fast_conv import *  # noqa: F401,F403
from .fast_ops import *  # noqa: F401,F403
from .module import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403
from .optim import *  # noqa: F401,F403
from .scalar import *  # noqa: F401,F403
from .scalar_functions import *  # noqa: F401,F403

# Module 2 and 3
from .tensor import *  # noqa: F401,F403
from .tensor_data import *  # noqa: F401,F403
from .tensor_functions import *  # noqa: F401,F403
from .tensor_ops import *  # noqa: F401,F403
from .testing import *  # noqa: F401,F403

# Beyond the course: state dicts, run directories, NumPy
from .serialization import *  # noqa: F401,F403

version = __version__ = _C.__version__  # noqa: F405
