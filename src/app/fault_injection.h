// Fault injection — a test hook that kills the process at a named point of a training run, so
// tests can prove that every kill leaves a run directory that resumes to the same result.
//
// fault_point(step, epoch) does nothing unless the environment variable MINITORCH_FAULT_AT is
// "<step>:<epoch>" with this step and epoch; then it flushes standard output and error and kills
// the process with SIGKILL (no destructors, no atexit handlers: as abrupt as a power cut for the
// process, though not for the kernel's page cache). "<step>:<epoch>:throw" throws a
// minitorch::Error naming the point instead, as a failure inside the program would. The variable
// is read once.
#pragma once

#include <string_view>

namespace minitorch::app {

void fault_point(std::string_view step, int epoch);

}  // namespace minitorch::app
