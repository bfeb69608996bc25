#include "minitorch/io/state_dict.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "minitorch/core/error.h"
#include "minitorch/storage/shape.h"

namespace minitorch::io {
namespace fs = std::filesystem;

namespace {

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (k > 0) out += ", ";
    out += "\"" + names[k] + "\"";
  }
  return out;
}

}  // namespace

void save_state_dict(const nn::Module& module, const fs::path& path, const Metadata& metadata) {
  NamedTensors tensors;
  for (auto& [name, value] : module.state_dict()) tensors.emplace_back(name, value);
  save_safetensors(path, tensors, metadata);
}

void load_state_dict(nn::Module& module, const SafetensorsFile& file) {
  std::map<std::string, const Tensor*> in_file;
  for (const auto& [name, tensor] : file.tensors) in_file.emplace(name, &tensor);

  const auto parameters = module.named_parameters();
  std::vector<std::string> missing;
  std::vector<std::string> mismatches;
  std::set<std::string> in_module;
  for (const auto& parameter : parameters) {
    in_module.insert(parameter.name);
    const auto it = in_file.find(parameter.name);
    if (it == in_file.end()) {
      missing.push_back(parameter.name);
      continue;
    }
    const Tensor& stored = *it->second;
    if (stored.shape() != parameter.value.shape()) {
      mismatches.push_back("size mismatch for " + parameter.name + ": checkpoint " +
                           shape_to_string(stored.shape()) + ", model " +
                           shape_to_string(parameter.value.shape()) + ".");
    } else if (stored.dtype() != parameter.value.dtype()) {
      mismatches.push_back("dtype mismatch for " + parameter.name + ": checkpoint " +
                           safetensors_dtype_name(stored.dtype()) + " (" +
                           dtype_name(stored.dtype()) + "), model " +
                           dtype_name(parameter.value.dtype()) + ".");
    }
  }
  std::vector<std::string> unexpected;
  for (const auto& [name, tensor] : file.tensors) {
    if (!in_module.contains(name)) unexpected.push_back(name);
  }

  if (!missing.empty() || !unexpected.empty() || !mismatches.empty()) {
    const std::string source =
        file.path.empty() ? "the checkpoint" : "'" + file.path.string() + "'";
    std::string message =
        "load_state_dict: cannot load " + source + " into " + module.type_name() + ":";
    if (!missing.empty())
      message += "\n  Missing key(s) in state_dict: " + quoted_list(missing) + ".";
    if (!unexpected.empty()) {
      message += "\n  Unexpected key(s) in state_dict: " + quoted_list(unexpected) + ".";
    }
    for (const auto& mismatch : mismatches) message += "\n  " + mismatch;
    throw Error(message);
  }

  for (const auto& parameter : parameters) {
    const Tensor& stored = *in_file.at(parameter.name);
    // The file's values on the parameter's backend and device (set_data copies).
    parameter.value.set_data(stored.to(parameter.value.backend()));
  }
}

Metadata load_state_dict(nn::Module& module, const fs::path& path) {
  SafetensorsFile file = load_safetensors(path);
  load_state_dict(module, file);
  return std::move(file.metadata);
}

}  // namespace minitorch::io
