// The list of every differentiable Tensor operation, by family.
//
// Each family's X-macro list (MINITORCH_ELEMENTWISE_OPS, ...) is where an operation is declared;
// the enum TensorOp, its `Count` sentinel and the names kTensorOps are generated from the lists.
// The family's source file (src/tensor/ops/<family>.cpp) holds the operation's forward, its
// backward and its entry in the family's table (its kind now; its export and batching rules
// later), and a static_assert there rejects a table that does not list exactly this family's
// operations in this order. The cross-backend op harness (tests/unit/test_op_harness.cpp) picks
// the case of each operation by a switch without `default`, so an operation added here without
// its entry or its harness case fails the build.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

// X(name): an operation of the family; `name` is its harness case and the Tensor method or
// function that computes it (sum_all is sum(), mean_all mean(), max_all max()). conv2d and pool2d
// are the nodes recorded by nn::functional's conv2d / conv1d and max_pool2d / avg_pool2d, their
// only public entry points.
// clang-format off
#define MINITORCH_ELEMENTWISE_OPS(X) \
  X(neg) X(inv) X(log) X(exp) X(sigmoid) X(relu) X(tanh) X(sqrt) X(pow) \
  X(add) X(sub) X(mul) X(div) X(maximum) X(lt) X(gt) X(eq) X(is_close) X(where)
#define MINITORCH_REDUCTION_OPS(X) \
  X(sum) X(sum_all) X(mean) X(mean_all) X(max) X(max_all) X(argmax)
#define MINITORCH_VIEW_OPS(X) \
  X(permute) X(transpose) X(view) X(reshape) X(contiguous) X(expand) X(narrow) X(select) \
  X(unsqueeze) X(squeeze) X(flatten) X(to) X(clone) X(cat)
#define MINITORCH_LINALG_OPS(X) X(matmul)
#define MINITORCH_WINDOW_OPS(X) X(unfold) X(fold) X(im2col) X(conv2d) X(pool2d)
#define MINITORCH_INDEXING_OPS(X) X(embedding)

#define MINITORCH_TENSOR_OPS(X) \
  MINITORCH_ELEMENTWISE_OPS(X) MINITORCH_REDUCTION_OPS(X) MINITORCH_VIEW_OPS(X) \
  MINITORCH_LINALG_OPS(X) MINITORCH_WINDOW_OPS(X) MINITORCH_INDEXING_OPS(X)
// clang-format on

namespace minitorch {

#define MINITORCH_ENUMERATOR(name) name,
enum class TensorOp : std::uint8_t { MINITORCH_TENSOR_OPS(MINITORCH_ENUMERATOR) Count };
#undef MINITORCH_ENUMERATOR

// As ggml's GGML_OP_COUNT: a changed count means an operation was added or removed, with its
// family entry and harness case (whose absence fails the build before this line is reached).
static_assert(static_cast<int>(TensorOp::Count) == 47,
              "tensor operations changed: see tensor_ops.h");

#define MINITORCH_NAME(name) #name,
inline constexpr std::array<std::string_view, static_cast<std::size_t>(TensorOp::Count)> kTensorOps{
    MINITORCH_TENSOR_OPS(MINITORCH_NAME)};
#undef MINITORCH_NAME

inline constexpr std::string_view op_name(TensorOp op) {
  return kTensorOps[static_cast<std::size_t>(op)];
}

}  // namespace minitorch
