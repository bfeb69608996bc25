#include <cstdint>
#include <memory>
#include <string>

#include "bindings.h"
#include "minitorch/storage/storage.h"

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

// Python ints and anything that converts losslessly to one (NumPy integers: the course's index
// buffers are int32 arrays); not floats, not bools' cousins such as strings.
bool is_integer(py::handle object) {
  // Arrays have __index__ too, but only 0-d ones of integers convert.
  return PyIndex_Check(object.ptr()) != 0 && !py::isinstance<py::array>(object);
}

std::int64_t to_integer(py::handle object) {
  const Py_ssize_t value = PyNumber_AsSsize_t(object.ptr(), PyExc_OverflowError);
  if (value == -1 && PyErr_Occurred()) throw py::error_already_set();
  return static_cast<std::int64_t>(value);
}

Shape shape_from(py::handle object) {
  if (py::isinstance<py::array>(object)) return shape_from(object.attr("tolist")());
  if (is_integer(object)) return Shape{to_integer(object)};
  if (py::isinstance<py::sequence>(object) && !py::isinstance<py::str>(object)) {
    Shape shape;
    for (py::handle item : object) {
      if (!is_integer(item)) {
        throw py::type_error("a shape holds ints; got an element of type " +
                             std::string(py::str(item.get_type().attr("__name__"))));
      }
      shape.push_back(to_integer(item));
    }
    return shape;
  }
  throw py::type_error("expected a shape (an int or a sequence of ints); got " +
                       std::string(py::str(object.get_type().attr("__name__"))));
}

Shape shape_from_args(const py::args& args) {
  if (args.size() == 1 && !is_integer(args[0])) return shape_from(args[0]);
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

namespace {

// The array a borrowed storage keeps alive; released with the GIL held, from whichever thread
// drops the storage's last reference.
void release_array(void* context) noexcept {
  if (Py_IsInitialized() == 0) return;  // the interpreter is gone: nothing left to release
  py::gil_scoped_acquire gil;
  delete static_cast<py::object*>(context);
}

}  // namespace

std::shared_ptr<Storage> borrow_storage(const py::array& array, Dtype dtype, void* base,
                                        std::int64_t size) {
  auto* owner = new py::object(array);
  try {
    return Storage::borrow(dtype, size, base, &release_array, owner);
  } catch (...) {
    delete owner;
    throw;
  }
}

std::shared_ptr<Storage> shared_storage(py::handle values, Dtype dtype) {
  if (!py::isinstance<py::array>(values)) return nullptr;
  const auto array = py::reinterpret_borrow<py::array>(values);
  const bool same_dtype = dtype == kFloat64 ? array.dtype().is(py::dtype::of<double>())
                                            : array.dtype().is(py::dtype::of<float>());
  const auto item = static_cast<py::ssize_t>(dtype_size(dtype));
  const bool flat = array.ndim() == 1 && (array.size() <= 1 || array.strides(0) == item);
  const bool aligned = reinterpret_cast<std::uintptr_t>(array.data()) % dtype_size(dtype) == 0;
  if (!same_dtype || !flat || !aligned || !array.writeable()) return nullptr;
  return borrow_storage(array, dtype, const_cast<void*>(array.data()), array.size());
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
