// The Python bindings (the extension minitorch._C): names and conversions only — every
// computation is the C++ library's. One bind_* function per family of the API, each in its own
// file, all called by module.cpp; the pure-Python package python/minitorch gives them the
// course's module names.
//
// Errors: minitorch::Error becomes RuntimeError (pybind11's translation of std::runtime_error),
// out-of-range and malformed indices become minitorch.IndexingError (a RuntimeError, as in the
// course), wrong argument types TypeError; the message is always the C++ one.
// The GIL: an operation on at least kReleaseGilElements elements, and every backward pass, runs
// without the GIL, so Python threads can compute concurrently; tiny operations keep it, because
// releasing and taking it again costs more than they do.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <optional>
#include <string>

#include "minitorch/backend/backend.h"
#include "minitorch/storage/dtype.h"
#include "minitorch/storage/shape.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::python {

namespace py = pybind11;

void bind_operators(py::module_& m);    // operators, map / zipWith / reduce, central_difference
void bind_autodiff(py::module_& m);     // the engine over Python variables (Scalar)
void bind_backend(py::module_& m);      // Backend handles, dtypes, threads, CUDA queries
void bind_tensor_data(py::module_& m);  // TensorData, shape_broadcast, strides_from_shape
void bind_tensor(py::module_& m);       // Tensor and the functions that create tensors
void bind_nn(py::module_& m);           // functional ops, layers, optimizers, state dicts
void bind_layers(py::module_& m);       // nn layers (called by bind_nn)
void bind_optim(py::module_& m);        // optimizers (called by bind_nn)
void bind_io(py::module_& m);           // safetensors files and the models registry (bind_nn)
void bind_data(py::module_& m);         // Fashion-MNIST and the spam corpus (project scripts)

// minitorch.IndexingError, registered by module.cpp before any bind_* runs.
py::handle indexing_error();
void set_indexing_error(py::object type);
// Throws IndexingError with `message` (py::error_already_set, so pybind11 passes it through).
[[noreturn]] void throw_indexing_error(const std::string& message);

inline constexpr std::int64_t kReleaseGilElements = std::int64_t{1} << 14;

// Releases the GIL for its lifetime when the operation touches at least kReleaseGilElements.
class ReleaseGilFor {
 public:
  explicit ReleaseGilFor(std::int64_t elements) {
    if (elements >= kReleaseGilElements) release_.emplace();
  }

 private:
  std::optional<py::gil_scoped_release> release_;
};

// ---- conversions (conversions.cpp) --------------------------------------------------------------
// A shape from an int or a sequence of ints (TypeError otherwise).
Shape shape_from(py::handle object);
// A shape from f(2, 3) or f((2, 3)) / f([2, 3]).
Shape shape_from_args(const py::args& args);
py::tuple to_tuple(const Shape& shape);
// The course's index argument (an int for one dimension, or a sequence of ints) checked against
// the view's shape: IndexingError naming the index and the shape otherwise (bind_tensor_data.cpp).
Index checked_index(const TensorData& data, py::handle key);
// The whole storage as a 1-D NumPy array sharing its memory (CPU storage only).
py::array storage_array(const std::shared_ptr<Storage>& storage);
// A storage over a NumPy array's memory (no copy), keeping the array alive until the storage
// goes: `size` elements of `dtype` from `base`, which lies inside the array.
std::shared_ptr<Storage> borrow_storage(const py::array& array, Dtype dtype, void* base,
                                        std::int64_t size);
// The course's TensorData(ndarray, ...) shares the array: a borrowed storage when `values` is a
// writeable, aligned, 1-D contiguous array of `dtype`; nullptr otherwise (the caller copies).
std::shared_ptr<Storage> shared_storage(py::handle values, Dtype dtype);
// None: nullptr (the default); a _C.Backend; or an object with a `_c` attribute holding one (the
// package's TensorBackend). TypeError otherwise.
const Backend* backend_from(py::handle object);
// None: the package's default dtype (float64, as MiniTorch's storage); a _C.Dtype. TypeError
// otherwise.
Dtype dtype_from(py::handle object);
Dtype default_dtype();
void set_default_dtype(Dtype dtype);

}  // namespace minitorch::python
