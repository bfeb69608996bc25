// The op table: every elementwise, reduction, pooling and window primitive a backend implements.
//
// Each kind of primitive is declared once, in an X-macro list below (MINITORCH_UNARY_OPS, ...);
// the enum, its `Count` sentinel, the array of all values, the names and the visit switch are all
// generated from that list, so they cannot drift apart. Each elementwise value maps to the functor
// of `operators/` with the same name; visit_unary / visit_binary call a generic lambda with it, so
// every backend instantiates its kernels from this one table.
//
// Adding a primitive is one line in its list. The build then fails until the rest follows:
//   - the static_asserts on each `Count` (as ggml's GGML_OP_COUNT) name this header as the place
//     to look, so the line that changes the count is reviewed with the harness;
//   - the cross-backend op harness (tests/unit/test_op_harness.cpp) maps every value to the case
//     that exercises it by a `switch` without `default`, and -Wswitch (an error under -Werror)
//     rejects a value without a case.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "minitorch/core/error.h"
#include "minitorch/operators/operators.h"

// clang-format off
// X(Name): the functor operators::Name computes it.
#define MINITORCH_UNARY_OPS(X) X(Neg) X(Inv) X(Log) X(Exp) X(Sigmoid) X(Relu) X(Tanh) X(Sqrt)
#define MINITORCH_BINARY_OPS(X) \
  X(Add) X(Sub) X(Mul) X(Div) X(Pow) X(Max) X(Lt) X(Gt) X(Eq) X(IsClose)
// X(Name, name, the functor that folds it, its identity element).
#define MINITORCH_REDUCE_OPS(X) \
  X(Sum, "sum", operators::Add, 0.0) \
  X(Max, "max", operators::Max, -std::numeric_limits<double>::infinity())
// X(Name, name of the functional operation that uses it): what a pooling window computes.
#define MINITORCH_POOL_OPS(X) X(Max, "max_pool2d") X(Avg, "avg_pool2d")
// X(name): the backend's window primitives (Backend::unfold ... conv2d_backward_weight).
#define MINITORCH_WINDOW_PRIMITIVES(X) \
  X(unfold) X(fold) X(pool2d) X(pool2d_backward) X(conv2d) X(conv2d_backward_input) \
  X(conv2d_backward_weight)
// clang-format on

