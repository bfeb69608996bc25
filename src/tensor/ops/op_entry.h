// An operation's entry in the table of its family (src/tensor/ops/<family>.cpp). Private.
//
// Design: an operation is declared once, in its family's list (tensor/tensor_ops.h), and
// described once, by its entry in the family file beside its forward and backward. What every
// operation will need besides those two is a field of this entry, filled in the same file:
//   - its export mapping (the ONNX node or nodes it becomes when a traced graph is written), and
//   - its batching rule (how vmap moves a batched dimension through it).
// Neither exists yet; when one lands it becomes a field here, and the family's static_assert (which
// already checks that each table lists exactly its family's operations, in order) keeps every
// operation's entry present, so a new operation cannot be added without deciding both.
#pragma once

#include <array>
#include <cstddef>

#include "minitorch/tensor/tensor_ops.h"

namespace minitorch::ops {

enum class OpKind {
  Primitive,  // one backend primitive forward, its own backward
  View,       // shares the input's storage; backward maps the gradient back to the input's shape
  Composite,  // composed of other operations: export and batching follow from theirs
};

struct OpEntry {
  TensorOp op;
  OpKind kind;
};

// True when `entries` lists exactly `family`, in order: the family file's table is complete.
template <std::size_t N, std::size_t M>
constexpr bool lists_exactly(const std::array<OpEntry, N>& entries,
                             const std::array<TensorOp, M>& family) {
  if (N != M) return false;
  for (std::size_t i = 0; i < N; ++i) {
    if (entries[i].op != family[i]) return false;
  }
  return true;
}

}  // namespace minitorch::ops

#define MINITORCH_OP_VALUE(name) ::minitorch::TensorOp::name,
// The operations of one family, as an array: MINITORCH_FAMILY(MINITORCH_ELEMENTWISE_OPS).
#define MINITORCH_FAMILY(LIST) \
  std::array {                 \
    LIST(MINITORCH_OP_VALUE)   \
  }
