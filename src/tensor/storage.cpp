#include "minitorch/tensor/storage.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace minitorch {

void Storage::Free::operator()(void* p) const {
  std::free(p);
}

Storage::Storage(Dtype dtype, std::int64_t size) : dtype_(dtype), size_(size) {
  if (size < 0) throw Error("Storage: negative size " + std::to_string(size));
  // Aligned to a cache line so vector kernels can use aligned loads on contiguous data.
  constexpr std::size_t kAlignment = 64;
  const std::size_t bytes = static_cast<std::size_t>(size) * dtype_size(dtype);
  const std::size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  void* p = std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded);
  if (p == nullptr) throw std::bad_alloc();
  std::memset(p, 0, rounded == 0 ? kAlignment : rounded);
  bytes_.reset(p);
}

void Storage::check_dtype(Dtype requested) const {
  if (requested != dtype_) {
    throw Error(std::string("Storage: requested ") + dtype_name(requested) + " data of a " +
                dtype_name(dtype_) + " buffer");
  }
}

}  // namespace minitorch
