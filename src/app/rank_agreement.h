// What the processes of a data-parallel job (`mpirun -np N minitorch train ...`) must agree on,
// and the check that they do before the first step.
//
// Processes that disagree would take different numbers of steps, and their collectives would
// never match: a hang. check_ranks_agree gathers every rank's description (a JSON object), and
// every rank compares the others' with rank 0's, key by key, in rank 0's order; all of them throw
// the same Error, naming the first rank and key that differ, so that the job stops with one
// message. A group of one agrees with itself at no cost.
#pragma once

#include <nlohmann/json.hpp>

#include "app/train_config.h"
#include "minitorch/distributed/process_group.h"

namespace minitorch::app {

// The run's settings as config.json records them, but for the thread count and the data
// directory, which may differ between hosts.
nlohmann::ordered_json settings_every_rank_shares(const TrainConfig& config);

void check_ranks_agree(distributed::ProcessGroup& group, const nlohmann::ordered_json& mine);

}  // namespace minitorch::app
