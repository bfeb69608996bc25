// Tensor (MiniTorch modules 2–3) with the course's members and semantics:
//   - reductions keep the reduced dimension (size 1), and sum() / mean() / all() of a whole tensor
//     have shape (1,), as the course's; keepdim=False gives PyTorch's shapes;
//   - Python numbers in arithmetic and comparisons are constants of the tensor's dtype;
//   - t[i] / t[i, j] read one element as a float, t[i, j] = v writes one (IndexingError when the
//     index does not fit);
//   - view(*shape) and permute(*order) take varargs (or one tuple).
// Creation (tensor, zeros, ones, rand, ...) takes backend= (a TensorBackend or _C.Backend),
// dtype= (default float64, see get_default_dtype) and requires_grad=.
#include <pybind11/operators.h>
#include <pybind11/stl.h>

#include <vector>

#include "bindings.h"
#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::python {

namespace {

TensorOptions options(py::handle backend, py::handle dtype, bool requires_grad) {
  TensorOptions o;
  o.dtype = dtype_from(dtype);
  o.backend = backend_from(backend);
  o.requires_grad = requires_grad;
  return o;
}

// Flattens nested lists / tuples (or anything NumPy can read) into values and a shape: the
// shape comes from the first element at each depth and every row must agree.
void flatten(py::handle data, std::size_t depth, Shape& shape, std::vector<double>& values) {
  const bool is_sequence = (py::isinstance<py::list>(data) || py::isinstance<py::tuple>(data));
  if (!is_sequence) {
    if (depth != shape.size()) {
      throw py::value_error("tensor: ragged nested sequence; a number where a list of length " +
                            std::to_string(shape[depth]) + " was expected");
    }
    try {
      values.push_back(data.cast<double>());
    } catch (const py::cast_error&) {
      throw py::type_error("tensor: expected numbers in nested lists; got " +
                           std::string(py::str(data.get_type().attr("__name__"))));
    }
    return;
  }
  const auto length = static_cast<std::int64_t>(py::len(data));
  if (depth == shape.size()) {
    if (!values.empty()) {
      throw py::value_error("tensor: ragged nested sequence; a list where a number was expected");
    }
    shape.push_back(length);
  } else if (shape[depth] != length) {
    throw py::value_error("tensor: ragged nested sequence; rows of lengths " +
                          std::to_string(shape[depth]) + " and " + std::to_string(length) +
                          " at depth " + std::to_string(depth));
  }
  for (py::handle item : data) flatten(item, depth + 1, shape, values);
}

Tensor tensor_from(py::handle data, TensorOptions o) {
  if (py::isinstance<py::array>(data)) {
    auto array = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(data);
    if (!array) throw py::type_error("tensor: the NumPy array does not hold numbers");
    Shape shape(array.shape(), array.shape() + array.ndim());
    std::vector<double> values(array.data(), array.data() + array.size());
    return from_vector(values, shape, o);
  }
  Shape shape;
  std::vector<double> values;
  if (!py::isinstance<py::list>(data) && !py::isinstance<py::tuple>(data)) {
    return from_vector({data.cast<double>()}, {1}, o);  // a number: shape (1,), as the course's
  }
  flatten(data, 0, shape, values);
  return from_vector(values, shape, o);
}

std::optional<std::int64_t> dim_arg(py::handle dim) {
  if (dim.is_none()) return std::nullopt;
  if (py::isinstance<Tensor>(dim)) return static_cast<std::int64_t>(dim.cast<Tensor>().item());
  return dim.cast<std::int64_t>();
}

Tensor course_sum(const Tensor& t, py::handle dim, bool keepdim) {
  const auto d = dim_arg(dim);  // reads Python objects: before the GIL goes
  ReleaseGilFor release(t.numel());
  if (!d) return keepdim ? t.sum().view({1}) : t.sum();
  return t.sum(*d, keepdim);
}

Tensor course_mean(const Tensor& t, py::handle dim, bool keepdim) {
  const auto d = dim_arg(dim);  // reads Python objects: before the GIL goes
  ReleaseGilFor release(t.numel());
  if (!d) return keepdim ? t.mean().view({1}) : t.mean();
  return t.mean(*d, keepdim);
}

// 1 where every element (along dim) is non-zero, else 0.
Tensor course_all(const Tensor& t, py::handle dim, bool keepdim) {
  const auto d = dim_arg(dim);  // reads Python objects: before the GIL goes
  ReleaseGilFor release(t.numel());
  NoGradGuard no_grad;
  const Tensor zeros = t == 0.0;
  if (!d) {
    const Tensor count = zeros.sum();
    return (count == 0.0).view(keepdim ? Shape{1} : Shape{});
  }
  return zeros.sum(*d, keepdim) == 0.0;
}

py::object grad_of(const Tensor& t) {
  if (!t.has_grad()) return py::none();
  return py::cast(t.grad());
}

void backward(const Tensor& t, py::handle gradient, bool retain_graph) {
  Tensor g;
  if (py::isinstance<Tensor>(gradient)) {
    g = gradient.cast<Tensor>();
  } else if (!gradient.is_none()) {
    g = full_like(t, gradient.cast<double>());
  }
  py::gil_scoped_release release;
  t.backward(g, retain_graph);
}

// A tensor over `data` computed by `backend`; data on another device (the course builds
// TensorData on the host and hands it to a CUDA backend) is copied there first.
Tensor tensor_on(TensorData data, const Backend* backend, bool requires_grad) {
  if (backend == nullptr || backend->device() == data.device()) {
    return Tensor(std::move(data), backend, requires_grad);
  }
  Tensor moved = Tensor(std::move(data)).to(*backend);
  if (requires_grad) moved.requires_grad_(true);
  return moved;
}

// A tensor over the array's own memory: no copy, the tensor keeps the array alive, and writes
// through either are seen by the other. Strides may be anything NumPy allows (negative, zero)
// as long as they are whole elements.
Tensor from_numpy(const py::array& array, py::handle backend, bool requires_grad) {
  Dtype dtype;
  if (array.dtype().is(py::dtype::of<double>())) {
    dtype = kFloat64;
  } else if (array.dtype().is(py::dtype::of<float>())) {
    dtype = kFloat32;
  } else {
    throw py::type_error("from_numpy: an array of dtype " + std::string(py::str(array.dtype())) +
                         "; expected float32 or float64 (convert with array.astype(...), a copy)");
  }
  if (!array.writeable()) {
    throw py::value_error(
        "from_numpy: the array is read-only; expected a writeable array "
        "(a tensor may be written in place; pass array.copy())");
  }
  const auto item = static_cast<py::ssize_t>(array.itemsize());
  const auto address = reinterpret_cast<std::uintptr_t>(array.data());
  if (address % static_cast<std::uintptr_t>(item) != 0) {
    throw py::value_error("from_numpy: the array's data is not aligned to its " +
                          std::to_string(item) + "-byte elements; expected an aligned array");
  }
  Shape shape;
  Strides strides;
  std::int64_t lowest = 0;  // element offsets of the first and last elements, relative to data()
  std::int64_t highest = 0;
  for (py::ssize_t d = 0; d < array.ndim(); ++d) {
    if (array.strides(d) % item != 0) {
      throw py::value_error("from_numpy: a stride of " + std::to_string(array.strides(d)) +
                            " bytes is not a whole number of " + std::to_string(item) +
                            "-byte elements; expected element-aligned strides");
    }
    const std::int64_t stride = array.strides(d) / item;
    shape.push_back(array.shape(d));
    strides.push_back(stride);
    if (array.shape(d) > 1) {
      (stride < 0 ? lowest : highest) += stride * (array.shape(d) - 1);
    }
  }
  const std::int64_t span = array.size() == 0 ? 0 : highest - lowest + 1;
  auto* base = static_cast<char*>(const_cast<void*>(array.data())) + lowest * item;
  auto storage = borrow_storage(array, dtype, base, span);
  TensorData data(std::move(storage), std::move(shape), std::move(strides), -lowest);
  return tensor_on(std::move(data), backend_from(backend), requires_grad);
}

// A view or a copy of the values as a NumPy array sharing the tensor's storage (CPU only).
py::array numpy_view(const Tensor& t) {
  const TensorData& d = t.tensor_data();
  py::array storage = storage_array(d.storage());
  const auto item = static_cast<py::ssize_t>(dtype_size(d.dtype()));
  std::vector<py::ssize_t> shape(d.shape().begin(), d.shape().end());
  std::vector<py::ssize_t> strides;
  for (std::int64_t s : d.strides()) strides.push_back(s * item);
  const auto* base = static_cast<const char*>(storage.data()) + d.offset() * item;
  return py::array(storage.dtype(), shape, strides, base, storage);
}

// Even a small matmul does O(n·k·m) work: always worth letting other threads run.
Tensor matmul_without_gil(const Tensor& a, const Tensor& b) {
  py::gil_scoped_release release;
  return a.matmul(b);
}

// compute() run without the GIL when it touches enough elements; its result is converted to
// Python only after the GIL is back.
template <class Compute>
Tensor without_gil(std::int64_t elements, Compute compute) {
  ReleaseGilFor release(elements);
  return compute();
}

template <class F>
auto unary(F f) {
  return [f](const Tensor& t) { return without_gil(t.numel(), [&] { return f(t); }); };
}

template <class F>
auto binary(F f) {
  return [f](const Tensor& a, const Tensor& b) {
    return without_gil(std::max(a.numel(), b.numel()), [&] { return f(a, b); });
  };
}

template <class F>
auto with_number(F f) {
  return [f](const Tensor& a, double b) { return without_gil(a.numel(), [&] { return f(a, b); }); };
}

// The Python type of Tensor, looked up once, so that the common operand is recognised by one
// pointer comparison.
PyTypeObject* tensor_type() {
  static auto* type = reinterpret_cast<PyTypeObject*>(py::type::of<Tensor>().ptr());
  return type;
}

// One entry point per arithmetic or comparison operator (one overload resolution less than a
// Tensor and a double overload: `a + b` on small tensors is mostly call overhead). The other
// operand is a Tensor or a real number (Python's or NumPy's), a constant of a's dtype; anything
// else answers NotImplemented, so Python tries its reflected method and otherwise raises its
// own TypeError.
// The Tensor inside a Python object of exactly the Tensor type, found without a type lookup
// (pybind11 keeps a simple class's value first in the instance); a registered cast otherwise.
const Tensor& tensor_of(py::handle object) {
  if (Py_TYPE(object.ptr()) == tensor_type()) {
    auto* instance = reinterpret_cast<py::detail::instance*>(object.ptr());
    return *instance->get_value_and_holder().value_ptr<Tensor>();
  }
  return object.cast<const Tensor&>();
}

template <class F>
auto arithmetic(F f) {
  return [f](py::handle self, py::handle other) -> py::object {
    const Tensor& a = tensor_of(self);
    PyObject* p = other.ptr();
    if (Py_TYPE(p) == tensor_type() || py::isinstance<Tensor>(other)) {
      const Tensor& b = tensor_of(other);
      return py::cast(without_gil(std::max(a.numel(), b.numel()), [&] { return f(a, b); }));
    }
    double b = 0.0;
    if (PyFloat_Check(p)) {
      b = PyFloat_AS_DOUBLE(p);
    } else if (PyNumber_Check(p) != 0 && !py::isinstance<py::array>(other)) {
      b = PyFloat_AsDouble(p);
      if (b == -1.0 && PyErr_Occurred() != nullptr) {
        PyErr_Clear();
        return py::reinterpret_borrow<py::object>(Py_NotImplemented);
      }
    } else {
      return py::reinterpret_borrow<py::object>(Py_NotImplemented);
    }
    return py::cast(without_gil(a.numel(), [&] { return f(a, b); }));
  };
}

// Python's number slots of Tensor for + - * /. When both operands are exactly Tensors (the
// common case in a training loop) the slot computes directly, skipping the method lookup and
// pybind11's dispatch: `a + b` on small tensors is mostly call overhead. Any other pair goes to
// the bound methods, as Python's own slot would: x.__add__(y), then y.__radd__(x).
template <class Op>
struct NumberSlot {
  static PyObject* call(PyObject* x, PyObject* y) {
    if (Py_TYPE(x) != tensor_type() || Py_TYPE(y) != tensor_type()) return by_methods(x, y);
    try {
      const Tensor& a = tensor_of(x);
      const Tensor& b = tensor_of(y);
      Tensor result = without_gil(std::max(a.numel(), b.numel()), [&] { return Op{}(a, b); });
      return py::cast(std::move(result)).release().ptr();
    } catch (py::error_already_set& e) {
      e.restore();
    } catch (const std::exception& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());  // as pybind11 translates minitorch::Error
    }
    return nullptr;
  }

