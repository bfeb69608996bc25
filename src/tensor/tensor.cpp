// Tensor: the handle and its autograd plumbing. The operations live in src/tensor/ops/, one file
// per family.
#include "minitorch/tensor/tensor.h"

#include <atomic>

#include "autodiff/record.h"
#include "minitorch/autodiff/engine.h"
#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"
#include "tensor/ops/support.h"

namespace minitorch {

namespace {

using detail::TensorImpl;
using ops::check_compatible;

std::uint64_t next_tensor_id() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
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

std::uint64_t Tensor::register_post_accumulate_grad_hook(
    std::function<void(const Tensor&)> hook) const {
  if (!is_leaf() || !requires_grad()) {
    throw Error("register_post_accumulate_grad_hook: the tensor is not a leaf that requires grad" +
                (is_leaf() ? std::string() : " (it was computed by " + grad_fn_name() + ")") +
                "; expected a parameter or another leaf with requires_grad");
  }
  static std::atomic<std::uint64_t> next_id{1};
  const std::uint64_t id = next_id++;
  impl_->grad_ready_hooks.emplace_back(id, std::move(hook));
  return id;
}

void Tensor::remove_post_accumulate_grad_hook(std::uint64_t id) const {
  auto& hooks = impl_->grad_ready_hooks;
  const auto it = std::find_if(hooks.begin(), hooks.end(),
                               [id](const auto& entry) { return entry.first == id; });
  if (it == hooks.end()) {
    throw Error("remove_post_accumulate_grad_hook: no hook with id " + std::to_string(id) +
                " on this tensor; expected an id its register_post_accumulate_grad_hook returned");
  }
  hooks.erase(it);
}

void Tensor::gradient_ready() const {
  // A copy: a hook may remove itself or another.
  const auto hooks = impl_->grad_ready_hooks;
  for (const auto& [id, hook] : hooks) hook(*this);
}

void Tensor::release_saved() const {
  if (impl_->grad_fn) impl_->grad_fn->backward = nullptr;
}

std::string Tensor::label() const {
  std::string text = shape_to_string(shape());
  if (is_leaf() && requires_grad()) text = "leaf " + text;
  return text;
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

}  // namespace minitorch
