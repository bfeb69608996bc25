// The six 2-D binary classification sets of MiniTorch, generated from a seed.
//
// Points are drawn uniformly from the unit square (except spiral, which is deterministic) and
// labelled by MiniTorch's rules:
//   simple  x1 < 0.5                     diag    x1 + x2 < 0.5
//   split   x1 < 0.2 or x1 > 0.8         xor     (x1 < 0.5) != (x2 < 0.5), strict on both sides
//   circle  (x1-.5)² + (x2-.5)² > 0.1    spiral  two interleaved arms, points/2 each, labels 0 / 1
// Requires points > 0 (spiral: points >= 2); throws minitorch::Error otherwise, and for an unknown
// name (listing the valid ones). Ensures the same (name, points, seed) gives the same set.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace minitorch::data {

struct Dataset2D {
  std::string name;
  std::vector<std::array<double, 2>> x;  // (x1, x2) per point
  std::vector<int> y;                    // label 0 or 1 per point
  std::size_t size() const { return x.size(); }
};

// "simple", "diag", "split", "xor", "circle", "spiral".
const std::vector<std::string>& dataset_names();

Dataset2D make_dataset(const std::string& name, int points, std::uint64_t seed = 0);

Dataset2D simple_dataset(int points, std::uint64_t seed = 0);
Dataset2D diag_dataset(int points, std::uint64_t seed = 0);
Dataset2D split_dataset(int points, std::uint64_t seed = 0);
Dataset2D xor_dataset(int points, std::uint64_t seed = 0);
Dataset2D circle_dataset(int points, std::uint64_t seed = 0);
Dataset2D spiral_dataset(int points);

// Writes "x1,x2,y" then one line per point, with 17 significant digits (exact round trip).
std::string to_csv(const Dataset2D& dataset);

}  // namespace minitorch::data
