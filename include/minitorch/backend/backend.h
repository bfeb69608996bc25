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
// Windows (tensor/window.h; the tensor layer checks that every window fits and every shape agrees,
// and passes 4-D inputs [B, C, H, W] with L = out_h(H) · out_w(W) window positions):
//   unfold(in, w, out)                 out [B, C·kh·kw, L] (PyTorch's unfold / im2col layout):
//                                      out[b, (c·kh + i)·kw + j, oh·out_w + ow] =
//                                      in[b, c, oh·sh + i·dh − ph, ow·sw + j·dw − pw], 0 in padding
//   fold(in, w, out)                   the adjoint of unfold (col2im): out [B, C, H, W] is
//                                      overwritten with, at each element, the sum of the entries of
//                                      in [B, C·kh·kw, L] that unfold would have copied from it
//   pool2d(op, in, w, out, idx)        out [B, C, out_h, out_w] = each window's maximum (op Max:
//                                      padding never wins; idx, same shape, gets the position
//                                      h·W + w of the window's first maximum within its plane, as a
//                                      value; NaN counts as a maximum, as in PyTorch) or mean (op
//                                      Avg: the sum over kh·kw, padding counted as 0; idx unused)
//   pool2d_backward(op, d, idx, w, dx) dx [B, C, H, W] is overwritten with the gradient of
//                                      pool2d: Max adds d[b, c, oh, ow] at the position idx names,
//                                      Avg adds d / (kh·kw) to every element of the window
//   conv2d(in, weight, bias, w, out)   PyTorch's conv2d (cross-correlation, padding as 0):
//                                      out [B, O, out_h, out_w] = bias[o] (when bias, [O], is
//                                      defined) + Σ_{c, i, j} weight[o, c, i, j] ·
//                                      in[b, c, oh·sh + i·dh − ph, ow·sw + j·dw − pw]; the weight
//                                      is [O, C, kh, kw]. Convolution defaults to unfold · matmul;
//                                      a backend overrides it to keep each image's columns in cache
//   conv2d_backward_input(d, weight, w, dx)
//                                      dx [B, C, H, W] is overwritten with the gradient of conv2d
//                                      with respect to in, for the output gradient d
//   conv2d_backward_weight(in, d, w, dweight, dbias)
//                                      dweight [O, C, kh, kw] is overwritten with the gradient with
//                                      respect to the weight (Σ over b, oh, ow of d times the
//                                      window of in); dbias [O], when defined, with Σ of d over b,
//                                      oh, ow
// Required (pure virtual): copy, map, map_backward, zip, zip_backward, where, reduce, matmul.
// Defaulted: argmax and everything after it above, each composed from the required primitives
// (composed.h says how); the tests compare every override with its composition.
// argmax's NaN rule is the scan's: a NaN is never chosen over an earlier element, and a NaN in the
// first place stays chosen.
// The derivative rules come from the operator functors: backends never restate an operation.
//
// Devices: a backend runs on one device (device()); every TensorData passed to it lives there
// (the tensor layer allocates outputs on backend.device() and moves data between devices itself).
// This is where device dispatch happens: nothing above a backend branches on the device.
#pragma once

#include <cstdint>
#include <string>

#include "minitorch/backend/op_table.h"
#include "minitorch/core/device.h"
#include "minitorch/storage/tensor_data.h"
#include "minitorch/storage/window.h"

namespace minitorch {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  // Where this backend's tensors live and its kernels run; the CPU unless overridden.
  virtual Device device() const { return kCPU; }

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
  virtual void matmul(const TensorData& a, const TensorData& b, const TensorData& out) const = 0;

  // The rest have defaults composed from the primitives above (composed.h); a backend overrides
  // one only to be faster.
  virtual void argmax(const TensorData& in, std::int64_t dim, const TensorData& out) const;
  virtual void gather_rows(const TensorData& table, const TensorData& index,
                           const TensorData& out) const;
  virtual void scatter_add_rows(const TensorData& src, const TensorData& index,
                                const TensorData& out) const;
  virtual void unfold(const TensorData& in, const Window2d& window, const TensorData& out) const;
  virtual void fold(const TensorData& in, const Window2d& window, const TensorData& out) const;
  virtual void pool2d(PoolOp op, const TensorData& in, const Window2d& window,
                      const TensorData& out, const TensorData& indices) const;
  virtual void pool2d_backward(PoolOp op, const TensorData& d, const TensorData& indices,
                               const Window2d& window, const TensorData& dx) const;
  virtual void conv2d(const TensorData& in, const TensorData& weight, const TensorData& bias,
                      const Window2d& window, const TensorData& out) const;
  virtual void conv2d_backward_input(const TensorData& d, const TensorData& weight,
                                     const Window2d& window, const TensorData& dx) const;
  virtual void conv2d_backward_weight(const TensorData& in, const TensorData& d,
                                      const Window2d& window, const TensorData& dweight,
                                      const TensorData& dbias) const;
};

// The plain, obviously correct backend: the oracle other backends are tested against. It keeps
// direct loops for the defaulted operations too, so that it checks the compositions as well.
const Backend& reference_backend();

// The fast CPU backend: vectorised (AVX-512 / AVX2 / portable, chosen at run time), threaded,
// with our GEMM. The default.
const Backend& fast_backend();

// The backend new tensors use unless told otherwise (fast_backend() unless changed).
const Backend& default_backend();
void set_default_backend(const Backend& backend);

// The backend of a device: the CPU's is default_backend() when that runs on the CPU, else
// fast_backend(); cuda:i's is cuda_backend(i) (cuda/cuda_backend.h), which throws Error naming
// the device where it is absent or CUDA was not built.
const Backend& backend_for(Device device);

}  // namespace minitorch
