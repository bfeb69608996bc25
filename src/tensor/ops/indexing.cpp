// Indexing: rows of a table picked by index (embedding); its backward scatter-adds rows.
#include <cmath>
#include "autodiff/record.h"
#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"
#include "minitorch/tensor/tensor.h"
#include "tensor/ops/op_entry.h"
#include "tensor/ops/support.h"

namespace minitorch {

// The family's shared helpers (support.h) and its table's types (op_entry.h).
using namespace ops;

// The family's table: one entry per operation of MINITORCH_INDEXING_OPS, in its order.
[[maybe_unused]] constexpr std::array<ops::OpEntry, 1> kIndexingOps{{
    {TensorOp::embedding, OpKind::Primitive},
}};
static_assert(ops::lists_exactly(kIndexingOps, MINITORCH_FAMILY(MINITORCH_INDEXING_OPS)),
              "every operation of MINITORCH_INDEXING_OPS needs its entry here, in order");

Tensor embedding(const Tensor& weight, const Tensor& indices) {
  check_compatible(weight, indices, "embedding");
  if (weight.dim() != 2) {
    throw Error("embedding: weight of shape " + shape_to_string(weight.shape()) +
                "; expected [num_embeddings, embedding_dim]");
  }
  const std::int64_t rows = weight.size(0), width = weight.size(1);
  const Tensor flat = indices.detach().contiguous().reshape({-1});
  const auto values = flat.to_vector();
  for (std::size_t n = 0; n < values.size(); ++n) {
    if (values[n] != std::floor(values[n]) || values[n] < 0 || values[n] >= double(rows)) {
      throw Error("embedding: index " + std::to_string(values[n]) + " at position " +
                  std::to_string(n) + " is not a row of a table with " + std::to_string(rows) +
                  " rows");
    }
  }
  const auto count = static_cast<std::int64_t>(values.size());
  const Tensor gathered = empty({count, width}, weight.dtype(), weight.backend());
  weight.backend().gather_rows(weight.tensor_data(), flat.tensor_data(), gathered.tensor_data());
  Shape out_shape = indices.shape();
  out_shape.push_back(width);
  const Tensor out(gathered.tensor_data().view(out_shape), &weight.backend());
  const Shape table_shape = weight.shape();
  autodiff::record(out, "embedding", {weight}, [flat, table_shape, count, width](const Tensor& g) {
    const Tensor dw = zeros(table_shape, options_like(g));
    g.backend().scatter_add_rows(g.contiguous().reshape({count, width}).tensor_data(),
                                 flat.tensor_data(), dw.tensor_data());
    return std::vector<Tensor>{dw};
  });
  return out;
}

}  // namespace minitorch
