// The CUDA backend: every primitive of backend.h as kernels on one NVIDIA GPU.
//
//   cuda_backend(i)   the backend of GPU i (one instance per device, created on first use).
//                     Requires a build with CUDA (MINITORCH_CUDA=AUTO with nvcc found, or ON) and
//                     a device i: throws Error naming cuda:i and why it is unavailable otherwise.
// Its tensors live in device memory (storage.h: caching allocator, one stream per device); every
// call is queued on the device's stream and returns before the GPU is done; reading values on the
// host (item, to_vector, get, printing) copies them back and waits. Elementwise kernels are the
// `operators` functors instantiated for the device, as on the CPU. Known differences from the
// reference backend: sums and products are accumulated in another order (float32 results agree to
// rounding); scatter_add_rows adds rows with atomics, so repeated indices sum in no fixed order.
// cuda_available() / cuda_device_count() (storage.h) ask at run time whether a GPU is there.
#pragma once

#include "minitorch/backend/backend.h"
#include "minitorch/storage/storage.h"

namespace minitorch {

const Backend& cuda_backend(int device = 0);

// The cudaStream_t (as void*) every operation on GPU `device` runs on: for timing with CUDA
// events and for other libraries' work in the same order. Requires cuda_backend(device) to work.
void* cuda_stream(int device = 0);

}  // namespace minitorch
