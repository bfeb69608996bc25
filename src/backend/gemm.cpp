// Our GEMM: packing, cache blocking, threading, and register-blocked micro-kernels.
//
// Loop nest (BLIS naming), for C[m × n] = A[m × k] · B[k × n]:
//   jc: columns in blocks of NC     (B block KC × NC stays in L3)
//    pc: depth in blocks of KC      (pack B: panels of KC × NR, shared by all threads)
//     ic: rows in blocks of MC      (pack A: panels of MR × KC, per task, stays in L2)
//      jr: NR-wide column panels    (a B panel stays in L1)
//       ir: MR-tall row panels      -> micro-kernel: MR × NR tile of C in registers, KC FMAs deep
#include "minitorch/backend/gemm.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <utility>

#include "minitorch/backend/cpu_features.h"
#include "minitorch/backend/detail/isa_dispatch.h"
#include "minitorch/parallel/parallel.h"

namespace minitorch {
namespace {

// ---- micro-kernels
// --------------------------------------------------------------------------------

template <class T, int Bytes>
struct VectorOf {
  typedef T type __attribute__((vector_size(Bytes)));
};

// Where the micro-kernel reads its operands: both packed, A in place (a narrow product streams A
// once instead of packing it), or B in place (a product of a few rows, where each element of B
// meets only a tile or two of A, streams B instead).
enum class Operands { Packed, DirectA, DirectB };

// c[MR × NR] (row stride ldc, unit column stride) = (accumulate ? c : 0) + Σ_p a[p] ⊗ b[p], with
// a packed [kc][MR] or (DirectA) read in place with strides (a_rs, a_cs), and b packed [kc][NR],
// NR = NV vectors, or (DirectB) read in place as rows of row stride b_rs. Inlined into one wrapper
// per ISA so the same source is compiled for AVX-512, AVX2 and the baseline.
template <class T, int Bytes, int MR, int NV, Operands Mode>
__attribute__((always_inline)) inline void micro_kernel_body(std::int64_t kc, const T* a,
                                                             std::int64_t a_rs, std::int64_t a_cs,
                                                             const T* b, std::int64_t b_rs, T* c,
                                                             std::int64_t ldc, bool accumulate) {
  using V = typename VectorOf<T, Bytes>::type;
  constexpr int W = Bytes / sizeof(T);
  constexpr int NR = NV * W;
  V acc[MR][NV];
  for (int i = 0; i < MR; ++i) {
    for (int v = 0; v < NV; ++v) acc[i][v] = V{};
  }
  for (std::int64_t p = 0; p < kc; ++p) {
    V bv[NV];
    const T* b_row = Mode == Operands::DirectB ? b + p * b_rs : b + p * NR;
    for (int v = 0; v < NV; ++v) std::memcpy(&bv[v], b_row + v * W, Bytes);
    for (int i = 0; i < MR; ++i) {
      const T ap = Mode == Operands::DirectA ? a[i * a_rs + p * a_cs] : a[p * MR + i];
      const V ai = ap - V{};  // broadcast (x - 0 is exactly x, so no add is emitted; 0 + x is not)
      for (int v = 0; v < NV; ++v) acc[i][v] += ai * bv[v];
    }
  }
  for (int i = 0; i < MR; ++i) {
    for (int v = 0; v < NV; ++v) {
      T* row = c + i * ldc + v * W;
      if (accumulate) {
        V old;
        std::memcpy(&old, row, Bytes);
        acc[i][v] += old;
      }
      std::memcpy(row, &acc[i][v], Bytes);
    }
  }
}

#define MT_MICRO_KERNEL_ARGS                                                     \
  std::int64_t kc, const T *a, std::int64_t a_rs, std::int64_t a_cs, const T *b, \
      std::int64_t b_rs, T *c, std::int64_t ldc, bool acc

template <class T, int Bytes, int MR, int NV, Operands Mode>
__attribute__((target("arch=x86-64-v4"))) void micro_kernel_avx512(MT_MICRO_KERNEL_ARGS) {
  micro_kernel_body<T, Bytes, MR, NV, Mode>(kc, a, a_rs, a_cs, b, b_rs, c, ldc, acc);
}

template <class T, int Bytes, int MR, int NV, Operands Mode>
__attribute__((target("arch=x86-64-v3"))) void micro_kernel_avx2(MT_MICRO_KERNEL_ARGS) {
  micro_kernel_body<T, Bytes, MR, NV, Mode>(kc, a, a_rs, a_cs, b, b_rs, c, ldc, acc);
}

template <class T, int Bytes, int MR, int NV, Operands Mode>
void micro_kernel_generic(MT_MICRO_KERNEL_ARGS) {
  micro_kernel_body<T, Bytes, MR, NV, Mode>(kc, a, a_rs, a_cs, b, b_rs, c, ldc, acc);
}

template <class T>
using MicroKernel = void (*)(std::int64_t, const T*, std::int64_t, std::int64_t, const T*,
                             std::int64_t, T*, std::int64_t, bool);

template <class T>
struct Kernel {
  MicroKernel<T> run;           // both packed
  MicroKernel<T> run_direct;    // A read in place
  MicroKernel<T> run_direct_b;  // B read in place
  std::int64_t mr;
  std::int64_t nr;
  const char* name;
};

// MR × NR register tiles: AVX-512 has 32 vector registers, AVX2 and SSE 16; the accumulators
// take MR · NV of them. Shorter tiles serve products with few rows, which a tall tile would pad;
// one-vector-wide tiles (NV = 1, taller) serve products with few columns.
template <class T, int MR, int NV, bool Half = false>
Kernel<T> kernel_with(CpuIsa isa) {
  // Half: vectors of half the native width, for products narrower than half a vector.
  constexpr int b512 = Half ? 32 : 64, b256 = Half ? 16 : 32;
  constexpr int w512 = b512 / sizeof(T), w256 = b256 / sizeof(T), w128 = 16 / sizeof(T);
  // The register files bound MR: AVX2 and SSE hold half of AVX-512's tallest tiles.
  constexpr int mr256 = MR > 12 ? 12 : (MR > 6 && NV == 2 ? 6 : MR);
  constexpr int mr128 = NV == 1 ? (MR > 8 ? 8 : MR) : (MR > 4 ? 4 : MR);
  switch (isa) {
    case CpuIsa::Avx512:
      return {&micro_kernel_avx512<T, b512, MR, NV, Operands::Packed>,
              &micro_kernel_avx512<T, b512, MR, NV, Operands::DirectA>,
              &micro_kernel_avx512<T, b512, MR, NV, Operands::DirectB>,
              MR,
              NV * w512,
              "avx512"};
    case CpuIsa::Avx2:
      return {&micro_kernel_avx2<T, b256, mr256, NV, Operands::Packed>,
              &micro_kernel_avx2<T, b256, mr256, NV, Operands::DirectA>,
              &micro_kernel_avx2<T, b256, mr256, NV, Operands::DirectB>,
              mr256,
              NV * w256,
              "avx2"};
    case CpuIsa::Generic:
      break;
  }
  return {&micro_kernel_generic<T, 16, mr128, NV, Operands::Packed>,
          &micro_kernel_generic<T, 16, mr128, NV, Operands::DirectA>,
          &micro_kernel_generic<T, 16, mr128, NV, Operands::DirectB>,
          mr128,
          NV * w128,
          "generic"};
}

// The tallest two-vector tile unless a shorter one pads fewer rows of an m-row product.
template <class T>
Kernel<T> kernel_for(CpuIsa isa, std::int64_t m = 1 << 30) {
  const Kernel<T> options[] = {kernel_with<T, 12, 2>(isa), kernel_with<T, 8, 2>(isa),
                               kernel_with<T, 6, 2>(isa), kernel_with<T, 4, 2>(isa)};
  Kernel<T> best = options[0];
  auto padded = [m](const Kernel<T>& k) { return (m + k.mr - 1) / k.mr * k.mr; };
  for (const auto& option : options) {
    if (padded(option) < padded(best)) best = option;
  }
  return best;
}

// For products at most one vector wide: one vector of accumulators per row, half-width vectors
// when the product is narrower still.
template <class T>
Kernel<T> narrow_kernel_for(CpuIsa isa, std::int64_t n) {
  const Kernel<T> half = kernel_with<T, 12, 1, true>(isa);
  return n <= half.nr ? half : kernel_with<T, 12, 1>(isa);
}

// ---- blocking
// ---------------------------------------------------------------------------------------

std::int64_t cache_size(int name, std::int64_t fallback) {
  const long size = sysconf(name);
  return size > 0 ? size : fallback;
}

struct Blocking {
  std::int64_t kc, mc, nc;
};

template <class T>
Blocking blocking_for(const Kernel<T>& kernel) {
  static const std::int64_t l1 = cache_size(_SC_LEVEL1_DCACHE_SIZE, 32 << 10);
  static const std::int64_t l2 = cache_size(_SC_LEVEL2_CACHE_SIZE, 1 << 20);
  static const std::int64_t l3 = cache_size(_SC_LEVEL3_CACHE_SIZE, 8 << 20);
  const auto size = static_cast<std::int64_t>(sizeof(T));
  // A KC × NR panel of B fills half of L1; an MC × KC block of A half of L2; a KC × NC block of B
  // a quarter of L3 (shared by the cores).
  std::int64_t kc = std::clamp<std::int64_t>(l1 / (2 * kernel.nr * size), 64, 512) / 8 * 8;
  std::int64_t mc = std::clamp<std::int64_t>(l2 / (2 * kc * size), kernel.mr, 1024);
  mc = std::max<std::int64_t>(mc / kernel.mr, 1) * kernel.mr;
  std::int64_t nc = std::clamp<std::int64_t>(l3 / (4 * kc * size), kernel.nr, 4096);
  nc = std::max<std::int64_t>(nc / kernel.nr, 1) * kernel.nr;
  return {kc, mc, nc};
}

// ---- packing
// ---------------------------------------------------------------------------------------

// Rows [0, mc) × depth [0, kc) of A as panels of MR rows: panel r holds a[r·MR + i][p] at
// [p][i]; rows past mc are zero.
template <class T>
void pack_a(std::int64_t mc, std::int64_t kc, const T* a, std::int64_t rs, std::int64_t cs,
            std::int64_t mr, T* out) {
  for (std::int64_t r = 0; r < mc; r += mr, out += mr * kc) {
    const std::int64_t rows = std::min(mr, mc - r);
    if (rows < mr) std::fill(out, out + mr * kc, T(0));
    // Read along whichever direction is contiguous in memory; the panel itself sits in L1.
    if (cs == 1) {
      for (std::int64_t i = 0; i < rows; ++i) {
        const T* row = a + (r + i) * rs;
        for (std::int64_t p = 0; p < kc; ++p) out[p * mr + i] = row[p];
      }
    } else {
      for (std::int64_t p = 0; p < kc; ++p) {
        const T* column = a + r * rs + p * cs;
        for (std::int64_t i = 0; i < rows; ++i) out[p * mr + i] = column[i * rs];
      }
    }
  }
}

// Depth [0, kc) × columns [0, nc) of B as panels of NR columns ([p][j]); columns past nc are zero.
template <class T>
void pack_b_panels(std::int64_t kc, std::int64_t nc, const T* b, std::int64_t rs, std::int64_t cs,
                   std::int64_t nr, T* out) {
  for (std::int64_t panel = 0; panel * nr < nc; ++panel) {
    const std::int64_t j = panel * nr;
    const std::int64_t cols = std::min(nr, nc - j);
    T* dst = out + panel * nr * kc;
    if (cols < nr) std::fill(dst, dst + nr * kc, T(0));
    if (cs == 1) {
      // A row of a panel is short (NR elements): copied in fixed 32-byte chunks, which compile to
      // vector moves, rather than by a memcpy call per row.
      constexpr std::int64_t chunk = 32 / sizeof(T);
      const std::int64_t whole = cols / chunk * chunk;
      for (std::int64_t p = 0; p < kc; ++p) {
        const T* src = b + p * rs + j;
        T* row = dst + p * nr;
        for (std::int64_t jj = 0; jj < whole; jj += chunk) std::memcpy(row + jj, src + jj, 32);
        for (std::int64_t jj = whole; jj < cols; ++jj) row[jj] = src[jj];
      }
    } else if (rs == 1) {  // a transposed operand: its columns are contiguous
      for (std::int64_t jj = 0; jj < cols; ++jj) {
        const T* column = b + (j + jj) * cs;
        for (std::int64_t p = 0; p < kc; ++p) dst[p * nr + jj] = column[p];
      }
    } else {
      for (std::int64_t p = 0; p < kc; ++p) {
        for (std::int64_t jj = 0; jj < cols; ++jj) dst[p * nr + jj] = b[p * rs + (j + jj) * cs];
      }
    }
  }
}

// A 64-byte aligned scratch buffer that only grows.
template <class T>
class Scratch {
 public:
  T* get(std::int64_t count) {
    if (count > capacity_) {
      data_.reset(static_cast<T*>(std::aligned_alloc(64, round_up(count * sizeof(T)))));
      if (!data_) throw std::bad_alloc();
      capacity_ = count;
    }
    return data_.get();
  }

