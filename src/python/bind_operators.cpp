#include "bindings.h"

namespace minitorch::python {

void bind_operators(py::module_& /*m*/) {}

}  // namespace minitorch::python
