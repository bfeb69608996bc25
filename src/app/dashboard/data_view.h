// GET /api/data: a run's data set and its exploration (the dashboard's Data page).
//   image: K samples per class of the test split with their pixels (0..255), the split sizes,
//          the class counts of the train and test splits, and the test pixels' mean, std and
//          16-bin histogram over [0, 1].
//   text:  K mails per class of the test split (first 2000 characters, first 64 tokens as the
//          run's vocabulary maps them, "<unk>" for unknown words), split sizes, class counts and
//          the test mails' token counts (mean, median, max, a histogram of ranges).
//   2d:    the points [x1, x2, y] the run trained on, their count and class counts.
// Requires 1 <= per_class <= 32 (the server checks it). Reads the data in slices: nothing larger
// than one slice of a split is copied to the host at once.
#pragma once

#include <nlohmann/json.hpp>

#include "app/dashboard/run_data.h"

namespace minitorch::app::dashboard {

nlohmann::json data_view(const RunData& run, int per_class);

// {"train": [...], "test": [...], "validation"?: [...]} counts per class, and the split sizes.
nlohmann::json class_counts(const RunData& run);
nlohmann::json split_sizes(const RunData& run);

}  // namespace minitorch::app::dashboard
