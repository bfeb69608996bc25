#include "bindings.h"

namespace minitorch::python {

void bind_nn(py::module_& m) {
  m.def(
      "set_data_",
      [](const Tensor& target, const Tensor& values) {
        ReleaseGilFor release(target.numel());
        target.set_data(values);
      },
      py::arg("target"), py::arg("values"),
      "Copies values (broadcast to target's shape) into target's storage in place, without "
      "history: how optimizers and load_state_dict update parameters that layers hold.");
}

}  // namespace minitorch::python
