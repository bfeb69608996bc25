#include "minitorch/nn/conv.h"

#include <cmath>

#include "minitorch/core/error.h"
#include "minitorch/nn/functional.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::nn {
namespace {

template <std::size_t D>
std::string sizes_text(const ExpandingArray<D>& sizes) {
  std::string out = "(";
  for (std::size_t i = 0; i < D; ++i) out += (i ? ", " : "") + std::to_string(sizes[i]);
  return out + (D == 1 ? ",)" : ")");
}

template <std::size_t D>
void require_at_least(const char* layer, const char* option, const ExpandingArray<D>& sizes,
                      std::int64_t least) {
  for (std::size_t i = 0; i < D; ++i) {
    if (sizes[i] < least) {
      throw Error(std::string(layer) + ": " + option + " = " + sizes_text(sizes) + "; expected " +
                  (least == 0 ? "values >= 0" : "positive values"));
    }
  }
}

template <std::size_t D>
void check(const char* layer, const ConvOptions<D>& options) {
  for (const auto& [name, count] : {std::pair{"in_channels", options.in_channels()},
                                    std::pair{"out_channels", options.out_channels()}}) {
    if (count <= 0) {
      throw Error(std::string(layer) + ": " + name + " = " + std::to_string(count) +
                  "; expected a positive number");
    }
  }
  require_at_least(layer, "kernel_size", options.kernel_size(), 1);
  require_at_least(layer, "stride", options.stride(), 1);
  require_at_least(layer, "padding", options.padding(), 0);
  require_at_least(layer, "dilation", options.dilation(), 1);
}

// PyTorch's default for convolutions: kaiming_uniform(a = √5), i.e. uniform in ±1/√fan_in, for
// the weight and the bias alike.
template <std::size_t D>
Tensor uniform(const Shape& shape, const ConvOptions<D>& options) {
  std::int64_t fan_in = options.in_channels();
  for (std::size_t i = 0; i < D; ++i) fan_in *= options.kernel_size()[i];
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  return rand(shape, {.dtype = options.dtype()}, options.generator()) * (2.0 * bound) - bound;
}

template <std::size_t D>
Shape weight_shape(const ConvOptions<D>& options) {
  Shape shape{options.out_channels(), options.in_channels()};
  for (std::size_t i = 0; i < D; ++i) shape.push_back(options.kernel_size()[i]);
  return shape;
}

}  // namespace

Conv2d::Conv2d(Conv2dOptions conv_options) : options(std::move(conv_options)) {
  check("Conv2d", options);
  weight = register_parameter("weight", uniform(weight_shape(options), options));
  if (options.bias()) bias = register_parameter("bias", uniform({options.out_channels()}, options));
}

Tensor Conv2d::forward(const Tensor& x) {
  return functional::conv2d(x, weight, bias,
                            {.stride = *options.stride(),
                             .padding = *options.padding(),
                             .dilation = *options.dilation()});
}

std::string Conv2d::extra_repr() const {
  return std::to_string(options.in_channels()) + ", " + std::to_string(options.out_channels()) +
         ", kernel_size=" + sizes_text(options.kernel_size()) +
         ", stride=" + sizes_text(options.stride()) + ", padding=" + sizes_text(options.padding());
}

Conv1d::Conv1d(Conv1dOptions conv_options) : options(std::move(conv_options)) {
  check("Conv1d", options);
  weight = register_parameter("weight", uniform(weight_shape(options), options));
  if (options.bias()) bias = register_parameter("bias", uniform({options.out_channels()}, options));
}

Tensor Conv1d::forward(const Tensor& x) {
  return functional::conv1d(x, weight, bias,
                            {.stride = options.stride()[0],
                             .padding = options.padding()[0],
                             .dilation = options.dilation()[0]});
}

std::string Conv1d::extra_repr() const {
  return std::to_string(options.in_channels()) + ", " + std::to_string(options.out_channels()) +
         ", kernel_size=" + sizes_text(options.kernel_size()) +
         ", stride=" + sizes_text(options.stride()) + ", padding=" + sizes_text(options.padding());
}

}  // namespace minitorch::nn
