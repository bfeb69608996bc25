// TrainConfig — every setting of one `minitorch train` run, as parsed from the command line and
// saved to the run directory's config.json (so a run can be understood and repeated later).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace minitorch::app {

struct TrainConfig {
  std::string backend = "fast";
  std::string dataset = "xor";
  std::string model = "mlp";
  int hidden = 10;
  double lr = 0.5;
  int epochs = 500;
  int points = 50;
  int batch_size = 0;  // 0: the whole data set in one batch
  std::uint64_t seed = 0;
  int threads = 0;                // 0: the default thread count
  std::string runs_dir = "runs";  // parent of a fresh run directory when run_dir is empty
  std::string run_dir;            // explicit run directory
  std::string graph_path;         // write the graph of one forward pass here when set
};

nlohmann::json to_json(const TrainConfig& config);

}  // namespace minitorch::app
