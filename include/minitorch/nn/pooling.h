// Pooling and reshaping layers, as torch.nn's:
//   MaxPool2d(kernel, stride, padding)   functional::max_pool2d over [B, C, H, W] inputs
//   AvgPool2d(kernel, stride, padding)   functional::avg_pool2d (padding counted as zeros)
//   Flatten                              [B, ...] -> [B, rest]
// Each size is one number for both dimensions or a {height, width} pair; stride 0 (the default)
// means the kernel size.
//   Requires: positive kernel, stride >= 0, 0 <= padding <= kernel / 2 (Error otherwise, at
//             construction); inputs as the functional versions require.
// extra_repr() prints what PyTorch prints for the same arguments given as ints (a pair whose two
// sizes differ prints as a tuple).
#pragma once

#include <array>
#include <string>

#include "minitorch/nn/functional.h"
#include "minitorch/nn/module.h"

namespace minitorch::nn {

namespace detail {

using Pair = std::array<std::int64_t, 2>;

inline std::string pair_repr(Pair v) {
  if (v[0] == v[1]) return std::to_string(v[0]);
  return "(" + std::to_string(v[0]) + ", " + std::to_string(v[1]) + ")";
}

}  // namespace detail

class MaxPool2d : public Layer {
 public:
  explicit MaxPool2d(std::int64_t kernel, std::int64_t stride = 0, std::int64_t padding = 0)
      : MaxPool2d(detail::Pair{kernel, kernel}, {stride, stride}, {padding, padding}) {}
  MaxPool2d(detail::Pair kernel, detail::Pair stride = {0, 0}, detail::Pair padding = {0, 0})
      : window_(functional::pooling_window("MaxPool2d", kernel, stride, padding)) {}
  Tensor forward(const Tensor& x) override {
    return functional::max_pool2d(x, {window_.kh, window_.kw}, {window_.sh, window_.sw},
                                  {window_.ph, window_.pw});
  }
  std::string extra_repr() const override {
    return "kernel_size=" + detail::pair_repr({window_.kh, window_.kw}) +
           ", stride=" + detail::pair_repr({window_.sh, window_.sw}) +
           ", padding=" + detail::pair_repr({window_.ph, window_.pw}) +
           ", dilation=1, ceil_mode=False";
  }

 private:
  Window2d window_;
};

class AvgPool2d : public Layer {
 public:
  explicit AvgPool2d(std::int64_t kernel, std::int64_t stride = 0, std::int64_t padding = 0)
      : AvgPool2d(detail::Pair{kernel, kernel}, {stride, stride}, {padding, padding}) {}
  AvgPool2d(detail::Pair kernel, detail::Pair stride = {0, 0}, detail::Pair padding = {0, 0})
      : window_(functional::pooling_window("AvgPool2d", kernel, stride, padding)) {}
  Tensor forward(const Tensor& x) override {
    return functional::avg_pool2d(x, {window_.kh, window_.kw}, {window_.sh, window_.sw},
                                  {window_.ph, window_.pw});
  }
  std::string extra_repr() const override {
    return "kernel_size=" + detail::pair_repr({window_.kh, window_.kw}) +
           ", stride=" + detail::pair_repr({window_.sh, window_.sw}) +
           ", padding=" + detail::pair_repr({window_.ph, window_.pw});
  }

 private:
  Window2d window_;
};

class Flatten : public Layer {
 public:
  Tensor forward(const Tensor& x) override { return x.dim() <= 1 ? x : x.reshape({x.size(0), -1}); }
};

}  // namespace minitorch::nn
