#include "minitorch/tensor/creation.h"

#include <cmath>

#include "minitorch/core/error.h"

namespace minitorch {
namespace {

const Backend& backend_of(const TensorOptions& options) {
  if (!options.device) return options.backend != nullptr ? *options.backend : default_backend();
  if (options.backend != nullptr && options.backend->device() != *options.device) {
    throw Error("TensorOptions: backend '" + options.backend->name() + "' runs on " +
                options.backend->device().str() + " but device " + options.device->str() +
                " was asked for; expected one of the two, or a backend on that device");
  }
  return options.backend != nullptr ? *options.backend : backend_for(*options.device);
}

// Builds a tensor of `shape` whose i-th row-major element is value(i).
template <class F>
Tensor generate(const Shape& shape, const TensorOptions& options, F&& value) {
  // Resolved first, so that an unavailable device fails before any work.
  const Backend& backend = backend_of(options);
  const TensorData data = TensorData::zeros(shape, options.dtype);
  dispatch_dtype(options.dtype, [&]<class T>() {
    T* out = data.data<T>();
    for (std::int64_t i = 0; i < data.numel(); ++i) out[i] = static_cast<T>(value(i));
  });
  // Values are made on the host, then moved to the backend's device in one transfer.
  return Tensor(data.moved_to(backend.device()), &backend, options.requires_grad);
}

void flatten_nested(const NestedList& list, std::size_t depth, Shape& shape,
                    std::vector<double>& values) {
  if (list.is_value()) {
    if (depth != shape.size()) {
      throw Error("tensor: a value appears at depth " + std::to_string(depth) +
                  " where a list was expected; expected nested lists of equal lengths");
    }
    values.push_back(list.value());
    return;
  }
  const auto length = static_cast<std::int64_t>(list.items().size());
  if (depth == shape.size() && values.empty()) {
    shape.push_back(length);  // the first list at this depth fixes its size
  } else if (depth >= shape.size() || shape[depth] != length) {
    throw Error("tensor: a list at depth " + std::to_string(depth) + " has " +
                std::to_string(length) + " elements; expected " +
                (depth < shape.size() ? std::to_string(shape[depth]) : std::string("a value")) +
                " (nested lists must be rectangular)");
  }
  for (const auto& item : list.items()) flatten_nested(item, depth + 1, shape, values);
}

}  // namespace

Generator& default_generator() {
  static Generator generator(0);
  return generator;
}

void manual_seed(std::uint64_t seed) {
  default_generator().manual_seed(seed);
}

Tensor tensor(const NestedList& values, TensorOptions options) {
  Shape shape;
  std::vector<double> flat;
  flatten_nested(values, 0, shape, flat);
  return from_vector(flat, shape, options);
}

Tensor from_vector(const std::vector<double>& values, const Shape& shape, TensorOptions options) {
  const std::int64_t count = numel(shape);
  if (count != static_cast<std::int64_t>(values.size())) {
    throw Error("from_vector: " + std::to_string(values.size()) + " values for shape " +
                shape_to_string(shape) + "; expected " + std::to_string(count));
  }
  return generate(shape, options, [&](std::int64_t i) { return values[i]; });
}

Tensor zeros(const Shape& shape, TensorOptions options) {
  return generate(shape, options, [](std::int64_t) { return 0.0; });
}

Tensor ones(const Shape& shape, TensorOptions options) {
  return full(shape, 1.0, options);
}

Tensor full(const Shape& shape, double value, TensorOptions options) {
  return generate(shape, options, [value](std::int64_t) { return value; });
}

Tensor arange(double end, TensorOptions options) {
  return arange(0.0, end, 1.0, options);
}

Tensor arange(double start, double end, double step, TensorOptions options) {
  if (step == 0 || !std::isfinite(start) || !std::isfinite(end) || !std::isfinite(step)) {
    throw Error("arange: start, end and step must be finite and step non-zero");
  }
  const auto count = static_cast<std::int64_t>(std::max(0.0, std::ceil((end - start) / step)));
  return generate({count}, options, [&](std::int64_t i) { return start + double(i) * step; });
}

Tensor rand(const Shape& shape, TensorOptions options, Generator* generator) {
  Generator& g = generator != nullptr ? *generator : default_generator();
  return generate(shape, options, [&](std::int64_t) { return g.uniform(); });
}

Tensor randn(const Shape& shape, TensorOptions options, Generator* generator) {
  Generator& g = generator != nullptr ? *generator : default_generator();
  return generate(shape, options, [&](std::int64_t) { return g.normal(); });
}

TensorOptions options_like(const Tensor& t) {
  return {.dtype = t.dtype(), .requires_grad = false, .backend = &t.backend()};
}

Tensor zeros_like(const Tensor& t) {
  return zeros(t.shape(), options_like(t));
}
Tensor ones_like(const Tensor& t) {
  return ones(t.shape(), options_like(t));
}
Tensor full_like(const Tensor& t, double value) {
  return full(t.shape(), value, options_like(t));
}
Tensor rand_like(const Tensor& t, Generator* generator) {
  return rand(t.shape(), options_like(t), generator);
}
Tensor randn_like(const Tensor& t, Generator* generator) {
  return randn(t.shape(), options_like(t), generator);
}

}  // namespace minitorch