  static PyObject* by_methods(PyObject* x, PyObject* y) {
    static PyObject* const method = PyUnicode_InternFromString(Op::method);
    static PyObject* const reflected = PyUnicode_InternFromString(Op::reflected);
    if (PyObject_TypeCheck(x, tensor_type())) {
      PyObject* result = PyObject_CallMethodOneArg(x, method, y);
      if (result != Py_NotImplemented) return result;
      Py_DECREF(result);
    }
    if (PyObject_TypeCheck(y, tensor_type())) return PyObject_CallMethodOneArg(y, reflected, x);
    Py_RETURN_NOTIMPLEMENTED;
  }
};

struct AddOp {
  static constexpr const char* method = "__add__";
  static constexpr const char* reflected = "__radd__";
  Tensor operator()(const Tensor& a, const Tensor& b) const { return a + b; }
};
struct SubOp {
  static constexpr const char* method = "__sub__";
  static constexpr const char* reflected = "__rsub__";
  Tensor operator()(const Tensor& a, const Tensor& b) const { return a - b; }
};
struct MulOp {
  static constexpr const char* method = "__mul__";
  static constexpr const char* reflected = "__rmul__";
  Tensor operator()(const Tensor& a, const Tensor& b) const { return a * b; }
};
struct DivOp {
  static constexpr const char* method = "__truediv__";
  static constexpr const char* reflected = "__rtruediv__";
  Tensor operator()(const Tensor& a, const Tensor& b) const { return a / b; }
};

