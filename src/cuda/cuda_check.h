// Private: checked CUDA runtime calls, the one stream per device, and a device guard.
// Compiled only when the CUDA backend is built (MINITORCH_WITH_CUDA).
//
//   MT_CUDA_CHECK(call)      throws Error("CUDA error at file:line: <message> (call)") unless
//                            call returns cudaSuccess
//   MT_CUDA_CHECK_LAUNCH()   the same for the launch just made (cudaGetLastError)
//   stream(device)           the stream every operation on that device runs on, created on first
//                            use; one stream per device keeps the caching allocator simple: a
//                            buffer freed by one kernel is reused by the next in stream order
//   DeviceGuard g(device)    makes `device` current until g goes out of scope
#pragma once

#include <cuda_runtime_api.h>

namespace minitorch::cuda {

[[noreturn]] void fail(cudaError_t error, const char* call, const char* file, int line);

inline void check(cudaError_t error, const char* call, const char* file, int line) {
  if (error != cudaSuccess) fail(error, call, file, line);
}

cudaStream_t stream(int device);

class DeviceGuard {
 public:
  explicit DeviceGuard(int device);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = 0;
  bool changed_ = false;
};

}  // namespace minitorch::cuda

#define MT_CUDA_CHECK(call) ::minitorch::cuda::check((call), #call, __FILE__, __LINE__)
#define MT_CUDA_CHECK_LAUNCH() MT_CUDA_CHECK(cudaGetLastError())
