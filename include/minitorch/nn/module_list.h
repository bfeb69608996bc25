// nn::ModuleList — an ordered list of sub-modules, registered as children "0", "1", ... as
// torch.nn.ModuleList, so their parameters read "convs.0.weight". It has no forward of its own: the
// owner decides how its members are applied.
//   Requires: no null module (Error).
#pragma once

#include <memory>
#include <vector>

#include "minitorch/core/error.h"
#include "minitorch/nn/module.h"

namespace minitorch::nn {

template <class M = Layer>
class ModuleList : public Module {
 public:
  void push_back(std::shared_ptr<M> module) {
    if (!module) throw Error("ModuleList: cannot hold a null module");
    modules_.push_back(register_module(std::to_string(modules_.size()), std::move(module)));
  }

  std::size_t size() const { return modules_.size(); }
  const std::shared_ptr<M>& operator[](std::size_t i) const { return modules_.at(i); }
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }

 private:
  std::vector<std::shared_ptr<M>> modules_;
};

}  // namespace minitorch::nn
