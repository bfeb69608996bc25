// Seeded, stratified subsets of a labelled training set: quick runs (--train-samples N) see every
// class in the proportion the whole set has, instead of whatever the first N rows happen to be
// (in a corpus ordered by class, almost only the first class).
//
// stratified_sample(labels, n, generator):
//   Requires: labels are class indices >= 0.
//   Ensures:  min(n, labels.size()) distinct indices, in increasing order; each class gets its
//             share of n rounded by largest remainder (ties to the smaller class index), drawn
//             uniformly within the class with `generator`; the same labels, n and generator state
//             give the same indices; n >= labels.size() gives every index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "minitorch/core/generator.h"

namespace minitorch::data {

std::vector<std::size_t> stratified_sample(const std::vector<std::int64_t>& labels, std::size_t n,
                                           Generator& generator);

}  // namespace minitorch::data
