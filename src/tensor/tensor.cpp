// Tensor: the handle, its autograd plumbing, and every differentiable operation (recording a
// node: autodiff/record.h).
#include "minitorch/tensor/tensor.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <numeric>

#include "autodiff/record.h"
#include "minitorch/autodiff/engine.h"
#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"

namespace minitorch {

namespace {

using detail::TensorImpl;

std::uint64_t next_tensor_id() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
}

void check_compatible(const Tensor& a, const Tensor& b, const char* op) {
  if (a.dtype() != b.dtype()) {
    throw Error(std::string(op) + ": dtypes " + dtype_name(a.dtype()) + " and " +
                dtype_name(b.dtype()) + " differ; expected equal dtypes (convert one with .to())");
  }
  if (a.device() != b.device()) {
    throw Error(std::string(op) + ": tensors on devices " + a.device().str() + " and " +
                b.device().str() + "; expected one device (move one with .to(" + a.device().str() +
                ") or .to(" + b.device().str() + "))");
  }
  if (&a.backend() != &b.backend()) {
    throw Error(std::string(op) + ": tensors on backends '" + a.backend().name() + "' and '" +
                b.backend().name() + "'; expected one backend");
  }
}

// An output tensor whose every element the kernel writes.
Tensor empty(Shape shape, Dtype dtype, const Backend& backend) {
  return Tensor(TensorData::uninitialized(std::move(shape), dtype, backend.device()), &backend);
}

Tensor empty_like(const Tensor& t) {
  return empty(t.shape(), t.dtype(), t.backend());
}

// A 0-dim constant with t's dtype and backend: how a plain double enters an expression.
Tensor scalar_like(const Tensor& t, double value) {
  return full({}, value, {.dtype = t.dtype(), .backend = &t.backend()});
}

Shape with_size_one_at(Shape shape, std::int64_t dim) {
  shape[dim] = 1;
  return shape;
}

}  // namespace

// ---- the handle ---------------------------------------------------------------------------------

Tensor::Tensor(TensorData data, const Backend* backend, bool requires_grad)
    : impl_(std::make_shared<TensorImpl>()) {
  if (!data.defined()) throw Error("Tensor: the tensor data is undefined");
  impl_->backend = backend != nullptr ? backend : &default_backend();
  if (data.device() != impl_->backend->device()) {
    throw Error("Tensor: data on " + data.device().str() + " given to backend '" +
                impl_->backend->name() + "', which runs on " + impl_->backend->device().str() +
                "; expected data on the backend's device (use Tensor::to(device))");
  }
  impl_->data = std::move(data);
  impl_->requires_grad = requires_grad;
  impl_->id = next_tensor_id();
}

const Shape& Tensor::shape() const {
  return impl_->data.shape();
}
std::int64_t Tensor::size(std::int64_t dim_) const {
  return shape()[normalize_dim(dim_, dim(), "size")];
}
std::int64_t Tensor::dim() const {
  return impl_->data.dim();
}
std::int64_t Tensor::numel() const {
  return impl_->data.numel();
}
Dtype Tensor::dtype() const {
  return impl_->data.dtype();
}
const Strides& Tensor::strides() const {
  return impl_->data.strides();
}
bool Tensor::is_contiguous() const {
  return impl_->data.is_contiguous();
}
const Backend& Tensor::backend() const {
  return *impl_->backend;
}
Device Tensor::device() const {
  return impl_->data.device();
}
const TensorData& Tensor::tensor_data() const {
  return impl_->data;
}

double Tensor::item() const {
  if (numel() != 1) {
    throw Error("item: the tensor of shape " + shape_to_string(shape()) + " has " +
                std::to_string(numel()) + " elements; expected exactly one");
  }
  return to_vector()[0];
}

std::vector<double> Tensor::to_vector() const {
  // Copying into a contiguous float64 tensor lets the backend do the gathering and conversion;
  // on another device the values then travel to the host in one transfer.
  const Tensor host = detach().to(kFloat64).contiguous().to(kCPU);
  const TensorData& out = host.tensor_data();
  const double* values = out.data<double>() + out.offset();
  return std::vector<double>(values, values + out.numel());
}

double Tensor::get(const Index& index) const {
  return impl_->data.get(index);
}
void Tensor::set(const Index& index, double value) const {
  impl_->data.set(index, value);
}

