// Parameter<V> — a named, trainable value of a module.
//
// The value is a shared handle (Scalar, later Tensor), so a Parameter returned by
// named_parameters() refers to the very value the module computes with: an optimizer that updates
// it in place updates the model. `name` is the dotted path from the module it was listed from.
#pragma once

#include <string>

namespace minitorch::nn {

template <class V>
struct Parameter {
  std::string name;
  V value;
};

}  // namespace minitorch::nn
