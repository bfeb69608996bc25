// Portability macros shared by every layer.
//
// MT_HOST_DEVICE marks functions that must compile for the host and, when the translation unit is
// compiled by nvcc, for the GPU too. Scalar operator functors carry it so that every backend
// instantiates the same source instead of rewriting each operation.
#pragma once

#if defined(__CUDACC__)
#define MT_HOST_DEVICE __host__ __device__
#else
#define MT_HOST_DEVICE
#endif
