// nn::Module and nn::Layer — the module tree over tensors.
//
// nn::Module is BasicModule<Tensor>: registration, dotted names, train/eval, printing and
// state_dict() as module/basic_module.h describes. A Layer is a Module with one tensor in and one
// tensor out, which is what Sequential chains; forward() is its computation and operator() calls
// it.
#pragma once

#include "minitorch/module/basic_module.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::nn {

using Module = BasicModule<Tensor>;

class Layer : public Module {
 public:
  virtual Tensor forward(const Tensor& x) = 0;
  Tensor operator()(const Tensor& x) { return forward(x); }
};

}  // namespace minitorch::nn
