// The op table: every elementwise, reduction and pooling primitive a backend implements, by name.
//
// Each enum value maps to exactly one functor of `operators/`; visit_unary / visit_binary call a
// generic lambda with that functor, so every backend instantiates its kernels from one table.
// Adding an operation means adding it to the enum, to its name list and to the visit switch; the
// static_asserts keep the three in step, and the cross-backend op harness fails until the new
// operation has a test case.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "minitorch/core/error.h"
#include "minitorch/operators/operators.h"

namespace minitorch {

enum class UnaryOp : std::uint8_t { Neg, Inv, Log, Exp, Sigmoid, Relu, Tanh, Sqrt };
enum class BinaryOp : std::uint8_t { Add, Sub, Mul, Div, Pow, Max, Lt, Gt, Eq, IsClose };
enum class ReduceOp : std::uint8_t { Sum, Max };
// What a pooling window computes (Backend::pool2d): its maximum or its mean.
enum class PoolOp : std::uint8_t { Max, Avg };

inline constexpr std::array kUnaryOps{UnaryOp::Neg,  UnaryOp::Inv,     UnaryOp::Log,
                                      UnaryOp::Exp,  UnaryOp::Sigmoid, UnaryOp::Relu,
                                      UnaryOp::Tanh, UnaryOp::Sqrt};
inline constexpr std::array kBinaryOps{
    BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div, BinaryOp::Pow,
    BinaryOp::Max, BinaryOp::Lt,  BinaryOp::Gt,  BinaryOp::Eq,  BinaryOp::IsClose};
inline constexpr std::array kReduceOps{ReduceOp::Sum, ReduceOp::Max};
inline constexpr std::array kPoolOps{PoolOp::Max, PoolOp::Avg};

static_assert(kUnaryOps.size() == static_cast<std::size_t>(UnaryOp::Sqrt) + 1,
              "every UnaryOp must be listed in kUnaryOps");
static_assert(kBinaryOps.size() == static_cast<std::size_t>(BinaryOp::IsClose) + 1,
              "every BinaryOp must be listed in kBinaryOps");
static_assert(kReduceOps.size() == static_cast<std::size_t>(ReduceOp::Max) + 1,
              "every ReduceOp must be listed in kReduceOps");
static_assert(kPoolOps.size() == static_cast<std::size_t>(PoolOp::Avg) + 1,
              "every PoolOp must be listed in kPoolOps");

template <class F>
decltype(auto) visit_unary(UnaryOp op, F&& f) {
  switch (op) {
    case UnaryOp::Neg:
      return f(operators::Neg{});
    case UnaryOp::Inv:
      return f(operators::Inv{});
    case UnaryOp::Log:
      return f(operators::Log{});
    case UnaryOp::Exp:
      return f(operators::Exp{});
    case UnaryOp::Sigmoid:
      return f(operators::Sigmoid{});
    case UnaryOp::Relu:
      return f(operators::Relu{});
    case UnaryOp::Tanh:
      return f(operators::Tanh{});
    case UnaryOp::Sqrt:
      return f(operators::Sqrt{});
  }
  throw Error("unknown unary op " + std::to_string(static_cast<int>(op)));
}

template <class F>
decltype(auto) visit_binary(BinaryOp op, F&& f) {
  switch (op) {
    case BinaryOp::Add:
      return f(operators::Add{});
    case BinaryOp::Sub:
      return f(operators::Sub{});
    case BinaryOp::Mul:
      return f(operators::Mul{});
    case BinaryOp::Div:
      return f(operators::Div{});
    case BinaryOp::Pow:
      return f(operators::Pow{});
    case BinaryOp::Max:
      return f(operators::Max{});
    case BinaryOp::Lt:
      return f(operators::Lt{});
    case BinaryOp::Gt:
      return f(operators::Gt{});
    case BinaryOp::Eq:
      return f(operators::Eq{});
    case BinaryOp::IsClose:
      return f(operators::IsClose{});
  }
  throw Error("unknown binary op " + std::to_string(static_cast<int>(op)));
}

// The functor that folds a reduction, and its identity element.
template <class F>
decltype(auto) visit_reduce(ReduceOp op, F&& f) {
  switch (op) {
    case ReduceOp::Sum:
      return f(operators::Add{}, 0.0);
    case ReduceOp::Max:
      return f(operators::Max{}, -std::numeric_limits<double>::infinity());
  }
  throw Error("unknown reduce op " + std::to_string(static_cast<int>(op)));
}

inline const char* op_name(UnaryOp op) {
  return visit_unary(op, [](auto f) { return decltype(f)::name; });
}
inline const char* op_name(BinaryOp op) {
  return visit_binary(op, [](auto f) { return decltype(f)::name; });
}
inline const char* op_name(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum:
      return "sum";
    case ReduceOp::Max:
      return "max";
  }
  return "?";
}
// The backend's window primitives (Backend::unfold ... conv2d_backward_weight), each with the op
// harness case that exercises it; a window primitive added to Backend is listed here, and the
// harness fails until its case exists.
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kWindowPrimitives{{
    {"unfold", "unfold"},
    {"fold", "fold"},
    {"pool2d", "pool2d"},
    {"pool2d_backward", "pool2d"},
    {"conv2d", "conv2d"},
    {"conv2d_backward_input", "conv2d"},
    {"conv2d_backward_weight", "conv2d"},
}};

// The names of the functional operations that use each pooling primitive (their harness cases).
inline const char* op_name(PoolOp op) {
  switch (op) {
    case PoolOp::Max:
      return "max_pool2d";
    case PoolOp::Avg:
      return "avg_pool2d";
  }
  return "?";
}

}  // namespace minitorch
