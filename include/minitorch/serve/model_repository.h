// serve::ModelRepository — the models a server can serve, by name, each with the loader that
// (re)builds it, e.g. from a run directory.
//
// add(name, loader) loads the model now. Requires a name of letters, digits, '.', '_' and '-' (1 to
// 128 characters, as it appears in URLs) not added before; Error otherwise, and the loader's own
// Error when it fails.
// load(name) runs the loader again and swaps the new model in; requests already holding the old
// one finish with it. When the loader fails the model in service stays as it was and the Error
// propagates. unload(name) takes the model out of service (get returns nullptr) without
// forgetting its loader. Both require a known name (UnknownModel otherwise).
// get(name): the model in service, nullptr when unloaded; UnknownModel for a name never added.
// Every method may be called from any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "minitorch/core/error.h"
#include "minitorch/serve/classifier.h"

namespace minitorch::serve {

using ModelLoader = std::function<std::shared_ptr<const Classifier>()>;

class UnknownModel : public Error {
 public:
  using Error::Error;
};

struct ModelState {
  std::string name;
  bool ready = false;
};

class ModelRepository {
 public:
  void add(const std::string& name, ModelLoader loader);
  void load(const std::string& name);
  void unload(const std::string& name);
  std::shared_ptr<const Classifier> get(const std::string& name) const;
  std::vector<ModelState> index() const;

 private:
  struct Entry {
    ModelLoader loader;
    std::shared_ptr<const Classifier> model;
  };
  Entry& entry(const std::string& name);
  const Entry& entry(const std::string& name) const;

  mutable std::mutex mutex_;
  std::mutex loading_;  // one load at a time, outside mutex_ so that requests go on meanwhile
  std::map<std::string, Entry> entries_;
};

// Whether `name` may name a model (see add).
bool valid_model_name(const std::string& name);

}  // namespace minitorch::serve
