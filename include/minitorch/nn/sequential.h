// nn::Sequential — layers applied in order; children are named "0", "1", ... as in PyTorch, so
// parameters read "0.weight", "2.bias".
//   Requires: no null layer (Error).
#pragma once

#include <initializer_list>
#include <memory>
#include <vector>

#include "minitorch/nn/module.h"

namespace minitorch::nn {

class Sequential : public Layer {
 public:
  Sequential() = default;
  Sequential(std::initializer_list<std::shared_ptr<Layer>> layers) {
    for (const auto& layer : layers) push_back(layer);
  }

  void push_back(std::shared_ptr<Layer> layer) {
    layers_.push_back(register_module(std::to_string(layers_.size()), std::move(layer)));
  }

  Tensor forward(const Tensor& x) override {
    Tensor y = x;
    for (const auto& layer : layers_) y = layer->forward(y);
    return y;
  }

  std::size_t size() const { return layers_.size(); }
  const std::shared_ptr<Layer>& operator[](std::size_t i) const { return layers_.at(i); }

 private:
  std::vector<std::shared_ptr<Layer>> layers_;
};

}  // namespace minitorch::nn
