#include <string>

#include "bindings.h"

namespace minitorch::python {

namespace {

py::object& indexing_error_type() {
  static py::object* type = new py::object();  // leaked: lives as long as the interpreter
  return *type;
}

Dtype& default_dtype_slot() {
  static Dtype dtype = kFloat64;
  return dtype;
}

}  // namespace

py::handle indexing_error() {
  return indexing_error_type();
}

void set_indexing_error(py::object type) {
  indexing_error_type() = std::move(type);
}

void throw_indexing_error(const std::string& message) {
  PyErr_SetString(indexing_error().ptr(), message.c_str());
  throw py::error_already_set();
}

Shape shape_from(py::handle object) {
  if (py::isinstance<py::int_>(object)) return Shape{object.cast<std::int64_t>()};
  if (py::isinstance<py::sequence>(object) && !py::isinstance<py::str>(object)) {
    Shape shape;
    for (py::handle item : object) {
      if (!py::isinstance<py::int_>(item)) {
        throw py::type_error("a shape holds ints; got an element of type " +
                             std::string(py::str(item.get_type().attr("__name__"))));
      }
      shape.push_back(item.cast<std::int64_t>());
    }
    return shape;
  }
  throw py::type_error("expected a shape (an int or a sequence of ints); got " +
                       std::string(py::str(object.get_type().attr("__name__"))));
}

Shape shape_from_args(const py::args& args) {
  if (args.size() == 1 && !py::isinstance<py::int_>(args[0])) return shape_from(args[0]);
  return shape_from(args);
}

py::tuple to_tuple(const Shape& shape) {
  py::tuple out(shape.size());
  for (std::size_t i = 0; i < shape.size(); ++i) out[i] = py::int_(shape[i]);
  return out;
}

const Backend* backend_from(py::handle object) {
  if (object.is_none()) return nullptr;
  if (py::isinstance<Backend>(object)) return object.cast<const Backend*>();
  if (py::hasattr(object, "_c")) return backend_from(object.attr("_c"));
  throw py::type_error("expected a backend (minitorch.TensorBackend) or None; got " +
                       std::string(py::str(object.get_type().attr("__name__"))));
}

Dtype default_dtype() {
  return default_dtype_slot();
}

void set_default_dtype(Dtype dtype) {
  default_dtype_slot() = dtype;
}

Dtype dtype_from(py::handle object) {
  if (object.is_none()) return default_dtype();
  if (py::isinstance<Dtype>(object)) return object.cast<Dtype>();
  throw py::type_error("expected a dtype (minitorch.float32 or minitorch.float64); got " +
                       std::string(py::str(object.get_type().attr("__name__"))));
}

}  // namespace minitorch::python
