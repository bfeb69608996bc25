#include "app/divergence.h"

#include <cstdio>

#include "minitorch/core/error.h"

namespace minitorch::app {

void stop_diverged_run(const TrainConfig& config, int epoch, const std::string& what,
                       const std::string& outcome) {
  char settings[128];
  if (config.task == "2d") {
    std::snprintf(settings, sizeof settings, "the learning rate (--lr %g) is", config.lr);
  } else {
    std::snprintf(settings, sizeof settings,
                  "the learning rate (--lr %g) or the weight decay (--weight-decay %g) of %s is",
                  config.lr, config.weight_decay, config.optimizer.c_str());
  }
  throw Error("training diverged in epoch " + std::to_string(epoch) + ": " + what + "; " +
              settings + " likely too large: train again with a smaller value. " + outcome);
}

}  // namespace minitorch::app
