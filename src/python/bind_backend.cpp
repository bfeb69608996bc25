// Backends, dtypes, threads and CUDA queries: the process-wide settings of the core.
#include <pybind11/stl.h>

#include "bindings.h"
#include "minitorch/cuda/cuda_backend.h"
#include "minitorch/parallel/parallel.h"
#include "minitorch/storage/storage.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::python {

void bind_backend(py::module_& m) {
  py::enum_<Dtype>(m, "Dtype")
      .value("float32", kFloat32)
      .value("float64", kFloat64)
      .def("__repr__", [](Dtype d) { return std::string("minitorch.") + dtype_name(d); })
      .def("__str__", [](Dtype d) { return std::string("minitorch.") + dtype_name(d); });
  m.attr("float32") = kFloat32;
  m.attr("float64") = kFloat64;
  m.def("get_default_dtype", &default_dtype,
        "The dtype of new tensors when none is given (float64 unless changed, as MiniTorch's "
        "storage).");
  m.def("set_default_dtype", [](py::handle d) { set_default_dtype(dtype_from(d)); },
        py::arg("dtype"));

  // Backends are process-wide singletons: Python holds plain references.
  py::class_<Backend, std::unique_ptr<Backend, py::nodelete>>(m, "Backend")
      .def_property_readonly("name", &Backend::name)
      .def_property_readonly("device", [](const Backend& b) { return b.device().str(); })
      .def_property_readonly("cuda", [](const Backend& b) { return b.device().is_cuda(); })
      .def("__repr__", [](const Backend& b) { return "<minitorch backend " + b.name() + ">"; })
      .def("__eq__", [](const Backend& a, const Backend& b) { return &a == &b; })
      .def("__hash__", [](const Backend& b) { return reinterpret_cast<std::uintptr_t>(&b); });
  const auto reference = py::return_value_policy::reference;
  m.def("reference_backend", &reference_backend, reference,
        "The plain, obviously correct backend (MiniTorch's SimpleOps).");
  m.def("fast_backend", &fast_backend, reference,
        "The vectorised, threaded CPU backend (MiniTorch's FastOps).");
  m.def("cuda_backend", &cuda_backend, reference, py::arg("device") = 0,
        "The CUDA backend of one GPU (MiniTorch's CudaOps); RuntimeError where CUDA is absent.");
  m.def("default_backend", &default_backend, reference);
  m.def("set_default_backend", [](py::handle b) {
    const Backend* backend = backend_from(b);
    set_default_backend(backend ? *backend : fast_backend());
  });
  m.def("cuda_built", &cuda_built);
  m.def("cuda_available", &cuda_available);
  m.def("get_num_threads", &get_num_threads);
  m.def("set_num_threads", &set_num_threads, py::arg("n"));
  m.def("manual_seed", [](std::uint64_t seed) { manual_seed(seed); }, py::arg("seed"),
        "Seeds the generator rand, dropout and initialisers draw from.");
}

}  // namespace minitorch::python
