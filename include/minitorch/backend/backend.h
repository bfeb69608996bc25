// Backend — the small set of primitives every tensor operation is built from.
//
// All tensors passed to one call have the same dtype (the tensor layer checks it); inputs are
// broadcast to the output's shape (NumPy rules, checked by the tensor layer), and any input or
// output may be an arbitrary strided view. Outputs are written in place, element by element, so
// an output may be a view into a larger tensor. Outputs must not overlap inputs.
//   copy(in, out)                      out = in, converting dtype if they differ
//   map(op, in, out)                   out = f(in)
//   map_backward(op, in, d, out)       out = d · f'(in)
//   zip(op, a, b, out)                 out = f(a, b)
//   zip_backward(op, a, b, d, da, db)  da = d · ∂f/∂a, db = d · ∂f/∂b (at the output's shape)
//   where(cond, a, b, out)             out = cond != 0 ? a : b
//   reduce(op, in, dim, out)           out (in's shape with size 1 at dim) = fold of op over dim
//   argmax(in, dim, out)               out (size 1 at dim) = index of the first maximum, as a value
//   matmul(a, b, out)                  a [..., n, k] @ b [..., k, m] -> out [..., n, m]; the
//                                      leading dimensions of a and b broadcast to out's
//   gather_rows(table, index, out)     out [N, D] row n = table [V, D] row index[n] (index [N]
//                                      holds row numbers as values, checked by the caller)
//   scatter_add_rows(src, index, out)  out [V, D] row index[n] += src [N, D] row n, in order
// The derivative rules come from the operator functors: backends never restate an operation.
#pragma once

#include <cstdint>
#include <string>

#include "minitorch/backend/op_table.h"
#include "minitorch/tensor/tensor_data.h"

namespace minitorch {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;

  virtual void copy(const TensorData& in, const TensorData& out) const = 0;
  virtual void map(UnaryOp op, const TensorData& in, const TensorData& out) const = 0;
  virtual void map_backward(UnaryOp op, const TensorData& in, const TensorData& d,
                            const TensorData& out) const = 0;
  virtual void zip(BinaryOp op, const TensorData& a, const TensorData& b,
                   const TensorData& out) const = 0;
  virtual void zip_backward(BinaryOp op, const TensorData& a, const TensorData& b,
                            const TensorData& d, const TensorData& da,
                            const TensorData& db) const = 0;
  virtual void where(const TensorData& cond, const TensorData& a, const TensorData& b,
                     const TensorData& out) const = 0;
  virtual void reduce(ReduceOp op, const TensorData& in, std::int64_t dim,
                      const TensorData& out) const = 0;
  virtual void argmax(const TensorData& in, std::int64_t dim, const TensorData& out) const = 0;
  virtual void matmul(const TensorData& a, const TensorData& b, const TensorData& out) const = 0;
  virtual void gather_rows(const TensorData& table, const TensorData& index,
                           const TensorData& out) const = 0;
  virtual void scatter_add_rows(const TensorData& src, const TensorData& index,
                                const TensorData& out) const = 0;
};

// The plain, obviously correct backend: the oracle other backends are tested against.
const Backend& reference_backend();

// The fast CPU backend: vectorised (AVX-512 / AVX2 / portable, chosen at run time), threaded,
// with our GEMM. The default.
const Backend& fast_backend();

// The backend new tensors use unless told otherwise (fast_backend() unless changed).
const Backend& default_backend();
void set_default_backend(const Backend& backend);

}  // namespace minitorch
