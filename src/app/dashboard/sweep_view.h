// GET /api/sweep: one sweep of `minitorch sweep` — its sweep.json as written and, per trial, its
// number, run id (the sweep's id + "/" + the trial's run_dir; null when that does not name a run
// under DIR, e.g. a run_dir with ".."), state, params, value, epochs_done and curve: the sweep's
// metric per epoch as the trial's metrics.jsonl records it (live while it trains), else the
// trial's "values" in sweep.json. A sweep.json that cannot be read is Error naming the problem;
// odd trial entries are shown with what they have.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace minitorch::app::dashboard {

nlohmann::json sweep_view(const std::filesystem::path& root, const std::string& sweep_id);

}  // namespace minitorch::app::dashboard
