#include "shrink.h"

#include <algorithm>
#include <cmath>

namespace minitorch::difftest {
namespace {

constexpr int kMaxRounds = 200;

Program truncated(const Program& program, std::size_t steps) {
  Program out = program;
  out.steps.resize(steps);
  return without_dead_code(out);
}

// Step k removed; its uses read its first operand instead.
Program bypassed(const Program& program, std::size_t k) {
  const std::size_t removed = program.inputs.size() + k;
  const std::size_t replacement = program.steps[k].args.at(0);
  Program out = program;
  out.steps.erase(out.steps.begin() + static_cast<std::ptrdiff_t>(k));
  for (auto& step : out.steps) {
    for (auto& a : step.args) {
      if (a == removed) {
        a = replacement;
      } else if (a > removed) {
        --a;
      }
    }
  }
  return without_dead_code(out);
}

// Leaf i with dimension d one shorter (its last entry along d dropped).
Program narrowed_input(const Program& program, std::size_t i, std::size_t d) {
  Program out = program;
  ProgramInput& input = out.inputs[i];
  std::int64_t inner = 1;
  for (std::size_t k = d + 1; k < input.shape.size(); ++k) inner *= input.shape[k];
  const std::int64_t size = input.shape[d];
  std::vector<double> kept;
  for (std::size_t j = 0; j < input.values.size(); ++j) {
    if ((static_cast<std::int64_t>(j) / inner) % size != size - 1) kept.push_back(input.values[j]);
  }
  input.values = std::move(kept);
  --input.shape[d];
  return out;
}

std::optional<Program> rounded_inputs(const Program& program) {
  Program out = program;
  bool changed = false;
  for (auto& input : out.inputs) {
    for (auto& v : input.values) {
      const double r = std::round(2.0 * v) / 2.0;
      changed = changed || r != v;
      v = r;
    }
  }
  if (!changed) return std::nullopt;
  return out;
}

// Smaller programs to try, the most promising first.
std::vector<Program> proposals(const Program& program) {
  std::vector<Program> out;
  for (std::size_t steps = 1; steps < program.steps.size(); ++steps) {
    out.push_back(truncated(program, steps));
  }
  for (std::size_t k = 0; k < program.steps.size() && program.steps.size() > 1; ++k) {
    out.push_back(bypassed(program, k));
  }
  for (std::size_t i = 0; i < program.inputs.size(); ++i) {
    for (std::size_t d = 0; d < program.inputs[i].shape.size(); ++d) {
      if (program.inputs[i].shape[d] > 1) out.push_back(narrowed_input(program, i, d));
    }
  }
  if (auto r = rounded_inputs(program)) out.push_back(*r);
  return out;
}

}  // namespace

Program shrink(const Program& failing, const FailureCheck& fails) {
  Program current = without_dead_code(failing);
  for (int round = 0; round < kMaxRounds; ++round) {
    const std::vector<Program> candidates = proposals(current);
    if (candidates.empty()) break;
    const std::vector<TorchResult> results = run_torch(candidates);
    bool smaller = false;
    for (std::size_t c = 0; c < candidates.size() && !smaller; ++c) {
      if (!results[c].error.empty() || results[c].nonfinite) continue;
      if (fails(candidates[c], results[c])) {
        current = candidates[c];
        // Upstream values past the output's size are never used: printing them is noise.
        current.upstream.resize(
            std::clamp<std::size_t>(results[c].values.size(), 1, current.upstream.size()));
        smaller = true;
      }
    }
    if (!smaller) break;
  }
  return current;
}

}  // namespace minitorch::difftest
