// Device memory in a build without CUDA: every request names the device and the missing build.
#include "minitorch/core/error.h"
#include "minitorch/storage/storage.h"
#include "storage/device_memory.h"

namespace minitorch {
namespace device_memory {

void require(Device device) {
  throw Error(device.str() +
              " is not available: minitorch was built without CUDA (MINITORCH_CUDA=OFF or no "
              "nvcc); expected a build configured with -DMINITORCH_CUDA=ON");
}

void* allocate(Device device, std::size_t, std::size_t&) {
  require(device);
  return nullptr;
}

void release(Device, void*, std::size_t) noexcept {}

void zero(Device device, void*, std::size_t) {
  require(device);
}

void copy(void*, Device dst_device, const void*, Device src_device, std::size_t) {
  require(dst_device.is_cuda() ? dst_device : src_device);
}

}  // namespace device_memory

bool cuda_built() {
  return false;
}
int cuda_device_count() {
  return 0;
}
bool cuda_available() {
  return false;
}
void cuda_empty_cache() {}
std::size_t cuda_cached_bytes() {
  return 0;
}
void cuda_synchronize(Device) {}

}  // namespace minitorch
