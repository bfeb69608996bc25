// minitorch._C: the compiled half of the Python package (bindings.h says how it is organised).
#include "bindings.h"

PYBIND11_MODULE(_C, m) {
  namespace py = pybind11;
  using namespace minitorch::python;
  m.doc() = "minitorch's C++ core (the package minitorch gives it the course's module names)";
  m.attr("__version__") = MINITORCH_VERSION;
  minitorch::python::set_indexing_error(py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
      "minitorch.IndexingError",
      "An index or a shape that does not fit a tensor (a RuntimeError, as in MiniTorch).",
      PyExc_RuntimeError, nullptr)));
  m.attr("IndexingError") = indexing_error();
  bind_backend(m);
  bind_operators(m);
  bind_autodiff(m);
  bind_tensor_data(m);
  bind_tensor(m);
  bind_nn(m);
  bind_data(m);
}