void install_number_slots(py::handle tensor_class) {
  auto* type = reinterpret_cast<PyTypeObject*>(tensor_class.ptr());
  PyNumberMethods* number = type->tp_as_number;
  number->nb_add = &NumberSlot<AddOp>::call;
  number->nb_subtract = &NumberSlot<SubOp>::call;
  number->nb_multiply = &NumberSlot<MulOp>::call;
  number->nb_true_divide = &NumberSlot<DivOp>::call;
  PyType_Modified(type);
}

}  // namespace

void bind_tensor(py::module_& m) {
  py::class_<Tensor> tensor(m, "Tensor");
  tensor
      .def(py::init([](const TensorData& v, py::handle back, py::handle name, py::handle backend,
                       bool requires_grad) {
             if (!back.is_none()) {
               throw py::type_error(
                   "Tensor(..., back=...): a history cannot be attached from "
                   "Python; expected back=None");
             }
             (void)name;
             return tensor_on(v, backend_from(backend), requires_grad);
           }),
           py::arg("v"), py::arg("back") = py::none(), py::arg("name") = py::none(),
           py::arg("backend") = py::none(), py::arg("requires_grad") = false)
      // ---- metadata
      .def_property_readonly("shape", [](const Tensor& t) { return to_tuple(t.shape()); })
      .def_property_readonly("size", &Tensor::numel)
      .def_property_readonly("dims", &Tensor::dim)
      .def("dim", &Tensor::dim)
      .def("numel", &Tensor::numel)
      .def_property_readonly("dtype", &Tensor::dtype)
      .def_property_readonly("strides", [](const Tensor& t) { return to_tuple(t.strides()); })
      .def_property_readonly("device", [](const Tensor& t) { return t.device().str(); })
      .def_property_readonly("_backend", &Tensor::backend, py::return_value_policy::reference)
      .def_property_readonly("_tensor", &Tensor::tensor_data)
      .def("is_contiguous", &Tensor::is_contiguous)
      // ---- values
      .def("item", &Tensor::item)
      .def("tolist", &Tensor::to_vector)
      .def("numpy", &numpy_view, "The values as a NumPy array sharing this tensor's memory.")
      .def("to_numpy", [](const Tensor& t) { return numpy_view(t.contiguous()); })
      .def("__getitem__", [](const Tensor& t,
                             py::handle key) { return t.get(checked_index(t.tensor_data(), key)); })
      .def("__setitem__", [](const Tensor& t, py::handle key,
                             double value) { t.set(checked_index(t.tensor_data(), key), value); })
      .def("__len__",
           [](const Tensor& t) {
             if (t.dim() == 0) throw py::type_error("len() of a 0-d tensor");
             return t.shape()[0];
           })
      .def("__repr__", &Tensor::to_string)
      .def("__float__", &Tensor::item)
      // ---- autograd
      .def_property("requires_grad", &Tensor::requires_grad,
                    [](const Tensor& t, bool on) { t.requires_grad_(on); })
      // Asking a computed tensor (which already requires grad) to require grad is a no-op, as
      // in PyTorch; only leaves can change the flag.
      .def(
          "requires_grad_",
          [](const Tensor& t, bool on) {
            if (!(on && t.requires_grad())) t.requires_grad_(on);
            return t;
          },
          py::arg("requires_grad") = true)
      .def_property(
          "grad", &grad_of,
          [](const Tensor& t, py::handle g) {
            if (!g.is_none()) {
              throw py::type_error("only grad = None can be assigned (it clears the gradient)");
            }
            t.zero_grad();
          })
      .def("zero_grad_", &Tensor::zero_grad)
      .def_property_readonly("is_leaf", &Tensor::is_leaf)
      .def_property_readonly("grad_fn",
                             [](const Tensor& t) -> py::object {
                               const std::string name = t.grad_fn_name();
                               if (name.empty()) return py::none();
                               return py::str(name);
                             })
      .def_property_readonly("unique_id", &Tensor::unique_id)
      .def("detach", &Tensor::detach)
      .def("is_constant", &Tensor::is_constant,
           "True when no gradient flows to or through this tensor.")
      .def_property_readonly("parents", &Tensor::parents)
      .def("backward", &backward, py::arg("grad_output") = py::none(),
           py::arg("retain_graph") = false)
      // ---- elementwise
      .def("neg", unary([](const Tensor& t) { return t.neg(); }))
      .def("inv", unary([](const Tensor& t) { return t.inv(); }))
      .def("log", unary([](const Tensor& t) { return t.log(); }))
      .def("exp", unary([](const Tensor& t) { return t.exp(); }))
      .def("sigmoid", unary([](const Tensor& t) { return t.sigmoid(); }))
      .def("relu", unary([](const Tensor& t) { return t.relu(); }))
      .def("tanh", unary([](const Tensor& t) { return t.tanh(); }))
      .def("sqrt", unary([](const Tensor& t) { return t.sqrt(); }))
      .def("contiguous", unary([](const Tensor& t) { return t.contiguous(); }))
      .def("clone", unary([](const Tensor& t) { return t.clone(); }))
      .def("pow", with_number([](const Tensor& t, double e) { return t.pow(e); }))
      .def("__pow__", with_number([](const Tensor& t, double e) { return t.pow(e); }))
      .def("is_close", binary([](const Tensor& a, const Tensor& b) { return a.is_close(b); }))
      .def("is_close",
           with_number([](const Tensor& a, double b) { return a.is_close(full_like(a, b)); }))
      .def("maximum", binary([](const Tensor& a, const Tensor& b) { return a.maximum(b); }))
      .def("__neg__", unary([](const Tensor& t) { return -t; }))
      .def("__add__", arithmetic([](const Tensor& a, const auto& b) { return a + b; }))
      .def("__radd__", arithmetic([](const Tensor& a, const auto& b) { return b + a; }))
      .def("__sub__", arithmetic([](const Tensor& a, const auto& b) { return a - b; }))
      .def("__rsub__", arithmetic([](const Tensor& a, const auto& b) { return b - a; }))
      .def("__mul__", arithmetic([](const Tensor& a, const auto& b) { return a * b; }))
      .def("__rmul__", arithmetic([](const Tensor& a, const auto& b) { return b * a; }))
      .def("__truediv__", arithmetic([](const Tensor& a, const auto& b) { return a / b; }))
      .def("__rtruediv__", arithmetic([](const Tensor& a, const auto& b) { return b / a; }))
      .def("__lt__", arithmetic([](const Tensor& a, const auto& b) { return a < b; }))
      .def("__gt__", arithmetic([](const Tensor& a, const auto& b) { return a > b; }))
      .def("__eq__", arithmetic([](const Tensor& a, const auto& b) { return a == b; }))
      .def("__ne__", arithmetic([](const Tensor& a, const auto& b) { return (a == b) == 0.0; }))
      .def("__matmul__", &matmul_without_gil, py::is_operator())
      .def("matmul", &matmul_without_gil)
      // ---- reductions (the course's shapes by default)
      .def("sum", &course_sum, py::arg("dim") = py::none(), py::arg("keepdim") = true)
      .def("mean", &course_mean, py::arg("dim") = py::none(), py::arg("keepdim") = true)
      .def("all", &course_all, py::arg("dim") = py::none(), py::arg("keepdim") = true)
      .def(
          "argmax",
          [](const Tensor& t, std::int64_t dim, bool keepdim) {
            ReleaseGilFor release(t.numel());
            return t.argmax(dim, keepdim);
          },
          py::arg("dim"), py::arg("keepdim") = false)
      // ---- shape
      .def("view",
           [](const Tensor& t, const py::args& shape) { return t.view(shape_from_args(shape)); })
      .def("reshape",
           [](const Tensor& t, const py::args& shape) {
             const Shape s = shape_from_args(shape);
             ReleaseGilFor release(t.numel());
             return t.reshape(s);
           })
      .def("permute",
           [](const Tensor& t, const py::args& order) { return t.permute(shape_from_args(order)); })
      // minitorch.tensor gives expand the course's meaning too (expand(other) for gradients).
      .def("_expand_to",
           [](const Tensor& t, const py::args& shape) { return t.expand(shape_from_args(shape)); })
      .def("transpose", &Tensor::transpose, py::arg("dim0"), py::arg("dim1"))
      .def("unsqueeze", &Tensor::unsqueeze, py::arg("dim"))
      .def("squeeze", &Tensor::squeeze, py::arg("dim"))
      .def("flatten", &Tensor::flatten)
      .def("narrow", &Tensor::narrow, py::arg("dim"), py::arg("start"), py::arg("length"))
      .def("to",
           [](const Tensor& t, py::handle target) -> Tensor {
             // Conversions and copies between devices touch every element.
             if (py::isinstance<Dtype>(target)) {
               const auto dtype = target.cast<Dtype>();
               ReleaseGilFor release(t.numel());
               return t.to(dtype);
             }
             if (py::isinstance<py::str>(target)) {
               const Device device = Device::parse(target.cast<std::string>());
               ReleaseGilFor release(t.numel());
               return t.to(device);
             }
             const Backend* backend = backend_from(target);
             ReleaseGilFor release(t.numel());
             return backend ? t.to(*backend) : t;
           })
      .def("float", unary([](const Tensor& t) { return t.to(kFloat32); }))
      .def("double", unary([](const Tensor& t) { return t.to(kFloat64); }))
      .def("cpu", unary([](const Tensor& t) { return t.cpu(); }))
      .def("to_",
           [](const Tensor& t, py::handle target) {
             if (py::isinstance<py::str>(target)) {
               t.to_(Device::parse(target.cast<std::string>()));
             } else if (const Backend* backend = backend_from(target)) {
               t.to_(*backend);
             }
           })
      // The course's zeros(shape=None): zeros of this dtype and backend.
      .def(
          "zeros",
          [](const Tensor& t, py::handle shape) {
            return zeros(shape.is_none() ? t.shape() : shape_from(shape), options_like(t));
          },
          py::arg("shape") = py::none());

  install_number_slots(tensor);

  // ---- creation
  m.def("from_numpy", &from_numpy, py::arg("array"), py::arg("backend") = py::none(),
        py::arg("requires_grad") = false,
        "A tensor sharing the NumPy array's memory (float32 or float64, no copy); the tensor "
        "keeps the array alive. With a GPU backend the values are copied to the device.");
  m.def(
      "tensor",
      [](py::handle data, py::handle backend, bool requires_grad, py::handle dtype) {
        return tensor_from(data, options(backend, dtype, requires_grad));
      },
      py::arg("ls"), py::arg("backend") = py::none(), py::arg("requires_grad") = false,
      py::arg("dtype") = py::none(),
      "A tensor from nested lists or tuples (or a NumPy array), copied.");
  const auto filled = [&m](const char* name, auto make) {
    m.def(
        name,
        [make](py::handle shape, py::handle backend, bool requires_grad, py::handle dtype) {
          return make(shape_from(shape), options(backend, dtype, requires_grad));
        },
        py::arg("shape"), py::arg("backend") = py::none(), py::arg("requires_grad") = false,
        py::arg("dtype") = py::none());
  };
  filled("zeros", [](const Shape& s, TensorOptions o) { return zeros(s, o); });
  filled("ones", [](const Shape& s, TensorOptions o) { return ones(s, o); });
  filled("rand", [](const Shape& s, TensorOptions o) { return rand(s, o); });
  filled("randn", [](const Shape& s, TensorOptions o) { return randn(s, o); });
  m.def(
      "full",
      [](py::handle shape, double value, py::handle backend, bool requires_grad, py::handle dtype) {
        return full(shape_from(shape), value, options(backend, dtype, requires_grad));
      },
      py::arg("shape"), py::arg("fill_value"), py::arg("backend") = py::none(),
      py::arg("requires_grad") = false, py::arg("dtype") = py::none());
  m.def(
      "arange",
      [](double start, py::handle end, double step, py::handle backend, py::handle dtype) {
        const TensorOptions o = options(backend, dtype, false);
        return end.is_none() ? arange(start, o) : arange(start, end.cast<double>(), step, o);
      },
      py::arg("start"), py::arg("end") = py::none(), py::arg("step") = 1.0,
      py::arg("backend") = py::none(), py::arg("dtype") = py::none());
  m.def(
      "sum_to_shape",
      [](const Tensor& t, py::handle shape) {
        const Shape target = shape_from(shape);  // reads Python objects: before the GIL goes
        ReleaseGilFor release(t.numel());
        return sum_to_shape(t, target);
      },
      py::arg("tensor"), py::arg("shape"),
      "A broadcast gradient summed back to `shape` (the inverse of broadcasting).");
  m.def("where", [](const Tensor& c, const Tensor& a, const Tensor& b) {
    ReleaseGilFor release(std::max({c.numel(), a.numel(), b.numel()}));
    return where(c, a, b);
  });
  m.def(
      "cat",
      [](const std::vector<Tensor>& ts, std::int64_t dim) {
        std::int64_t elements = 0;
        for (const Tensor& t : ts) elements += t.numel();
        ReleaseGilFor release(elements);
        return cat(ts, dim);
      },
      py::arg("tensors"), py::arg("dim") = 0);
}

}  // namespace minitorch::python
