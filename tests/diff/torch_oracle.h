// PyTorch as the oracle: runs torch_driver.py under the system Python on a batch of programs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "program.h"

namespace minitorch::difftest {

// What PyTorch (float64) computed for one program; see torch_driver.py.
struct TorchResult {
  std::string error;  // what torch raised; empty when it ran
  Shape shape;
  std::vector<double> values;
  std::vector<std::optional<std::vector<double>>> grads;
  double value_scale = 0;  // the largest |x| of any value the program computed
  double grad_scale = 0;   // the largest |x| of any gradient backward computed
  bool nonfinite = false;  // some value overflowed or left its domain: not comparable
};

// Empty when /usr/bin/python3 imports torch, else why not (the test is skipped with it).
std::string torch_unavailable_reason();

// One result per program, in order. Throws minitorch::Error when the driver fails.
std::vector<TorchResult> run_torch(const std::vector<Program>& programs);

// A self-contained PyTorch script replaying `program` (printed with a failure).
std::string torch_script(const Program& program);

}  // namespace minitorch::difftest
