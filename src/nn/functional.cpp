#include "minitorch/nn/functional.h"

#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"

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

Tensor dropout(const Tensor& x, double p, bool training, Generator* generator) {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw Error("dropout: probability " + std::to_string(p) + " is not in [0, 1]");
  }
  if (!training || p == 0.0) return x;
  if (p == 1.0) return x * 0.0;
  const Tensor keep = rand(x.shape(), options_like(x), generator) > p;
  return x * keep * (1.0 / (1.0 - p));
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

Tensor avg_pool2d(const Tensor& x, std::array<std::int64_t, 2> kernel) {
  return tile(x, kernel[0], kernel[1]).mean(4);
}

Tensor max_pool2d(const Tensor& x, std::array<std::int64_t, 2> kernel) {
  return tile(x, kernel[0], kernel[1]).max(4).first;
}

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias,
              const Conv2dOptions& options) {
  if (x.dim() != 4 || weight.dim() != 4 || weight.size(1) != x.size(1)) {
    throw Error("conv2d: input of shape " + shape_to_string(x.shape()) + " and weight of shape " +
                shape_to_string(weight.shape()) +
                "; expected [B, C, H, W] and [O, C, kh, kw] with the same C");
  }
  const std::int64_t out_channels = weight.size(0);
  if (bias.defined() && bias.shape() != Shape{out_channels}) {
    throw Error("conv2d: bias of shape " + shape_to_string(bias.shape()) + "; expected [" +
                std::to_string(out_channels) + "]");
  }
  const Window2d window{weight.size(2),      weight.size(3),     options.stride[0],
                        options.stride[1],   options.padding[0], options.padding[1],
                        options.dilation[0], options.dilation[1]};
  const Tensor cols = im2col(x, window);  // [B, L, C·kh·kw]
  const std::int64_t batch = x.size(0), positions = cols.size(1);
  // One GEMM over every output position of the batch: [B·L, C·kh·kw] · [C·kh·kw, O].
  Tensor y =
      cols.view({batch * positions, -1}).matmul(weight.reshape({out_channels, -1}).transpose(0, 1));
  if (bias.defined()) y = y + bias;
  const std::int64_t span_h = window.dh * (window.kh - 1) + 1,
                     span_w = window.dw * (window.kw - 1) + 1;
  const std::int64_t out_h = (x.size(2) + 2 * window.ph - span_h) / window.sh + 1;
  const std::int64_t out_w = (x.size(3) + 2 * window.pw - span_w) / window.sw + 1;
  return y.view({batch, out_h, out_w, out_channels}).permute({0, 3, 1, 2}).contiguous();
}

Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias,
              const Conv1dOptions& options) {
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
