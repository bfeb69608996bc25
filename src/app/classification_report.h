// ClassificationReport — how a classifier did on labelled samples: accuracy, the confusion matrix
// (rows: true class, columns: predicted class) and per-class precision, recall and F1, as
// scikit-learn's classification_report computes them (a class never predicted has precision 0, a
// class with no samples recall 0; F1 is 0 when both are 0). Macro averages weigh classes equally.
//
// make_report(truth, predicted, class_names)
//   requires: truth and predicted of the same length, every value in [0, class_names.size())
//             (Error naming the first bad one).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace minitorch::app {

struct ClassScores {
  double precision = 0.0, recall = 0.0, f1 = 0.0;
  long support = 0;  // samples of this class
};

struct ClassificationReport {
  std::vector<std::string> class_names;
  std::vector<std::vector<long>> confusion;  // [true class][predicted class]
  long total = 0;
  long correct = 0;

  double accuracy() const { return total > 0 ? double(correct) / double(total) : 0.0; }
  std::vector<ClassScores> per_class() const;
  ClassScores macro_average() const;
  // The per-class table and the confusion matrix, aligned for a terminal.
  std::string to_text() const;
  nlohmann::json to_json() const;
};

ClassificationReport make_report(const std::vector<int>& truth, const std::vector<int>& predicted,
                                 const std::vector<std::string>& class_names);

}  // namespace minitorch::app
