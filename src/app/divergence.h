// The error that stops a training run whose loss or weights stopped being finite numbers: where it
// happened, the settings that likely caused it, and what the run directory still holds. A run
// that goes on after that point only computes NaN, and saving it would replace good results.
#pragma once

#include <string>

#include "app/train_config.h"

namespace minitorch::app {

// Throws minitorch::Error. `what`: e.g. "at step 3 of 4 the loss is nan"; `outcome`: what was and
// was not saved.
[[noreturn]] void stop_diverged_run(const TrainConfig& config, int epoch, const std::string& what,
                                    const std::string& outcome);

}  // namespace minitorch::app
