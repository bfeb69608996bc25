// Creating tensors: from nested lists or flat values, filled, ranges, and random ones.
//
//   tensor({{1, 2}, {3, 4}})          from nested lists (any depth; rows must have equal lengths)
//   from_vector(values, shape)        values in row-major order; values.size() must equal numel
//   zeros / ones / full(shape, v)     filled
//   arange(end), arange(start, end, step)
//   rand(shape)  uniform in [0, 1);   randn(shape)  standard normal
//   *_like(t)                         t's shape, dtype and backend
// Random tensors draw from the given Generator, or the default one (reseeded by manual_seed), so a
// seeded program is reproducible. Every function takes TensorOptions (dtype, requires_grad,
// backend). Invalid arguments throw minitorch::Error.
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "minitorch/core/generator.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch {

// A value or a list of NestedLists: lets tensor({{1, 2}, {3, 4}}) take any depth.
class NestedList {
 public:
  NestedList(double value) : value_(value) {}  // NOLINT: implicit by design
  NestedList(std::initializer_list<NestedList> items) : value_(std::vector<NestedList>(items)) {}

  bool is_value() const { return std::holds_alternative<double>(value_); }
  double value() const { return std::get<double>(value_); }
  const std::vector<NestedList>& items() const { return std::get<std::vector<NestedList>>(value_); }

 private:
  std::variant<double, std::vector<NestedList>> value_;
};

Tensor tensor(const NestedList& values, TensorOptions options = {});
Tensor from_vector(const std::vector<double>& values, const Shape& shape,
                   TensorOptions options = {});
Tensor zeros(const Shape& shape, TensorOptions options = {});
Tensor ones(const Shape& shape, TensorOptions options = {});
Tensor full(const Shape& shape, double value, TensorOptions options = {});
Tensor arange(double end, TensorOptions options = {});
Tensor arange(double start, double end, double step = 1.0, TensorOptions options = {});
Tensor rand(const Shape& shape, TensorOptions options = {}, Generator* generator = nullptr);
Tensor randn(const Shape& shape, TensorOptions options = {}, Generator* generator = nullptr);

TensorOptions options_like(const Tensor& t);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
Tensor rand_like(const Tensor& t, Generator* generator = nullptr);
Tensor randn_like(const Tensor& t, Generator* generator = nullptr);

// The generator rand / randn / initialisers use when none is given.
Generator& default_generator();
void manual_seed(std::uint64_t seed);

}  // namespace minitorch
