#include "minitorch/storage/storage.h"

#include <array>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "storage/device_memory.h"

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

// Host to host is a memcpy; any copy involving a GPU goes to the device memory module.
void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device,
                std::size_t bytes) {
  if (dst_device.is_cpu() && src_device.is_cpu()) {
    if (bytes > 0) std::memcpy(dst, src, bytes);
    return;
  }
  device_memory::copy(dst, dst_device, src, src_device, bytes);
}

}  // namespace

Storage::Storage(Dtype dtype, std::int64_t size, Device device)
    : dtype_(dtype), device_(device), size_(size), capacity_(0) {
  if (size < 0) throw Error("Storage: negative size " + std::to_string(size));
  // Beyond PTRDIFF_MAX bytes the count (or its rounding up to the alignment) would wrap around.
  const auto item = static_cast<std::int64_t>(dtype_size(dtype));
  if (size > PTRDIFF_MAX / item - std::int64_t(kAlignment)) {
    throw Error("Storage: " + std::to_string(size) + " elements of " + std::to_string(item) +
                " bytes exceed the address space");
  }
  const std::size_t bytes = static_cast<std::size_t>(size) * dtype_size(dtype);
  bytes_ = device.is_cpu() ? allocate(bytes, capacity_)
                           : device_memory::allocate(device, bytes, capacity_);
}

std::shared_ptr<Storage> Storage::borrow(Dtype dtype, std::int64_t size, void* data,
                                         Release give_back, void* context) {
  if (size < 0) throw Error("Storage::borrow: negative size " + std::to_string(size));
  // An empty buffer of our own first, so that the constructor stays the one place that sets up a
  // storage; its (cached, size-class) buffer goes straight back.
  auto storage = std::make_shared<Storage>(dtype, 0);
  release(storage->bytes_, storage->capacity_);
  storage->size_ = size;
  storage->capacity_ = 0;
  storage->bytes_ = data;
  storage->release_ = give_back;
  storage->release_context_ = context;
  return storage;
}

Storage::~Storage() {
  if (release_ != nullptr) {
    release_(release_context_);
  } else if (device_.is_cpu()) {
    release(bytes_, capacity_);
  } else {
    device_memory::release(device_, bytes_, capacity_);
  }
}

void Storage::fill_zero() {
  const std::size_t bytes = static_cast<std::size_t>(size_) * dtype_size(dtype_);
  if (device_.is_cpu()) {
    std::memset(bytes_, 0, bytes);
  } else {
    device_memory::zero(device_, bytes_, bytes);
  }
}

void Storage::check_position(std::int64_t position) const {
  if (position < 0 || position >= size_) {
    throw Error("Storage: position " + std::to_string(position) + " outside a buffer of " +
                std::to_string(size_) + " elements");
  }
}

double Storage::get(std::int64_t position) const {
  check_position(position);
  return dispatch_dtype(dtype_, [&]<class T>() {
    T value;
    copy_bytes(&value, kCPU, static_cast<const T*>(bytes_) + position, device_, sizeof(T));
    return static_cast<double>(value);
  });
}

void Storage::set(std::int64_t position, double value) {
  check_position(position);
  dispatch_dtype(dtype_, [&]<class T>() {
    const T converted = static_cast<T>(value);
    copy_bytes(static_cast<T*>(bytes_) + position, device_, &converted, kCPU, sizeof(T));
  });
}

void Storage::copy(const Storage& src, std::int64_t src_position, Storage& dst,
                   std::int64_t dst_position, std::int64_t count) {
  if (src.dtype_ != dst.dtype_) {
    throw Error(std::string("Storage::copy: ") + dtype_name(src.dtype_) + " to " +
                dtype_name(dst.dtype_) + "; expected one dtype");
  }
  if (count < 0 || src_position < 0 || dst_position < 0 || src_position + count > src.size_ ||
      dst_position + count > dst.size_) {
    throw Error("Storage::copy: " + std::to_string(count) + " elements from position " +
                std::to_string(src_position) + " of " + std::to_string(src.size_) + " to " +
                std::to_string(dst_position) + " of " + std::to_string(dst.size_) +
                "; expected ranges inside both buffers");
  }
  const std::size_t element = dtype_size(src.dtype_);
  copy_bytes(static_cast<char*>(dst.bytes_) + dst_position * element, dst.device_,
             static_cast<const char*>(src.bytes_) + src_position * element, src.device_,
             static_cast<std::size_t>(count) * element);
}

void Storage::check_dtype(Dtype requested) const {
  if (requested != dtype_) {
    throw Error(std::string("Storage: requested ") + dtype_name(requested) + " data of a " +
                dtype_name(dtype_) + " buffer");
  }
}

}  // namespace minitorch