 private:
  static std::size_t round_up(std::size_t bytes) { return (bytes + 63) / 64 * 64; }
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T, Free> data_;
  std::int64_t capacity_ = 0;
};

// Writes an MR × NR tile computed into `tile` (row stride nr) to the valid rows × cols of C,
// walking C along its contiguous direction (a transposed C comes from a narrow product).
template <class T>
void write_tile(const T* tile, std::int64_t nr, std::int64_t rows, std::int64_t cols, T* c,
                std::int64_t rs, std::int64_t cs, bool accumulate) {
  auto put = [&](std::int64_t i, std::int64_t j) {
    T& dst = c[i * rs + j * cs];
    dst = accumulate ? dst + tile[i * nr + j] : tile[i * nr + j];
  };
  if (rs < cs) {
    for (std::int64_t j = 0; j < cols; ++j) {
      for (std::int64_t i = 0; i < rows; ++i) put(i, j);
    }
  } else {
    for (std::int64_t i = 0; i < rows; ++i) {
      for (std::int64_t j = 0; j < cols; ++j) put(i, j);
    }
  }
}

// One task: rows [ic, ic + mc) of C against the packed column panels [first, last).
template <class T>
void macro_kernel(const Kernel<T>& kernel, std::int64_t mc, std::int64_t nc, std::int64_t kc,
                  const T* packed_a, const T* packed_b, std::int64_t first_panel,
                  std::int64_t last_panel, MatrixRef<T> c, bool accumulate) {
  const std::int64_t mr = kernel.mr, nr = kernel.nr;
  alignas(64) T tile[16 * 64];  // the largest MR × NR of any kernel
  for (std::int64_t panel = first_panel; panel < last_panel; ++panel) {
    const std::int64_t j = panel * nr;
    const std::int64_t cols = std::min(nr, nc - j);
    for (std::int64_t i = 0; i < mc; i += mr) {
      const std::int64_t rows = std::min(mr, mc - i);
      const T* a = packed_a + i * kc;
      const T* b = packed_b + panel * nr * kc;
      T* c_tile = c.data + i * c.row_stride + j * c.col_stride;
      if (rows == mr && cols == nr && c.col_stride == 1) {
        kernel.run(kc, a, 0, 0, b, 0, c_tile, c.row_stride, accumulate);
      } else {
        kernel.run(kc, a, 0, 0, b, 0, tile, nr, false);
        write_tile(tile, nr, rows, cols, c_tile, c.row_stride, c.col_stride, accumulate);
      }
    }
  }
}

template <class T>
void zero_or_keep(std::int64_t m, std::int64_t n, MatrixRef<T> c, bool accumulate) {
  if (accumulate) return;
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) c.data[i * c.row_stride + j * c.col_stride] = T(0);
  }
}

