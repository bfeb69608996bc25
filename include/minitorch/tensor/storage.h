// Storage — a flat, 64-byte aligned, zero-initialised buffer of one dtype, shared by every tensor
// that views it.
//   Requires: size >= 0.
//   Ensures:  data<T>() is valid for size elements while the storage lives; data<T>() with a T
//             other than the storage's dtype throws Error (a kernel/dtype mix-up, never silent).
#pragma once

#include <cstdint>
#include <memory>

#include "minitorch/tensor/dtype.h"

namespace minitorch {

class Storage {
 public:
  Storage(Dtype dtype, std::int64_t size);

  Dtype dtype() const { return dtype_; }
  std::int64_t size() const { return size_; }

  template <class T>
  T* data() const {
    check_dtype(dtype_of<T>());
    return static_cast<T*>(bytes_.get());
  }

 private:
  struct Free {
    void operator()(void* p) const;
  };
  void check_dtype(Dtype requested) const;

  Dtype dtype_;
  std::int64_t size_;
  std::unique_ptr<void, Free> bytes_;
};

}  // namespace minitorch
