#include "app/dashboard/run_store.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <system_error>

#include "app/dashboard/run_files.h"
#include "app/dashboard/run_id.h"
#include "app/train_2d.h"
#include "minitorch/data/image_dataset.h"
#include "minitorch/data/spam_corpus.h"
#include "minitorch/serve/http_error.h"

namespace minitorch::app::dashboard {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using serve::HttpError;

const char* const kRunFiles[] = {"config.json", "summary.json", "metrics.jsonl", "eval.json"};

long long mtime_ns(const fs::file_time_type& time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

long long unix_seconds(const fs::file_time_type& time) {
  const auto system = std::chrono::file_clock::to_sys(time);
  return std::chrono::duration_cast<std::chrono::seconds>(system.time_since_epoch()).count();
}

// Whether the name is taken, a dangling symlink included (a run whose file is a link is listed,
// with the link as its problem).
bool exists_here(const fs::path& file) {
  std::error_code error;
  return fs::exists(fs::symlink_status(file, error));
}

std::string string_field(const json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

bool is_epoch_record(const json& record) {
  const auto kind = record.find("kind");
  return kind == record.end() || *kind == "epoch";
}

json epochs_from_config(const json& config) {
  if (!config.is_object()) return nullptr;
  const auto it = config.find("epochs");
  return it != config.end() && it->is_number_integer() ? *it : json(nullptr);
}

std::vector<std::string> task_class_names(const std::string& task) {
  if (task == "2d") return two_d_class_names();
  if (task == "fashion-mnist") return data::fashion_mnist_classes();
  if (task == "spam") return data::spam_class_names();
  if (task == "mnist") {
    std::vector<std::string> digits;
    for (int d = 0; d < 10; ++d) digits.push_back(std::to_string(d));
    return digits;
  }
  return {};
}

json class_names_of(const json& description, const json& eval) {
  if (eval.is_object() && eval.contains("classes") && eval["classes"].is_array()) {
    json names = json::array();
    for (const json& c : eval["classes"]) {
      if (c.is_object() && c.contains("class") && c["class"].is_string())
        names.push_back(c["class"]);
    }
    if (!names.empty()) return names;
  }
  // A broken config.json leaves "task" null: no task, no class names (not a type error).
  const json& task = description.contains("task") ? description["task"] : json();
  const auto names = task_class_names(task.is_string() ? task.get<std::string>() : "");
  return names.empty() ? json(nullptr) : json(names);
}

json file_list(const fs::path& dir) {
  json files = json::array();
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    std::error_code file_error;
    // A symlink's target may lie outside the runs directory: not a file of the run.
    if (!fs::is_regular_file(it->symlink_status(file_error))) continue;
    const auto size = it->file_size(file_error);
    files.push_back({{"name", it->path().filename().string()},
                     {"size", file_error ? 0 : static_cast<long long>(size)}});
  }
  std::sort(files.begin(), files.end(),
            [](const json& a, const json& b) { return a["name"] < b["name"]; });
  return files;
}

// The status that depends on the moment (is a writer alive?) on top of what the files say.
std::string run_status(const json& description, bool training) {
  if (training) return "training";
  if (!description["problems"].empty()) return "broken";
  const json& epochs = description["epochs"];
  const bool all_epochs = epochs.is_number_integer() &&
                          description["epochs_done"].get<long long>() >= epochs.get<long long>();
  return description["summary"].is_object() && all_epochs ? "complete" : "stopped";
}

}  // namespace

std::string task_kind(const std::string& task) {
  if (task == "2d") return "2d";
  if (task == "fashion-mnist" || task == "mnist") return "image";
  if (task == "spam") return "text";
  return "unknown";
}

RunStore::RunStore(fs::path root, ScanLimits limits) : root_(std::move(root)), limits_(limits) {
  std::error_code error;
  canonical_root_ = fs::canonical(root_, error);
  if (error) canonical_root_ = root_;
}

bool RunStore::is_run(const fs::path& dir) {
  return exists_here(dir / "config.json") || exists_here(dir / "metrics.jsonl");
}

bool RunStore::is_sweep(const fs::path& dir) {
  return exists_here(dir / "sweep.json");
}

fs::path RunStore::run_dir(const std::string& id) const {
  const fs::path dir = resolve_under_root(root_, id);
  if (!is_run(dir)) {
    throw HttpError(404,
                    "'" + id + "' is not a run: it holds neither config.json nor metrics.jsonl");
  }
  return dir;
}

fs::path RunStore::sweep_dir(const std::string& id) const {
  const fs::path dir = resolve_under_root(root_, id);
  if (!is_sweep(dir)) throw HttpError(404, "'" + id + "' is not a sweep: it holds no sweep.json");
  return dir;
}

json RunStore::read_run(const fs::path& dir) const {
  json problems = json::array();
  auto note = [&problems](const std::string& problem) {
    if (!problem.empty()) problems.push_back(problem);
  };
  JsonRead config = read_json_object(dir / "config.json");
  note(config.problem);
  if (config.value.is_null() && config.problem.empty()) note("config.json: missing");
  JsonRead summary = read_json_object(dir / "summary.json");
  note(summary.problem);
  const MetricsRead metrics = read_metrics(dir / "metrics.jsonl", 0);
  for (const auto& problem : metrics.problems) note(problem);
  const JsonRead eval = read_json_object(dir / "eval.json");
  note(eval.problem);

  json last_epoch = nullptr;
  long long epochs_done = 0;
  for (const json& record : metrics.records) {
    if (!is_epoch_record(record)) continue;
    ++epochs_done;
    last_epoch = record;
  }
  long long modified = 0;
  for (const char* name : kRunFiles) {
    std::error_code error;
    const auto time = fs::last_write_time(dir / name, error);
    if (!error) modified = std::max(modified, unix_seconds(time));
  }
  const std::string task = string_field(config.value, "task");
  json description = {
      {"kind", task_kind(task)},
      {"task", task.empty() ? json(nullptr) : json(task)},
      {"model", task == "2d" ? json("mlp2d") : json(string_field(config.value, "model"))},
      {"dataset", task == "2d" ? json(string_field(config.value, "dataset")) : json(nullptr)},
      {"problems", problems},
      {"config", config.value},
      {"summary", summary.value},
      {"last_epoch", last_epoch},
      {"epochs_done", epochs_done},
      {"epochs", epochs_from_config(config.value)},
      {"modified", modified},
      {"has_eval", eval.value.is_object()}};
  return description;
}

json RunStore::describe(const fs::path& dir, const std::string& id, const std::string& sweep) {
  std::vector<FileStamp> stamps;
  for (const char* name : kRunFiles) {
    std::error_code error;
    FileStamp stamp;
    const auto time = fs::last_write_time(dir / name, error);
    if (!error) {
      stamp.mtime_ns = mtime_ns(time);
      stamp.size = static_cast<long long>(fs::file_size(dir / name, error));
    }
    stamps.push_back(stamp);
  }
  json description;
  {
    std::lock_guard lock(mutex_);
    const auto it = runs_.find(id);
    if (it != runs_.end() && it->second.stamps == stamps) description = it->second.description;
  }
  if (description.is_null()) {
    description = read_run(dir);
    std::lock_guard lock(mutex_);
    runs_[id] = {stamps, description};
  }
  description["id"] = id;
  description["sweep"] = sweep.empty() ? json(nullptr) : json(sweep);
  description["status"] = run_status(description, writer_alive(dir));
  return description;
}

json RunStore::describe_sweep(const fs::path& dir) {
  const std::string id = relative_id(root_, dir);
  const JsonRead sweep = read_json_object(dir / "sweep.json");
  json description = {
      {"id", id},
      {"trials", 0},
      {"complete", 0},
      {"pruned", 0},
      {"failed", 0},
      {"best_trial", nullptr},
      {"metric", nullptr},
      {"best_value", nullptr},
      {"problems", sweep.problem.empty() ? json::array() : json::array({sweep.problem})}};
  if (!sweep.value.is_object()) return description;
  const json& value = sweep.value;
  if (value.contains("trials") && value["trials"].is_array()) {
    description["trials"] = value["trials"].size();
    for (const json& trial : value["trials"]) {
      const std::string state = string_field(trial, "state");
      if (state == "complete" || state == "pruned" || state == "failed") {
        description[state] = description[state].get<int>() + 1;
      }
    }
  }
  for (const char* key : {"best_trial", "metric", "best_value", "direction"}) {
    if (value.contains(key)) description[key] = value[key];
  }
  return description;
}

void RunStore::scan(const fs::path& dir, int depth, const std::string& sweep, json& runs,
                    json& sweeps, std::size_t& entries, bool& truncated) {
  std::error_code error;
  fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, error);
  for (fs::directory_iterator end; !error && it != end; it.increment(error)) {
    if (++entries > limits_.max_entries || runs.size() >= limits_.max_runs) {
      truncated = true;
      return;
    }
    std::error_code type_error;
    if (it->is_symlink(type_error) || !it->is_directory(type_error)) continue;
    const fs::path child = it->path();
    if (is_sweep(child)) {
      sweeps.push_back(describe_sweep(child));
      if (depth < limits_.max_depth) {
        scan(child, depth + 1, relative_id(root_, child), runs, sweeps, entries, truncated);
      }
    } else if (is_run(child)) {
      runs.push_back(describe(child, relative_id(root_, child), sweep));
    } else if (depth < limits_.max_depth) {
      scan(child, depth + 1, sweep, runs, sweeps, entries, truncated);
    }
    if (truncated) return;
  }
}

