// Views and shape: permute, transpose, view, reshape, expand, narrow, select, (un)squeeze share
// storage with their input; contiguous, clone, the conversions (to) and cat copy.
#include "autodiff/record.h"
#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"
#include "minitorch/tensor/tensor.h"
#include "tensor/ops/op_entry.h"
#include "tensor/ops/support.h"

namespace minitorch {

// The family's shared helpers (support.h) and its table's types (op_entry.h).
using namespace ops;

// The family's table: one entry per operation of MINITORCH_VIEW_OPS, in its order.
[[maybe_unused]] constexpr std::array<ops::OpEntry, 14> kViewsOps{{
    {TensorOp::permute, OpKind::View},
    {TensorOp::transpose, OpKind::View},
    {TensorOp::view, OpKind::View},
    {TensorOp::reshape, OpKind::Composite},
    {TensorOp::contiguous, OpKind::Composite},
    {TensorOp::expand, OpKind::View},
    {TensorOp::narrow, OpKind::View},
    {TensorOp::select, OpKind::View},
    {TensorOp::unsqueeze, OpKind::View},
    {TensorOp::squeeze, OpKind::View},
    {TensorOp::flatten, OpKind::Composite},
    {TensorOp::to, OpKind::Primitive},
    {TensorOp::clone, OpKind::Primitive},
    {TensorOp::cat, OpKind::Primitive},
}};
static_assert(ops::lists_exactly(kViewsOps, MINITORCH_FAMILY(MINITORCH_VIEW_OPS)),
              "every operation of MINITORCH_VIEW_OPS needs its entry here, in order");

// ---- shape --------------------------------------------------------------------------------------

namespace {

// A view of `input` with its own handle and the given backward.
template <class Backward>
Tensor view_of(const Tensor& input, TensorData data, const char* op, Backward&& backward) {
  const Tensor out(std::move(data), &input.backend());
  autodiff::record(out, op, {input}, std::forward<Backward>(backward));
  return out;
}

// A view whose gradient is the output's gradient reshaped back to the input's shape.
Tensor view_of(const Tensor& input, TensorData data, const char* op) {
  return view_of(input, std::move(data), op, [input_shape = input.shape()](const Tensor& g) {
    return std::vector<Tensor>{g.reshape(input_shape)};
  });
}

}  // namespace

Tensor Tensor::permute(const std::vector<std::int64_t>& order) const {
  TensorData data = impl_->data.permute(order);
  std::vector<std::int64_t> inverse(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    const auto d = order[k] < 0 ? order[k] + dim() : order[k];
    inverse[d] = static_cast<std::int64_t>(k);
  }
  return view_of(*this, std::move(data), "permute",
                 [inverse](const Tensor& g) { return std::vector<Tensor>{g.permute(inverse)}; });
}

Tensor Tensor::transpose(std::int64_t dim0, std::int64_t dim1) const {
  TensorData data = impl_->data.transpose(dim0, dim1);
  return view_of(*this, std::move(data), "transpose", [dim0, dim1](const Tensor& g) {
    return std::vector<Tensor>{g.transpose(dim0, dim1)};
  });
}

Tensor Tensor::view(const Shape& shape) const {
  return view_of(*this, impl_->data.view(shape), "view");
}

Tensor Tensor::reshape(const Shape& shape) const {
  const Shape resolved = infer_shape(shape, numel(), "reshape");
  if (resolved == this->shape()) return *this;
  return is_contiguous() ? view(resolved) : contiguous().view(resolved);
}

Tensor Tensor::contiguous() const {
  return is_contiguous() ? *this : clone();
}

Tensor Tensor::clone() const {
  const Tensor out = empty_like(*this);
  backend().copy(impl_->data, out.tensor_data());
  autodiff::record(out, "clone", {*this}, [](const Tensor& g) { return std::vector<Tensor>{g}; });
  return out;
}

Tensor Tensor::expand(const Shape& shape) const {
  // Summing the gradient back to the input's shape is chain_rule's job for every operation.
  return view_of(*this, impl_->data.expand(shape), "expand",
                 [](const Tensor& g) { return std::vector<Tensor>{g}; });
}

Tensor Tensor::narrow(std::int64_t dim_, std::int64_t start, std::int64_t length) const {
  TensorData data = impl_->data.narrow(dim_, start, length);
  const Shape input_shape = shape();
  const auto d = normalize_dim(dim_, dim(), "narrow");
  if (start < 0) start += input_shape[d];
  return view_of(*this, std::move(data), "narrow",
                 [input_shape, d, start, length](const Tensor& g) {
                   const Tensor dx = zeros(input_shape, options_like(g));
                   g.backend().copy(g.tensor_data(), dx.tensor_data().narrow(d, start, length));
                   return std::vector<Tensor>{dx};
                 });
}

Tensor Tensor::select(std::int64_t dim_, std::int64_t index) const {
  TensorData data = impl_->data.select(dim_, index);
  const Shape input_shape = shape();
  const auto d = normalize_dim(dim_, dim(), "select");
  if (index < 0) index += input_shape[d];
  return view_of(*this, std::move(data), "select", [input_shape, d, index](const Tensor& g) {
    const Tensor dx = zeros(input_shape, options_like(g));
    g.backend().copy(g.tensor_data(), dx.tensor_data().select(d, index));
    return std::vector<Tensor>{dx};
  });
}

Tensor Tensor::unsqueeze(std::int64_t d) const {
  return view_of(*this, impl_->data.unsqueeze(d), "unsqueeze");
}

Tensor Tensor::squeeze(std::int64_t d) const {
  return view_of(*this, impl_->data.squeeze(d), "squeeze");
}

// ---- conversions ----

Tensor Tensor::to(Dtype target) const {
  if (target == dtype()) return *this;
  const Tensor out = empty(shape(), target, backend());
  backend().copy(impl_->data, out.tensor_data());
  const Dtype source = dtype();
  autodiff::record(out, "to_copy", {*this},
                   [source](const Tensor& g) { return std::vector<Tensor>{g.to(source)}; });
  return out;
}

Tensor Tensor::to(Device target) const {
  if (target == device()) return *this;
  return to(backend_for(target));
}

Tensor Tensor::to(const Backend& target) const {
  if (&target == &backend()) return *this;
  // Views with gaps or repeats are made dense on their own device first; dense ones travel with
  // their strides (and share storage when the backend runs on the same device).
  const TensorData& data = impl_->data;
  const Tensor out((data.is_dense() ? data : contiguous().tensor_data()).moved_to(target.device()),
                   &target);
  const Backend* source = &backend();
  autodiff::record(out, "to_device", {*this},
                   [source](const Tensor& g) { return std::vector<Tensor>{g.to(*source)}; });
  return out;
}

// ---- concatenation ----

Tensor cat(const std::vector<Tensor>& tensors, std::int64_t dim) {
  if (tensors.empty()) throw Error("cat: expected at least one tensor");
  const Tensor& first = tensors.front();
  const auto d = normalize_dim(dim, first.dim(), "cat");
  Shape out_shape = first.shape();
  out_shape[d] = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    check_compatible(first, t, "cat");
    Shape expected = first.shape();
    expected[d] = t.dim() == first.dim() ? t.size(d) : 0;
    if (t.shape() != expected) {
      throw Error("cat: tensor " + std::to_string(i) + " has shape " + shape_to_string(t.shape()) +
                  "; expected " + shape_to_string(first.shape()) + " in every dimension but " +
                  std::to_string(d));
    }
    out_shape[d] += t.size(d);
  }
  const Tensor out = empty(out_shape, first.dtype(), first.backend());
  std::vector<std::int64_t> starts;
  std::int64_t start = 0;
  for (const Tensor& t : tensors) {
    starts.push_back(start);
    first.backend().copy(t.tensor_data(), out.tensor_data().narrow(d, start, t.size(d)));
    start += t.size(d);
  }
  std::vector<std::int64_t> lengths;
  for (const Tensor& t : tensors) lengths.push_back(t.size(d));
  autodiff::record(out, "cat", tensors, [d, starts, lengths](const Tensor& grad) {
    std::vector<Tensor> grads;
    for (std::size_t i = 0; i < starts.size(); ++i) {
      grads.push_back(grad.narrow(d, starts[i], lengths[i]).contiguous());
    }
    return grads;
  });
  return out;
}

}  // namespace minitorch
