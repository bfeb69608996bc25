// The C++ optimizers over tensors (optim/sgd.h, optim/adam.h) as _C.SGD, _C.Adam and _C.AdamW:
// each updates its tensors in place, so every holder of a handle (a C++ layer, a Parameter) sees
// the step. Options take torch.optim's names; state_dict() is (param_groups, state) as the C++
// side names them (python/minitorch/optim.py gives it torch's nesting).
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bindings.h"
#include "minitorch/optim/adam.h"
#include "minitorch/optim/sgd.h"

namespace minitorch::python {

namespace {

using TensorOptimizer = optim::Optimizer<Tensor>;
using StateDict = TensorOptimizer::StateDict;

// A parameter group: the tensors and the options that replace the defaults (torch's names).
struct GroupSpec {
  std::vector<Tensor> params;
  std::map<std::string, double> options;
};

template <class Options>
Options group_options(const Options& defaults, const std::map<std::string, double>& overrides,
                      const char* name) {
  Options options = defaults;
  for (const auto& [key, value] : overrides) set_option(options, key, value, name);
  return options;
}

template <class Opt, class Options>
std::shared_ptr<Opt> make_optimizer(const std::vector<GroupSpec>& specs, const Options& defaults,
                                    const char* name) {
  std::vector<typename Opt::Group> groups;
  for (const auto& spec : specs) {
    groups.push_back({spec.params, group_options(defaults, spec.options, name)});
  }
  return std::make_shared<Opt>(std::move(groups), defaults);
}

std::int64_t elements_of(const TensorOptimizer& optimizer) {
  std::int64_t n = 0;
  for (const Tensor& p : optimizer.parameters()) n += p.numel();
  return n;
}

py::tuple state_dict_of(const TensorOptimizer& optimizer) {
  const StateDict state = optimizer.state_dict();
  return py::make_tuple(state.param_groups, state.state);
}

void load_state_dict_into(TensorOptimizer& optimizer,
                          std::vector<std::map<std::string, double>> param_groups,
                          std::vector<std::pair<std::string, Tensor>> state) {
  StateDict loaded{std::move(param_groups), std::move(state)};
  ReleaseGilFor release(elements_of(optimizer));
  optimizer.load_state_dict(loaded);
}

void bind_base(py::module_& m) {
  py::class_<GroupSpec>(m, "ParamGroupSpec")
      .def(py::init([](std::vector<Tensor> params, std::map<std::string, double> options) {
             return GroupSpec{std::move(params), std::move(options)};
           }),
           py::arg("params"), py::arg("options") = std::map<std::string, double>{});
  py::class_<TensorOptimizer, std::shared_ptr<TensorOptimizer>>(m, "Optimizer")
      .def("step",
           [](TensorOptimizer& o) {
             ReleaseGilFor release(elements_of(o));
             o.step();
           })
      .def("zero_grad", &TensorOptimizer::zero_grad)
      .def("parameters", &TensorOptimizer::parameters)
      .def_property_readonly("num_param_groups", &TensorOptimizer::num_param_groups)
      .def(
          "lr", [](const TensorOptimizer& o, std::size_t group) { return o.lr(group); },
          py::arg("group") = 0)
      .def(
          "set_lr", [](TensorOptimizer& o, std::size_t group, double lr) { o.set_lr(group, lr); },
          py::arg("group"), py::arg("lr"))
      .def("state_dict", &state_dict_of)
      .def("load_state_dict", &load_state_dict_into, py::arg("param_groups"), py::arg("state"));
}

}  // namespace

void bind_optim(py::module_& m) {
  bind_base(m);
  py::class_<optim::SGD<Tensor>, TensorOptimizer, std::shared_ptr<optim::SGD<Tensor>>>(m, "SGD")
      .def(py::init([](const std::vector<GroupSpec>& groups, double lr, double momentum,
                       double dampening, double weight_decay, bool nesterov) {
             return make_optimizer<optim::SGD<Tensor>>(
                 groups,
                 optim::SGDOptions{.lr = lr,
                                   .momentum = momentum,
                                   .dampening = dampening,
                                   .weight_decay = weight_decay,
                                   .nesterov = nesterov},
                 "SGD");
           }),
           py::arg("groups"), py::arg("lr"), py::arg("momentum") = 0.0, py::arg("dampening") = 0.0,
           py::arg("weight_decay") = 0.0, py::arg("nesterov") = false);
  const auto adam_options = [](double lr, std::pair<double, double> betas, double eps,
                               double weight_decay) {
    return optim::AdamOptions{.lr = lr,
                              .beta1 = betas.first,
                              .beta2 = betas.second,
                              .eps = eps,
                              .weight_decay = weight_decay};
  };
  py::class_<optim::Adam<Tensor>, TensorOptimizer, std::shared_ptr<optim::Adam<Tensor>>>(m, "Adam")
      .def(py::init([adam_options](const std::vector<GroupSpec>& groups, double lr,
                                   std::pair<double, double> betas, double eps,
                                   double weight_decay) {
             return make_optimizer<optim::Adam<Tensor>>(
                 groups, adam_options(lr, betas, eps, weight_decay), "Adam");
           }),
           py::arg("groups"), py::arg("lr"), py::arg("betas"), py::arg("eps"),
           py::arg("weight_decay"));
  py::class_<optim::AdamW<Tensor>, TensorOptimizer, std::shared_ptr<optim::AdamW<Tensor>>>(m,
                                                                                           "AdamW")
      .def(py::init([adam_options](const std::vector<GroupSpec>& groups, double lr,
                                   std::pair<double, double> betas, double eps,
                                   double weight_decay) {
             return make_optimizer<optim::AdamW<Tensor>>(
                 groups, adam_options(lr, betas, eps, weight_decay), "AdamW");
           }),
           py::arg("groups"), py::arg("lr"), py::arg("betas"), py::arg("eps"),
           py::arg("weight_decay"));
}

}  // namespace minitorch::python