json RunStore::list() {
  json runs = json::array();
  json sweeps = json::array();
  std::size_t entries = 0;
  bool truncated = false;
  scan(root_, 1, "", runs, sweeps, entries, truncated);
  auto by_id = [](const json& a, const json& b) { return a["id"] < b["id"]; };
  std::sort(runs.begin(), runs.end(), by_id);
  std::sort(sweeps.begin(), sweeps.end(), by_id);
  if (!truncated) {
    // Forget the runs that are gone, so the cache cannot outgrow the directory.
    std::set<std::string> seen;
    for (const json& run : runs) seen.insert(run["id"].get<std::string>());
    std::lock_guard lock(mutex_);
    std::erase_if(runs_, [&seen](const auto& entry) { return !seen.count(entry.first); });
  }
  return {{"root", root_.string()}, {"truncated", truncated}, {"runs", runs}, {"sweeps", sweeps}};
}

json RunStore::run(const std::string& id) {
  const fs::path dir = run_dir(id);
  std::string sweep;
  for (fs::path parent = dir.parent_path();
       parent.string().size() > canonical_root_.string().size(); parent = parent.parent_path()) {
    if (is_sweep(parent)) {
      sweep = relative_id(canonical_root_, parent);
      break;
    }
  }
  json description = describe(dir, id, sweep);
  const JsonRead eval = read_json_object(dir / "eval.json");
  description["eval"] = eval.value;
  description["files"] = file_list(dir);
  description["class_names"] = class_names_of(description, eval.value);
  return description;
}

json RunStore::metrics(const std::string& id, std::size_t since) {
  const fs::path dir = run_dir(id);
  MetricsRead read = read_metrics(dir / "metrics.jsonl", since);
  return {{"records", std::move(read.records)},
          {"next", read.next},
          {"training", writer_alive(dir)},
          {"problems", std::move(read.problems)}};
}

}  // namespace minitorch::app::dashboard
