// `minitorch sweep`: a hyperparameter search over `minitorch train` runs (sweep.h), with every
// train flag as the trials' fixed settings and the sweep's own flags: --param NAME=SPEC
// (repeatable, sweep_space.h), --trials, --sampler random|grid, --grid-points, --prune
// median|none, --warmup-trials, --warmup-epochs, --metric, --direction, --sweep-dir, --resume.
//
// Bad usage (exit 2, naming the flag and what it accepts): an unknown or malformed --param, a
// value the swept flag would refuse (e.g. lr=log:0:1), a swept parameter also given as a flag
// or not applying to the task, a metric whose direction cannot be inferred without --direction,
// --run-dir / --runs-dir (the sweep places its trials). run_sweep_command returns run_sweep's
// exit code; a sweep directory that cannot be used is an Error (exit 1).
#pragma once

#include <memory>

#include <CLI/CLI.hpp>

namespace minitorch::app {

struct SweepCommand;

// Adds the subcommand; the returned state lives as long as `app` is parsed and run.
std::shared_ptr<SweepCommand> add_sweep_command(CLI::App& app);
int run_sweep_command(SweepCommand& command);

}  // namespace minitorch::app