// Below this many multiply-adds a product runs on the calling thread.
constexpr std::int64_t kParallelFlops = 1 << 18;
// Below this many, packing costs more than it saves: rows of C are updated directly.
constexpr std::int64_t kSmallFlops = 1 << 16;

// C[i, :] (+)= Σ_p A[i, p] · B[p, :] with B's rows and C's rows contiguous: the inner loop runs
// along a row, which the compiler vectorises for each instruction set.
template <class T>
struct SmallGemmLoop {
  static MT_ALWAYS_INLINE void run(std::int64_t m, std::int64_t n, std::int64_t k, const T* a,
                                   std::int64_t a_rs, std::int64_t a_cs, const T* b,
                                   std::int64_t b_rs, T* c, std::int64_t c_rs, bool accumulate) {
    for (std::int64_t i = 0; i < m; ++i) {
      T* __restrict row = c + i * c_rs;
      if (!accumulate) {
        for (std::int64_t j = 0; j < n; ++j) row[j] = T(0);
      }
      for (std::int64_t p = 0; p < k; ++p) {
        const T scale = a[i * a_rs + p * a_cs];
        const T* __restrict b_row = b + p * b_rs;
        for (std::int64_t j = 0; j < n; ++j) row[j] += scale * b_row[j];
      }
    }
  }
};

