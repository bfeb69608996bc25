// The `minitorch` command line: `train` and `datasets` subcommands, `--help` on each.
//
// run_cli parses argv, runs the command and returns the process exit code:
//   0 success (and --help); 1 a runtime failure (e.g. a run directory that cannot be written);
//   2 bad usage (unknown flag or name, invalid value), with a message naming the flag and what was
//   expected. It never lets an exception escape.
#pragma once

namespace minitorch::app {

int run_cli(int argc, char** argv);

}  // namespace minitorch::app
