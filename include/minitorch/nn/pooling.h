// Pooling and reshaping layers, as torch.nn's:
//   MaxPool2d(options)   functional::max_pool2d over [B, C, H, W] inputs
//   AvgPool2d(options)   functional::avg_pool2d (padding counted as zeros)
//   Flatten              [B, ...] -> [B, rest]
// MaxPool2d(2) or MaxPool2d(MaxPool2dOptions(3).stride(2).padding(1)), as LibTorch; each size is
// one number for both dimensions or a {height, width} pair, and the stride defaults to the kernel
// size. PyTorch's other pooling options (dilation, ceil_mode, count_include_pad) keep their
// defaults, so the two kinds share one options type.
//   Requires: positive kernel and stride, 0 <= padding <= kernel / 2 (Error otherwise, at
//             construction); inputs as the functional versions require.
// extra_repr() prints what PyTorch prints for the same arguments given as ints (a pair whose two
// sizes differ prints as a tuple).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "minitorch/core/error.h"
#include "minitorch/nn/expanding_array.h"
#include "minitorch/nn/functional.h"
#include "minitorch/nn/module.h"

namespace minitorch::nn {

template <std::size_t D>
class PoolOptions {
 public:
  PoolOptions(ExpandingArray<D> kernel_size)  // NOLINT: implicit, as LibTorch's
      : kernel_size_(kernel_size), stride_(kernel_size) {}

  MINITORCH_ARG(ExpandingArray<D>, kernel_size);
  MINITORCH_ARG(ExpandingArray<D>, stride);
  MINITORCH_ARG(ExpandingArray<D>, padding) = 0;
};

using MaxPool2dOptions = PoolOptions<2>;
using AvgPool2dOptions = PoolOptions<2>;

namespace detail {

enum class Pooling { Max, Average };

inline std::string pair_repr(const ExpandingArray<2>& v) {
  if (v[0] == v[1]) return std::to_string(v[0]);
  return "(" + std::to_string(v[0]) + ", " + std::to_string(v[1]) + ")";
}

// The one pooling layer; MaxPool2d and AvgPool2d below are its two kinds, as classes of their own
// so that a printed model names them.
template <Pooling kind>
class Pool2d : public Layer {
 public:
  explicit Pool2d(PoolOptions<2> pool_options) : options(std::move(pool_options)) {
    const char* name = kind == Pooling::Max ? "MaxPool2d" : "AvgPool2d";
    if (options.stride()[0] <= 0 || options.stride()[1] <= 0) {
      throw Error(std::string(name) + ": stride = " + pair_repr(options.stride()) +
                  "; expected positive values");
    }
    // Checked by the functional version's rules (stride 0 would mean the kernel size there).
    (void)functional::pooling_window(name, *options.kernel_size(), *options.stride(),
                                     *options.padding());
  }
  explicit Pool2d(ExpandingArray<2> kernel_size) : Pool2d(PoolOptions<2>(kernel_size)) {}

  Tensor forward(const Tensor& x) override {
    return kind == Pooling::Max ? functional::max_pool2d(x, *options.kernel_size(),
                                                         *options.stride(), *options.padding())
                                : functional::avg_pool2d(x, *options.kernel_size(),
                                                         *options.stride(), *options.padding());
  }
  std::string extra_repr() const override {
    return "kernel_size=" + pair_repr(options.kernel_size()) +
           ", stride=" + pair_repr(options.stride()) + ", padding=" + pair_repr(options.padding()) +
           (kind == Pooling::Max ? ", dilation=1, ceil_mode=False" : "");
  }

  PoolOptions<2> options;
};

}  // namespace detail

class MaxPool2d : public detail::Pool2d<detail::Pooling::Max> {
 public:
  using Pool2d::Pool2d;
};

class AvgPool2d : public detail::Pool2d<detail::Pooling::Average> {
 public:
  using Pool2d::Pool2d;
};

class Flatten : public Layer {
 public:
  Tensor forward(const Tensor& x) override { return x.dim() <= 1 ? x : x.reshape({x.size(0), -1}); }
};

}  // namespace minitorch::nn
