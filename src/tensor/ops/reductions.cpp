// Reductions: sum, mean, max (with and without a dimension), argmax, and sum_to_shape, the
// reduction that undoes broadcasting in every backward.
#include "autodiff/record.h"
#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"
#include "minitorch/tensor/tensor.h"
#include "tensor/ops/op_entry.h"
#include "tensor/ops/support.h"

namespace minitorch {

// The family's shared helpers (support.h) and its table's types (op_entry.h).
using namespace ops;

// The family's table: one entry per operation of MINITORCH_REDUCTION_OPS, in its order.
[[maybe_unused]] constexpr std::array<ops::OpEntry, 7> kReductionsOps{{
    {TensorOp::sum, OpKind::Primitive},
    {TensorOp::sum_all, OpKind::Composite},
    {TensorOp::mean, OpKind::Composite},
    {TensorOp::mean_all, OpKind::Composite},
    {TensorOp::max, OpKind::Primitive},
    {TensorOp::max_all, OpKind::Composite},
    {TensorOp::argmax, OpKind::Composite},
}};
static_assert(ops::lists_exactly(kReductionsOps, MINITORCH_FAMILY(MINITORCH_REDUCTION_OPS)),
              "every operation of MINITORCH_REDUCTION_OPS needs its entry here, in order");

// ---- reductions ---------------------------------------------------------------------------------

Tensor Tensor::reduce_keepdim(ReduceOp op, std::int64_t d) const {
  const Tensor out = empty(with_size_one_at(shape(), d), dtype(), backend());
  backend().reduce(op, impl_->data, d, out.tensor_data());
  return out;
}

Tensor Tensor::sum(std::int64_t dim_, bool keepdim) const {
  if (dim() == 0) {
    normalize_dim(dim_, 0, "sum");
    return clone();
  }
  const auto d = normalize_dim(dim_, this->dim(), "sum");
  const Tensor reduced = reduce_keepdim(ReduceOp::Sum, d);
  const Tensor out = keepdim ? reduced : Tensor(reduced.tensor_data().squeeze(d), &backend());
  const Shape input_shape = shape();
  const Shape kept_shape = reduced.shape();
  autodiff::record(out, "sum", {*this}, [input_shape, kept_shape](const Tensor& g) {
    return std::vector<Tensor>{g.reshape(kept_shape).expand(input_shape)};
  });
  return out;
}

Tensor Tensor::sum() const {
  return reshape({-1}).sum(0);
}

Tensor Tensor::mean() const {
  return sum() / static_cast<double>(std::max<std::int64_t>(numel(), 1));
}

Tensor Tensor::mean(std::int64_t dim_, bool keepdim) const {
  const double count = dim() == 0 ? 1.0 : static_cast<double>(size(dim_));
  return sum(dim_, keepdim) / count;
}

std::pair<Tensor, Tensor> Tensor::max(std::int64_t dim_, bool keepdim) const {
  if (dim() == 0) {
    normalize_dim(dim_, 0, "max");
    return {clone(), zeros({}, options_like(*this))};
  }
  const auto d = normalize_dim(dim_, this->dim(), "max");
  const Tensor reduced = reduce_keepdim(ReduceOp::Max, d);
  const Tensor kept_indices = empty(reduced.shape(), dtype(), backend());
  backend().argmax(impl_->data, d, kept_indices.tensor_data());
  const Tensor values = keepdim ? reduced : Tensor(reduced.tensor_data().squeeze(d), &backend());
  const Tensor indices =
      keepdim ? kept_indices : Tensor(kept_indices.tensor_data().squeeze(d), &backend());
  const Shape input_shape = shape();
  autodiff::record(values, "max", {*this}, [input_shape, kept_indices, d](const Tensor& g) {
    // The gradient goes to the position of the maximum: a one-hot mask along dim.
    Shape along(input_shape.size(), 1);
    along[d] = input_shape[d];
    const Tensor positions = arange(double(input_shape[d]), options_like(g)).view(along);
    return std::vector<Tensor>{positions.eq(kept_indices) * g.reshape(kept_indices.shape())};
  });
  return {values, indices};
}

Tensor Tensor::max() const {
  if (numel() == 0) throw Error("max: the tensor is empty; expected at least one element");
  // torch.max(x) shares the gradient evenly among all elements equal to the maximum (unlike
  // max(dim), which picks the first); matching it keeps gradients of tied inputs identical to
  // PyTorch's, which the differential test compares exactly.
  const Tensor out = detach().reshape({-1}).max(0).first;
  autodiff::record(out, "max", {*this}, [input = detach(), value = out.detach()](const Tensor& g) {
    const Tensor ties = input.eq(value);
    return std::vector<Tensor>{ties * (g / ties.sum())};
  });
  return out;
}

Tensor Tensor::argmax(std::int64_t dim_, bool keepdim) const {
  autodiff::NoGradGuard no_grad;
  return max(dim_, keepdim).second;
}

Tensor sum_to_shape(const Tensor& tensor, const Shape& shape) {
  if (tensor.shape() == shape) return tensor;
  if (!broadcasts_to(shape, tensor.shape())) {
    throw Error("sum_to_shape: " + shape_to_string(tensor.shape()) + " is not a broadcast of " +
                shape_to_string(shape));
  }
  const std::int64_t extra = tensor.dim() - static_cast<std::int64_t>(shape.size());
  Tensor out = tensor;
  for (std::int64_t k = 0; k < tensor.dim(); ++k) {
    const bool broadcast = k < extra || (shape[k - extra] == 1 && tensor.shape()[k] != 1);
    if (broadcast) out = out.sum(k, /*keepdim=*/true);
  }
  return out.reshape(shape);
}

}  // namespace minitorch
