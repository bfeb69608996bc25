#include "minitorch/data/datasets.h"

#include <cmath>
#include <cstdio>
#include <functional>

#include "minitorch/core/error.h"
#include "minitorch/core/generator.h"

namespace minitorch::data {
namespace {

using Rule = std::function<bool(double x1, double x2)>;

void require_positive_points(const std::string& name, int points, int minimum = 1) {
  if (points < minimum) {
    throw Error("dataset '" + name + "': points must be at least " + std::to_string(minimum) +
                ", got " + std::to_string(points));
  }
}

Dataset2D uniform_points_labelled_by(const std::string& name, int points, std::uint64_t seed,
                                     const Rule& is_positive) {
  require_positive_points(name, points);
  Generator generator(seed);
  Dataset2D set{name, {}, {}};
  set.x.reserve(points);
  set.y.reserve(points);
  for (int i = 0; i < points; ++i) {
    const double x1 = generator.uniform();
    const double x2 = generator.uniform();
    set.x.push_back({x1, x2});
    set.y.push_back(is_positive(x1, x2) ? 1 : 0);
  }
  return set;
}

}  // namespace

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names{"simple", "diag", "split", "xor", "circle", "spiral"};
  return names;
}

Dataset2D simple_dataset(int points, std::uint64_t seed) {
  return uniform_points_labelled_by("simple", points, seed,
                                    [](double x1, double) { return x1 < 0.5; });
}

Dataset2D diag_dataset(int points, std::uint64_t seed) {
  return uniform_points_labelled_by("diag", points, seed,
                                    [](double x1, double x2) { return x1 + x2 < 0.5; });
}

Dataset2D split_dataset(int points, std::uint64_t seed) {
  return uniform_points_labelled_by("split", points, seed,
                                    [](double x1, double) { return x1 < 0.2 || x1 > 0.8; });
}

Dataset2D xor_dataset(int points, std::uint64_t seed) {
  return uniform_points_labelled_by("xor", points, seed, [](double x1, double x2) {
    return (x1 < 0.5 && x2 > 0.5) || (x1 > 0.5 && x2 < 0.5);
  });
}

Dataset2D circle_dataset(int points, std::uint64_t seed) {
  return uniform_points_labelled_by("circle", points, seed, [](double x1, double x2) {
    const double a = x1 - 0.5;
    const double b = x2 - 0.5;
    return a * a + b * b > 0.1;
  });
}

Dataset2D spiral_dataset(int points) {
  require_positive_points("spiral", points, 2);
  const int per_arm = points / 2;
  auto arm_x = [](double t) { return t * std::cos(t) / 20.0; };
  auto arm_y = [](double t) { return t * std::sin(t) / 20.0; };
  Dataset2D set{"spiral", {}, {}};
  for (int i = 5; i < 5 + per_arm; ++i) {
    const double t = 10.0 * i / per_arm;
    set.x.push_back({arm_x(t) + 0.5, arm_y(t) + 0.5});
    set.y.push_back(0);
  }
  for (int i = 5; i < 5 + per_arm; ++i) {
    const double t = 10.0 * i / per_arm;
    set.x.push_back({arm_y(-t) + 0.5, arm_x(-t) + 0.5});
    set.y.push_back(1);
  }
  return set;
}

Dataset2D make_dataset(const std::string& name, int points, std::uint64_t seed) {
  if (name == "simple") return simple_dataset(points, seed);
  if (name == "diag") return diag_dataset(points, seed);
  if (name == "split") return split_dataset(points, seed);
  if (name == "xor") return xor_dataset(points, seed);
  if (name == "circle") return circle_dataset(points, seed);
  if (name == "spiral") return spiral_dataset(points);
  std::string valid;
  for (const auto& n : dataset_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw Error("unknown dataset '" + name + "'; expected one of: " + valid);
}

std::string to_csv(const Dataset2D& dataset) {
  std::string out = "x1,x2,y\n";
  char line[96];
  for (std::size_t i = 0; i < dataset.size(); ++i) {
    std::snprintf(line, sizeof line, "%.17g,%.17g,%d\n", dataset.x[i][0], dataset.x[i][1],
                  dataset.y[i]);
    out += line;
  }
  return out;
}

}  // namespace minitorch::data
