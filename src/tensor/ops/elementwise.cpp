// Elementwise operations: unary and binary functors, comparisons, where, and the arithmetic
// operators. Forward is one backend primitive; backward is the functor's own derivative.
#include "autodiff/record.h"
#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"
#include "minitorch/tensor/tensor.h"
#include "tensor/ops/op_entry.h"
#include "tensor/ops/support.h"

namespace minitorch {

// The family's shared helpers (support.h) and its table's types (op_entry.h).
using namespace ops;

// The family's table: one entry per operation of MINITORCH_ELEMENTWISE_OPS, in its order.
[[maybe_unused]] constexpr std::array<ops::OpEntry, 19> kElementwiseOps{{
    {TensorOp::neg, OpKind::Primitive},     {TensorOp::inv, OpKind::Primitive},
    {TensorOp::log, OpKind::Primitive},     {TensorOp::exp, OpKind::Primitive},
    {TensorOp::sigmoid, OpKind::Primitive}, {TensorOp::relu, OpKind::Primitive},
    {TensorOp::tanh, OpKind::Primitive},    {TensorOp::sqrt, OpKind::Primitive},
    {TensorOp::pow, OpKind::Primitive},     {TensorOp::add, OpKind::Primitive},
    {TensorOp::sub, OpKind::Primitive},     {TensorOp::mul, OpKind::Primitive},
    {TensorOp::div, OpKind::Primitive},     {TensorOp::maximum, OpKind::Primitive},
    {TensorOp::lt, OpKind::Primitive},      {TensorOp::gt, OpKind::Primitive},
    {TensorOp::eq, OpKind::Primitive},      {TensorOp::is_close, OpKind::Primitive},
    {TensorOp::where, OpKind::Primitive},
}};
static_assert(ops::lists_exactly(kElementwiseOps, MINITORCH_FAMILY(MINITORCH_ELEMENTWISE_OPS)),
              "every operation of MINITORCH_ELEMENTWISE_OPS needs its entry here, in order");

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

}  // namespace minitorch
