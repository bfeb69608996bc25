// Tensor — an n-dimensional array with reverse-mode autograd (MiniTorch module 2).
//
// A Tensor is a cheap handle: copies share one implementation (values, gradient, history). Its
// values are a TensorData (a strided view of shared storage) computed by a Backend; every
// operation below is a Backend primitive or a composition of them, and its backward is written
// with tensor operations or with the operator functors' own derivatives (elementwise ops).
//
// Semantics (LibTorch's where it has one):
//   - Binary operations broadcast (NumPy rules) and require equal dtypes; a plain double operand is
//     a constant of the tensor's dtype. Gradients of broadcast operands are summed back to the
//     operand's shape.
//   - A result records its history only when grad mode is on and an input requires grad.
//   - backward() accumulates into leaves (requires_grad tensors without history) until zero_grad();
//     it frees the graph's saved values unless retain_graph, and a second backward through a freed
//     graph throws. On a tensor of more than one element it needs an explicit gradient.
//   - View operations (permute, transpose, view, expand, narrow, select, squeeze, unsqueeze) share
//     storage with their input; reshape and contiguous copy only when they must.
//   - Errors throw minitorch::Error naming the shapes or dtypes and what was expected.
//   - Devices: a tensor lives on its backend's device (backend.h). Operands of one operation share
//     one backend; tensors on two devices throw an Error naming both (move one with to(device)).
//     to(device) / cpu() / cuda(i) copy between devices (differentiable: the gradient moves back);
//     item, to_vector, get, set and printing work on any device by copying to or from the host,
//     which waits for the device (fine for results, slow inside loops).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "minitorch/backend/backend.h"
#include "minitorch/storage/dtype.h"
#include "minitorch/storage/shape.h"
#include "minitorch/storage/tensor_data.h"
#include "minitorch/storage/window.h"

namespace minitorch {

namespace detail {
struct TensorImpl;
}  // namespace detail

struct TensorOptions {
  Dtype dtype = kFloat32;
  bool requires_grad = false;
  const Backend* backend = nullptr;  // null: backend_for(device), or default_backend()
  // Where to create the tensor: backend_for(device) (Error when a backend on another device is
  // also given, or the device is unavailable). Unset: the backend's device.
  std::optional<Device> device = std::nullopt;
};

class Tensor {
 public:
  // An undefined tensor (what grad() returns before any backward).
  Tensor() = default;
  // Requires data on the backend's device (Error naming both devices otherwise).
  explicit Tensor(TensorData data, const Backend* backend = nullptr, bool requires_grad = false);

  bool defined() const { return impl_ != nullptr; }

  // ---- metadata ---------------------------------------------------------------------------------
  const Shape& shape() const;
  std::int64_t size(std::int64_t dim) const;
  std::int64_t dim() const;
  std::int64_t numel() const;
  Dtype dtype() const;
  const Strides& strides() const;
  bool is_contiguous() const;
  const Backend& backend() const;
  Device device() const;
  const TensorData& tensor_data() const;

  // ---- values -----------------------------------------------------------------------------------
  // The single value of a one-element tensor.
  double item() const;
  // All values in row-major order.
  std::vector<double> to_vector() const;
  double get(const Index& index) const;
  // Writes one element in place (no history is recorded).
  void set(const Index& index, double value) const;

