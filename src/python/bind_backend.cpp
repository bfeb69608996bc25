// Backends, dtypes, threads and CUDA queries: the process-wide settings of the core; and the
// backend primitives themselves (map, map_backward, zip, reduce, matmul, copy) on TensorData
// outputs, which the course's TensorOps function tables call. The primitives trust their caller
// to have checked shapes, dtypes and devices (backend.h); these bindings check them first, so a
// Python caller gets an exception instead of a write out of bounds.
#include <pybind11/stl.h>

#include <algorithm>

#include "bindings.h"
#include "minitorch/cuda/cuda_backend.h"
#include "minitorch/parallel/parallel.h"
#include "minitorch/storage/storage.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::python {

namespace {

void check_backend_data(const Backend& backend, const TensorData& t, const char* what,
                        const std::string& op) {
  if (!t.defined()) throw py::value_error(op + ": the " + what + " holds no storage");
  if (t.device() != backend.device()) {
    throw py::value_error(op + ": the " + std::string(what) + " lives on " + t.device().str() +
                          "; expected " + backend.device().str() + ", where " + backend.name() +
                          " runs");
  }
}

void check_same_dtype(const TensorData& a, const TensorData& out, const std::string& op) {
  if (a.dtype() != out.dtype()) {
    throw py::type_error(op + ": " + dtype_name(a.dtype()) + " input and " +
                         dtype_name(out.dtype()) + " output; expected one dtype");
  }
}

void check_broadcasts(const TensorData& in, const TensorData& out, const std::string& op) {
  if (!broadcasts_to(in.shape(), out.shape())) {
    throw_indexing_error(op + ": input shape " + shape_to_string(in.shape()) +
                         " does not broadcast to the output shape " + shape_to_string(out.shape()));
  }
}

bool shares_storage(const TensorData& a, const TensorData& b) {
  return a.storage() == b.storage();
}

// Runs `kernel(destination)` into `out`, through a fresh buffer when `out` shares storage with an
// input (the primitives require outputs that do not overlap their inputs).
template <class Kernel>
void into(const Backend& backend, const TensorData& out, bool overlaps, Kernel kernel) {
  if (!overlaps) {
    kernel(out);
    return;
  }
  const TensorData fresh = TensorData::uninitialized(out.shape(), out.dtype(), out.device());
  kernel(fresh);
  backend.copy(fresh, out);
}

// `t` with leading size-1 dimensions until it has `dims` dimensions (a view).
TensorData with_dims(TensorData t, std::int64_t dims) {
  while (t.dim() < dims) t = t.unsqueeze(0);
  return t;
}

void bind_primitives(py::class_<Backend, std::unique_ptr<Backend, py::nodelete>>& backend) {
  backend
      .def(
          "copy",
          [](const Backend& b, const TensorData& in, const TensorData& out) {
            check_backend_data(b, in, "input", "copy");
            check_backend_data(b, out, "output", "copy");
            check_broadcasts(in, out, "copy");
            ReleaseGilFor release(out.numel());
            into(b, out, shares_storage(in, out),
                 [&](const TensorData& o) { b.copy(in.expand(o.shape()), o); });
          },
          py::arg("input"), py::arg("out"), "out = input (broadcast to out's shape).")
      .def(
          "map",
          [](const Backend& b, UnaryOp op, const TensorData& in, const TensorData& out) {
            const std::string name = std::string("map ") + op_name(op);
            check_backend_data(b, in, "input", name);
            check_backend_data(b, out, "output", name);
            check_same_dtype(in, out, name);
            check_broadcasts(in, out, name);
            ReleaseGilFor release(out.numel());
            into(b, out, shares_storage(in, out),
                 [&](const TensorData& o) { b.map(op, in.expand(o.shape()), o); });
          },
          py::arg("op"), py::arg("input"), py::arg("out"), "out = op(input), elementwise.")
      .def(
          "map_backward",
          [](const Backend& b, UnaryOp op, const TensorData& in, const TensorData& d,
             const TensorData& out) {
            const std::string name = std::string("map_backward ") + op_name(op);
            for (const TensorData* t : {&in, &d}) {
              check_backend_data(b, *t, "input", name);
              check_same_dtype(*t, out, name);
              check_broadcasts(*t, out, name);
            }
            check_backend_data(b, out, "output", name);
            ReleaseGilFor release(out.numel());
            into(b, out, shares_storage(in, out) || shares_storage(d, out),
                 [&](const TensorData& o) {
                   b.map_backward(op, in.expand(o.shape()), d.expand(o.shape()), o);
                 });
          },
          py::arg("op"), py::arg("input"), py::arg("d"), py::arg("out"),
          "out = d * op'(input), elementwise (the course's relu_back, log_back, inv_back).")
      .def(
          "zip",
          [](const Backend& b, BinaryOp op, const TensorData& x, const TensorData& y,
             const TensorData& out) {
            const std::string name = std::string("zip ") + op_name(op);
            for (const TensorData* t : {&x, &y}) {
              check_backend_data(b, *t, "input", name);
              check_same_dtype(*t, out, name);
              check_broadcasts(*t, out, name);
            }
            check_backend_data(b, out, "output", name);
            ReleaseGilFor release(out.numel());
            into(b, out, shares_storage(x, out) || shares_storage(y, out),
                 [&](const TensorData& o) {
                   b.zip(op, x.expand(o.shape()), y.expand(o.shape()), o);
                 });
          },
          py::arg("op"), py::arg("a"), py::arg("b"), py::arg("out"),
          "out = op(a, b), elementwise, a and b broadcast to out's shape.")
      .def(
          "reduce",
          [](const Backend& b, ReduceOp op, const TensorData& in, std::int64_t dim,
             const TensorData& out) {
            const std::string name = std::string("reduce ") + op_name(op);
            check_backend_data(b, in, "input", name);
            check_backend_data(b, out, "output", name);
            check_same_dtype(in, out, name);
            const std::int64_t d = normalize_dim(dim, in.dim(), name);
            Shape expected = in.shape();
            expected[static_cast<std::size_t>(d)] = 1;
            if (out.shape() != expected) {
              throw py::value_error(name + ": output of shape " + shape_to_string(out.shape()) +
                                    "; expected " + shape_to_string(expected) +
                                    " (the input's shape with size 1 at dim " + std::to_string(d) +
                                    ")");
            }
            ReleaseGilFor release(in.numel());
            into(b, out, shares_storage(in, out),
                 [&](const TensorData& o) { b.reduce(op, in, d, o); });
          },
          py::arg("op"), py::arg("input"), py::arg("dim"), py::arg("out"),
          "out (input's shape with size 1 at dim) = op folded over dim.")
      .def(
          "matmul",
          [](const Backend& b, const TensorData& x, const TensorData& y, const TensorData& out) {
            for (const TensorData* t : {&x, &y}) {
              check_backend_data(b, *t, "input", "matmul");
              check_same_dtype(*t, out, "matmul");
            }
            check_backend_data(b, out, "output", "matmul");
            const std::int64_t dims = out.dim();
            if (x.dim() < 2 || y.dim() < 2 || dims < std::max(x.dim(), y.dim())) {
              throw py::value_error("matmul: shapes " + shape_to_string(x.shape()) + " @ " +
                                    shape_to_string(y.shape()) + " into " +
                                    shape_to_string(out.shape()) +
                                    "; expected matrices (at least 2 dimensions) and an output "
                                    "with as many dimensions as the larger");
            }
            const TensorData a = with_dims(x, dims);
            const TensorData c = with_dims(y, dims);
            const auto at = [](const TensorData& t, std::int64_t k) {
              return t.shape()[static_cast<std::size_t>(t.dim() + k)];
            };
            Shape batch_out(out.shape().begin(), out.shape().end() - 2);
            const bool fits = at(a, -1) == at(c, -2) && at(out, -2) == at(a, -2) &&
                              at(out, -1) == at(c, -1) &&
                              broadcasts_to({a.shape().data(), batch_out.size()}, batch_out) &&
                              broadcasts_to({c.shape().data(), batch_out.size()}, batch_out);
            if (!fits) {
              throw_indexing_error("matmul: shapes " + shape_to_string(x.shape()) + " @ " +
                                   shape_to_string(y.shape()) + " into " +
                                   shape_to_string(out.shape()) +
                                   "; expected [..., n, k] @ [..., k, m] into [..., n, m] with "
                                   "batch dimensions that broadcast to the output's");
            }
            py::gil_scoped_release release;
            into(b, out, shares_storage(a, out) || shares_storage(c, out),
                 [&](const TensorData& o) { b.matmul(a, c, o); });
          },
          py::arg("a"), py::arg("b"), py::arg("out"),
          "out [..., n, m] = a [..., n, k] @ b [..., k, m], batch dimensions broadcast.");
}

}  // namespace