// ---- autograd -----------------------------------------------------------------------------------

bool Tensor::requires_grad() const {
  return impl_->requires_grad;
}

const Tensor& Tensor::requires_grad_(bool on) const {
  if (impl_->grad_fn) {
    throw Error("requires_grad_: the tensor was computed by " +
                TensorImpl::backward_name(impl_->grad_fn->op) +
                "; only leaves can change requires_grad (use detach())");
  }
  impl_->requires_grad = on;
  return *this;
}

Tensor Tensor::grad() const {
  return impl_->grad;
}
bool Tensor::has_grad() const {
  return impl_->grad.defined();
}
void Tensor::zero_grad() const {
  impl_->grad = Tensor();
}
bool Tensor::is_leaf() const {
  return impl_->grad_fn == nullptr;
}

Tensor Tensor::detach() const {
  return Tensor(impl_->data, impl_->backend);
}

void Tensor::set_data(const Tensor& values) const {
  check_compatible(*this, values, "set_data");
  if (!broadcasts_to(values.shape(), shape())) {
    throw Error("set_data: values of shape " + shape_to_string(values.shape()) +
                " do not broadcast to " + shape_to_string(shape()));
  }
  if (values.tensor_data().storage() == impl_->data.storage()) {
    // Reading and writing one storage in one pass could read already-written values.
    backend().copy(values.clone().detach().tensor_data(), impl_->data);
  } else {
    backend().copy(values.tensor_data(), impl_->data);
  }
}

void Tensor::backward(const Tensor& gradient, bool retain_graph) const {
  Tensor seed = gradient;
  if (!seed.defined()) {
    if (numel() != 1) {
      throw Error(
          "backward: a gradient can be created implicitly only for a one-element output; "
          "this tensor has shape " +
          shape_to_string(shape()) + ", so pass a gradient of that shape");
    }
    seed = ones_like(*this);
  } else {
    if (seed.shape() != shape()) {
      throw Error("backward: the gradient has shape " + shape_to_string(seed.shape()) +
                  "; expected the output's shape " + shape_to_string(shape()));
    }
    check_compatible(*this, seed, "backward");
    seed = seed.detach();
  }
  autodiff::backpropagate(*this, seed, retain_graph);
}

std::string Tensor::grad_fn_name() const {
  return impl_->grad_fn ? TensorImpl::backward_name(impl_->grad_fn->op) : std::string();
}

std::uint64_t Tensor::unique_id() const {
  return impl_->id;
}
bool Tensor::is_constant() const {
  return !impl_->requires_grad;
}

std::vector<Tensor> Tensor::parents() const {
  return impl_->grad_fn ? impl_->grad_fn->inputs : std::vector<Tensor>();
}

std::vector<std::pair<Tensor, Tensor>> Tensor::chain_rule(const Tensor& d) const {
  std::vector<std::pair<Tensor, Tensor>> out;
  const auto& fn = impl_->grad_fn;
  if (!fn) return out;
  if (!fn->backward) {
    throw Error("backward: trying to backward through the graph a second time (" +
                TensorImpl::backward_name(fn->op) +
                " already freed its saved values); pass retain_graph = true to the first "
                "backward if you need to call it twice");
  }
  autodiff::NoGradGuard no_grad;  // gradients themselves never record history
  const std::vector<Tensor> grads = fn->backward(d);
  for (std::size_t i = 0; i < fn->inputs.size(); ++i) {
    const Tensor& input = fn->inputs[i];
    if (i >= grads.size() || !grads[i].defined() || !input.requires_grad()) continue;
    out.emplace_back(input, sum_to_shape(grads[i], input.shape()));
  }
  return out;
}

void Tensor::accumulate_derivative(const Tensor& d) const {
  autodiff::NoGradGuard no_grad;
  if (impl_->grad.defined()) {
    impl_->grad = impl_->grad + d;
    return;
  }
  // The gradient must never alias another tensor's storage: a contiguous d that nothing else
  // refers to (the usual fresh result of a backward) is adopted, anything else copied.
  const bool unique = d.impl_.use_count() == 1 && d.tensor_data().storage().use_count() == 1;
  impl_->grad = unique && d.is_contiguous() && !d.requires_grad() ? d : d.clone().detach();
}