  // ---- autograd ---------------------------------------------------------------------------------
  bool requires_grad() const;
  // Marks a leaf as requiring grad (or not). Throws for a tensor with history.
  const Tensor& requires_grad_(bool on = true) const;
  Tensor grad() const;
  bool has_grad() const;
  void zero_grad() const;
  bool is_leaf() const;
  // The same values, sharing storage, without history.
  Tensor detach() const;
  // Same as detach(): the values of a parameter, for optimizers.
  Tensor data() const { return detach(); }
  // Copies `values` (broadcast to this shape) into this tensor's storage in place, without history.
  void set_data(const Tensor& values) const;
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false) const;
  // "MulBackward0", or "" for leaves and constants.
  std::string grad_fn_name() const;
  // On a leaf that requires grad: hook(leaf) runs in every backward pass once the leaf's gradient
  // for that pass has been accumulated, so grad() is final for the pass (PyTorch's
  // register_post_accumulate_grad_hook). Hooks run in registration order; the returned id removes
  // one (remove_post_accumulate_grad_hook; an unknown id is an Error). A hook may read and modify
  // grad() in place; it must not start another backward pass. Error on a non-leaf.
  std::uint64_t register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook) const;
  void remove_post_accumulate_grad_hook(std::uint64_t id) const;

  // The Variable interface of the autodiff engine (autodiff/variable.h).
  std::uint64_t unique_id() const;
  bool is_constant() const;
  std::vector<Tensor> parents() const;
  std::vector<std::pair<Tensor, Tensor>> chain_rule(const Tensor& d) const;
  void accumulate_derivative(const Tensor& d) const;
  void gradient_ready() const;  // runs the post-accumulate-grad hooks
  void release_saved() const;
  std::string op_name() const { return grad_fn_name(); }
  std::string label() const;

  // ---- elementwise ------------------------------------------------------------------------------
  Tensor neg() const;
  Tensor inv() const;
  Tensor log() const;
  Tensor exp() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor tanh() const;
  Tensor sqrt() const;
  Tensor pow(double exponent) const;
  Tensor add(const Tensor& other) const;
  Tensor sub(const Tensor& other) const;
  Tensor mul(const Tensor& other) const;
  Tensor div(const Tensor& other) const;
  Tensor maximum(const Tensor& other) const;
  // Comparisons return 1 / 0 in this dtype and never require grad.
  Tensor lt(const Tensor& other) const;
  Tensor gt(const Tensor& other) const;
  Tensor eq(const Tensor& other) const;
  Tensor is_close(const Tensor& other) const;

  // ---- reductions -------------------------------------------------------------------------------
  Tensor sum() const;
  Tensor sum(std::int64_t dim, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(std::int64_t dim, bool keepdim = false) const;
  // (values, indices): the maximum along dim and where it is (first occurrence), indices as
  // values of this dtype. The gradient flows to the maximum's position only.
  std::pair<Tensor, Tensor> max(std::int64_t dim, bool keepdim = false) const;
  // The largest element, 0-D. Its gradient is shared evenly by every element equal to it, as
  // torch.max(x) does (max(dim) and argmax pick the first maximum, as theirs do).
  Tensor max() const;
  Tensor argmax(std::int64_t dim, bool keepdim = false) const;

  // ---- shape ------------------------------------------------------------------------------------
  Tensor permute(const std::vector<std::int64_t>& order) const;
  Tensor transpose(std::int64_t dim0, std::int64_t dim1) const;
  Tensor view(const Shape& shape) const;
  Tensor reshape(const Shape& shape) const;
  Tensor contiguous() const;
  Tensor expand(const Shape& shape) const;
  Tensor narrow(std::int64_t dim, std::int64_t start, std::int64_t length) const;
  Tensor select(std::int64_t dim, std::int64_t index) const;
  Tensor unsqueeze(std::int64_t dim) const;
  Tensor squeeze(std::int64_t dim) const;
  Tensor flatten() const { return reshape({-1}); }

  // torch.matmul: vector · vector is the 0-D dot product; a vector on the left (right) is a row
  // (column) removed again from the result; more dimensions are batches that broadcast. Error for
  // 0-D operands or inner sizes that differ.
  Tensor matmul(const Tensor& other) const;
  Tensor to(Dtype dtype) const;
  // The same values on `device` (through backend_for(device)); this tensor when already there.
  Tensor to(Device device) const;
  // The same values computed by `backend`: shares storage when the backend runs on this tensor's
  // device, else copies there. Differentiable in either case.
  Tensor to(const Backend& backend) const;
  // Moves this leaf's values and gradient to `device` / `backend` in place: every handle to it
  // sees the move (how Module::to moves parameters). Requires a leaf (Error otherwise).
  void to_(Device device) const;
  void to_(const Backend& backend) const;
  Tensor cpu() const { return to(kCPU); }
  Tensor cuda(int index = 0) const { return to(Device::cuda(index)); }
  // A copy with its own contiguous storage (differentiable).
  Tensor clone() const;

  std::string to_string() const;

 private:
  friend struct detail::TensorImpl;
  Tensor unary(UnaryOp op) const;
  Tensor binary(BinaryOp op, const Tensor& other) const;
  Tensor compare(BinaryOp op, const Tensor& other) const;
  Tensor reduce_keepdim(ReduceOp op, std::int64_t dim) const;

  std::shared_ptr<detail::TensorImpl> impl_;
};

