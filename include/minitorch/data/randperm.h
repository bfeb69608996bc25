// randperm(n, generator) — a uniformly random permutation of 0..n-1 (torch.randperm's role), drawn
// with the project's Generator so that one seed gives one permutation on every platform.
//
//   Requires: n >= 0 (Error naming n otherwise).
//   Ensures:  a Fisher–Yates shuffle that takes exactly n - 1 values from the generator (none for
//             n <= 1); the DataLoader and the DistributedSampler share it, so a loader and a
//             sampler with the same seed order an epoch alike.
#pragma once

#include <cstdint>
#include <vector>

#include "minitorch/core/generator.h"

namespace minitorch::data {

std::vector<std::int64_t> randperm(std::int64_t n, Generator& generator);

}  // namespace minitorch::data
