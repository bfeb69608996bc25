// The flags of `minitorch train` that describe a run, for every command that trains runs (train,
// sweep), so that each flag is defined, defaulted and checked in one place.
//
// add_train_flags adds them to a command, writing into `config`. After parsing,
// finish_train_flags fills in the task's defaults for the flags not given (lr, epochs, batch size,
// model) and throws CLI::ValidationError or UsageError (bad usage) for a model that does not fit
// the task or a flag given that does not apply to it. why_not_applicable says why one flag
// ("--momentum") would not take effect in the run `config` describes (empty when it would).
// run_train trains a 2-D run (task "2d") as `minitorch train` does and returns the exit code;
// after_epoch sees each committed epoch (see after_epoch.h). Under mpirun every rank calls it:
// each batch is shared by the ranks (train_2d), and rank 0 alone writes the run and reports.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "app/after_epoch.h"
#include "app/train_config.h"

namespace minitorch::app {

void add_train_flags(CLI::App& command, TrainConfig& config);
void finish_train_flags(const CLI::App& command, TrainConfig& config);
std::string why_not_applicable(const std::string& flag, const TrainConfig& config);
int run_train(const TrainConfig& config, const AfterEpoch& after_epoch = {});

}  // namespace minitorch::app