// where(c, a, b): a where c != 0, else b; all three broadcast together.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
inline Tensor matmul(const Tensor& a, const Tensor& b) {
  return a.matmul(b);
}
// Sums a broadcast gradient back to `shape` (the inverse of broadcasting).
Tensor sum_to_shape(const Tensor& tensor, const Shape& shape);

// Sliding windows (geometry: tensor/window.h). Each requires a 4-D input [B, C, H, W] (3-D
// columns for fold), a positive kernel, stride and dilation, padding >= 0 and at least one window
// position (Error naming what was wrong otherwise); L = out_h(H) · out_w(W) positions.
//   unfold(x, w)         PyTorch's F.unfold: [B, C, H, W] -> [B, C·kh·kw, L]; row
//                        (c·kh + i)·kw + j, column oh·out_w + ow holds
//                        x[b, c, oh·sh + i·dh − ph, ow·sw + j·dw − pw], 0 in the padding. A
//                        convolution is the flattened weight [O, C·kh·kw] times these columns.
//                        Differentiable: the gradient is fold of the output's gradient.
//   fold(cols, {H, W}, w)
//                        PyTorch's F.fold, the adjoint of unfold: [B, C·kh·kw, L] -> [B, C, H, W],
//                        each entry added back to the element unfold copies it from (summed where
//                        windows overlap). Requires cols.size(1) divisible by kh·kw and
//                        cols.size(2) = L for the given output size. Differentiable (its gradient
//                        is unfold).
//   im2col(x, w)         unfold(x, w).transpose(1, 2): one row per window position,
//                        [B, L, C·kh·kw] (a view, not contiguous).
// Convolution and pooling over these windows have one public entry point each:
// nn::functional's conv2d, conv1d, max_pool2d and avg_pool2d.
Tensor unfold(const Tensor& x, const Window2d& window);
Tensor fold(const Tensor& cols, std::array<std::int64_t, 2> output_size, const Window2d& window);
Tensor im2col(const Tensor& x, const Window2d& window);

// Rows of a table picked by index: weight [V, D], indices of any shape holding row numbers as
// values -> [indices..., D]. The gradient adds each output row back into its table row.
// Requires integer indices in [0, V) (Error naming the first bad one).
Tensor embedding(const Tensor& weight, const Tensor& indices);

// Concatenation along dim, as torch.cat: every tensor has the same number of dimensions, dtype
// and backend, and the same size in every dimension but dim; the result's size in dim is the sum.
// The gradient of each input is its slice of the output's gradient. Requires at least one tensor
// (Error naming the first mismatch otherwise).
Tensor cat(const std::vector<Tensor>& tensors, std::int64_t dim);

Tensor operator-(const Tensor& a);
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(const Tensor& a, double b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(const Tensor& a, double b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(const Tensor& a, double b);
Tensor operator/(double a, const Tensor& b);
Tensor operator<(const Tensor& a, double b);
Tensor operator>(const Tensor& a, double b);
Tensor operator==(const Tensor& a, double b);

std::ostream& operator<<(std::ostream& os, const Tensor& tensor);

}  // namespace minitorch
