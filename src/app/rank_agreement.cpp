#include "app/rank_agreement.h"

#include <string>
#include <vector>

#include "minitorch/core/error.h"

namespace minitorch::app {

nlohmann::ordered_json settings_every_rank_shares(const TrainConfig& config) {
  nlohmann::ordered_json out;
  const nlohmann::json flags = to_json(config);
  for (const auto& [key, value] : flags.items()) {
    if (key != "threads" && key != "data_dir") out[key] = value;
  }
  return out;
}

void check_ranks_agree(distributed::ProcessGroup& group, const nlohmann::ordered_json& mine) {
  if (!group.is_distributed()) return;
  const std::vector<std::string> all = group.all_gather(mine.dump());
  const auto root = nlohmann::ordered_json::parse(all.front());
  for (std::size_t rank = 1; rank < all.size(); ++rank) {
    const auto other = nlohmann::ordered_json::parse(all[rank]);
    for (const auto& [key, value] : root.items()) {
      const auto theirs = other.contains(key) ? other.at(key) : nlohmann::ordered_json();
      if (theirs == value) continue;
      throw Error("the ranks disagree: rank " + std::to_string(rank) + " has " + key + " " +
                  theirs.dump() + ", rank 0 has " + value.dump() +
                  "; every rank must run the same flags on the same data");
    }
  }
}

}  // namespace minitorch::app
