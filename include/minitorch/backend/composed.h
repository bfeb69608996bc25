// composed — the Backend operations that are not required primitives, built from those that are.
//
// Each function here has the contract of the Backend member of the same name (backend.h) and
// calls only backend's required primitives (copy, map, zip, where, reduce, matmul) on tensors of
// backend.device(), plus temporaries it allocates there (constants such as an index ramp are made
// on the host and moved to the device once). They are Backend's defaults: a backend overrides one
// only to be faster, and the tests compare every override with the composition. In words:
//   unfold       kh·kw strided copies of the (zero-)padded input, one per kernel element
//   fold         the adjoint: kh·kw strided adds into a zero-padded buffer, its interior copied out
//   pool2d       unfold (padding −inf for Max) + reduce over the window: Max with the first
//                maximum's position found by comparing with a ramp of positions; Avg = Sum / kh·kw
//   pool2d_backward  the window gradient (d / kh·kw, or d where the position is the chosen one)
//                spread over the columns, then fold
//   conv2d       unfold · matmul (+ bias); backward input = fold(Wᵀ · d); backward weight =
//                d · unfoldᵀ over every image at once (+ Σ d for the bias)
//   gather_rows / scatter_add_rows  one strided row copy (add) per index, in index order (the
//                index is copied to the host once to pick the rows)
//   argmax       reduce Max, compare, and take the smallest matching ramp value (a second reduce)
// Convolution and the pooling gradients call backend.unfold / backend.fold, so a backend that
// overrides only those (CUDA's kernels) gets its convolution from them; a backend that overrides
// neither gets the strided copies above, so every step still reduces to the required primitives.
// Results equal the reference backend's direct loops up to the order of floating-point sums
// (fold, the convolution's sums); positions and maxima are equal exactly.
#pragma once

#include <cstdint>

#include "minitorch/backend/backend.h"

namespace minitorch::composed {

void unfold(const Backend& backend, const TensorData& in, const Window2d& window,
            const TensorData& out);
void fold(const Backend& backend, const TensorData& in, const Window2d& window,
          const TensorData& out);
void pool2d(const Backend& backend, PoolOp op, const TensorData& in, const Window2d& window,
            const TensorData& out, const TensorData& indices);
void pool2d_backward(const Backend& backend, PoolOp op, const TensorData& d,
                     const TensorData& indices, const Window2d& window, const TensorData& dx);
void conv2d(const Backend& backend, const TensorData& in, const TensorData& weight,
            const TensorData& bias, const Window2d& window, const TensorData& out);
void conv2d_backward_input(const Backend& backend, const TensorData& d, const TensorData& weight,
                           const Window2d& window, const TensorData& dx);
void conv2d_backward_weight(const Backend& backend, const TensorData& in, const TensorData& d,
                            const Window2d& window, const TensorData& dweight,
                            const TensorData& dbias);
void gather_rows(const Backend& backend, const TensorData& table, const TensorData& index,
                 const TensorData& out);
void scatter_add_rows(const Backend& backend, const TensorData& src, const TensorData& index,
                      const TensorData& out);
void argmax(const Backend& backend, const TensorData& in, std::int64_t dim, const TensorData& out);

}  // namespace minitorch::composed
