// Recording a graph node: what every differentiable operation does after computing its output.
//
// Private to the library (not installed). Any source file that defines an operation includes this
// header and calls record(out, "name", {inputs...}, backward): the operation then lives in the file
// of its family, next to its backward, instead of in the file that defines the tensor handle.
//
//   record(out, op, inputs, backward)   when grad mode is on and some input requires grad, gives
//                                       `out` a node: `op` (a string literal, spelled as PyTorch's
//                                       grad_fn names it: "mul" is MulBackward0), the inputs and
//                                       backward(grad) -> one gradient per input, at the output's
//                                       shape or the input's (chain_rule sums broadcast dimensions
//                                       away), undefined where none flows. Otherwise does nothing
//                                       and allocates nothing (inference, optimizer steps).
// Requires: `out` freshly made by the operation (it must not have a node yet).
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch {

// One recorded operation: its inputs and how to map the output's gradient to theirs.
struct GradFn {
  using Backward = std::function<std::vector<Tensor>(const Tensor& grad)>;
  const char* op;  // "mul": grad_fn_name() spells it MulBackward0 when asked
  std::vector<Tensor> inputs;
  Backward backward;  // empty once the graph was freed
};

namespace detail {

struct TensorImpl {
  TensorData data;
  const Backend* backend = nullptr;
  bool requires_grad = false;
  Tensor grad;
  std::shared_ptr<GradFn> grad_fn;
  std::uint64_t id = 0;
  // Leaves only: register_post_accumulate_grad_hook's hooks, by id.
  std::vector<std::pair<std::uint64_t, std::function<void(const Tensor&)>>> grad_ready_hooks;

  // The inputs and the backward closure become a heap-allocated GradFn only when history is
  // recorded.
  template <class Inputs, class Backward>
  static void record_inputs(const Tensor& out, const char* op, const Inputs& inputs,
                            Backward&& backward) {
    if (!autodiff::GradMode::is_enabled()) return;
    const bool any = std::any_of(inputs.begin(), inputs.end(),
                                 [](const Tensor& t) { return t.defined() && t.requires_grad(); });
    if (!any) return;
    out.impl_->requires_grad = true;
    out.impl_->grad_fn =
        std::make_shared<GradFn>(GradFn{op, std::vector<Tensor>(inputs.begin(), inputs.end()),
                                        GradFn::Backward(std::forward<Backward>(backward))});
  }

  // "mul" -> "MulBackward0", PyTorch's naming of grad_fn.
  static std::string backward_name(std::string_view op) {
    std::string out;
    bool upper = true;
    for (char c : op) {
      if (c == '_') {
        upper = true;
        continue;
      }
      out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    }
    return out + "Backward0";
  }
};

}  // namespace detail

namespace autodiff {

template <class Backward>
void record(const Tensor& out, const char* op, std::initializer_list<Tensor> inputs,
            Backward&& backward) {
  detail::TensorImpl::record_inputs(out, op, inputs, std::forward<Backward>(backward));
}

template <class Backward>
void record(const Tensor& out, const char* op, const std::vector<Tensor>& inputs,
            Backward&& backward) {
  detail::TensorImpl::record_inputs(out, op, inputs, std::forward<Backward>(backward));
}

}  // namespace autodiff
}  // namespace minitorch