// Copies an r × c matrix into contiguous row-major scratch.
template <class T>
const T* contiguous_rows(std::int64_t r, std::int64_t c, const T* data, std::int64_t rs,
                         std::int64_t cs, Scratch<T>& scratch) {
  T* out = scratch.get(r * c);
  for (std::int64_t i = 0; i < r; ++i) {
    for (std::int64_t j = 0; j < c; ++j) out[i * c + j] = data[i * rs + j * cs];
  }
  return out;
}

template <class T>
void small_gemm(std::int64_t m, std::int64_t n, std::int64_t k, MatrixRef<const T> a,
                MatrixRef<const T> b, MatrixRef<T> c, bool accumulate) {
  static thread_local Scratch<T> operand;
  static thread_local Scratch<T> result;
  // The loop vectorises along C's rows, so it wants wide rows: for narrow C (a matrix-vector
  // product, say) compute Cᵀ = Bᵀ · Aᵀ instead, whose rows are C's columns.
  const bool transposed = n < m && n < 16;
  if (transposed) {
    std::swap(m, n);
    std::swap(a, b);
    std::swap(a.row_stride, a.col_stride);
    std::swap(b.row_stride, b.col_stride);
    std::swap(c.row_stride, c.col_stride);
  }
  // The right operand's rows must be contiguous (at most 64 K elements are copied).
  const T* b_rows = b.data;
  std::int64_t b_rs = b.row_stride;
  if (b.col_stride != 1) {
    b_rows = contiguous_rows(k, n, b.data, b.row_stride, b.col_stride, operand);
    b_rs = n;
  }
  if (c.col_stride == 1) {
    detail::run_on_cpu<SmallGemmLoop<T>>(m, n, k, a.data, a.row_stride, a.col_stride, b_rows, b_rs,
                                         c.data, c.row_stride, accumulate);
    return;
  }
  T* out = result.get(m * n);
  detail::run_on_cpu<SmallGemmLoop<T>>(m, n, k, a.data, a.row_stride, a.col_stride, b_rows, b_rs,
                                       out, n, false);
  write_tile(out, n, m, n, c.data, c.row_stride, c.col_stride, accumulate);
}

