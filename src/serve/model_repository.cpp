#include "minitorch/serve/model_repository.h"

#include <algorithm>
#include <cctype>

namespace minitorch::serve {

bool valid_model_name(const std::string& name) {
  return !name.empty() && name.size() <= 128 &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '.' || c == '_' || c == '-';
         });
}

void ModelRepository::add(const std::string& name, ModelLoader loader) {
  if (!valid_model_name(name)) {
    throw Error("model name '" + name +
                "' cannot appear in a URL; expected 1 to 128 letters, digits, '.', '_' or '-'");
  }
  if (!loader) throw Error("model '" + name + "' has no loader");
  {
    std::lock_guard lock(mutex_);
    if (entries_.count(name)) {
      throw Error("two models are named '" + name + "'; expected distinct names (--name)");
    }
  }
  std::shared_ptr<const Classifier> model = loader();
  std::lock_guard lock(mutex_);
  if (!entries_.emplace(name, Entry{std::move(loader), std::move(model)}).second) {
    throw Error("two models are named '" + name + "'; expected distinct names (--name)");
  }
}

ModelRepository::Entry& ModelRepository::entry(const std::string& name) {
  const auto it = entries_.find(name);
  if (it == entries_.end()) throw UnknownModel("no model is named '" + name + "'");
  return it->second;
}

const ModelRepository::Entry& ModelRepository::entry(const std::string& name) const {
  return const_cast<ModelRepository*>(this)->entry(name);
}

void ModelRepository::load(const std::string& name) {
  std::lock_guard one_load(loading_);
  ModelLoader loader;
  {
    std::lock_guard lock(mutex_);
    loader = entry(name).loader;
  }
  std::shared_ptr<const Classifier> model = loader();
  std::lock_guard lock(mutex_);
  entry(name).model = std::move(model);
}

void ModelRepository::unload(const std::string& name) {
  std::lock_guard lock(mutex_);
  entry(name).model.reset();
}

std::shared_ptr<const Classifier> ModelRepository::get(const std::string& name) const {
  std::lock_guard lock(mutex_);
  return entry(name).model;
}

std::vector<ModelState> ModelRepository::index() const {
  std::lock_guard lock(mutex_);
  std::vector<ModelState> out;
  for (const auto& [name, entry] : entries_) out.push_back({name, entry.model != nullptr});
  return out;
}

}  // namespace minitorch::serve
