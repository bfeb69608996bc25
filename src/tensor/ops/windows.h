// The differentiable convolution and pooling operations over a Window2d (geometry:
// tensor/window.h). Private to the library: their public entry points are nn::functional's
// conv2d / conv1d / max_pool2d / avg_pool2d, which check PyTorch's argument rules and build the
// window; these take any window the backend primitives accept.
//   conv2d(x, weight, bias, w)
//                        PyTorch's conv2d (cross-correlation, zero padding): x [B, C, H, W],
//                        weight [O, C, kh, kw] (kh, kw as in w), bias [O] or undefined ->
//                        [B, O, out_h, out_w]. Differentiable in all three. One backend primitive
//                        (plus two for the backward), so a backend can convolve image by image
//                        with each image's columns in cache.
//   pool2d(x, op, w)     [B, C, H, W] -> [B, C, out_h, out_w]: each window's maximum (PoolOp::Max;
//                        padding never wins; the gradient goes to the window's first maximum only,
//                        PyTorch's choice for ties) or mean over kh·kw elements with padding
//                        counted as 0 (PoolOp::Avg, PyTorch's count_include_pad). Differentiable.
// Requires what tensor.h's sliding windows require: a 4-D input, a positive kernel, stride and
// dilation, padding >= 0 and at least one window position (Error naming what was wrong).
#pragma once

#include "minitorch/backend/op_table.h"
#include "minitorch/storage/window.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::ops {

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Window2d& window);
Tensor pool2d(const Tensor& x, PoolOp op, const Window2d& window);

}  // namespace minitorch::ops