// C at most one vector wide (a convolution with few output channels, a matrix-vector product):
// B packs into a single panel that stays in L1, and A streams through the micro-kernel in place,
// once, instead of being packed (packing would cost as much as the few multiply-adds per element).
template <class T>
void narrow_gemm(const Kernel<T>& kernel, std::int64_t m, std::int64_t n, std::int64_t k,
                 MatrixRef<const T> a, MatrixRef<const T> b, MatrixRef<T> c, bool accumulate) {
  const Blocking blocks = blocking_for(kernel);
  const std::int64_t mr = kernel.mr, nr = kernel.nr;
  static thread_local Scratch<T> b_scratch;
  T* packed_b = b_scratch.get(blocks.kc * nr);
  const std::int64_t tiles = (m + mr - 1) / mr;
  const bool threaded = m * n * k > kParallelFlops;
  for (std::int64_t pc = 0; pc < k; pc += blocks.kc) {
    const std::int64_t kc = std::min(blocks.kc, k - pc);
    pack_b_panels(kc, n, b.data + pc * b.row_stride, b.row_stride, b.col_stride, nr, packed_b);
    const bool add = accumulate || pc > 0;
    parallel_for(0, tiles, threaded ? 16 : tiles, [&](std::int64_t t0, std::int64_t t1) {
      static thread_local Scratch<T> a_scratch;
      alignas(64) T tile[16 * 64];
      for (std::int64_t t = t0; t < t1; ++t) {
        const std::int64_t i = t * mr;
        const std::int64_t rows = std::min(mr, m - i);
        const T* a_block = a.data + i * a.row_stride + pc * a.col_stride;
        T* c_tile = c.data + i * c.row_stride;
        if (rows == mr && n == nr && c.col_stride == 1) {
          kernel.run_direct(kc, a_block, a.row_stride, a.col_stride, packed_b, 0, c_tile,
                            c.row_stride, add);
          continue;
        }
        if (rows == mr) {
          kernel.run_direct(kc, a_block, a.row_stride, a.col_stride, packed_b, 0, tile, nr, false);
        } else {  // the last rows: packed and zero-padded, so nothing past A is read
          T* packed_a = a_scratch.get(mr * kc);
          pack_a(rows, kc, a_block, a.row_stride, a.col_stride, mr, packed_a);
          kernel.run(kc, packed_a, 0, 0, packed_b, 0, tile, nr, false);
        }
        write_tile(tile, nr, rows, n, c_tile, c.row_stride, c.col_stride, add);
      }
    });
  }
}

// At most two tiles tall with B's rows contiguous (a convolution's O × L output, O ≤ 16): each
// element of B meets one or two tiles of A, so packing B would move it once more than the
// multiply-adds read it. A (a few rows) is packed; B streams through the micro-kernel in place,
// its last partial panel packed and zero-padded so that nothing past B is read.
constexpr std::int64_t kShortRows = 16;

