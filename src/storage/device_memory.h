// Private: device memory for Storage. The CUDA build implements it with a caching allocator
// (src/cuda/device_memory.cpp); a build without CUDA with stubs that report it missing
// (device_memory_none.cpp), so the storage layer never branches on the build.
#pragma once

#include <cstddef>

#include "minitorch/core/device.h"

namespace minitorch::device_memory {

// Requires a CUDA device: throws Error naming `device` and why it is unavailable otherwise.
void require(Device device);
// A buffer of at least `bytes` on the GPU `device`; `capacity` receives the bytes reserved.
void* allocate(Device device, std::size_t bytes, std::size_t& capacity);
// Gives a buffer from allocate() back to the cache (never to the driver: empty_cache does that).
void release(Device device, void* pointer, std::size_t capacity) noexcept;
void zero(Device device, void* pointer, std::size_t bytes);
// Copies bytes between any two devices; returns once the copy is complete when either side is the
// host, so the host buffer may be read or freed at once.
void copy(void* dst, Device dst_device, const void* src, Device src_device, std::size_t bytes);

}  // namespace minitorch::device_memory
