// Scalar — a differentiable number (MiniTorch module 1).
//
// A Scalar is a cheap handle (copies share one node) holding a double, its accumulated derivative,
// and — when it was computed from values that require grad while grad mode is on — the operation
// that produced it, its inputs and the values saved for backward. Every operation is an operator
// functor from `operators/` applied through one generic function, so the forward rule and the
// derivative used here are the very ones the tensor backends instantiate.
//
// Kinds of Scalar:
//   leaf      Scalar(x): created by the user, requires grad, accumulates derivatives;
//   constant  Scalar::constant(x), plain doubles in expressions, results computed under
//             NoGradGuard: no derivative flows into them;
//   interior  a result with history; backward() flows through it to the leaves.
// Derivatives accumulate into leaves across backward() calls until zero_grad(); the graph is kept,
// so backward() may be called again on the same result.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace minitorch {

namespace detail {
struct ScalarNode;
}  // namespace detail

class Scalar {
 public:
  // A leaf that requires grad.
  explicit Scalar(double value = 0.0, std::string name = {});
  // A value no derivative flows into.
  static Scalar constant(double value);

  double data() const;
  // Replaces the value of a leaf or constant in place (optimizers use this under no-grad).
  // Throws Error for a value with history: changing it would silently invalidate its graph.
  void set_data(double value) const;

  // The derivative accumulated by backward(); 0 until one reaches this leaf.
  double grad() const;
  bool has_grad() const;
  void zero_grad() const;

  bool requires_grad() const;
  // Turns a leaf into a constant (false) or back (true). Throws Error for a value with history.
  const Scalar& requires_grad_(bool on = true) const;

  std::string name() const;
  const Scalar& set_name(std::string name) const;

  // Backpropagates d (default 1) from this value into every leaf it depends on.
  void backward(double d = 1.0) const;

  // ---- operations -------------------------------------------------------------------------------
  Scalar log() const;
  Scalar exp() const;
  Scalar sigmoid() const;
  Scalar relu() const;
  Scalar tanh() const;
  Scalar inv() const;
  Scalar operator-() const;

  friend Scalar operator+(const Scalar& a, const Scalar& b);
  friend Scalar operator-(const Scalar& a, const Scalar& b);
  friend Scalar operator*(const Scalar& a, const Scalar& b);
  friend Scalar operator/(const Scalar& a, const Scalar& b);
  friend Scalar operator<(const Scalar& a, const Scalar& b);
  friend Scalar operator>(const Scalar& a, const Scalar& b);
  friend Scalar operator==(const Scalar& a, const Scalar& b);
  friend Scalar max(const Scalar& a, const Scalar& b);
  friend Scalar is_close(const Scalar& a, const Scalar& b);

  // ---- the Variable interface of the autodiff engine (autodiff/variable.h) ---------------------
  std::uint64_t unique_id() const;
  bool is_leaf() const;
  bool is_constant() const;
  std::vector<Scalar> parents() const;
  std::vector<std::pair<Scalar, double>> chain_rule(double d) const;
  void accumulate_derivative(double d) const;

  // ---- introspection for graph export -----------------------------------------------------------
  // Name of the operation that produced this value ("mul"); empty for leaves and constants.
  std::string op_name() const;
  // The name when one was given, else the value ("constant 2" for constants).
  std::string label() const;

 private:
  explicit Scalar(std::shared_ptr<detail::ScalarNode> node) : node_(std::move(node)) {}
  template <class Op, class... Args>
  friend Scalar apply_scalar_function(const Args&... inputs);
  friend struct detail::ScalarNode;  // releases long chains of inputs without deep recursion

  std::shared_ptr<detail::ScalarNode> node_;
};

// Mixed operands: a plain double enters the expression as a constant.
Scalar operator+(const Scalar& a, double b);
Scalar operator+(double a, const Scalar& b);
Scalar operator-(const Scalar& a, double b);
Scalar operator-(double a, const Scalar& b);
Scalar operator*(const Scalar& a, double b);
Scalar operator*(double a, const Scalar& b);
Scalar operator/(const Scalar& a, double b);
Scalar operator/(double a, const Scalar& b);
Scalar operator<(const Scalar& a, double b);
Scalar operator>(const Scalar& a, double b);

// Prints Scalar(<value>).
std::ostream& operator<<(std::ostream& os, const Scalar& x);

}  // namespace minitorch
