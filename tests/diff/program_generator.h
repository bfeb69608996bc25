// Random differential test programs, from a seeded Generator.
//
// A program starts from one or two leaves and adds `steps` operations, each drawn from the op list
// below and applied to earlier values (often the same value twice, so the graph is a DAG) or to new
// leaves of shapes that broadcast with them. Leaves are contiguous; non-contiguous operands come
// from the view steps themselves (permute, transpose, narrow, select, expand). Leaf values are
// exact in float32, and a third of the programs draw them from {-1, -0.5, 0, 0.5, 1} so that ties,
// zeros and kinks (relu at 0, max of equal values) are hit exactly. Operations with a restricted
// domain (log, sqrt, inv, fractional powers, division) only receive values known to be positive.
#pragma once

#include <string>
#include <vector>

#include "minitorch/core/generator.h"
#include "program.h"

namespace minitorch::difftest {

Program random_program(Generator& generator, int max_steps);

// The operation names random programs use (each also known to run_program and torch_driver.py).
std::vector<std::string> generated_ops();

}  // namespace minitorch::difftest
