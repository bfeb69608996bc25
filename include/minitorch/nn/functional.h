// nn::functional — stateless network operations composed from tensor operations (so their
// gradients come from the autograd of the parts), with PyTorch's semantics.
//
//   softmax(x, dim), log_softmax(x, dim)   stable for any input: the maximum along dim is
//                                          subtracted first
//   dropout(x, p, training, generator)     zeroes each element with probability p and scales the
//                                          rest by 1 / (1 - p) (inverted dropout); identity when
//                                          not training or p = 0, all zeros when p = 1. Draws a
//                                          mask (uniform > p) and calls dropout_with_mask.
//   dropout_with_mask(x, mask, p)          dropout with a given mask of x's shape holding 1 (keep)
//                                          or 0 (drop): x · mask / (1 - p), all zeros when p = 1;
//                                          the mask gets no gradient. What dropout computes, with
//                                          the random draw taken out (tests, replaying a mask)
//   tile(x, kh, kw)                        MiniTorch's tile: [B, C, H, W] -> [B, C, H/kh, W/kw,
//                                          kh·kw], each pooling window along the last dimension
//   max_pool2d(x, kernel, stride, padding, dilation)
//   avg_pool2d(x, kernel, stride, padding) PyTorch's max_pool2d / avg_pool2d (floor mode): stride
//                                          {0, 0} (the default) means the kernel size; dilation
//                                          (max pooling only, as PyTorch) spaces the window's
//                                          elements; max pooling never selects padding and sends
//                                          the gradient to the first maximum of each window (ties:
//                                          one element, as PyTorch); average pooling divides by
//                                          kh·kw, padding counted as zeros (count_include_pad)
//   pooling_window(op, kernel, stride, padding, dilation)
//                                          the Window2d of those pooling arguments (stride {0, 0}:
//                                          the kernel size), checked by PyTorch's rules; errors
//                                          name `op`
//   conv2d(x, w, b, options)               PyTorch's conv2d (cross-correlation): x [B, C, H, W],
//                                          w [O, C, kh, kw], b [O] or undefined, stride /
//                                          padding / dilation per dimension -> [B, O, Hout, Wout];
//                                          the one entry to the backend's convolution primitive
//                                          (fast backend: w.view(O, -1) · unfold(x) by our GEMM,
//                                          a few images at a time, written in NCHW directly)
//   conv1d(x, w, b, options)               the same for x [B, C, L], w [O, C, k]
// Requires: dim in range; 0 <= p <= 1; for dropout_with_mask a mask of x's shape; for tile a 4-D
// input with H % kh == 0 and W % kw == 0; for pooling a 4-D input, a positive kernel and stride
// and dilation and 0 <= padding <= kernel / 2 (PyTorch's rule) with at least one window. Violations
// throw minitorch::Error naming the shapes and arguments.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>

#include "minitorch/core/generator.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::nn::functional {

Tensor softmax(const Tensor& x, std::int64_t dim);
Tensor log_softmax(const Tensor& x, std::int64_t dim);
Tensor dropout(const Tensor& x, double p, bool training, Generator* generator = nullptr);
Tensor dropout_with_mask(const Tensor& x, const Tensor& mask, double p);
Tensor tile(const Tensor& x, std::int64_t kh, std::int64_t kw);
Window2d pooling_window(const char* op, std::array<std::int64_t, 2> kernel,
                        std::array<std::int64_t, 2> stride, std::array<std::int64_t, 2> padding,
                        std::array<std::int64_t, 2> dilation = {1, 1});
Tensor avg_pool2d(const Tensor& x, std::array<std::int64_t, 2> kernel,
                  std::array<std::int64_t, 2> stride = {0, 0},
                  std::array<std::int64_t, 2> padding = {0, 0});
Tensor max_pool2d(const Tensor& x, std::array<std::int64_t, 2> kernel,
                  std::array<std::int64_t, 2> stride = {0, 0},
                  std::array<std::int64_t, 2> padding = {0, 0},
                  std::array<std::int64_t, 2> dilation = {1, 1});

// The functional forms' options (LibTorch's F::Conv2dFuncOptions); the layers' own are
// nn::Conv2dOptions / nn::Conv1dOptions (nn/conv.h).
struct Conv2dFuncOptions {
  std::array<std::int64_t, 2> stride{1, 1};
  std::array<std::int64_t, 2> padding{0, 0};
  std::array<std::int64_t, 2> dilation{1, 1};
};
struct Conv1dFuncOptions {
  std::int64_t stride = 1;
  std::int64_t padding = 0;
  std::int64_t dilation = 1;
};
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
              const Conv2dFuncOptions& options = {});
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
              const Conv1dFuncOptions& options = {});

// The functions above, declared once as an X-macro list: FunctionalOp, its `Count` and the names
// are generated from it, and the op harness picks each one's case by a switch without `default`
// (a function added here without its case fails the build).
// clang-format off
#define MINITORCH_FUNCTIONAL_OPS(X) \
  X(softmax) X(log_softmax) X(dropout) X(dropout_with_mask) X(tile) X(avg_pool2d) \
  X(max_pool2d) X(conv2d) X(conv1d)
// clang-format on

#define MINITORCH_ENUMERATOR(name) name,
enum class FunctionalOp : std::uint8_t { MINITORCH_FUNCTIONAL_OPS(MINITORCH_ENUMERATOR) Count };
#undef MINITORCH_ENUMERATOR
static_assert(static_cast<int>(FunctionalOp::Count) == 9, "functional operations changed");

#define MINITORCH_NAME(name) #name,
inline constexpr std::array<std::string_view, static_cast<std::size_t>(FunctionalOp::Count)>
    kFunctionalOps{MINITORCH_FUNCTIONAL_OPS(MINITORCH_NAME)};
#undef MINITORCH_NAME

}  // namespace minitorch::nn::functional
