#include "minitorch/scalar/scalar.h"

#include <atomic>
#include <ostream>
#include <sstream>

#include "minitorch/autodiff/context.h"
#include "minitorch/autodiff/engine.h"
#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/core/error.h"
#include "minitorch/operators/operators.h"

namespace minitorch {
namespace detail {

// How a result was computed: the operation's name and its derivative rule over saved inputs.
struct ScalarFunction {
  const char* name;
  operators::Grad2<double> (*backward)(const std::vector<double>& saved, double d);
};

struct ScalarNode {
  double data = 0.0;
  double grad = 0.0;
  bool has_grad = false;
  bool requires_grad = false;
  std::uint64_t id = 0;
  std::string name;
  const ScalarFunction* function = nullptr;  // null for leaves and constants
  std::vector<Scalar> inputs;
  autodiff::Context<double> context;

  ScalarNode() = default;
  ScalarNode(const ScalarNode&) = delete;
  ScalarNode& operator=(const ScalarNode&) = delete;
  // Destroying the last handle of a long chain would otherwise recurse once per link and overflow
  // the stack; inputs owned only by this node are unlinked iteratively instead.
  ~ScalarNode() {
    std::vector<Scalar> pending = std::move(inputs);
    while (!pending.empty()) {
      Scalar last = std::move(pending.back());
      pending.pop_back();
      if (last.node_.use_count() == 1) {
        for (auto& input : last.node_->inputs) pending.push_back(std::move(input));
        last.node_->inputs.clear();
      }
    }
  }
};

}  // namespace detail

namespace {

std::uint64_t next_unique_id() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
}

std::shared_ptr<detail::ScalarNode> make_node(double value, bool requires_grad) {
  auto node = std::make_shared<detail::ScalarNode>();
  node->data = value;
  node->requires_grad = requires_grad;
  node->id = next_unique_id();
  return node;
}

// The operator functor's derivative, read from the inputs saved by forward.
template <class Op>
operators::Grad2<double> backward_of(const std::vector<double>& saved, double d) {
  if constexpr (Op::arity == 1) {
    return {Op{}.backward(saved[0], d), 0.0};
  } else {
    return Op{}.backward(saved[0], saved[1], d);
  }
}

template <class Op>
constexpr detail::ScalarFunction function_of{Op::name, &backward_of<Op>};

std::string format_number(double value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

}  // namespace

// Every Scalar operation goes through here: forward with the functor, and a history only when a
// derivative could flow back (grad mode on and some input not constant).
template <class Op, class... Args>
Scalar apply_scalar_function(const Args&... inputs) {
  const double value = Op{}(inputs.data()...);
  const bool record = autodiff::GradMode::is_enabled() && (!inputs.is_constant() || ...);
  auto node = make_node(value, record);
  if (record) {
    node->function = &function_of<Op>;
    node->inputs = {inputs...};
    node->context.save_for_backward(inputs.data()...);
  }
  return Scalar(std::move(node));
}

Scalar::Scalar(double value, std::string name) : node_(make_node(value, true)) {
  node_->name = std::move(name);
}

Scalar Scalar::constant(double value) {
  return Scalar(make_node(value, false));
}

double Scalar::data() const {
  return node_->data;
}

void Scalar::set_data(double value) const {
  if (node_->function != nullptr) {
    throw Error("Scalar::set_data: the value was computed by '" + op_name() +
                "'; only leaves and constants can be changed in place");
  }
  node_->data = value;
}

double Scalar::grad() const {
  return node_->grad;
}
bool Scalar::has_grad() const {
  return node_->has_grad;
}

void Scalar::zero_grad() const {
  node_->grad = 0.0;
  node_->has_grad = false;
}

bool Scalar::requires_grad() const {
  return node_->requires_grad;
}

const Scalar& Scalar::requires_grad_(bool on) const {
  if (node_->function != nullptr) {
    throw Error("Scalar::requires_grad_: the value was computed by '" + op_name() +
                "'; only leaves and constants can change whether they require grad");
  }
  node_->requires_grad = on;
  return *this;
}

std::string Scalar::name() const {
  return node_->name.empty() ? std::to_string(node_->id) : node_->name;
}

const Scalar& Scalar::set_name(std::string name) const {
  node_->name = std::move(name);
  return *this;
}

void Scalar::backward(double d) const {
  autodiff::backpropagate(*this, d);
}

Scalar Scalar::log() const {
  return apply_scalar_function<operators::Log>(*this);
}
Scalar Scalar::exp() const {
  return apply_scalar_function<operators::Exp>(*this);
}
Scalar Scalar::sigmoid() const {
  return apply_scalar_function<operators::Sigmoid>(*this);
}
Scalar Scalar::relu() const {
  return apply_scalar_function<operators::Relu>(*this);
}
Scalar Scalar::tanh() const {
  return apply_scalar_function<operators::Tanh>(*this);
}
Scalar Scalar::inv() const {
  return apply_scalar_function<operators::Inv>(*this);
}
Scalar Scalar::operator-() const {
  return apply_scalar_function<operators::Neg>(*this);
}

Scalar operator+(const Scalar& a, const Scalar& b) {
  return apply_scalar_function<operators::Add>(a, b);
}
Scalar operator-(const Scalar& a, const Scalar& b) {
  return apply_scalar_function<operators::Sub>(a, b);
}
Scalar operator*(const Scalar& a, const Scalar& b) {
  return apply_scalar_function<operators::Mul>(a, b);
}
Scalar operator/(const Scalar& a, const Scalar& b) {
  return apply_scalar_function<operators::Div>(a, b);
}
Scalar operator<(const Scalar& a, const Scalar& b) {
  return apply_scalar_function<operators::Lt>(a, b);
}
Scalar operator>(const Scalar& a, const Scalar& b) {
  return apply_scalar_function<operators::Gt>(a, b);
}
Scalar operator==(const Scalar& a, const Scalar& b) {
  return apply_scalar_function<operators::Eq>(a, b);
}
Scalar max(const Scalar& a, const Scalar& b) {
  return apply_scalar_function<operators::Max>(a, b);
}
Scalar is_close(const Scalar& a, const Scalar& b) {
  return apply_scalar_function<operators::IsClose>(a, b);
}

Scalar operator+(const Scalar& a, double b) {
  return a + Scalar::constant(b);
}
Scalar operator+(double a, const Scalar& b) {
  return Scalar::constant(a) + b;
}
Scalar operator-(const Scalar& a, double b) {
  return a - Scalar::constant(b);
}
Scalar operator-(double a, const Scalar& b) {
  return Scalar::constant(a) - b;
}
Scalar operator*(const Scalar& a, double b) {
  return a * Scalar::constant(b);
}
Scalar operator*(double a, const Scalar& b) {
  return Scalar::constant(a) * b;
}
Scalar operator/(const Scalar& a, double b) {
  return a / Scalar::constant(b);
}
Scalar operator/(double a, const Scalar& b) {
  return Scalar::constant(a) / b;
}
Scalar operator<(const Scalar& a, double b) {
  return a < Scalar::constant(b);
}
Scalar operator>(const Scalar& a, double b) {
  return a > Scalar::constant(b);
}

std::uint64_t Scalar::unique_id() const {
  return node_->id;
}
bool Scalar::is_leaf() const {
  return node_->function == nullptr && node_->requires_grad;
}
bool Scalar::is_constant() const {
  return node_->function == nullptr && !node_->requires_grad;
}
std::vector<Scalar> Scalar::parents() const {
  return node_->inputs;
}

std::vector<std::pair<Scalar, double>> Scalar::chain_rule(double d) const {
  std::vector<std::pair<Scalar, double>> out;
  if (node_->function == nullptr) return out;
  const auto grads = node_->function->backward(node_->context.saved_values(), d);
  const double per_input[2] = {grads.a, grads.b};
  for (std::size_t i = 0; i < node_->inputs.size(); ++i) {
    out.emplace_back(node_->inputs[i], per_input[i]);
  }
  return out;
}

void Scalar::accumulate_derivative(double d) const {
  if (!is_leaf()) {
    throw Error("accumulate_derivative: only leaves that require grad store derivatives");
  }
  node_->grad += d;
  node_->has_grad = true;
}

std::string Scalar::op_name() const {
  return node_->function == nullptr ? std::string() : std::string(node_->function->name);
}

std::string Scalar::label() const {
  if (!node_->name.empty()) return node_->name;
  if (is_constant()) return "constant " + format_number(node_->data);
  return format_number(node_->data);
}

std::ostream& operator<<(std::ostream& os, const Scalar& x) {
  return os << "Scalar(" << x.data() << ")";
}

}  // namespace minitorch
