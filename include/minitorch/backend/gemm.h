// gemm — our matrix multiply: C = A · B (or C += A · B) for float and double, any strides.
//
// Structure (GotoBLAS / BLIS): B is packed into KC × NR panels and A into MC × KC blocks of MR-row
// panels, so the register-blocked micro-kernel (MR × NR accumulators, FMA, AVX-512 or AVX2 chosen
// at run time, a portable one otherwise) streams both from cache. Block sizes come from the cache
// sizes read at run time. Transposes and arbitrary strides of A, B and C are absorbed by packing
// and by the tile write-back: no operand is ever copied beforehand. Large products split their
// row blocks and column panels over the thread pool; each C element is computed by one thread
// in a fixed order, so results depend only on the shapes and the thread count. Small shapes take
// shorter paths: tiny products update C directly; products at most one vector wide (or, with B
// stored by columns, one vector tall) stream the wide operand through a one-vector tile in place;
// products of at most 16 rows stream B's rows in place; deep products (k ≥ 16·max(m, n)) whose A
// rows and B columns are contiguous are computed as dot products.
//
//   gemm(m, n, k, a, b, c, accumulate)
//     Requires: a is m × k, b is k × n, c is m × n (MatrixRef: data, row stride, column stride;
//               strides in elements, any sign is not supported: strides >= 0); c does not overlap
//               a or b.
//     Ensures:  c = a · b, or c += a · b when accumulate; k = 0 gives c = 0 (or c unchanged).
#pragma once

#include <cstdint>
#include <string>

namespace minitorch {

template <class T>
struct MatrixRef {
  T* data;
  std::int64_t row_stride;
  std::int64_t col_stride;
};

template <class T>
void gemm(std::int64_t m, std::int64_t n, std::int64_t k, MatrixRef<const T> a,
          MatrixRef<const T> b, MatrixRef<T> c, bool accumulate = false);

struct GemmConfig {
  std::string kernel;  // e.g. "avx512 12x32"
  std::int64_t mr, nr, kc, mc, nc;
};
// The kernel and blocking gemm<T> uses now (depends on cpu_isa() and the cache sizes).
template <class T>
GemmConfig gemm_config();

}  // namespace minitorch