void Tensor::release_saved() const {
  if (impl_->grad_fn) impl_->grad_fn->backward = nullptr;
}

std::string Tensor::label() const {
  std::string text = shape_to_string(shape());
  if (is_leaf() && requires_grad()) text = "leaf " + text;
  return text;
}

// ---- elementwise --------------------------------------------------------------------------------

Tensor Tensor::unary(UnaryOp op) const {
  const Tensor out = empty_like(*this);
  backend().map(op, impl_->data, out.tensor_data());
  const Tensor x = *this;
  autodiff::record(out, minitorch::op_name(op), {x}, [op, x](const Tensor& g) {
    const Tensor dx = empty_like(g);
    x.backend().map_backward(op, x.tensor_data(), g.tensor_data(), dx.tensor_data());
    return std::vector<Tensor>{dx};
  });
  return out;
}

Tensor Tensor::binary(BinaryOp op, const Tensor& other) const {
  check_compatible(*this, other, minitorch::op_name(op));
  const Tensor out =
      empty(shape() == other.shape() ? shape() : broadcast_shapes(shape(), other.shape()), dtype(),
            backend());
  backend().zip(op, impl_->data, other.tensor_data(), out.tensor_data());
  const Tensor a = *this;
  const Tensor b = other;
  autodiff::record(out, minitorch::op_name(op), {a, b}, [op, a, b](const Tensor& g) {
    // ∂(a ± b) is ±1 whatever the operands: the gradient itself flows on, with no kernel and no
    // copy (gradients are never written in place, so sharing one is safe).
    if (op == BinaryOp::Add) return std::vector<Tensor>{g, g};
    if (op == BinaryOp::Sub) return std::vector<Tensor>{g, b.requires_grad() ? g.neg() : Tensor()};
    const Tensor da = empty_like(g);
    const Tensor db = empty_like(g);
    a.backend().zip_backward(op, a.tensor_data(), b.tensor_data(), g.tensor_data(),
                             da.tensor_data(), db.tensor_data());
    return std::vector<Tensor>{da, db};
  });
  return out;
}

Tensor Tensor::compare(BinaryOp op, const Tensor& other) const {
  check_compatible(*this, other, minitorch::op_name(op));
  const Tensor out = empty(broadcast_shapes(shape(), other.shape()), dtype(), backend());
  backend().zip(op, impl_->data, other.tensor_data(), out.tensor_data());
  return out;
}

Tensor Tensor::neg() const {
  return unary(UnaryOp::Neg);
}
Tensor Tensor::inv() const {
  return unary(UnaryOp::Inv);
}
Tensor Tensor::log() const {
  return unary(UnaryOp::Log);
}
Tensor Tensor::exp() const {
  return unary(UnaryOp::Exp);
}
Tensor Tensor::sigmoid() const {
  return unary(UnaryOp::Sigmoid);
}
Tensor Tensor::relu() const {
  return unary(UnaryOp::Relu);
}
Tensor Tensor::tanh() const {
  return unary(UnaryOp::Tanh);
}
Tensor Tensor::sqrt() const {
  return unary(UnaryOp::Sqrt);
}
Tensor Tensor::pow(double exponent) const {
  return binary(BinaryOp::Pow, scalar_like(*this, exponent));
}
Tensor Tensor::add(const Tensor& other) const {
  return binary(BinaryOp::Add, other);
}
Tensor Tensor::sub(const Tensor& other) const {
  return binary(BinaryOp::Sub, other);
}
Tensor Tensor::mul(const Tensor& other) const {
  return binary(BinaryOp::Mul, other);
}
Tensor Tensor::div(const Tensor& other) const {
  return binary(BinaryOp::Div, other);
}
Tensor Tensor::maximum(const Tensor& other) const {
  return binary(BinaryOp::Max, other);
}
Tensor Tensor::lt(const Tensor& other) const {
  return compare(BinaryOp::Lt, other);
}
Tensor Tensor::gt(const Tensor& other) const {
  return compare(BinaryOp::Gt, other);
}
Tensor Tensor::eq(const Tensor& other) const {
  return compare(BinaryOp::Eq, other);
}
Tensor Tensor::is_close(const Tensor& other) const {
  return compare(BinaryOp::IsClose, other);
}

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  check_compatible(condition, a, "where");
  check_compatible(a, b, "where");
  const Shape shape = broadcast_shapes(broadcast_shapes(condition.shape(), a.shape()), b.shape());
  const Tensor out = empty(shape, a.dtype(), a.backend());
  a.backend().where(condition.tensor_data(), a.tensor_data(), b.tensor_data(), out.tensor_data());
  const Tensor c = condition.detach();
  autodiff::record(out, "where", {condition, a, b}, [c](const Tensor& g) {
    const Tensor zero = zeros({}, options_like(g));
    return std::vector<Tensor>{Tensor(), where(c, g, zero), where(c, zero, g)};
  });
  return out;
}

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

