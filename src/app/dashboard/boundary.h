// GET /api/boundary: the decision boundary of a 2-D run — its model's probability of class "1"
// on a grid x grid lattice over the points' bounding box (10% margin on each side), row-major
// with row 0 at the lowest x2, and the points [x1, x2, y] the run trained on.
// Requires a 2-D run (RunData::kind "2d") and 2 <= grid <= 200 (the server checks both).
#pragma once

#include <nlohmann/json.hpp>

#include "app/dashboard/run_data.h"
#include "minitorch/serve/classifier.h"

namespace minitorch::app::dashboard {

nlohmann::json boundary_view(const RunData& run, const serve::Classifier& classifier, int grid);

}  // namespace minitorch::app::dashboard
