// Linear algebra: matmul, one backend primitive for every batch of matrices; its backward is
// two more matmuls.
#include "autodiff/record.h"
#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"
#include "minitorch/tensor/tensor.h"
#include "tensor/ops/op_entry.h"
#include "tensor/ops/support.h"

namespace minitorch {

// The family's shared helpers (support.h) and its table's types (op_entry.h).
using namespace ops;

// The family's table: one entry per operation of MINITORCH_LINALG_OPS, in its order.
[[maybe_unused]] constexpr std::array<ops::OpEntry, 1> kLinalgOps{{
    {TensorOp::matmul, OpKind::Primitive},
}};
static_assert(ops::lists_exactly(kLinalgOps, MINITORCH_FAMILY(MINITORCH_LINALG_OPS)),
              "every operation of MINITORCH_LINALG_OPS needs its entry here, in order");

namespace {

// True for a matrix (or batch of matrices) stored column by column: the transpose of a
// contiguous one.
bool transposed_layout(const Tensor& t) {
  const auto d = t.dim();
  if (d < 2 || t.size(-1) == 1 || t.size(-2) == 1) return false;
  return t.strides()[d - 2] == 1 && t.strides()[d - 1] == t.size(-2);
}

}  // namespace

Tensor Tensor::matmul(const Tensor& other) const {
  check_compatible(*this, other, "matmul");
  if (dim() == 0 || other.dim() == 0) {
    throw Error("matmul: both arguments need at least one dimension; got shapes " +
                shape_to_string(shape()) + " and " + shape_to_string(other.shape()));
  }
  // Vectors take part as a row (left) or a column (right) that is removed again, as in PyTorch;
  // vector · vector removes both and leaves the 0-D dot product.
  if (dim() == 1 && other.dim() == 1) {
    return unsqueeze(0).matmul(other.unsqueeze(-1)).squeeze(-1).squeeze(-1);
  }
  if (dim() == 1) return unsqueeze(0).matmul(other).squeeze(-2);
  if (other.dim() == 1) return matmul(other.unsqueeze(-1)).squeeze(-1);
  const std::int64_t n = shape()[dim() - 2];
  const std::int64_t k = shape()[dim() - 1];
  const std::int64_t m = other.shape()[other.dim() - 1];
  if (other.shape()[other.dim() - 2] != k) {
    throw Error("matmul: shapes " + shape_to_string(shape()) + " and " +
                shape_to_string(other.shape()) + " cannot be multiplied: " + std::to_string(k) +
                " != " + std::to_string(other.shape()[other.dim() - 2]) +
                "; expected the first's last dimension to equal the second's second to last");
  }
  const Shape a_batch(shape().begin(), shape().end() - 2);
  const Shape b_batch(other.shape().begin(), other.shape().end() - 2);
  Shape out_shape = broadcast_shapes(a_batch, b_batch);
  out_shape.push_back(n);
  out_shape.push_back(m);
  const Tensor out = empty(out_shape, dtype(), backend());
  backend().matmul(impl_->data, other.tensor_data(), out.tensor_data());
  const Tensor a = *this;
  const Tensor b = other;
  autodiff::record(out, "mm", {a, b}, [a, b](const Tensor& g) {
    // dA = G · Bᵀ and dB = Aᵀ · G, each computed in its input's layout: a transposed operand
    // (a weight used as Wᵀ) gets (Gᵀ · A)ᵀ, so its gradient arrives contiguous after the
    // transpose's own backward instead of needing a copy. No work for inputs without grad.
    std::vector<Tensor> grads(2);
    if (a.requires_grad()) {
      grads[0] = transposed_layout(a) ? b.matmul(g.transpose(-1, -2)).transpose(-1, -2)
                                      : g.matmul(b.transpose(-1, -2));
    }
    if (b.requires_grad()) {
      grads[1] = transposed_layout(b) ? g.transpose(-1, -2).matmul(a).transpose(-1, -2)
                                      : a.transpose(-1, -2).matmul(g);
    }
    return grads;
  });
  return out;
}

}  // namespace minitorch