// ---- matmul and conversion ----

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

void Tensor::to_(Device target) const {
  to_(backend_for(target));
}

void Tensor::to_(const Backend& target) const {
  if (impl_->grad_fn) {
    throw Error("to_: the tensor was computed by " + TensorImpl::backward_name(impl_->grad_fn->op) +
                "; only leaves move in place (use to(), which is differentiable)");
  }
  const Tensor moved = detach().to(target);
  impl_->data = moved.impl_->data;
  impl_->backend = &target;
  if (impl_->grad.defined()) impl_->grad = impl_->grad.to(target);
}

namespace {

std::string window_to_string(const Window2d& k) {
  auto pair = [](std::int64_t a, std::int64_t b) {
    return std::to_string(a) + "x" + std::to_string(b);
  };
  return "kernel " + pair(k.kh, k.kw) + ", stride " + pair(k.sh, k.sw) + ", padding " +
         pair(k.ph, k.pw) + ", dilation " + pair(k.dh, k.dw);
}

// Checks that `window` slides over an input of shape [B, C, H, W] with at least one position.
void check_window(const Shape& input, const Window2d& k, const std::string& op) {
  if (input.size() != 4) {
    throw Error(op + ": input of shape " + shape_to_string(input) +
                "; expected 4 dimensions [batch, channels, height, width]");
  }
  if (k.kh < 1 || k.kw < 1 || k.sh < 1 || k.sw < 1 || k.dh < 1 || k.dw < 1 || k.ph < 0 ||
      k.pw < 0) {
    throw Error(op + ": " + window_to_string(k) +
                "; expected a positive kernel, stride and dilation and padding >= 0");
  }
  const std::int64_t span_h = k.dh * (k.kh - 1) + 1, span_w = k.dw * (k.kw - 1) + 1;
  const std::int64_t h = input[2] + 2 * k.ph, w = input[3] + 2 * k.pw;
  if (h < span_h || w < span_w) {
    throw Error(op + ": a " + std::to_string(span_h) + "x" + std::to_string(span_w) +
                " window (kernel with dilation) does not fit the padded " + std::to_string(h) +
                "x" + std::to_string(w) + " input; expected at least one window position");
  }
}

}  // namespace

Tensor unfold(const Tensor& x, const Window2d& window) {
  check_window(x.shape(), window, "unfold");
  const Shape input_shape = x.shape();
  const std::int64_t positions = window.out_h(input_shape[2]) * window.out_w(input_shape[3]);
  const Tensor out = empty({input_shape[0], input_shape[1] * window.kh * window.kw, positions},
                           x.dtype(), x.backend());
  x.backend().unfold(x.tensor_data(), window, out.tensor_data());
  autodiff::record(out, "unfold", {x}, [input_shape, window](const Tensor& g) {
    return std::vector<Tensor>{fold(g, {input_shape[2], input_shape[3]}, window)};
  });
  return out;
}

