// The fast CPU backend's window kernels (internal): unfold, fold and 2-D pooling
// (fast_windows.cpp) and convolution (fast_conv.cpp), with the semantics Backend documents. Each
// walks one [H, W] plane of one (batch, channel) pair at a time (convolutions: a few images),
// planes split over the thread pool, rows written contiguously and vectorised for the processor at
// hand. Layouts the kernels do not take (non-contiguous outputs, fold's input, convolution weights
// and gradients) run the compositions of composed.h over the fast backend's own primitives.
#pragma once

#include "minitorch/backend/composed.h"
#include "minitorch/backend/op_table.h"
#include "minitorch/storage/tensor_data.h"
#include "minitorch/storage/window.h"

namespace minitorch::detail {

void fast_unfold(const TensorData& in, const Window2d& window, const TensorData& out);
void fast_fold(const TensorData& in, const Window2d& window, const TensorData& out);
void fast_pool2d(PoolOp op, const TensorData& in, const Window2d& window, const TensorData& out,
                 const TensorData& indices);
void fast_pool2d_backward(PoolOp op, const TensorData& d, const TensorData& indices,
                          const Window2d& window, const TensorData& dx);
void fast_conv2d(const TensorData& in, const TensorData& weight, const TensorData& bias,
                 const Window2d& window, const TensorData& out);
void fast_conv2d_backward_input(const TensorData& d, const TensorData& weight,
                                const Window2d& window, const TensorData& dx);
void fast_conv2d_backward_weight(const TensorData& in, const TensorData& d, const Window2d& window,
                                 const TensorData& dweight, const TensorData& dbias);

}  // namespace minitorch::detail
