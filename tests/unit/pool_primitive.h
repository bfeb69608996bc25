// Pooling through the backend primitives Backend::pool2d / pool2d_backward, called directly
// (tests only). The public entry points (nn::functional's max_pool2d / avg_pool2d) take PyTorch's
// arguments, and PyTorch's avg_pool2d has no dilation, but the primitives accept any window: the
// backends are compared on such windows through these.
//   pool_primitive(x, op, w)                the output [B, C, out_h, out_w] on x's backend
//   pool_primitive_backward(x, op, w, g)    the gradient [B, C, H, W] for x given the output's
//                                           gradient g (of the output's shape)
// Neither records an autograd node. Requires a window that fits x (the tensor layer's checks are
// bypassed).
#pragma once

#include <utility>

#include "minitorch/backend/backend.h"
#include "minitorch/storage/window.h"
#include "minitorch/tensor/creation.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::testing {

inline Shape pooled_shape(const Tensor& x, const Window2d& k) {
  return {x.size(0), x.size(1), k.out_h(x.size(2)), k.out_w(x.size(3))};
}

// The output and, for max pooling, the positions of the maxima (undefined for average pooling).
inline std::pair<Tensor, Tensor> pool_primitive_with_indices(const Tensor& x, PoolOp op,
                                                             const Window2d& k) {
  const Tensor out = zeros(pooled_shape(x, k), options_like(x));
  const Tensor indices = op == PoolOp::Max ? zeros(out.shape(), options_like(x)) : Tensor();
  const TensorData none;
  x.backend().pool2d(op, x.tensor_data(), k, out.tensor_data(),
                     indices.defined() ? indices.tensor_data() : none);
  return {out, indices};
}

inline Tensor pool_primitive(const Tensor& x, PoolOp op, const Window2d& k) {
  return pool_primitive_with_indices(x, op, k).first;
}

inline Tensor pool_primitive_backward(const Tensor& x, PoolOp op, const Window2d& k,
                                      const Tensor& g) {
  const Tensor indices = pool_primitive_with_indices(x, op, k).second;
  const Tensor dx = zeros(x.shape(), options_like(x));
  const TensorData none;
  x.backend().pool2d_backward(op, g.tensor_data(), indices.defined() ? indices.tensor_data() : none,
                              k, dx.tensor_data());
  return dx;
}

}  // namespace minitorch::testing