Tensor fold(const Tensor& cols, std::array<std::int64_t, 2> output_size, const Window2d& window) {
  const std::int64_t kernel = window.kh * window.kw;
  if (cols.dim() != 3 || kernel < 1 || cols.size(1) % kernel != 0) {
    throw Error("fold: columns of shape " + shape_to_string(cols.shape()) + " for a " +
                std::to_string(window.kh) + "x" + std::to_string(window.kw) +
                " kernel; expected [batch, channels·kh·kw, positions]");
  }
  const Shape output_shape{cols.size(0), cols.size(1) / kernel, output_size[0], output_size[1]};
  check_window(output_shape, window, "fold");
  const std::int64_t positions = window.out_h(output_size[0]) * window.out_w(output_size[1]);
  if (cols.size(2) != positions) {
    throw Error("fold: columns of shape " + shape_to_string(cols.shape()) + " have " +
                std::to_string(cols.size(2)) + " positions; expected " + std::to_string(positions) +
                " for a " + std::to_string(output_size[0]) + "x" + std::to_string(output_size[1]) +
                " output with " + window_to_string(window));
  }
  const Tensor out = empty(output_shape, cols.dtype(), cols.backend());
  cols.backend().fold(cols.tensor_data(), window, out.tensor_data());
  autodiff::record(out, "fold", {cols},
                   [window](const Tensor& g) { return std::vector<Tensor>{unfold(g, window)}; });
  return out;
}

Tensor im2col(const Tensor& x, const Window2d& window) {
  return unfold(x, window).transpose(1, 2);
}

Tensor pool2d(const Tensor& x, PoolOp op, const Window2d& window) {
  check_window(x.shape(), window, minitorch::op_name(op));
  const Shape input_shape = x.shape();
  const Shape output_shape{input_shape[0], input_shape[1], window.out_h(input_shape[2]),
                           window.out_w(input_shape[3])};
  const Tensor out = empty(output_shape, x.dtype(), x.backend());
  // Max pooling remembers where each window's maximum was: its backward scatters to there.
  const Tensor indices = op == PoolOp::Max ? empty(output_shape, x.dtype(), x.backend()) : Tensor();
  const TensorData no_indices;
  x.backend().pool2d(op, x.tensor_data(), window, out.tensor_data(),
                     indices.defined() ? indices.tensor_data() : no_indices);
  autodiff::record(out, minitorch::op_name(op), {x},
                   [op, window, indices, input_shape](const Tensor& g) {
                     const Tensor dx = empty(input_shape, g.dtype(), g.backend());
                     const TensorData none;
                     g.backend().pool2d_backward(op, g.tensor_data(),
                                                 indices.defined() ? indices.tensor_data() : none,
                                                 window, dx.tensor_data());
                     return std::vector<Tensor>{dx};
                   });
  return out;
}

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Window2d& window) {
  check_compatible(x, weight, "conv2d");
  if (bias.defined()) check_compatible(x, bias, "conv2d");
  check_window(x.shape(), window, "conv2d");
  if (weight.dim() != 4 || weight.size(1) != x.size(1) || weight.size(2) != window.kh ||
      weight.size(3) != window.kw) {
    throw Error("conv2d: input of shape " + shape_to_string(x.shape()) + " and weight of shape " +
                shape_to_string(weight.shape()) + "; expected [B, C, H, W] and [O, C, " +
                std::to_string(window.kh) + ", " + std::to_string(window.kw) + "] with the same C");
  }
  const std::int64_t channels = weight.size(0);
  if (bias.defined() && bias.shape() != Shape{channels}) {
    throw Error("conv2d: bias of shape " + shape_to_string(bias.shape()) + "; expected [" +
                std::to_string(channels) + "]");
  }
  const Shape input_shape = x.shape();
  const Tensor out =
      empty({input_shape[0], channels, window.out_h(input_shape[2]), window.out_w(input_shape[3])},
            x.dtype(), x.backend());
  // Kernels read the weight as an [O, C·kh·kw] matrix: a strided weight is copied once here.
  const Tensor w = weight.detach().contiguous();
  const TensorData none;
  x.backend().conv2d(x.tensor_data(), w.tensor_data(), bias.defined() ? bias.tensor_data() : none,
                     window, out.tensor_data());
  const Tensor input = x;
  auto backward = [input, w, window, with_bias = bias.defined()](const Tensor& grad) {
    const Tensor g = grad.contiguous();
    const Backend& backend = g.backend();
    std::vector<Tensor> grads(with_bias ? 3 : 2);
    if (input.requires_grad()) {
      grads[0] = empty(input.shape(), g.dtype(), backend);
      backend.conv2d_backward_input(g.tensor_data(), w.tensor_data(), window,
                                    grads[0].tensor_data());
    }
    // The weight's and the bias's gradients come from one pass (whether or not both need it).
    grads[1] = empty(w.shape(), g.dtype(), backend);
    if (with_bias) grads[2] = empty({w.size(0)}, g.dtype(), backend);
    backend.conv2d_backward_weight(input.tensor_data(), g.tensor_data(), window,
                                   grads[1].tensor_data(),
                                   with_bias ? grads[2].tensor_data() : TensorData());
    return grads;
  };
  if (bias.defined()) {
    autodiff::record(out, "convolution", {x, weight, bias}, std::move(backward));
  } else {
    autodiff::record(out, "convolution", {x, weight}, std::move(backward));
  }
  return out;
}