template <class T>
void short_gemm(const Kernel<T>& kernel, std::int64_t m, std::int64_t n, std::int64_t k,
                MatrixRef<const T> a, MatrixRef<const T> b, MatrixRef<T> c, bool accumulate) {
  const Blocking blocks = blocking_for(kernel);
  const std::int64_t mr = kernel.mr, nr = kernel.nr;
  const std::int64_t row_tiles = (m + mr - 1) / mr;
  const std::int64_t full_panels = n / nr, rest = n - full_panels * nr;
  static thread_local Scratch<T> a_scratch;
  static thread_local Scratch<T> b_scratch;
  T* packed_a = a_scratch.get(row_tiles * mr * blocks.kc);
  T* tail_b = b_scratch.get(blocks.kc * nr);
  const bool threaded = m * n * k > kParallelFlops;
  for (std::int64_t pc = 0; pc < k; pc += blocks.kc) {
    const std::int64_t kc = std::min(blocks.kc, k - pc);
    pack_a(m, kc, a.data + pc * a.col_stride, a.row_stride, a.col_stride, mr, packed_a);
    const bool add = accumulate || pc > 0;
    const T* b_rows = b.data + pc * b.row_stride;
    // One task: the column panels [first, last), every row tile of each.
    auto panels = [&](std::int64_t first, std::int64_t last) {
      alignas(64) T tile[16 * 64];
      for (std::int64_t panel = first; panel < last; ++panel) {
        const std::int64_t j = panel * nr;
        const bool tail = panel == full_panels;
        const std::int64_t cols = tail ? rest : nr;
        if (tail) pack_b_panels(kc, rest, b_rows + j, b.row_stride, std::int64_t{1}, nr, tail_b);
        for (std::int64_t t = 0; t < row_tiles; ++t) {
          const std::int64_t rows = std::min(mr, m - t * mr);
          const T* a_tile = packed_a + t * mr * kc;
          T* c_tile = c.data + t * mr * c.row_stride + j * c.col_stride;
          if (!tail && rows == mr && c.col_stride == 1) {
            kernel.run_direct_b(kc, a_tile, 0, 0, b_rows + j, b.row_stride, c_tile, c.row_stride,
                                add);
            continue;
          }
          if (tail) {
            kernel.run(kc, a_tile, 0, 0, tail_b, 0, tile, nr, false);
          } else {
            kernel.run_direct_b(kc, a_tile, 0, 0, b_rows + j, b.row_stride, tile, nr, false);
          }
          write_tile(tile, nr, rows, cols, c_tile, c.row_stride, c.col_stride, add);
        }
      }
    };
    const std::int64_t all = full_panels + (rest > 0 ? 1 : 0);
    if (threaded) {
      // The tail panel packs into the calling thread's buffer: it runs there, after the others.
      parallel_for(0, full_panels, 4, panels);
      if (rest > 0) panels(full_panels, all);
    } else {
      panels(0, all);
    }
  }
}

// ---- deep products: dot products along a contiguous k
// ----------------------------------------------

// C[i, j] (+)= Σ_p A[i, p] · B[p, j] for blocks of RI × RJ elements of C whose rows of A and
// columns of B are contiguous along p: RI · RJ vector accumulators run along p, each reduced to
// its element at the end. rows_a[r] / cols_b[r] point at the block's runs (callers pad a partial
// block by repeating a run; write_rows / write_cols say how many results are real).
template <class T, int Bytes, int RI, int RJ>
__attribute__((always_inline)) inline void dot_block_body(std::int64_t k, const T* const* rows_a,
                                                          const T* const* cols_b, T* c,
                                                          std::int64_t c_rs, std::int64_t c_cs,
                                                          int write_rows, int write_cols,
                                                          bool accumulate) {
  using V = typename VectorOf<T, Bytes>::type;
  constexpr int W = Bytes / sizeof(T);
  V acc[RI][RJ];
  for (int i = 0; i < RI; ++i) {
    for (int j = 0; j < RJ; ++j) acc[i][j] = V{};
  }
  std::int64_t p = 0;
  for (; p + W <= k; p += W) {
    V a[RI], b[RJ];
    for (int i = 0; i < RI; ++i) std::memcpy(&a[i], rows_a[i] + p, Bytes);
    for (int j = 0; j < RJ; ++j) std::memcpy(&b[j], cols_b[j] + p, Bytes);
    for (int i = 0; i < RI; ++i) {
      for (int j = 0; j < RJ; ++j) acc[i][j] += a[i] * b[j];
    }
  }
  for (int i = 0; i < write_rows; ++i) {
    for (int j = 0; j < write_cols; ++j) {
      T sum = T(0);
      for (int l = 0; l < W; ++l) sum += acc[i][j][l];
      for (std::int64_t q = p; q < k; ++q) sum += rows_a[i][q] * cols_b[j][q];
      T& dst = c[i * c_rs + j * c_cs];
      dst = accumulate ? dst + sum : sum;
    }
  }
}

#define MT_DOT_BLOCK_ARGS                                                                  \
  std::int64_t k, const T *const *rows_a, const T *const *cols_b, T *c, std::int64_t c_rs, \
      std::int64_t c_cs, int write_rows, int write_cols, bool acc

template <class T, int Bytes, int RI, int RJ>
__attribute__((target("arch=x86-64-v4"))) void dot_block_avx512(MT_DOT_BLOCK_ARGS) {
  dot_block_body<T, Bytes, RI, RJ>(k, rows_a, cols_b, c, c_rs, c_cs, write_rows, write_cols, acc);
}

template <class T, int Bytes, int RI, int RJ>
__attribute__((target("arch=x86-64-v3"))) void dot_block_avx2(MT_DOT_BLOCK_ARGS) {
  dot_block_body<T, Bytes, RI, RJ>(k, rows_a, cols_b, c, c_rs, c_cs, write_rows, write_cols, acc);
}

