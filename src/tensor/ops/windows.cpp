// Sliding windows: unfold, fold, im2col, pooling and convolution (geometry: tensor/window.h).
#include "tensor/ops/windows.h"
#include "autodiff/record.h"
#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"
#include "minitorch/tensor/tensor.h"
#include "tensor/ops/op_entry.h"
#include "tensor/ops/support.h"

namespace minitorch {

// The family's shared helpers (support.h) and its table's types (op_entry.h).
using namespace ops;

// The family's table: one entry per operation of MINITORCH_WINDOW_OPS, in its order.
[[maybe_unused]] constexpr std::array<ops::OpEntry, 5> kWindowsOps{{
    {TensorOp::unfold, OpKind::Primitive},
    {TensorOp::fold, OpKind::Primitive},
    {TensorOp::im2col, OpKind::Composite},
    {TensorOp::conv2d, OpKind::Primitive},
    {TensorOp::pool2d, OpKind::Primitive},
}};
static_assert(ops::lists_exactly(kWindowsOps, MINITORCH_FAMILY(MINITORCH_WINDOW_OPS)),
              "every operation of MINITORCH_WINDOW_OPS needs its entry here, in order");

namespace {

std::string window_to_string(const Window2d& k) {
  auto pair = [](std::int64_t a, std::int64_t b) {
    return std::to_string(a) + "x" + std::to_string(b);
  };
  return "kernel " + pair(k.kh, k.kw) + ", stride " + pair(k.sh, k.sw) + ", padding " +
         pair(k.ph, k.pw) + ", dilation " + pair(k.dh, k.dw);
}

// Checks that `window` slides over an input of shape [B, C, H, W] with at least one position.
void check_window(const Shape& input, const Window2d& k, const std::string& op) {
  if (input.size() != 4) {
    throw Error(op + ": input of shape " + shape_to_string(input) +
                "; expected 4 dimensions [batch, channels, height, width]");
  }
  if (k.kh < 1 || k.kw < 1 || k.sh < 1 || k.sw < 1 || k.dh < 1 || k.dw < 1 || k.ph < 0 ||
      k.pw < 0) {
    throw Error(op + ": " + window_to_string(k) +
                "; expected a positive kernel, stride and dilation and padding >= 0");
  }
  const std::int64_t span_h = k.dh * (k.kh - 1) + 1, span_w = k.dw * (k.kw - 1) + 1;
  const std::int64_t h = input[2] + 2 * k.ph, w = input[3] + 2 * k.pw;
  if (h < span_h || w < span_w) {
    throw Error(op + ": a " + std::to_string(span_h) + "x" + std::to_string(span_w) +
                " window (kernel with dilation) does not fit the padded " + std::to_string(h) +
                "x" + std::to_string(w) + " input; expected at least one window position");
  }
}

}  // namespace

Tensor unfold(const Tensor& x, const Window2d& window) {
  check_window(x.shape(), window, "unfold");
  const Shape input_shape = x.shape();
  const std::int64_t positions = window.out_h(input_shape[2]) * window.out_w(input_shape[3]);
  const Tensor out = empty({input_shape[0], input_shape[1] * window.kh * window.kw, positions},
                           x.dtype(), x.backend());
  x.backend().unfold(x.tensor_data(), window, out.tensor_data());
  autodiff::record(out, "unfold", {x}, [input_shape, window](const Tensor& g) {
    return std::vector<Tensor>{fold(g, {input_shape[2], input_shape[3]}, window)};
  });
  return out;
}

Tensor fold(const Tensor& cols, std::array<std::int64_t, 2> output_size, const Window2d& window) {
  const std::int64_t kernel = window.kh * window.kw;
  if (cols.dim() != 3 || kernel < 1 || cols.size(1) % kernel != 0) {
    throw Error("fold: columns of shape " + shape_to_string(cols.shape()) + " for a " +
                std::to_string(window.kh) + "x" + std::to_string(window.kw) +
                " kernel; expected [batch, channels·kh·kw, positions]");
  }
  const Shape output_shape{cols.size(0), cols.size(1) / kernel, output_size[0], output_size[1]};
  check_window(output_shape, window, "fold");
  const std::int64_t positions = window.out_h(output_size[0]) * window.out_w(output_size[1]);
  if (cols.size(2) != positions) {
    throw Error("fold: columns of shape " + shape_to_string(cols.shape()) + " have " +
                std::to_string(cols.size(2)) + " positions; expected " + std::to_string(positions) +
                " for a " + std::to_string(output_size[0]) + "x" + std::to_string(output_size[1]) +
                " output with " + window_to_string(window));
  }
  const Tensor out = empty(output_shape, cols.dtype(), cols.backend());
  cols.backend().fold(cols.tensor_data(), window, out.tensor_data());
  autodiff::record(out, "fold", {cols},
                   [window](const Tensor& g) { return std::vector<Tensor>{unfold(g, window)}; });
  return out;
}

Tensor im2col(const Tensor& x, const Window2d& window) {
  return unfold(x, window).transpose(1, 2);
}

Tensor ops::pool2d(const Tensor& x, PoolOp op, const Window2d& window) {
  check_window(x.shape(), window, minitorch::op_name(op));
  const Shape input_shape = x.shape();
  const Shape output_shape{input_shape[0], input_shape[1], window.out_h(input_shape[2]),
                           window.out_w(input_shape[3])};
  const Tensor out = empty(output_shape, x.dtype(), x.backend());
  // Max pooling remembers where each window's maximum was: its backward scatters to there.
  const Tensor indices = op == PoolOp::Max ? empty(output_shape, x.dtype(), x.backend()) : Tensor();
  const TensorData no_indices;
  x.backend().pool2d(op, x.tensor_data(), window, out.tensor_data(),
                     indices.defined() ? indices.tensor_data() : no_indices);
  autodiff::record(out, minitorch::op_name(op), {x},
                   [op, window, indices, input_shape](const Tensor& g) {
                     const Tensor dx = empty(input_shape, g.dtype(), g.backend());
                     const TensorData none;
                     g.backend().pool2d_backward(op, g.tensor_data(),
                                                 indices.defined() ? indices.tensor_data() : none,
                                                 window, dx.tensor_data());
                     return std::vector<Tensor>{dx};
                   });
  return out;
}

Tensor ops::conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias,
                   const Window2d& window) {
  check_compatible(x, weight, "conv2d");
  if (bias.defined()) check_compatible(x, bias, "conv2d");
  check_window(x.shape(), window, "conv2d");
  if (weight.dim() != 4 || weight.size(1) != x.size(1) || weight.size(2) != window.kh ||
      weight.size(3) != window.kw) {
    throw Error("conv2d: input of shape " + shape_to_string(x.shape()) + " and weight of shape " +
                shape_to_string(weight.shape()) + "; expected [B, C, H, W] and [O, C, " +
                std::to_string(window.kh) + ", " + std::to_string(window.kw) + "] with the same C");
  }
  const std::int64_t channels = weight.size(0);
  if (bias.defined() && bias.shape() != Shape{channels}) {
    throw Error("conv2d: bias of shape " + shape_to_string(bias.shape()) + "; expected [" +
                std::to_string(channels) + "]");
  }
  const Shape input_shape = x.shape();
  const Tensor out =
      empty({input_shape[0], channels, window.out_h(input_shape[2]), window.out_w(input_shape[3])},
            x.dtype(), x.backend());
  // Kernels read the weight as an [O, C·kh·kw] matrix: a strided weight is copied once here.
  const Tensor w = weight.detach().contiguous();
  const TensorData none;
  x.backend().conv2d(x.tensor_data(), w.tensor_data(), bias.defined() ? bias.tensor_data() : none,
                     window, out.tensor_data());
  const Tensor input = x;
  auto backward = [input, w, window, with_bias = bias.defined()](const Tensor& grad) {
    const Tensor g = grad.contiguous();
    const Backend& backend = g.backend();
    std::vector<Tensor> grads(with_bias ? 3 : 2);
    if (input.requires_grad()) {
      grads[0] = empty(input.shape(), g.dtype(), backend);
      backend.conv2d_backward_input(g.tensor_data(), w.tensor_data(), window,
                                    grads[0].tensor_data());
    }
    // The weight's and the bias's gradients come from one pass (whether or not both need it).
    grads[1] = empty(w.shape(), g.dtype(), backend);
    if (with_bias) grads[2] = empty({w.size(0)}, g.dtype(), backend);
    backend.conv2d_backward_weight(input.tensor_data(), g.tensor_data(), window,
                                   grads[1].tensor_data(),
                                   with_bias ? grads[2].tensor_data() : TensorData());
    return grads;
  };
  if (bias.defined()) {
    autodiff::record(out, "convolution", {x, weight, bias}, std::move(backward));
  } else {
    autodiff::record(out, "convolution", {x, weight}, std::move(backward));
  }
  return out;
}

}  // namespace minitorch
