#include "minitorch/app/train_config.h"

namespace minitorch::app {

nlohmann::json to_json(const TrainConfig& c) {
  return {
      {"command", "train"}, {"backend", c.backend}, {"dataset", c.dataset},
      {"model", c.model},   {"hidden", c.hidden},   {"lr", c.lr},
      {"epochs", c.epochs}, {"points", c.points},   {"batch_size", c.batch_size},
      {"seed", c.seed},     {"threads", c.threads},
  };
}

}  // namespace minitorch::app
