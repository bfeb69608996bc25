// Shrinks a failing differential test program to a small one that still fails.
//
// Each round proposes smaller programs — cut after an earlier step, one step bypassed (its uses
// take its first operand instead), one leaf one element shorter along a dimension, leaf values
// rounded to halves — asks PyTorch about all of them in one batch, and keeps the first that
// PyTorch runs and that still fails. It stops when no proposal fails. Unused steps and leaves are
// dropped.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "program.h"
#include "torch_oracle.h"

namespace minitorch::difftest {

// What is wrong with the program against PyTorch's result, or nothing.
using FailureCheck = std::function<std::optional<std::string>(const Program&, const TorchResult&)>;

Program shrink(const Program& failing, const FailureCheck& fails);

}  // namespace minitorch::difftest
