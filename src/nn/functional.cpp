#include "minitorch/nn/functional.h"

#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"
#include "tensor/ops/windows.h"

namespace minitorch::nn::functional {
namespace {

// x - max(x, dim): the shift changes neither softmax nor its gradient, and keeps exp finite.
Tensor shifted(const Tensor& x, std::int64_t dim) {
  return x - x.max(dim, true).first.detach();
}

}  // namespace

Tensor softmax(const Tensor& x, std::int64_t dim) {
  const Tensor e = shifted(x, dim).exp();
  return e / e.sum(dim, true);
}

Tensor log_softmax(const Tensor& x, std::int64_t dim) {
  const Tensor z = shifted(x, dim);
  return z - z.exp().sum(dim, true).log();
}

void check_probability(double p, const char* op) {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw Error(std::string(op) + ": probability " + std::to_string(p) + " is not in [0, 1]");
  }
}

Tensor dropout_with_mask(const Tensor& x, const Tensor& mask, double p) {
  check_probability(p, "dropout_with_mask");
  if (mask.shape() != x.shape()) {
    throw Error("dropout_with_mask: mask of shape " + shape_to_string(mask.shape()) +
                " for input of shape " + shape_to_string(x.shape()) + "; expected equal shapes");
  }
  if (p == 1.0) return x * 0.0;  // nothing is kept, and 1 / (1 - p) would be infinite
  return x * mask.detach() * (1.0 / (1.0 - p));
}

Tensor dropout(const Tensor& x, double p, bool training, Generator* generator) {
  check_probability(p, "dropout");
  if (!training || p == 0.0) return x;
  if (p == 1.0) return x * 0.0;
  return dropout_with_mask(x, rand(x.shape(), options_like(x), generator) > p, p);
}

Tensor tile(const Tensor& x, std::int64_t kh, std::int64_t kw) {
  if (x.dim() != 4) {
    throw Error("tile: input of shape " + shape_to_string(x.shape()) +
                "; expected 4 dimensions [batch, channels, height, width]");
  }
  const std::int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  if (kh <= 0 || kw <= 0 || h % kh != 0 || w % kw != 0) {
    throw Error("tile: kernel " + std::to_string(kh) + "x" + std::to_string(kw) +
                " does not divide height and width " + std::to_string(h) + "x" + std::to_string(w));
  }
  return x.contiguous()
      .view({b, c, h / kh, kh, w / kw, kw})
      .permute({0, 1, 2, 4, 3, 5})
      .contiguous()
      .view({b, c, h / kh, w / kw, kh * kw});
}

Window2d pooling_window(const char* op, std::array<std::int64_t, 2> kernel,
                        std::array<std::int64_t, 2> stride, std::array<std::int64_t, 2> padding,
                        std::array<std::int64_t, 2> dilation) {
  auto pair = [](std::array<std::int64_t, 2> v) {
    return "(" + std::to_string(v[0]) + ", " + std::to_string(v[1]) + ")";
  };
  if (stride == std::array<std::int64_t, 2>{0, 0}) stride = kernel;
  if (kernel[0] < 1 || kernel[1] < 1 || stride[0] < 1 || stride[1] < 1) {
    throw Error(std::string(op) + ": kernel " + pair(kernel) + " and stride " + pair(stride) +
                "; expected positive sizes (stride {0, 0} means the kernel size)");
  }
  if (padding[0] < 0 || padding[1] < 0 || padding[0] > kernel[0] / 2 ||
      padding[1] > kernel[1] / 2) {
    throw Error(std::string(op) + ": padding " + pair(padding) + " for kernel " + pair(kernel) +
                "; expected padding >= 0 and at most half the kernel size");
  }
  if (dilation[0] < 1 || dilation[1] < 1) {
    throw Error(std::string(op) + ": dilation " + pair(dilation) + "; expected positive values");
  }
  return {kernel[0],  kernel[1],  stride[0],   stride[1],
          padding[0], padding[1], dilation[0], dilation[1]};
}

Tensor avg_pool2d(const Tensor& x, std::array<std::int64_t, 2> kernel,
                  std::array<std::int64_t, 2> stride, std::array<std::int64_t, 2> padding) {
  return ops::pool2d(x, PoolOp::Avg, pooling_window("avg_pool2d", kernel, stride, padding));
}

Tensor max_pool2d(const Tensor& x, std::array<std::int64_t, 2> kernel,
                  std::array<std::int64_t, 2> stride, std::array<std::int64_t, 2> padding,
                  std::array<std::int64_t, 2> dilation) {
  return ops::pool2d(x, PoolOp::Max,
                     pooling_window("max_pool2d", kernel, stride, padding, dilation));
}

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias,
              const Conv2dFuncOptions& options) {
  if (x.dim() != 4 || weight.dim() != 4 || weight.size(1) != x.size(1)) {
    throw Error("conv2d: input of shape " + shape_to_string(x.shape()) + " and weight of shape " +
                shape_to_string(weight.shape()) +
                "; expected [B, C, H, W] and [O, C, kh, kw] with the same C");
  }
  const Window2d window{weight.size(2),      weight.size(3),     options.stride[0],
                        options.stride[1],   options.padding[0], options.padding[1],
                        options.dilation[0], options.dilation[1]};
  return ops::conv2d(x, weight, bias, window);
}

Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias,
              const Conv1dFuncOptions& options) {
  if (x.dim() != 3 || weight.dim() != 3) {
    throw Error("conv1d: input of shape " + shape_to_string(x.shape()) + " and weight of shape " +
                shape_to_string(weight.shape()) + "; expected [B, C, L] and [O, C, k]");
  }
  const Tensor y = conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias,
                          {.stride = {1, options.stride},
                           .padding = {0, options.padding},
                           .dilation = {1, options.dilation}});
  return y.squeeze(2);
}

}  // namespace minitorch::nn::functional