template <class T, int Bytes, int RI, int RJ>
void dot_block_generic(MT_DOT_BLOCK_ARGS) {
  dot_block_body<T, Bytes, RI, RJ>(k, rows_a, cols_b, c, c_rs, c_cs, write_rows, write_cols, acc);
}

// 4 × 4 blocks: 16 accumulators and 8 operand vectors fit AVX-512's 32 registers.
constexpr int kDotRows = 4, kDotCols = 4;

template <class T>
using DotBlock = void (*)(std::int64_t, const T* const*, const T* const*, T*, std::int64_t,
                          std::int64_t, int, int, bool);

template <class T>
DotBlock<T> dot_block_for(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::Avx512:
      return &dot_block_avx512<T, 64, kDotRows, kDotCols>;
    case CpuIsa::Avx2:
      return &dot_block_avx2<T, 32, kDotRows, kDotCols>;
    case CpuIsa::Generic:
      break;
  }
  return &dot_block_generic<T, 16, kDotRows, kDotCols>;
}

// A deep product (k far larger than m and n: a convolution's weight gradient, summed over every
// window position) whose operands both run contiguously along k: packing would copy all of A and
// B for a few multiply-adds per element, while dot products read each run once, in place.
template <class T>
void dot_gemm(std::int64_t m, std::int64_t n, std::int64_t k, MatrixRef<const T> a,
              MatrixRef<const T> b, MatrixRef<T> c, bool accumulate) {
  const DotBlock<T> block = dot_block_for<T>(cpu_isa());
  const std::int64_t row_blocks = (m + kDotRows - 1) / kDotRows;
  const std::int64_t col_blocks = (n + kDotCols - 1) / kDotCols;
  // Each block of C is one task's, computed in a fixed order: threads change nothing but speed.
  const std::int64_t grain = std::max<std::int64_t>(1, kParallelFlops / (kDotRows * kDotCols * k));
  parallel_for(0, row_blocks * col_blocks, grain, [&](std::int64_t first, std::int64_t last) {
    for (std::int64_t t = first; t < last; ++t) {
      const std::int64_t i = t / col_blocks * kDotRows, j = t % col_blocks * kDotCols;
      const int rows = static_cast<int>(std::min<std::int64_t>(kDotRows, m - i));
      const int cols = static_cast<int>(std::min<std::int64_t>(kDotCols, n - j));
      const T* rows_a[kDotRows];
      const T* cols_b[kDotCols];
      for (int r = 0; r < kDotRows; ++r) {
        rows_a[r] = a.data + (i + std::min(r, rows - 1)) * a.row_stride;
      }
      for (int r = 0; r < kDotCols; ++r) {
        cols_b[r] = b.data + (j + std::min(r, cols - 1)) * b.col_stride;
      }
      block(k, rows_a, cols_b, c.data + i * c.row_stride + j * c.col_stride, c.row_stride,
            c.col_stride, rows, cols, accumulate);
    }
  });
}

}  // namespace

namespace {

// The blocked product on the calling thread: jc, pc, ic loops around the macro-kernel.
template <class T>
void blocked_gemm(std::int64_t m, std::int64_t n, std::int64_t k, MatrixRef<const T> a,
                  MatrixRef<const T> b, MatrixRef<T> c, bool accumulate) {
  const Kernel<T> kernel = kernel_for<T>(cpu_isa(), m);
  const Blocking blocks = blocking_for(kernel);
  static thread_local Scratch<T> b_scratch;
  static thread_local Scratch<T> a_scratch;
  T* packed_b = b_scratch.get(blocks.kc * (blocks.nc + kernel.nr));
  T* packed_a = a_scratch.get((blocks.mc + kernel.mr) * blocks.kc);
  for (std::int64_t jc = 0; jc < n; jc += blocks.nc) {
    const std::int64_t nc = std::min(blocks.nc, n - jc);
    const std::int64_t panels = (nc + kernel.nr - 1) / kernel.nr;
    for (std::int64_t pc = 0; pc < k; pc += blocks.kc) {
      const std::int64_t kc = std::min(blocks.kc, k - pc);
      pack_b_panels(kc, nc, b.data + pc * b.row_stride + jc * b.col_stride, b.row_stride,
                    b.col_stride, kernel.nr, packed_b);
      for (std::int64_t ic = 0; ic < m; ic += blocks.mc) {
        const std::int64_t mc = std::min(blocks.mc, m - ic);
        pack_a(mc, kc, a.data + ic * a.row_stride + pc * a.col_stride, a.row_stride, a.col_stride,
               kernel.mr, packed_a);
        const MatrixRef<T> c_block{c.data + ic * c.row_stride + jc * c.col_stride, c.row_stride,
                                   c.col_stride};
        macro_kernel(kernel, mc, nc, kc, packed_a, packed_b, 0, panels, c_block,
                     accumulate || pc > 0);
      }
    }
  }
}

// [begin, end) of the p-th of `parts` pieces of `total`, boundaries on multiples of `unit`.
std::pair<std::int64_t, std::int64_t> piece(std::int64_t total, std::int64_t parts, std::int64_t p,
                                            std::int64_t unit) {
  const std::int64_t units = (total + unit - 1) / unit;
  const std::int64_t begin = std::min(total, units * p / parts * unit);
  const std::int64_t end = std::min(total, units * (p + 1) / parts * unit);
  return {begin, end};
}

}  // namespace

