// Runs a differential test program through minitorch on one backend and dtype.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "minitorch/backend/backend.h"
#include "minitorch/storage/dtype.h"
#include "program.h"

namespace minitorch::difftest {

struct RunResult {
  std::string error;  // what minitorch threw; empty when it ran
  Shape shape;
  std::vector<double> values;
  // Per input: its gradient, or nullopt where it has none.
  std::vector<std::optional<std::vector<double>>> grads;
  std::int64_t largest_numel = 1;  // of any value: the longest sum a reduction or product can add
};

RunResult run_program(const Program& program, const Backend& backend, Dtype dtype);

// True when `op` names an operation run_program knows (the generator's ops must all be here).
bool is_known_op(const std::string& op);

}  // namespace minitorch::difftest
