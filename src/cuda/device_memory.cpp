// Device memory on CUDA GPUs: a caching allocator over cudaMalloc.
//
// Freed buffers go to a free list per size class per device and are handed out again in stream
// order (every operation on a device runs on its one stream, cuda/cuda_check.h), so a training
// step's tensors cost no cudaMalloc / cudaFree after the first step. Size classes: powers of two
// from 512 bytes to 1 MiB, then multiples of 2 MiB (at most 2 MiB lost per large buffer).
#include <bit>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "cuda/cuda_check.h"
#include "minitorch/core/error.h"
#include "minitorch/storage/storage.h"
#include "storage/device_memory.h"

namespace minitorch {
namespace {

constexpr std::size_t kSmallest = 512;
constexpr std::size_t kLargestPowerOfTwo = std::size_t(1) << 20;
constexpr std::size_t kLargeGranule = std::size_t(2) << 20;

std::size_t size_class(std::size_t bytes) {
  if (bytes <= kLargestPowerOfTwo) return std::bit_ceil(std::max(bytes, kSmallest));
  return (bytes + kLargeGranule - 1) / kLargeGranule * kLargeGranule;
}

struct DeviceCache {
  std::unordered_map<std::size_t, std::vector<void*>> free;
  std::size_t cached_bytes = 0;
};

class Caches {
 public:
  // Never destroyed: storages of static tensors may be released during exit, after the runtime
  // itself may be gone, so cached buffers are left to the process's end.
  static Caches& instance() {
    static Caches* caches = new Caches();
    return *caches;
  }

  void* take(int device, std::size_t cls) {
    const std::lock_guard lock(mutex_);
    DeviceCache& cache = of(device);
    auto it = cache.free.find(cls);
    if (it == cache.free.end() || it->second.empty()) return nullptr;
    void* p = it->second.back();
    it->second.pop_back();
    cache.cached_bytes -= cls;
    return p;
  }

  void keep(int device, void* p, std::size_t cls) {
    const std::lock_guard lock(mutex_);
    DeviceCache& cache = of(device);
    cache.free[cls].push_back(p);
    cache.cached_bytes += cls;
  }

  // Hands every cached buffer back to the driver, after the device's queued work is done.
  void empty() {
    const std::lock_guard lock(mutex_);
    for (std::size_t device = 0; device < caches_.size(); ++device) {
      DeviceCache& cache = caches_[device];
      if (cache.cached_bytes == 0) continue;
      const cuda::DeviceGuard guard(static_cast<int>(device));
      MT_CUDA_CHECK(cudaStreamSynchronize(cuda::stream(static_cast<int>(device))));
      for (auto& [cls, list] : cache.free) {
        for (void* p : list) MT_CUDA_CHECK(cudaFree(p));
        list.clear();
      }
      cache.cached_bytes = 0;
    }
  }

  std::size_t cached_bytes() {
    const std::lock_guard lock(mutex_);
    std::size_t total = 0;
    for (const auto& cache : caches_) total += cache.cached_bytes;
    return total;
  }

 private:
  DeviceCache& of(int device) {
    if (device >= static_cast<int>(caches_.size())) caches_.resize(device + 1);
    return caches_[device];
  }

  std::mutex mutex_;
  std::vector<DeviceCache> caches_;
};

// The device count, or the reason there is none.
struct Devices {
  int count = 0;
  std::string why_none;
};

const Devices& devices() {
  static const Devices found = [] {
    Devices d;
    const cudaError_t error = cudaGetDeviceCount(&d.count);
    if (error != cudaSuccess) {
      cudaGetLastError();  // a missing driver must not poison later calls
      d.count = 0;
      d.why_none = cudaGetErrorString(error);
    } else if (d.count == 0) {
      d.why_none = "no CUDA device";
    }
    return d;
  }();
  return found;
}

}  // namespace

namespace device_memory {

void require(Device device) {
  const Devices& d = devices();
  if (device.is_cuda() && device.index() < d.count) return;
  if (d.count == 0) {
    throw Error(device.str() + " is not available: no CUDA device (" + d.why_none +
                "); expected a machine with an NVIDIA GPU and its driver");
  }
  throw Error(device.str() + " is not available: this machine has " + std::to_string(d.count) +
              " CUDA device(s); expected an index below " + std::to_string(d.count));
}

void* allocate(Device device, std::size_t bytes, std::size_t& capacity) {
  require(device);
  const std::size_t cls = size_class(bytes);
  capacity = cls;
  Caches& caches = Caches::instance();
  if (void* p = caches.take(device.index(), cls)) return p;
  const cuda::DeviceGuard guard(device.index());
  void* p = nullptr;
  cudaError_t error = cudaMalloc(&p, cls);
  if (error == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    caches.empty();  // cached buffers of other sizes may make room
    error = cudaMalloc(&p, cls);
  }
  if (error == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    throw Error("CUDA out of memory on " + device.str() + " allocating " + std::to_string(cls) +
                " bytes; expected a smaller model or batch");
  }
  MT_CUDA_CHECK(error);
  return p;
}

void release(Device device, void* pointer, std::size_t capacity) noexcept {
  try {
    Caches::instance().keep(device.index(), pointer, capacity);
  } catch (...) {
    // Only a failed std::vector growth lands here: losing one buffer beats terminating.
  }
}

void zero(Device device, void* pointer, std::size_t bytes) {
  const cuda::DeviceGuard guard(device.index());
  MT_CUDA_CHECK(cudaMemsetAsync(pointer, 0, bytes, cuda::stream(device.index())));
}

void copy(void* dst, Device dst_device, const void* src, Device src_device, std::size_t bytes) {
  if (bytes == 0) return;
  if (src_device.is_cuda() && dst_device.is_cuda() && src_device != dst_device) {
    // Between two GPUs: the source's queued writes first, then the copy on the destination's
    // stream.
    MT_CUDA_CHECK(cudaStreamSynchronize(cuda::stream(src_device.index())));
  }
  const int device = dst_device.is_cuda() ? dst_device.index() : src_device.index();
  const cuda::DeviceGuard guard(device);
  const cudaStream_t s = cuda::stream(device);
  MT_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDefault, s));
  if (src_device.is_cpu() || dst_device.is_cpu()) MT_CUDA_CHECK(cudaStreamSynchronize(s));
}

}  // namespace device_memory

bool cuda_built() {
  return true;
}
int cuda_device_count() {
  return devices().count;
}
bool cuda_available() {
  return devices().count > 0;
}
void cuda_empty_cache() {
  if (cuda_available()) Caches::instance().empty();
}
std::size_t cuda_cached_bytes() {
  return Caches::instance().cached_bytes();
}
void cuda_synchronize(Device device) {
  device_memory::require(device);
  const cuda::DeviceGuard guard(device.index());
  MT_CUDA_CHECK(cudaStreamSynchronize(cuda::stream(device.index())));
}

}  // namespace minitorch
