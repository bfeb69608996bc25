// A test program of the differential test: leaves, then a list of steps over earlier values.
//
// Values are numbered: the inputs first (0 .. inputs.size() - 1), then one per step in order. A
// step names its operation (one of kProgramOps), its operands by number and its attributes
// (dim, shape, exponent, ...) as JSON, with the names torch_driver.py's templates use. The last
// step's value is the program's output; `upstream` holds the gradient fed to its backward, repeated
// as often as needed to fill the output's shape (so a shrunken program with another output shape
// keeps a valid one); backward runs only when the output requires grad. The same JSON is what
// torch_driver.py reads.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "minitorch/storage/shape.h"

namespace minitorch::difftest {

struct ProgramInput {
  Shape shape;
  std::vector<double> values;  // row-major; every value exact in float32
  bool requires_grad = true;
};

struct Step {
  std::string op;
  std::vector<std::size_t> args;
  nlohmann::json attrs = nlohmann::json::object();
};

struct Program {
  std::vector<ProgramInput> inputs;
  std::vector<Step> steps;
  std::vector<double> upstream;  // never empty
};

nlohmann::json to_json(const Program& program);
// The program without steps the output does not depend on and without unused leaves.
Program without_dead_code(const Program& program);
// One line per step, e.g. "v3 = add(v0, v2) {}", for failure messages.
std::string describe(const Program& program);

}  // namespace minitorch::difftest