template <class T>
void gemm(std::int64_t m, std::int64_t n, std::int64_t k, MatrixRef<const T> a,
          MatrixRef<const T> b, MatrixRef<T> c, bool accumulate) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) return zero_or_keep(m, n, c, accumulate);
  if (m * n * k <= kSmallFlops) return small_gemm(m, n, k, a, b, c, accumulate);
  if (a.col_stride == 1 && b.row_stride == 1 && k >= 16 * std::max(m, n)) {
    return dot_gemm(m, n, k, a, b, c, accumulate);
  }
  const Kernel<T> narrow = narrow_kernel_for<T>(cpu_isa(), n);
  if (n <= narrow.nr) return narrow_gemm(narrow, m, n, k, a, b, c, accumulate);
  // At most one vector tall with a B stored column by column (a convolution's weight gradient
  // G · colsᵀ): the blocked path would pack all of B element by element for a few rows of
  // multiply-adds; Cᵀ = Bᵀ · Aᵀ is a narrow product that streams B in place instead.
  const Kernel<T> short_rows = narrow_kernel_for<T>(cpu_isa(), m);
  if (m <= short_rows.nr && b.col_stride != 1) {
    return narrow_gemm(short_rows, n, m, k, {b.data, b.col_stride, b.row_stride},
                       {a.data, a.col_stride, a.row_stride}, {c.data, c.col_stride, c.row_stride},
                       accumulate);
  }
  if (m <= kShortRows && b.col_stride == 1) {
    return short_gemm(kernel_for<T>(cpu_isa(), m), m, n, k, a, b, c, accumulate);
  }
  const std::int64_t threads = m * n * k > kParallelFlops ? get_num_threads() : 1;
  if (threads == 1) return blocked_gemm(m, n, k, a, b, c, accumulate);
  // One parallel region per product: C is cut into one piece per thread along its longer
  // dimension (in whole tiles), and each thread runs the blocked product on its piece, packing
  // its own panels — no barrier between packing and computing, no shared buffers.
  // Each piece packs all of the operand that is not cut: cut rows when A is the larger operand
  // (m >= n), columns otherwise.
  const Kernel<T> kernel = kernel_for<T>(cpu_isa(), m);
  const bool split_rows = m >= n && m / kernel.mr >= threads;
  parallel_for(0, threads, 1, [&](std::int64_t p0, std::int64_t p1) {
    for (std::int64_t p = p0; p < p1; ++p) {
      if (split_rows) {
        const auto [r0, r1] = piece(m, threads, p, kernel.mr);
        if (r0 >= r1) continue;
        blocked_gemm<T>(r1 - r0, n, k, {a.data + r0 * a.row_stride, a.row_stride, a.col_stride}, b,
                        {c.data + r0 * c.row_stride, c.row_stride, c.col_stride}, accumulate);
      } else {
        const auto [c0, c1] = piece(n, threads, p, kernel.nr);
        if (c0 >= c1) continue;
        blocked_gemm<T>(m, c1 - c0, k, a, {b.data + c0 * b.col_stride, b.row_stride, b.col_stride},
                        {c.data + c0 * c.col_stride, c.row_stride, c.col_stride}, accumulate);
      }
    }
  });
}

template <class T>
GemmConfig gemm_config() {
  const Kernel<T> kernel = kernel_for<T>(cpu_isa());
  const Blocking blocks = blocking_for(kernel);
  return {
      std::string(kernel.name) + " " + std::to_string(kernel.mr) + "x" + std::to_string(kernel.nr),
      kernel.mr,
      kernel.nr,
      blocks.kc,
      blocks.mc,
      blocks.nc};
}

template void gemm<float>(std::int64_t, std::int64_t, std::int64_t, MatrixRef<const float>,
                          MatrixRef<const float>, MatrixRef<float>, bool);
template void gemm<double>(std::int64_t, std::int64_t, std::int64_t, MatrixRef<const double>,
                           MatrixRef<const double>, MatrixRef<double>, bool);
template GemmConfig gemm_config<float>();
template GemmConfig gemm_config<double>();

}  // namespace minitorch
