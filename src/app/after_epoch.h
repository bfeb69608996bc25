// AfterEpoch — what a training run calls after each committed epoch, with that epoch's record as
// metrics.jsonl holds it ({"kind": "epoch", "epoch": 3, "loss": ..., "test_accuracy": ...}).
// Returning false stops the run there, cleanly: its run directory is that of a run trained for
// that many epochs (summary.json, model and plots of the epochs done; config.json keeps the
// epochs asked for). An exception thrown from it ends the run with that exception. Used by
// `minitorch sweep` to prune trials; an empty AfterEpoch changes nothing.
#pragma once

#include <functional>

#include <nlohmann/json.hpp>

#include "minitorch/train/metrics.h"

namespace minitorch::app {

using AfterEpoch = std::function<bool(const nlohmann::json& epoch_record)>;

// The library loop's hook (train::FitHooks::after_epoch) for an AfterEpoch; empty for an empty one.
inline std::function<bool(const train::MetricsRecord&)> fit_hook(const AfterEpoch& after_epoch) {
  if (!after_epoch) return {};
  return [after_epoch](const train::MetricsRecord& record) {
    return after_epoch(nlohmann::json::parse(record.to_json_line()));
  };
}

}  // namespace minitorch::app