void bind_backend(py::module_& m) {
  py::enum_<Dtype> dtype(m, "Dtype");
  dtype.value("float32", kFloat32).value("float64", kFloat64);
  // Replacing (not overloading) the enum's own __repr__ / __str__: "minitorch.float32".
  const py::cpp_function dtype_repr(
      [](Dtype d) { return std::string("minitorch.") + dtype_name(d); }, py::is_method(dtype));
  py::setattr(dtype, "__repr__", dtype_repr);
  py::setattr(dtype, "__str__", dtype_repr);
  m.attr("float32") = kFloat32;
  m.attr("float64") = kFloat64;
  m.def("get_default_dtype", &default_dtype,
        "The dtype of new tensors when none is given (float64 unless changed, as MiniTorch's "
        "storage).");
  m.def(
      "set_default_dtype", [](py::handle d) { set_default_dtype(dtype_from(d)); },
      py::arg("dtype"));

  py::enum_<UnaryOp> unary(m, "UnaryOp");
  for (UnaryOp op : kUnaryOps) unary.value(op_name(op), op);
  py::enum_<BinaryOp> binary(m, "BinaryOp");
  for (BinaryOp op : kBinaryOps) binary.value(op_name(op), op);
  py::enum_<ReduceOp> reduce(m, "ReduceOp");
  for (ReduceOp op : kReduceOps) reduce.value(op_name(op), op);

  // Backends are process-wide singletons: Python holds plain references.
  py::class_<Backend, std::unique_ptr<Backend, py::nodelete>> backend(m, "Backend");
  bind_primitives(backend);
  backend.def_property_readonly("name", &Backend::name)
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
  m.def(
      "manual_seed", [](std::uint64_t seed) { manual_seed(seed); }, py::arg("seed"),
      "Seeds the generator rand, dropout and initialisers draw from.");
}

}  // namespace minitorch::python
