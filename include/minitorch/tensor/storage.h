// Storage — a flat, 64-byte aligned buffer of one dtype, shared by every tensor that views it.
//   Requires: size >= 0.
//   Ensures:  data<T>() is valid for size elements while the storage lives; data<T>() with a T
//             other than the storage's dtype throws Error (a kernel/dtype mix-up, never silent).
//             The values are unspecified until written (fill_zero() zeroes them): most buffers
//             are kernel outputs, which write every element anyway.
// Buffers up to a few MiB come from a per-thread cache of freed buffers of the same size class,
// so the many small tensors of a training step cost no malloc / free.
#pragma once

#include <cstdint>
#include <memory>

#include "minitorch/tensor/dtype.h"

namespace minitorch {

class Storage {
 public:
  Storage(Dtype dtype, std::int64_t size);

  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void fill_zero();
  Dtype dtype() const { return dtype_; }
  std::int64_t size() const { return size_; }

  template <class T>
  T* data() const {
    check_dtype(dtype_of<T>());
    return static_cast<T*>(bytes_);
  }

 private:
  void check_dtype(Dtype requested) const;

  Dtype dtype_;
  std::int64_t size_;
  std::size_t capacity_;  // bytes actually allocated (a size class)
  void* bytes_;
};

}  // namespace minitorch
