// Module 4's functions with the course's semantics, on nn::functional:
//   - conv1d / conv2d: the output has the input's length (height, width): the input is padded
//     with zeros past its right (bottom) edge, then convolved (cross-correlation, anchored at
//     the top-left) without padding;
//   - max(x, dim) keeps the reduced dimension; argmax(x, dim) is the course's one-hot mask (1.0
//     wherever x equals the maximum, so ties give several ones);
//   - avgpool2d / maxpool2d need kernels that divide the height and width, as the course's tile;
//   - dropout(x, rate) keeps each element with probability 1 - rate without rescaling (the
//     course's), where the layers' Dropout rescales by 1 / (1 - p) (PyTorch's).
// Plus set_data_, and the layers, optimizers and files of bind_layers / bind_optim / bind_io.
#include <string>

#include "bindings.h"
#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/core/error.h"
#include "minitorch/nn/functional.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::python {

namespace {

namespace F = nn::functional;

// A dimension given as an int or as a one-element tensor (the course passes both).
std::int64_t dim_from(py::handle dim) {
  if (py::isinstance<Tensor>(dim)) return static_cast<std::int64_t>(dim.cast<Tensor>().item());
  if (!py::isinstance<py::int_>(dim)) {
    throw py::type_error("dim must be an int or a one-element tensor; got " +
                         std::string(py::str(dim.get_type().attr("__name__"))));
  }
  return dim.cast<std::int64_t>();
}

// x with `amount` zeros appended along dim.
Tensor pad_end(const Tensor& x, std::int64_t dim, std::int64_t amount) {
  if (amount <= 0) return x;
  Shape shape = x.shape();
  shape[static_cast<std::size_t>(dim)] = amount;
  return cat({x, zeros(shape, options_like(x))}, dim);
}

void check_conv_shapes(const char* op, const Tensor& x, const Tensor& w, std::int64_t dims,
                       const char* expected) {
  if (x.dim() != dims || w.dim() != dims || x.size(1) != w.size(1)) {
    throw Error(std::string(op) + ": input of shape " + shape_to_string(x.shape()) +
                " and weight of shape " + shape_to_string(w.shape()) + "; expected " + expected +
                " with the same in_channels");
  }
}

Tensor course_conv1d(const Tensor& x, const Tensor& w) {
  check_conv_shapes("conv1d", x, w, 3,
                    "[batch, in_channels, width] and [out_channels, "
                    "in_channels, k]");
  ReleaseGilFor release(x.numel() * w.numel());
  return F::conv1d(pad_end(x, 2, w.size(2) - 1), w);
}

Tensor course_conv2d(const Tensor& x, const Tensor& w) {
  check_conv_shapes("conv2d", x, w, 4,
                    "[batch, in_channels, height, width] and [out_channels, "
                    "in_channels, kh, kw]");
  ReleaseGilFor release(x.numel() * w.numel());
  return F::conv2d(pad_end(pad_end(x, 2, w.size(2) - 1), 3, w.size(3) - 1), w);
}

// The course's tile asserts that the kernel divides the image; its pooling inherits that.
void check_divides(const char* op, const Tensor& x, std::int64_t kh, std::int64_t kw) {
  if (x.dim() != 4) {
    throw Error(std::string(op) + ": input of shape " + shape_to_string(x.shape()) +
                "; expected 4 dimensions [batch, channels, height, width]");
  }
  if (kh <= 0 || kw <= 0 || x.size(2) % kh != 0 || x.size(3) % kw != 0) {
    throw Error(std::string(op) + ": kernel (" + std::to_string(kh) + ", " + std::to_string(kw) +
                ") does not divide height and width " + std::to_string(x.size(2)) + "x" +
                std::to_string(x.size(3)) + "; expected sizes that divide them");
  }
}

std::pair<std::int64_t, std::int64_t> kernel_from(py::handle kernel) {
  const Shape k = shape_from(kernel);
  if (k.size() != 2) {
    throw py::value_error("kernel must be a pair (kh, kw); got " + shape_to_string(k));
  }
  return {k[0], k[1]};
}

Tensor course_dropout(const Tensor& x, double rate, bool ignore) {
  if (!(rate >= 0.0 && rate <= 1.0)) {
    throw Error("dropout: rate " + std::to_string(rate) + " is not in [0, 1]");
  }
  if (ignore || rate == 0.0) return x;
  ReleaseGilFor release(x.numel());
  if (rate == 1.0) return x * 0.0;
  return x * (rand_like(x) > rate).detach();
}

Tensor one_hot_argmax(const Tensor& x, std::int64_t dim) {
  ReleaseGilFor release(x.numel());
  autodiff::NoGradGuard no_grad;
  return x.eq(x.max(dim, true).first);
}

void bind_course_functions(py::module_& m) {
  m.def("course_conv1d", &course_conv1d, py::arg("input"), py::arg("weight"),
        "The course's conv1d: [B, C, W] * [O, C, k] -> [B, O, W], zero padded on the right.");
  m.def("course_conv2d", &course_conv2d, py::arg("input"), py::arg("weight"),
        "The course's conv2d: [B, C, H, W] * [O, C, kh, kw] -> [B, O, H, W], zero padded on the "
        "bottom and right.");
  m.def(
      "tile",
      [](const Tensor& x, py::handle kernel) {
        const auto [kh, kw] = kernel_from(kernel);
        ReleaseGilFor release(x.numel());
        return F::tile(x, kh, kw);
      },
      py::arg("input"), py::arg("kernel"));
  m.def(
      "course_avgpool2d",
      [](const Tensor& x, py::handle kernel) {
        const auto [kh, kw] = kernel_from(kernel);
        check_divides("avgpool2d", x, kh, kw);
        ReleaseGilFor release(x.numel());
        return F::avg_pool2d(x, {kh, kw});
      },
      py::arg("input"), py::arg("kernel"));
  m.def(
      "course_maxpool2d",
      [](const Tensor& x, py::handle kernel) {
        const auto [kh, kw] = kernel_from(kernel);
        check_divides("maxpool2d", x, kh, kw);
        ReleaseGilFor release(x.numel());
        return F::max_pool2d(x, {kh, kw});
      },
      py::arg("input"), py::arg("kernel"));
  m.def(
      "max_keepdim",
      [](const Tensor& x, py::handle dim) {
        const std::int64_t d = dim_from(dim);
        ReleaseGilFor release(x.numel());
        return x.max(d, true).first;
      },
      py::arg("input"), py::arg("dim"));
  m.def(
      "one_hot_argmax",
      [](const Tensor& x, py::handle dim) { return one_hot_argmax(x, dim_from(dim)); },
      py::arg("input"), py::arg("dim"));
  m.def(
      "softmax",
      [](const Tensor& x, py::handle dim) {
        const std::int64_t d = dim_from(dim);
        ReleaseGilFor release(x.numel());
        return F::softmax(x, d);
      },
      py::arg("input"), py::arg("dim"));
  m.def(
      "log_softmax",
      [](const Tensor& x, py::handle dim) {
        const std::int64_t d = dim_from(dim);
        ReleaseGilFor release(x.numel());
        return F::log_softmax(x, d);
      },
      py::arg("input"), py::arg("dim"));
  m.def("course_dropout", &course_dropout, py::arg("input"), py::arg("rate"),
        py::arg("ignore") = false);
  m.def(
      "dropout",
      [](const Tensor& x, double p, bool training) {
        ReleaseGilFor release(x.numel());
        return F::dropout(x, p, training);
      },
      py::arg("input"), py::arg("p") = 0.5, py::arg("training") = true,
      "PyTorch's dropout: zeroes with probability p and scales the rest by 1 / (1 - p).");
}

}  // namespace

void bind_nn(py::module_& m) {
  m.def(
      "set_data_",
      [](const Tensor& target, const Tensor& values) {
        ReleaseGilFor release(target.numel());
        target.set_data(values);
      },
      py::arg("target"), py::arg("values"),
      "Copies values (broadcast to target's shape) into target's storage in place, without "
      "history: how optimizers and load_state_dict update parameters that layers hold.");
  bind_course_functions(m);
  bind_layers(m);
  bind_optim(m);
  bind_io(m);
}

}  // namespace minitorch::python
