// Batched matrix product on the GPU: out [..., n, m] = a [..., n, k] @ b [..., k, m], any strides,
// the leading (batch) dimensions broadcast to out's.
//
// Tiled in shared memory with register blocking: a block computes a BM × BN tile of one batch's
// output, walking k in steps of BK; each step stages A's BM × BK and B's BK × BN tiles in shared
// memory, and each thread accumulates a TM × TN sub-tile in registers. A thread's rows and columns
// are interleaved (row ty + i · BM/TM, column tx + j · BN/TN), so a warp reads consecutive shared
// words (no bank conflicts) and writes consecutive output columns. float: 128 × 128 tiles, 8 × 8
// per thread; double: 64 × 64, 4 × 4; both 256 threads. Tiles load with bounds checks (zeros
// outside), so any n, k, m work. The batch index is the grid's z (looping past 65535 batches).
#include "cuda/cuda_kernels.h"

namespace minitorch::cuda {
namespace {

struct GemmShape {
  std::int64_t n, m, k;
  std::int64_t a_row, a_k;    // a's strides along n and k
  std::int64_t b_k, b_col;    // b's strides along k and m
  std::int64_t c_row, c_col;  // out's strides along n and m
};

template <class T, int BM, int BN, int BK, int TM, int TN>
__global__ void __launch_bounds__((BM / TM) * (BN / TN))
    gemm_kernel(GemmShape g, Walk<3> batch, const T* __restrict__ a, const T* __restrict__ b,
                T* __restrict__ c) {
  constexpr int kRowsOfThreads = BM / TM;
  constexpr int kColsOfThreads = BN / TN;
  constexpr int kBlockThreads = kRowsOfThreads * kColsOfThreads;
  __shared__ T as[BK][BM];
  __shared__ T bs[BK][BN];
  const int tx = threadIdx.x % kColsOfThreads;
  const int ty = threadIdx.x / kColsOfThreads;
  const std::int64_t row0 = std::int64_t(blockIdx.y) * BM;
  const std::int64_t col0 = std::int64_t(blockIdx.x) * BN;
  // Which index varies fastest across threads while loading: the one with unit stride, so that a
  // warp's loads coalesce whether an operand is stored as is or transposed.
  const bool a_k_fastest = g.a_k == 1 || g.a_row != 1;
  const bool b_col_fastest = g.b_col == 1 || g.b_k != 1;

  for (std::int64_t z = blockIdx.z; z < batch.count; z += gridDim.z) {
    std::int64_t base[3];
    batch.positions(z, base);
    const T* a_z = a + base[1];
    const T* b_z = b + base[2];
    T acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; ++i) {
#pragma unroll
      for (int j = 0; j < TN; ++j) acc[i][j] = T(0);
    }
    for (std::int64_t k0 = 0; k0 < g.k; k0 += BK) {
      for (int e = threadIdx.x; e < BM * BK; e += kBlockThreads) {
        const int r = a_k_fastest ? e / BK : e % BM;
        const int kk = a_k_fastest ? e % BK : e / BM;
        const std::int64_t row = row0 + r, k = k0 + kk;
        as[kk][r] = row < g.n && k < g.k ? a_z[row * g.a_row + k * g.a_k] : T(0);
      }
      for (int e = threadIdx.x; e < BK * BN; e += kBlockThreads) {
        const int col = b_col_fastest ? e % BN : e / BK;
        const int kk = b_col_fastest ? e / BN : e % BK;
        const std::int64_t cc = col0 + col, k = k0 + kk;
        bs[kk][col] = cc < g.m && k < g.k ? b_z[k * g.b_k + cc * g.b_col] : T(0);
      }
      __syncthreads();
#pragma unroll
      for (int kk = 0; kk < BK; ++kk) {
        T a_frag[TM], b_frag[TN];
#pragma unroll
        for (int i = 0; i < TM; ++i) a_frag[i] = as[kk][ty + i * kRowsOfThreads];
#pragma unroll
        for (int j = 0; j < TN; ++j) b_frag[j] = bs[kk][tx + j * kColsOfThreads];
#pragma unroll
        for (int i = 0; i < TM; ++i) {
#pragma unroll
          for (int j = 0; j < TN; ++j) acc[i][j] += a_frag[i] * b_frag[j];
        }
      }
      __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < TM; ++i) {
      const std::int64_t row = row0 + ty + i * kRowsOfThreads;
      if (row >= g.n) continue;
#pragma unroll
      for (int j = 0; j < TN; ++j) {
        const std::int64_t col = col0 + tx + j * kColsOfThreads;
        if (col < g.m) c[base[0] + row * g.c_row + col * g.c_col] = acc[i][j];
      }
    }
  }
}

template <class T, int BM, int BN, int BK, int TM, int TN>
void launch_gemm(const Target& t, const GemmShape& g, const Walk<3>& batch, const T* a, const T* b,
                 T* c) {
  constexpr unsigned kMaxGridZ = 65535;
  const dim3 grid(static_cast<unsigned>((g.m + BN - 1) / BN),
                  static_cast<unsigned>((g.n + BM - 1) / BM),
                  static_cast<unsigned>(std::min<std::int64_t>(batch.count, kMaxGridZ)));
  gemm_kernel<T, BM, BN, BK, TM, TN>
      <<<grid, (BM / TM) * (BN / TN), 0, t.stream>>>(g, batch, a, b, c);
  MT_CUDA_CHECK_LAUNCH();
}

}  // namespace

void matmul(const Target& t, const TensorData& a, const TensorData& b, const TensorData& out) {
  const int rank = static_cast<int>(out.dim());
  const int ad = static_cast<int>(a.dim()), bd = static_cast<int>(b.dim());
  const GemmShape g{out.shape()[rank - 2], out.shape()[rank - 1],   a.shape()[ad - 1],
                    a.strides()[ad - 2],   a.strides()[ad - 1],     b.strides()[bd - 2],
                    b.strides()[bd - 1],   out.strides()[rank - 2], out.strides()[rank - 1]};
  if (g.n == 0 || g.m == 0) return;
  // The batch dimensions: every dimension but the last two, broadcast as elementwise operands are.
  const Walk<3> batch =
      make_walk<3>(out.shape().data(), rank - 2,
                   {View{out.shape().data(), out.strides().data(), rank - 2, out.offset()},
                    View{a.shape().data(), a.strides().data(), ad - 2, a.offset()},
                    View{b.shape().data(), b.strides().data(), bd - 2, b.offset()}});
  if (batch.count == 0) return;
  dispatch_dtype(out.dtype(), [&]<class T>() {
    if constexpr (sizeof(T) == 4) {
      launch_gemm<T, 128, 128, 8, 8, 8>(t, g, batch, a.data<T>(), b.data<T>(), out.data<T>());
    } else {
      launch_gemm<T, 64, 64, 8, 4, 4>(t, g, batch, a.data<T>(), b.data<T>(), out.data<T>());
    }
  });
}

}  // namespace minitorch::cuda
