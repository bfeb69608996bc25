#include "app/dashboard/sweep_view.h"

#include "app/dashboard/run_files.h"
#include "app/dashboard/run_id.h"
#include "app/dashboard/run_store.h"
#include "minitorch/core/error.h"
#include "minitorch/serve/http_error.h"

namespace minitorch::app::dashboard {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json field(const json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() ? json(nullptr) : *it;
}

// The trial's run id, or null when run_dir does not name a run inside DIR.
json trial_run(const fs::path& root, const std::string& sweep_id, const json& trial) {
  const json run_dir = field(trial, "run_dir");
  if (!run_dir.is_string()) return nullptr;
  const std::string id = sweep_id + "/" + run_dir.get<std::string>();
  try {
    return RunStore::is_run(resolve_under_root(root, id)) ? json(id) : json(nullptr);
  } catch (const serve::HttpError&) {
    return nullptr;
  }
}

json metric_curve(const fs::path& run_dir, const std::string& metric) {
  json curve = json::array();
  for (const json& record : read_metrics(run_dir / "metrics.jsonl", 0).records) {
    if (record.value("kind", "epoch") != "epoch") continue;
    const auto value = record.find(metric);
    curve.push_back(value != record.end() && value->is_number() ? *value : json(nullptr));
  }
  return curve;
}

json trial_json(const fs::path& root, const std::string& sweep_id, const std::string& metric,
                const json& trial) {
  json out = {{"number", field(trial, "number")}, {"run", trial_run(root, sweep_id, trial)},
              {"state", field(trial, "state")},   {"params", field(trial, "params")},
              {"value", field(trial, "value")},   {"epochs_done", field(trial, "epochs_done")},
              {"curve", field(trial, "values")}};
  if (out["run"].is_string() && !metric.empty()) {
    json curve = metric_curve(resolve_under_root(root, out["run"].get<std::string>()), metric);
    if (!curve.empty()) out["curve"] = std::move(curve);
  }
  if (!out["curve"].is_array()) out["curve"] = json::array();
  return out;
}

}  // namespace

json sweep_view(const fs::path& root, const std::string& sweep_id) {
  const fs::path dir = resolve_under_root(root, sweep_id);
  const JsonRead sweep = read_json_object(dir / "sweep.json");
  if (!sweep.value.is_object()) {
    if (sweep.problem.empty()) {
      throw serve::HttpError(404, "'" + sweep_id + "' is not a sweep: it holds no sweep.json");
    }
    throw Error("cannot read the sweep: " + sweep.problem);
  }
  const json metric = field(sweep.value, "metric");
  json trials = json::array();
  const json listed = field(sweep.value, "trials");
  if (listed.is_array()) {
    for (const json& trial : listed) {
      if (!trial.is_object()) continue;
      trials.push_back(
          trial_json(root, sweep_id, metric.is_string() ? metric.get<std::string>() : "", trial));
    }
  }
  return {{"id", sweep_id}, {"sweep", sweep.value}, {"trials", trials}};
}

}  // namespace minitorch::app::dashboard
