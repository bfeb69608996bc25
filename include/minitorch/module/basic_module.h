// BasicModule<V> — the tree of modules and parameters every model is built from.
//
// A module owns named parameters (values of type V: Scalar in module 1, Tensor from module 2 on)
// and named child modules, both kept in registration order. It is one tree for every value type:
// the scalar MLP and, later, tensor networks derive from the same class template.
//   register_parameter(name, v)   stores v (a shared handle) and returns it; marks it trainable
//                                 when V supports requires_grad_. Names are unique per module,
//                                 non-empty and free of '.' (dots join names across levels).
//   register_module(name, m)      adopts a child and returns it with its own type.
//   named_parameters()            every parameter of the tree, depth first, registration order,
//                                 dotted names relative to this module: "layer1.weight".
//   state_dict()                  the same names and values, detached (PyTorch's state_dict).
//   train(on) / eval()            set the mode of the whole subtree; is_training() reads it.
//   to(device)                    moves every parameter there in place (values with to_ only).
//   operator<< / to_string()      print the tree like PyTorch: "Net(\n  (l1): Linear(...)\n)".
// Violations of the naming rules throw minitorch::Error.
#pragma once

#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#if __has_include(<cxxabi.h>)
#include <cxxabi.h>

#include <cstdlib>
#endif

#include "minitorch/core/error.h"
#include "minitorch/module/parameter.h"

namespace minitorch::nn {

// Class name without namespaces: "minitorch::nn::Linear" -> "Linear".
inline std::string readable_type_name(const std::type_info& type) {
  std::string name = type.name();
#if __has_include(<cxxabi.h>)
  int status = 0;
  char* demangled = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
  if (status == 0 && demangled != nullptr) name = demangled;
  std::free(demangled);
#endif
  const auto template_start = name.find('<');
  const auto scope = name.rfind("::", template_start);
  return scope == std::string::npos ? name : name.substr(scope + 2);
}

template <class V>
class BasicModule {
 public:
  using Value = V;
  using ModulePtr = std::shared_ptr<BasicModule>;

  BasicModule() = default;
  virtual ~BasicModule() = default;
  // A module owns its parameters' handles; copying would silently share them, so it is not allowed.
  BasicModule(const BasicModule&) = delete;
  BasicModule& operator=(const BasicModule&) = delete;

  V& register_parameter(std::string name, V value) {
    check_new_name(name, "parameter");
    if constexpr (requires { value.requires_grad_(true); }) value.requires_grad_(true);
    parameters_.push_back({std::move(name), std::move(value)});
    return parameters_.back().value;
  }

  template <class M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
    static_assert(std::is_base_of_v<BasicModule, M>, "register_module: M must derive BasicModule");
    if (!module) throw Error("register_module: module '" + name + "' is null");
    check_new_name(name, "module");
    children_.emplace_back(std::move(name), module);
    return module;
  }

  // Parameters of this module only, in registration order.
  const std::vector<Parameter<V>>& local_parameters() const { return parameters_; }

  std::vector<Parameter<V>> named_parameters(bool recurse = true) const {
    std::vector<Parameter<V>> out(parameters_.begin(), parameters_.end());
    if (!recurse) return out;
    for (const auto& [child_name, child] : children_) {
      for (auto& p : child->named_parameters(true)) {
        out.push_back({child_name + "." + p.name, std::move(p.value)});
      }
    }
    return out;
  }

  // The parameters by dotted name, as PyTorch's state_dict() names them ("layer1.weight"). Values
  // are detached from any graph when V supports it, sharing storage with the module's.
  std::vector<Parameter<V>> state_dict() const {
    auto entries = named_parameters();
    if constexpr (requires(const V& v) { v.detach(); }) {
      for (auto& entry : entries) entry.value = entry.value.detach();
    }
    return entries;
  }

  std::vector<V> parameters(bool recurse = true) const {
    std::vector<V> out;
    for (auto& p : named_parameters(recurse)) out.push_back(std::move(p.value));
    return out;
  }

  const std::vector<std::pair<std::string, ModulePtr>>& named_children() const { return children_; }

  std::vector<ModulePtr> children() const {
    std::vector<ModulePtr> out;
    for (const auto& child : children_) out.push_back(child.second);
    return out;
  }

  // This module and all its descendants, depth first, with dotted names ("" for this module).
  // The pointers do not own; they are valid while this tree lives.
  std::vector<std::pair<std::string, BasicModule*>> named_modules() {
    std::vector<std::pair<std::string, BasicModule*>> out{{"", this}};
    for (const auto& [child_name, child] : children_) {
      for (auto& [name, module] : child->named_modules()) {
        out.emplace_back(name.empty() ? child_name : child_name + "." + name, module);
      }
    }
    return out;
  }

  std::vector<BasicModule*> modules() {
    std::vector<BasicModule*> out;
    for (auto& entry : named_modules()) out.push_back(entry.second);
    return out;
  }

  void train(bool on = true) {
    training_ = on;
    for (auto& child : children_) child.second->train(on);
  }
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Moves every parameter of the tree to `where` (a device or backend) in place, through V's to_:
  // the layers' own handles see it, as after PyTorch's module.to(device).
  template <class Where>
  requires requires(const V& v, const Where& w) { v.to_(w); }
  BasicModule& to(const Where& where) {
    for (auto& p : parameters()) p.to_(where);
    return *this;
  }

  // Clears the accumulated gradient of every parameter of the tree.
  void zero_grad() {
    for (auto& p : parameters()) p.zero_grad();
  }

  // The name printed for this module; the class name unless overridden.
  virtual std::string type_name() const { return readable_type_name(typeid(*this)); }
  // Extra detail printed inside the parentheses, e.g. "in_features=2, out_features=10".
  virtual std::string extra_repr() const { return {}; }

  std::string to_string() const {
    std::string out = type_name() + "(";
    const std::string extra = extra_repr();
    if (children_.empty()) return out + extra + ")";
    if (!extra.empty()) out += "\n  " + indent(extra);
    for (const auto& [name, child] : children_) {
      out += "\n  (" + name + "): " + indent(child->to_string());
    }
    return out + "\n)";
  }

 private:
  static std::string indent(const std::string& text) {
    std::string out;
    for (char c : text) {
      out += c;
      if (c == '\n') out += "  ";
    }
    return out;
  }

  void check_new_name(const std::string& name, const char* kind) const {
    if (name.empty()) throw Error(std::string("register_") + kind + ": the name is empty");
    if (name.find('.') != std::string::npos) {
      throw Error(std::string("register_") + kind + ": name '" + name +
                  "' contains '.'; expected a name without dots (dots join nested names)");
    }
    for (const auto& p : parameters_) {
      if (p.name == name) {
        throw Error(std::string("register_") + kind + ": '" + name +
                    "' is already a parameter of this module");
      }
    }
    for (const auto& child : children_) {
      if (child.first == name) {
        throw Error(std::string("register_") + kind + ": '" + name +
                    "' is already a submodule of this module");
      }
    }
  }

  std::vector<Parameter<V>> parameters_;
  std::vector<std::pair<std::string, ModulePtr>> children_;
  bool training_ = true;
};

template <class V>
std::ostream& operator<<(std::ostream& os, const BasicModule<V>& module) {
  return os << module.to_string();
}

}  // namespace minitorch::nn
