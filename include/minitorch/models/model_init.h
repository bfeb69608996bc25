// models::ModelInit — how a model draws its initial parameters: the dtype of every parameter and
// the generator its layers draw from (null: default_generator(), see manual_seed). Each layer uses
// PyTorch's default initialisation for its kind, so a model starts from the same distribution as
// its torch.nn twin.
#pragma once

#include "minitorch/core/generator.h"
#include "minitorch/storage/dtype.h"

namespace minitorch::models {

struct ModelInit {
  Dtype dtype = kFloat32;
  Generator* generator = nullptr;
};

}  // namespace minitorch::models
