#include "cuda/cuda_check.h"

#include <mutex>
#include <string>
#include <vector>

#include "minitorch/core/error.h"

namespace minitorch::cuda {

void fail(cudaError_t error, const char* call, const char* file, int line) {
  // Clears the sticky error of a failed launch so that later, unrelated calls can still succeed.
  cudaGetLastError();
  throw Error(std::string("CUDA error at ") + file + ":" + std::to_string(line) + ": " +
              cudaGetErrorString(error) + " (" + call + ")");
}

cudaStream_t stream(int device) {
  static std::mutex mutex;
  static std::vector<cudaStream_t> streams;
  const std::lock_guard lock(mutex);
  if (device >= static_cast<int>(streams.size())) streams.resize(device + 1, nullptr);
  if (streams[device] == nullptr) {
    const DeviceGuard guard(device);
    // Non-blocking: the legacy default stream, which other libraries may use, never waits on it.
    MT_CUDA_CHECK(cudaStreamCreateWithFlags(&streams[device], cudaStreamNonBlocking));
  }
  return streams[device];
}

DeviceGuard::DeviceGuard(int device) {
  MT_CUDA_CHECK(cudaGetDevice(&previous_));
  if (previous_ != device) {
    MT_CUDA_CHECK(cudaSetDevice(device));
    changed_ = true;
  }
}

DeviceGuard::~DeviceGuard() {
  if (changed_) cudaSetDevice(previous_);
}

}  // namespace minitorch::cuda
