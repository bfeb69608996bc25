// Pooling and reshaping layers: MaxPool2d and AvgPool2d over non-overlapping k×k windows of
// [B, C, H, W] inputs (stride = kernel), and Flatten ([B, ...] -> [B, rest]), as torch.nn's.
#pragma once

#include <array>
#include <string>

#include "minitorch/nn/functional.h"
#include "minitorch/nn/module.h"

namespace minitorch::nn {

class MaxPool2d : public Layer {
 public:
  explicit MaxPool2d(std::int64_t kernel) : kernel_{kernel, kernel} {}
  Tensor forward(const Tensor& x) override { return functional::max_pool2d(x, kernel_); }
  std::string extra_repr() const override {
    return "kernel_size=" + std::to_string(kernel_[0]) + ", stride=" + std::to_string(kernel_[0]);
  }

 private:
  std::array<std::int64_t, 2> kernel_;
};

class AvgPool2d : public Layer {
 public:
  explicit AvgPool2d(std::int64_t kernel) : kernel_{kernel, kernel} {}
  Tensor forward(const Tensor& x) override { return functional::avg_pool2d(x, kernel_); }
  std::string extra_repr() const override {
    return "kernel_size=" + std::to_string(kernel_[0]) + ", stride=" + std::to_string(kernel_[0]);
  }

 private:
  std::array<std::int64_t, 2> kernel_;
};

class Flatten : public Layer {
 public:
  Tensor forward(const Tensor& x) override { return x.dim() <= 1 ? x : x.reshape({x.size(0), -1}); }
};

}  // namespace minitorch::nn
