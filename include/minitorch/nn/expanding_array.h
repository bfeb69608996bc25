// nn::ExpandingArray<D> — a size per spatial dimension, given as one number for all of them or as
// D numbers, as LibTorch's torch::ExpandingArray: ExpandingArray<2>(3) is {3, 3}, {2, 3} is
// {2, 3}. Layer options take kernel sizes, strides, paddings and dilations in this form.
//   Requires: a list of exactly D numbers (Error otherwise). Values are not checked here: each
//             layer checks its own at construction.
//
// MINITORCH_ARG(T, name) declares an option in LibTorch's style (its TORCH_ARG): a member name_,
// a setter name(value) that returns the options for chaining, and getters name() (const and
// mutable).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

#include "minitorch/core/error.h"

namespace minitorch::nn {

template <std::size_t D>
class ExpandingArray {
 public:
  ExpandingArray(std::int64_t single_size) { values_.fill(single_size); }  // NOLINT: implicit
  ExpandingArray(std::initializer_list<std::int64_t> list) {
    if (list.size() != D) {
      throw Error("ExpandingArray: got " + std::to_string(list.size()) + " values; expected " +
                  std::to_string(D) + " (one per dimension) or a single number");
    }
    std::copy(list.begin(), list.end(), values_.begin());
  }
  ExpandingArray(const std::array<std::int64_t, D>& values) : values_(values) {}  // NOLINT

  std::int64_t operator[](std::size_t i) const { return values_[i]; }
  const std::array<std::int64_t, D>& operator*() const { return values_; }
  const std::array<std::int64_t, D>* operator->() const { return &values_; }
  operator const std::array<std::int64_t, D>&() const { return values_; }  // NOLINT
  static constexpr std::size_t size() { return D; }
  bool operator==(const ExpandingArray&) const = default;

 private:
  std::array<std::int64_t, D> values_{};
};

}  // namespace minitorch::nn

#define MINITORCH_ARG(T, name)             \
 public:                                   \
  auto& name(T const& new_##name) {        \
    this->name##_ = new_##name;            \
    return *this;                          \
  }                                        \
  auto& name(T&& new_##name) {             \
    this->name##_ = std::move(new_##name); \
    return *this;                          \
  }                                        \
  T const& name() const noexcept {         \
    return this->name##_;                  \
  }                                        \
  T& name() noexcept {                     \
    return this->name##_;                  \
  }                                        \
                                           \
 private:                                  \
  T name##_
