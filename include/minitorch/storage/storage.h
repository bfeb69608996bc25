// Storage — a flat buffer of one dtype on one device, shared by every tensor that views it.
//   Requires: size >= 0 and size elements within the address space (Error otherwise); a CUDA
//             device that exists (Error naming the device and why it is
//             unavailable otherwise, also in a build without CUDA).
//   Ensures:  data<T>() is valid for size elements while the storage lives: a host pointer on
//             the CPU, a device pointer on a GPU (only kernels of that device's backend may
//             dereference it); data<T>() with a T other than the storage's dtype throws Error (a
//             kernel/dtype mix-up, never silent). The values are unspecified until written
//             (fill_zero() zeroes them): most buffers are kernel outputs, which write every
//             element anyway. get / set read and write one element from the host on any device
//             (on a GPU each is a transfer: for tests and printing, not for loops).
// Host buffers are 64-byte aligned; up to a few MiB they come from a per-thread cache of freed
// buffers of the same size class, so the many small tensors of a training step cost no malloc /
// free. GPU buffers come from a caching allocator (free lists per size class per device):
// destroying a storage returns its buffer to the cache, cuda_empty_cache() to the driver.
// A borrowed storage (Storage::borrow) wraps host memory someone else owns (a NumPy array, say)
// and hands it back through the owner's callback instead of the cache.
#pragma once

#include <cstdint>
#include <memory>

#include "minitorch/core/device.h"
#include "minitorch/storage/dtype.h"

namespace minitorch {

class Storage {
 public:
  Storage(Dtype dtype, std::int64_t size, Device device = kCPU);

  // Release(context) gives borrowed memory back to its owner; it must not throw.
  using Release = void (*)(void* context) noexcept;
  // Wraps `size` elements of `dtype` at host address `data`, owned by someone else.
  //   Requires: data is valid for reading and writing size elements, aligned for the dtype, until
  //             release(context) is called; size >= 0 (Error otherwise).
  //   Ensures:  data<T>() == data; release(context) is called exactly once, when the storage is
  //             destroyed (on whichever thread drops the last reference); nothing else frees data.
  //             When borrow throws, release is never called: data and context stay the caller's.
  static std::shared_ptr<Storage> borrow(Dtype dtype, std::int64_t size, void* data,
                                         Release release, void* context);

  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void fill_zero();
  Dtype dtype() const { return dtype_; }
  std::int64_t size() const { return size_; }
  Device device() const { return device_; }

  // One element, converted to / from double; position in [0, size) (Error otherwise).
  double get(std::int64_t position) const;
  void set(std::int64_t position, double value);

  // Copies count elements from src (starting at src_position) to dst (at dst_position), across
  // devices; both storages have one dtype and the ranges lie inside them (Error otherwise).
  static void copy(const Storage& src, std::int64_t src_position, Storage& dst,
                   std::int64_t dst_position, std::int64_t count);

  template <class T>
  T* data() const {
    check_dtype(dtype_of<T>());
    return static_cast<T*>(bytes_);
  }

 private:
  void check_dtype(Dtype requested) const;
  void check_position(std::int64_t position) const;

  Dtype dtype_;
  Device device_;
  std::int64_t size_;
  std::size_t capacity_;  // bytes actually allocated (a size class)
  void* bytes_;
  Release release_ = nullptr;  // set only for borrowed memory
  void* release_context_ = nullptr;
};

// CUDA at run time, for every layer (false in a build without CUDA, or without a device).
bool cuda_built();                // compiled with the CUDA backend (MINITORCH_WITH_CUDA)
int cuda_device_count();          // 0 without CUDA, driver or device
bool cuda_available();            // cuda_device_count() > 0
void cuda_empty_cache();          // every cached GPU buffer back to the driver
std::size_t cuda_cached_bytes();  // bytes held by the cache, not by storages
// Waits until every operation queued on `device` is done (for timing); nothing on the CPU.
void cuda_synchronize(Device device);

}  // namespace minitorch
