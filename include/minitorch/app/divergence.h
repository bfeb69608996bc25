// The error that stops a training run whose loss or weights stopped being finite numbers: where it
// happened, the settings that likely caused it, and what the run directory still holds. A run
// that goes on after that point only computes NaN, and saving it would replace good results.
#pragma once

#include <cstdio>
#include <string>

#include "minitorch/app/train_config.h"
#include "minitorch/core/error.h"

namespace minitorch::app {

// `what`: e.g. "at step 3 of 4 the loss is nan"; `outcome`: what was and was not saved.
[[noreturn]] inline void stop_diverged_run(const TrainConfig& config, int epoch,
                                           const std::string& what, const std::string& outcome) {
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
