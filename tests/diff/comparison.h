// Whether minitorch's run of a program agrees with PyTorch's, within rounding.
//
// PyTorch computes in float64 from the same float32-exact leaves. Each of the program's steps
// rounds once per element, and a reduction or product adds up to `largest_numel` rounded terms, so
// a value may be off by about u · (steps + 1) · largest_numel times the largest magnitude in the
// program (u: the unit roundoff of the dtype, 2^-24 or 2^-53); a factor 8 covers the few roundings
// inside one operation (softmax, losses). Gradients are bounded the same way by the largest
// gradient, times the largest value where a derivative multiplies by a value (exp, pow, products).
// The comparison is absolute at these scales, as the roundings are.
#pragma once

#include <optional>
#include <string>

#include "minitorch/storage/dtype.h"
#include "program.h"
#include "program_runner.h"
#include "torch_oracle.h"

namespace minitorch::difftest {

struct Tolerances {
  double value;
  double grad;
};

Tolerances tolerances(const Program& program, const TorchResult& torch, const RunResult& ours,
                      Dtype dtype);

// What differs (shape, a value, a gradient, or one side throwing alone), or nothing.
std::optional<std::string> mismatch(const Program& program, const TorchResult& torch,
                                    const RunResult& ours, Dtype dtype);

// True when the program has an operation whose result jumps (comparisons, relu, maxima): float32
// rounding of its operand can flip it, so a float32 run may differ where float64 agrees.
bool has_branches(const Program& program);

}  // namespace minitorch::difftest
