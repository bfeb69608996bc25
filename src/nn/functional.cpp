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

}  // namespace minitorch::nn::functional
