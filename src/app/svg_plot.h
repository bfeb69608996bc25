// Dependency-free SVG plots the command line writes into a training run directory, so a run
// can be inspected in any browser without Python or a plotting library.
//
// render_line_chart
//   requires: each series has x.size() == y.size() (else std::invalid_argument).
//   ensures:  returns a standalone 640x420 SVG document. Points that are not finite (or are
//             <= 0 when log_y) are skipped rather than failing, because a diverging run must
//             still be plottable. Empty charts and degenerate ranges render valid SVG, and
//             no number in it is ever printed as nan or inf. With more than one series, the
//             legend goes in the corner of the plot that the curves cross least (none, when one
//             is free).
// render_decision_boundary
//   requires: points.size() == labels.size(), every label is 0 or 1, grid >= 1, probability
//             is set and the domain bounds are finite with x_min <= x_max and y_min <= y_max
//             (else std::invalid_argument; a size mismatch names both sizes).
//   ensures:  returns a standalone SVG whose background is exactly grid*grid
//             <rect class="cell"> elements (probability sampled at cell centres, clamped to
//             [0, 1], NaN drawn as 0.5) and exactly one <circle> per finite point.
// render_confusion_matrix: see below.
// xml_escape
//   ensures:  the result is safe inside both SVG text nodes and quoted attributes.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <vector>

namespace minitorch::app {

// One series of a line chart: y over x (same lengths).
struct LineSeries {
  std::string label;
  std::vector<double> x;
  std::vector<double> y;
};

struct LineChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<LineSeries> series;
  bool log_y = false;    // logarithmic y axis (values <= 0 are skipped)
  bool whole_x = false;  // x counts something (epochs): ticks at whole numbers only
};

std::string render_line_chart(const LineChart& chart);

// Points of a 2-D binary classification set drawn over the model's predicted probability.
struct DecisionBoundary {
  std::string title;
  std::vector<std::array<double, 2>> points;          // (x1, x2)
  std::vector<int> labels;                            // 0 or 1, same length as points
  std::function<double(double, double)> probability;  // P(class 1 | x1, x2), in [0, 1]
  int grid = 50;                                      // cells per side of the background
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;  // plotted domain
};

std::string render_decision_boundary(const DecisionBoundary& plot);

// A confusion matrix as a grid of cells (rows: true class, columns: predicted class), each shaded
// by the fraction of its row (its true class) and labelled with its count.
//   requires: a square matrix with one row per class name and counts >= 0 (std::invalid_argument).
//   ensures:  exactly n*n <rect class="cell"> elements, one count label in each.
std::string render_confusion_matrix(const std::string& title,
                                    const std::vector<std::string>& class_names,
                                    const std::vector<std::vector<long>>& counts);

std::string xml_escape(const std::string& text);

}  // namespace minitorch::app
