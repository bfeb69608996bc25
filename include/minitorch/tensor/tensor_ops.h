// The list of every differentiable Tensor operation, by name.
//
// The cross-backend op harness (tests/unit/test_op_harness.cpp) must have a case for every name
// here and for every backend primitive of backend/op_table.h; a name without a case fails the
// harness. Add a new operation here in the same change that adds it to Tensor.
#pragma once

#include <array>
#include <string_view>

namespace minitorch {

inline constexpr std::array<std::string_view, 47> kTensorOps{
    // elementwise
    "neg", "inv", "log", "exp", "sigmoid", "relu", "tanh", "sqrt", "pow", "add", "sub", "mul",
    "div", "maximum", "lt", "gt", "eq", "is_close", "where",
    // reductions
    "sum", "sum_all", "mean", "mean_all", "max", "max_all", "argmax",
    // shape
    "permute", "transpose", "view", "reshape", "contiguous", "expand", "narrow", "select",
    "unsqueeze", "squeeze", "flatten",
    // products and conversions
    "matmul", "to", "clone", "embedding", "cat",
    // windows
    "unfold", "fold", "im2col", "conv2d", "pool2d"};

}  // namespace minitorch
