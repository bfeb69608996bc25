// What the operation families (src/tensor/ops/*.cpp) share: operand checks and output allocation.
// Private to the library.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::ops {

// Requires equal dtypes, one device and one backend (Error naming both sides otherwise).
inline void check_compatible(const Tensor& a, const Tensor& b, const char* op) {
  if (a.dtype() != b.dtype()) {
    throw Error(std::string(op) + ": dtypes " + dtype_name(a.dtype()) + " and " +
                dtype_name(b.dtype()) + " differ; expected equal dtypes (convert one with .to())");
  }
  if (a.device() != b.device()) {
    throw Error(std::string(op) + ": tensors on devices " + a.device().str() + " and " +
                b.device().str() + "; expected one device (move one with .to(" + a.device().str() +
                ") or .to(" + b.device().str() + "))");
  }
  if (&a.backend() != &b.backend()) {
    throw Error(std::string(op) + ": tensors on backends '" + a.backend().name() + "' and '" +
                b.backend().name() + "'; expected one backend");
  }
}

// An output tensor whose every element the kernel writes.
inline Tensor empty(Shape shape, Dtype dtype, const Backend& backend) {
  return Tensor(TensorData::uninitialized(std::move(shape), dtype, backend.device()), &backend);
}

inline Tensor empty_like(const Tensor& t) {
  return empty(t.shape(), t.dtype(), t.backend());
}

// A 0-dim constant with t's dtype and backend: how a plain double enters an expression.
inline Tensor scalar_like(const Tensor& t, double value) {
  return full({}, value, {.dtype = t.dtype(), .backend = &t.backend()});
}

inline Shape with_size_one_at(Shape shape, std::int64_t dim) {
  shape[dim] = 1;
  return shape;
}

}  // namespace minitorch::ops
