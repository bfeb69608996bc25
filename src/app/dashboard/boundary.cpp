#include "app/dashboard/boundary.h"

#include <algorithm>
#include <array>
#include <limits>

#include "app/dashboard/inspection.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::app::dashboard {
namespace {

using nlohmann::json;

// [lo, hi] of one coordinate of the points, widened by 10% each side ([0, 1] without points).
std::array<double, 2> padded_range(const data::Dataset2D& points, std::size_t axis) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& x : points.x) {
    lo = std::min(lo, x[axis]);
    hi = std::max(hi, x[axis]);
  }
  if (points.x.empty()) return {0.0, 1.0};
  const double margin = std::max(hi - lo, 1e-6) * 0.1;
  return {lo - margin, hi + margin};
}

}  // namespace

json boundary_view(const RunData& run, const serve::Classifier& classifier, int grid) {
  const auto xs = padded_range(run.points, 0);
  const auto ys = padded_range(run.points, 1);
  std::vector<double> lattice;
  lattice.reserve(std::size_t(grid) * std::size_t(grid) * 2);
  for (int row = 0; row < grid; ++row) {
    const double y = ys[0] + (ys[1] - ys[0]) * row / (grid - 1);
    for (int column = 0; column < grid; ++column) {
      lattice.push_back(xs[0] + (xs[1] - xs[0]) * column / (grid - 1));
      lattice.push_back(y);
    }
  }
  const std::vector<float> both =
      probabilities_of(classifier, from_vector(lattice, {std::int64_t(grid) * grid, 2}));
  json probabilities = json::array();
  for (std::size_t i = 1; i < both.size(); i += 2) probabilities.push_back(both[i]);
  json points = json::array();
  for (std::size_t i = 0; i < run.points.size(); ++i) {
    points.push_back({run.points.x[i][0], run.points.x[i][1], run.points.y[i]});
  }
  return {{"grid", grid},
          {"x_range", xs},
          {"y_range", ys},
          {"probabilities", probabilities},
          {"points", points}};
}

}  // namespace minitorch::app::dashboard
