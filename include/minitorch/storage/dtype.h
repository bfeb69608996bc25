// Dtype — the element types of tensors: float32 (the default) and float64.
//
// dispatch_dtype(dtype, f) calls f.template operator()<T>() with T = float or double, so a kernel
// is written once as a template and chosen at run time by the tensor's dtype, in one place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "minitorch/core/error.h"

namespace minitorch {

enum class Dtype : std::uint8_t { Float32, Float64 };

inline constexpr Dtype kFloat32 = Dtype::Float32;
inline constexpr Dtype kFloat64 = Dtype::Float64;

inline const char* dtype_name(Dtype dtype) {
  return dtype == Dtype::Float32 ? "float32" : "float64";
}

inline std::size_t dtype_size(Dtype dtype) {
  return dtype == Dtype::Float32 ? 4 : 8;
}

template <class T>
constexpr Dtype dtype_of();
template <>
constexpr Dtype dtype_of<float>() {
  return Dtype::Float32;
}
template <>
constexpr Dtype dtype_of<double>() {
  return Dtype::Float64;
}

template <class F>
decltype(auto) dispatch_dtype(Dtype dtype, F&& f) {
  switch (dtype) {
    case Dtype::Float32:
      return f.template operator()<float>();
    case Dtype::Float64:
      return f.template operator()<double>();
  }
  throw Error("unknown dtype " + std::to_string(static_cast<int>(dtype)));
}

}  // namespace minitorch
