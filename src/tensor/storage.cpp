#include "minitorch/tensor/storage.h"

#include <array>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

namespace minitorch {
namespace {

constexpr std::size_t kAlignment = 64;  // a cache line: vector kernels may use aligned loads
constexpr int kSmallestClass = 6;       // 64 bytes
constexpr int kLargestClass = 22;       // 4 MiB; larger buffers go straight to the allocator
constexpr std::size_t kMaxCachedBytes = std::size_t(64) << 20;

int size_class(std::size_t bytes) {
  const auto rounded =
      std::bit_ceil(std::max<std::size_t>(bytes, std::size_t(1) << kSmallestClass));
  return std::countr_zero(rounded);
}

// Freed buffers by size class, per thread: no locks, and a buffer is reused by the thread that
// frees it (in training that is the thread that allocates the next step's tensors).
class BufferCache;
// Trivially destructible, so it can still be read while thread-local objects are torn down: a
// storage destroyed after its thread's cache (a static tensor, say) frees its buffer directly.
thread_local bool cache_alive = false;

class BufferCache {
 public:
  BufferCache() { cache_alive = true; }
  ~BufferCache() {
    cache_alive = false;
    for (auto& list : free_) {
      for (void* p : list) std::free(p);
    }
  }

  void* take(int cls) {
    auto& list = free_[cls];
    if (list.empty()) return nullptr;
    void* p = list.back();
    list.pop_back();
    cached_ -= std::size_t(1) << cls;
    return p;
  }

  bool keep(int cls, void* p) {
    const std::size_t bytes = std::size_t(1) << cls;
    if (cached_ + bytes > kMaxCachedBytes) return false;
    free_[cls].push_back(p);
    cached_ += bytes;
    return true;
  }

 private:
  std::array<std::vector<void*>, kLargestClass + 1> free_;
  std::size_t cached_ = 0;
};

thread_local BufferCache cache;

void* allocate(std::size_t bytes, std::size_t& capacity) {
  const int cls = size_class(bytes);
  if (cls <= kLargestClass) {
    capacity = std::size_t(1) << cls;
    if (void* p = cache.take(cls)) return p;
  } else {
    capacity = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  }
  void* p = std::aligned_alloc(kAlignment, capacity);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void release(void* p, std::size_t capacity) {
  if (!cache_alive) {
    std::free(p);
    return;
  }
  const int cls = size_class(capacity);
  if (cls <= kLargestClass && (std::size_t(1) << cls) == capacity && cache.keep(cls, p)) return;
  std::free(p);
}

}  // namespace

Storage::Storage(Dtype dtype, std::int64_t size) : dtype_(dtype), size_(size), capacity_(0) {
  if (size < 0) throw Error("Storage: negative size " + std::to_string(size));
  bytes_ = allocate(static_cast<std::size_t>(size) * dtype_size(dtype), capacity_);
}

Storage::~Storage() {
  release(bytes_, capacity_);
}

void Storage::fill_zero() {
  std::memset(bytes_, 0, static_cast<std::size_t>(size_) * dtype_size(dtype_));
}

void Storage::check_dtype(Dtype requested) const {
  if (requested != dtype_) {
    throw Error(std::string("Storage: requested ") + dtype_name(requested) + " data of a " +
                dtype_name(dtype_) + " buffer");
  }
}

}  // namespace minitorch
