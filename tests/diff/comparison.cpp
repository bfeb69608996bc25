#include "comparison.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace minitorch::difftest {
namespace {

double unit_roundoff(Dtype dtype) {
  return dtype == kFloat32 ? std::ldexp(1.0, -24) : std::ldexp(1.0, -53);
}

std::string number(double x) {
  std::ostringstream out;
  out.precision(17);
  out << x;
  return out.str();
}

// The first element farther apart than `tolerance`, described, or nothing.
std::optional<std::string> first_difference(const std::vector<double>& expected,
                                            const std::vector<double>& actual, double tolerance,
                                            const std::string& what) {
  if (expected.size() != actual.size()) {
    return what + ": " + std::to_string(actual.size()) + " elements, PyTorch has " +
           std::to_string(expected.size());
  }
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (!(std::abs(expected[i] - actual[i]) <= tolerance)) {
      return what + "[" + std::to_string(i) + "] = " + number(actual[i]) + ", PyTorch " +
             number(expected[i]) + " (tolerance " + number(tolerance) + ")";
    }
  }
  return std::nullopt;
}

std::vector<double> or_zeros(const std::optional<std::vector<double>>& grad, std::size_t n) {
  return grad ? *grad : std::vector<double>(n, 0.0);
}

}  // namespace

Tolerances tolerances(const Program& program, const TorchResult& torch, const RunResult& ours,
                      Dtype dtype) {
  const double per_value = 8.0 * unit_roundoff(dtype) *
                           static_cast<double>(program.steps.size() + 1) *
                           static_cast<double>(ours.largest_numel);
  return {per_value * std::max(torch.value_scale, 1.0),
          per_value * std::max(torch.grad_scale, 1.0) * std::max(torch.value_scale, 1.0)};
}

std::optional<std::string> mismatch(const Program& program, const TorchResult& torch,
                                    const RunResult& ours, Dtype dtype) {
  if (!torch.error.empty() || !ours.error.empty()) {
    if (!torch.error.empty() && !ours.error.empty()) return std::nullopt;  // both reject it
    return torch.error.empty() ? "minitorch throws \"" + ours.error + "\", PyTorch runs it"
                               : "PyTorch raises \"" + torch.error + "\", minitorch runs it";
  }
  if (ours.shape != torch.shape) {
    return "output shape " + shape_to_string(ours.shape) + ", PyTorch " +
           shape_to_string(torch.shape);
  }
  const Tolerances tol = tolerances(program, torch, ours, dtype);
  if (auto d = first_difference(torch.values, ours.values, tol.value, "output")) return d;
  for (std::size_t i = 0; i < program.inputs.size(); ++i) {
    const auto n = program.inputs[i].values.size();
    if (auto d = first_difference(or_zeros(torch.grads[i], n), or_zeros(ours.grads[i], n), tol.grad,
                                  "v" + std::to_string(i) + ".grad")) {
      return d;
    }
  }
  return std::nullopt;
}

bool has_branches(const Program& program) {
  static const std::set<std::string> branching{"lt",  "gt",      "eq",     "where",  "relu",
                                               "max", "max_all", "argmax", "maximum"};
  return std::any_of(program.steps.begin(), program.steps.end(),
                     [](const Step& s) { return branching.contains(s.op); });
}

}  // namespace minitorch::difftest
