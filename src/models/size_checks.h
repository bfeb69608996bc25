// Checks of the sizes a model is built from (the limits are in minitorch/models/limits.h), run
// before anything is multiplied or allocated, so that sizes read from a file fail as Errors that
// name the model, the size and the limit. Private to the models; inline because the models share
// no source file of their own.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "minitorch/core/error.h"
#include "minitorch/models/limits.h"
#include "minitorch/storage/dtype.h"
#include "minitorch/storage/shape.h"

namespace minitorch::models::detail {

// Requires 1 <= value <= limit; else Error "<model>: <what> <value>; expected 1 to <limit>
// (<name>)".
inline void check_size(const std::string& model, const std::string& what, std::int64_t value,
                       std::int64_t limit, const std::string& limit_name) {
  if (value < 1 || value > limit) {
    throw Error(model + ": " + what + " " + std::to_string(value) + "; expected 1 to " +
                std::to_string(limit) + " (" + limit_name + ")");
  }
}

// Channels, height and width of an image model's input, each within its limit.
inline void check_image_input(const std::string& model, std::int64_t channels, std::int64_t height,
                              std::int64_t width) {
  check_size(model, "input channels", channels, kMaxInputChannels, "models::kMaxInputChannels");
  check_size(model, "input height", height, kMaxInputSide, "models::kMaxInputSide");
  check_size(model, "input width", width, kMaxInputSide, "models::kMaxInputSide");
}

// The parameter bytes of a model being built, counted layer by layer before each is allocated.
class ParameterBudget {
 public:
  ParameterBudget(std::string model, Dtype dtype)
      : model_(std::move(model)), item_bytes_(static_cast<std::int64_t>(dtype_size(dtype))) {}

  // Counts a layer's weight of weight_shape and its `biases` values. Error naming the model, the
  // layer and kMaxParameterBytes when the model's total would pass it (or overflow on the way).
  void add(const std::string& layer, std::initializer_list<std::int64_t> weight_shape,
           std::int64_t biases) {
    const std::span<const std::int64_t> shape(weight_shape.begin(), weight_shape.size());
    const std::optional<std::int64_t> bytes = layer_bytes(shape, biases);
    if (bytes && *bytes < 0) return;  // a negative size: the layer itself names it better
    if (!bytes || *bytes > kMaxParameterBytes - total_) {
      throw Error(model_ + ": layer " + layer + " (a weight of shape " + shape_to_string(shape) +
                  " and " + std::to_string(biases) + " biases) takes the parameters past " +
                  std::to_string(kMaxParameterBytes) + " bytes; expected at most " +
                  std::to_string(kMaxParameterBytes) + " (models::kMaxParameterBytes)");
    }
    total_ += *bytes;
  }

 private:
  // nullopt past INT64_MAX.
  std::optional<std::int64_t> layer_bytes(std::span<const std::int64_t> shape,
                                          std::int64_t biases) const {
    const std::optional<std::int64_t> weights = checked_numel(shape);
    std::int64_t values = 0;
    if (!weights || __builtin_add_overflow(*weights, biases, &values)) return std::nullopt;
    return checked_mul(values, item_bytes_);
  }

  std::string model_;
  std::int64_t item_bytes_;
  std::int64_t total_ = 0;
};

}  // namespace minitorch::models::detail