namespace minitorch {

#define MINITORCH_ENUMERATOR(Name, ...) Name,
enum class UnaryOp : std::uint8_t { MINITORCH_UNARY_OPS(MINITORCH_ENUMERATOR) Count };
enum class BinaryOp : std::uint8_t { MINITORCH_BINARY_OPS(MINITORCH_ENUMERATOR) Count };
enum class ReduceOp : std::uint8_t { MINITORCH_REDUCE_OPS(MINITORCH_ENUMERATOR) Count };
enum class PoolOp : std::uint8_t { MINITORCH_POOL_OPS(MINITORCH_ENUMERATOR) Count };
enum class WindowPrimitive : std::uint8_t {
  MINITORCH_WINDOW_PRIMITIVES(MINITORCH_ENUMERATOR) Count
};
#undef MINITORCH_ENUMERATOR

// Changing a count means a primitive was added or removed: every backend implements it (or
// inherits a default) and the op harness has its case (the switches there fail the build first).
static_assert(static_cast<int>(UnaryOp::Count) == 8, "unary primitives changed: see op_table.h");
static_assert(static_cast<int>(BinaryOp::Count) == 10, "binary primitives changed: see op_table.h");
static_assert(static_cast<int>(ReduceOp::Count) == 2, "reductions changed: see op_table.h");
static_assert(static_cast<int>(PoolOp::Count) == 2, "pooling ops changed: see op_table.h");
static_assert(static_cast<int>(WindowPrimitive::Count) == 7,
              "window primitives changed: see op_table.h");

#define MINITORCH_UNARY_VALUE(Name) UnaryOp::Name,
#define MINITORCH_BINARY_VALUE(Name) BinaryOp::Name,
#define MINITORCH_REDUCE_VALUE(Name, ...) ReduceOp::Name,
#define MINITORCH_POOL_VALUE(Name, ...) PoolOp::Name,
#define MINITORCH_WINDOW_VALUE(name) WindowPrimitive::name,
inline constexpr std::array kUnaryOps{MINITORCH_UNARY_OPS(MINITORCH_UNARY_VALUE)};
inline constexpr std::array kBinaryOps{MINITORCH_BINARY_OPS(MINITORCH_BINARY_VALUE)};
inline constexpr std::array kReduceOps{MINITORCH_REDUCE_OPS(MINITORCH_REDUCE_VALUE)};
inline constexpr std::array kPoolOps{MINITORCH_POOL_OPS(MINITORCH_POOL_VALUE)};
inline constexpr std::array kWindowPrimitives{MINITORCH_WINDOW_PRIMITIVES(MINITORCH_WINDOW_VALUE)};
#undef MINITORCH_UNARY_VALUE
#undef MINITORCH_BINARY_VALUE
#undef MINITORCH_REDUCE_VALUE
#undef MINITORCH_POOL_VALUE
#undef MINITORCH_WINDOW_VALUE

static_assert(kUnaryOps.size() == static_cast<std::size_t>(UnaryOp::Count));
static_assert(kBinaryOps.size() == static_cast<std::size_t>(BinaryOp::Count));
static_assert(kReduceOps.size() == static_cast<std::size_t>(ReduceOp::Count));
static_assert(kPoolOps.size() == static_cast<std::size_t>(PoolOp::Count));
static_assert(kWindowPrimitives.size() == static_cast<std::size_t>(WindowPrimitive::Count));

template <class F>
decltype(auto) visit_unary(UnaryOp op, F&& f) {
  switch (op) {
#define MINITORCH_CASE(Name) \
  case UnaryOp::Name:        \
    return f(operators::Name{});
    MINITORCH_UNARY_OPS(MINITORCH_CASE)
#undef MINITORCH_CASE
    case UnaryOp::Count:
      break;
  }
  throw Error("unknown unary op " + std::to_string(static_cast<int>(op)));
}

template <class F>
decltype(auto) visit_binary(BinaryOp op, F&& f) {
  switch (op) {
#define MINITORCH_CASE(Name) \
  case BinaryOp::Name:       \
    return f(operators::Name{});
    MINITORCH_BINARY_OPS(MINITORCH_CASE)
#undef MINITORCH_CASE
    case BinaryOp::Count:
      break;
  }
  throw Error("unknown binary op " + std::to_string(static_cast<int>(op)));
}

// The functor that folds a reduction, and its identity element.
template <class F>
decltype(auto) visit_reduce(ReduceOp op, F&& f) {
  switch (op) {
#define MINITORCH_CASE(Name, name, Functor, identity) \
  case ReduceOp::Name:                                \
    return f(Functor{}, identity);
    MINITORCH_REDUCE_OPS(MINITORCH_CASE)
#undef MINITORCH_CASE
    case ReduceOp::Count:
      break;
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
#define MINITORCH_CASE(Name, name, ...) \
  case ReduceOp::Name:                  \
    return name;
    MINITORCH_REDUCE_OPS(MINITORCH_CASE)
#undef MINITORCH_CASE
    case ReduceOp::Count:
      break;
  }
  return "?";
}
// The names of the functional operations that use each pooling primitive.
inline const char* op_name(PoolOp op) {
  switch (op) {
#define MINITORCH_CASE(Name, name) \
  case PoolOp::Name:               \
    return name;
    MINITORCH_POOL_OPS(MINITORCH_CASE)
#undef MINITORCH_CASE
    case PoolOp::Count:
      break;
  }
  return "?";
}
inline const char* op_name(WindowPrimitive op) {
  switch (op) {
#define MINITORCH_CASE(name)  \
  case WindowPrimitive::name: \
    return #name;
    MINITORCH_WINDOW_PRIMITIVES(MINITORCH_CASE)
#undef MINITORCH_CASE
    case WindowPrimitive::Count:
      break;
  }
  return "?";
}

}  // namespace minitorch
