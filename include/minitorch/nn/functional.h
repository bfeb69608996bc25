// nn::functional — stateless network operations composed from tensor operations (so their
// gradients come from the autograd of the parts), with PyTorch's semantics.
//
//   softmax(x, dim), log_softmax(x, dim)   stable for any input: the maximum along dim is
//                                          subtracted first
//   dropout(x, p, training, generator)     zeroes each element with probability p and scales the
//                                          rest by 1 / (1 - p) (inverted dropout); identity when
//                                          not training or p = 0, all zeros when p = 1
//   tile(x, kh, kw)                        MiniTorch's tile: [B, C, H, W] -> [B, C, H/kh, W/kw,
//                                          kh·kw], each pooling window along the last dimension
//   avg_pool2d(x, k), max_pool2d(x, k)     non-overlapping windows (stride = kernel)
// Requires: dim in range; 0 <= p <= 1; 4-D input with H % kh == 0 and W % kw == 0 for the
// pooling functions. Violations throw minitorch::Error naming the shapes and arguments.
#pragma once

#include <array>
#include <string_view>
#include <utility>

#include "minitorch/core/generator.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::nn::functional {

Tensor softmax(const Tensor& x, std::int64_t dim);
Tensor log_softmax(const Tensor& x, std::int64_t dim);
Tensor dropout(const Tensor& x, double p, bool training, Generator* generator = nullptr);
Tensor tile(const Tensor& x, std::int64_t kh, std::int64_t kw);
Tensor avg_pool2d(const Tensor& x, std::array<std::int64_t, 2> kernel);
Tensor max_pool2d(const Tensor& x, std::array<std::int64_t, 2> kernel);

// The functions above, by name: the op harness has a case for each.
inline constexpr std::array<std::string_view, 6> kFunctionalOps{
    "softmax", "log_softmax", "dropout", "tile", "avg_pool2d", "max_pool2d"};

}  // namespace minitorch::nn::functional