Tensor embedding(const Tensor& weight, const Tensor& indices) {
  check_compatible(weight, indices, "embedding");
  if (weight.dim() != 2) {
    throw Error("embedding: weight of shape " + shape_to_string(weight.shape()) +
                "; expected [num_embeddings, embedding_dim]");
  }
  const std::int64_t rows = weight.size(0), width = weight.size(1);
  const Tensor flat = indices.detach().contiguous().reshape({-1});
  const auto values = flat.to_vector();
  for (std::size_t n = 0; n < values.size(); ++n) {
    if (values[n] != std::floor(values[n]) || values[n] < 0 || values[n] >= double(rows)) {
      throw Error("embedding: index " + std::to_string(values[n]) + " at position " +
                  std::to_string(n) + " is not a row of a table with " + std::to_string(rows) +
                  " rows");
    }
  }
  const auto count = static_cast<std::int64_t>(values.size());
  const Tensor gathered = empty({count, width}, weight.dtype(), weight.backend());
  weight.backend().gather_rows(weight.tensor_data(), flat.tensor_data(), gathered.tensor_data());
  Shape out_shape = indices.shape();
  out_shape.push_back(width);
  const Tensor out(gathered.tensor_data().view(out_shape), &weight.backend());
  const Shape table_shape = weight.shape();
  autodiff::record(out, "embedding", {weight}, [flat, table_shape, count, width](const Tensor& g) {
    const Tensor dw = zeros(table_shape, options_like(g));
    g.backend().scatter_add_rows(g.contiguous().reshape({count, width}).tensor_data(),
                                 flat.tensor_data(), dw.tensor_data());
    return std::vector<Tensor>{dw};
  });
  return out;
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

// ---- operators ----------------------------------------------------------------------------------

Tensor operator-(const Tensor& a) {
  return a.neg();
}
Tensor operator+(const Tensor& a, const Tensor& b) {
  return a.add(b);
}
Tensor operator-(const Tensor& a, const Tensor& b) {
  return a.sub(b);
}
Tensor operator*(const Tensor& a, const Tensor& b) {
  return a.mul(b);
}
Tensor operator/(const Tensor& a, const Tensor& b) {
  return a.div(b);
}
Tensor operator<(const Tensor& a, const Tensor& b) {
  return a.lt(b);
}
Tensor operator>(const Tensor& a, const Tensor& b) {
  return a.gt(b);
}
Tensor operator==(const Tensor& a, const Tensor& b) {
  return a.eq(b);
}

Tensor operator+(const Tensor& a, double b) {
  return a.add(scalar_like(a, b));
}
Tensor operator+(double a, const Tensor& b) {
  return scalar_like(b, a).add(b);
}
Tensor operator-(const Tensor& a, double b) {
  return a.sub(scalar_like(a, b));
}
Tensor operator-(double a, const Tensor& b) {
  return scalar_like(b, a).sub(b);
}
Tensor operator*(const Tensor& a, double b) {
  return a.mul(scalar_like(a, b));
}
Tensor operator*(double a, const Tensor& b) {
  return scalar_like(b, a).mul(b);
}
Tensor operator/(const Tensor& a, double b) {
  return a.div(scalar_like(a, b));
}
Tensor operator/(double a, const Tensor& b) {
  return scalar_like(b, a).div(b);
}
Tensor operator<(const Tensor& a, double b) {
  return a.lt(scalar_like(a, b));
}
Tensor operator>(const Tensor& a, double b) {
  return a.gt(scalar_like(a, b));
}
Tensor operator==(const Tensor& a, double b) {
  return a.eq(scalar_like(a, b));
}

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
