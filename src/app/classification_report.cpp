#include "app/classification_report.h"

#include <algorithm>
#include <cstdio>

#include "minitorch/core/error.h"

namespace minitorch::app {
namespace {

double ratio(long numerator, long denominator) {
  return denominator > 0 ? double(numerator) / double(denominator) : 0.0;
}

void check_label(int label, std::size_t classes, std::size_t index, const char* which) {
  if (label < 0 || std::size_t(label) >= classes) {
    throw Error(std::string("classification report: ") + which + " label " + std::to_string(label) +
                " at sample " + std::to_string(index) + " is not a class index in [0, " +
                std::to_string(classes) + ")");
  }
}

std::string padded(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

}  // namespace

ClassificationReport make_report(const std::vector<int>& truth, const std::vector<int>& predicted,
                                 const std::vector<std::string>& class_names) {
  if (truth.size() != predicted.size()) {
    throw Error("classification report: " + std::to_string(truth.size()) + " true labels but " +
                std::to_string(predicted.size()) + " predictions; expected the same number");
  }
  const std::size_t classes = class_names.size();
  ClassificationReport report;
  report.class_names = class_names;
  report.confusion.assign(classes, std::vector<long>(classes, 0));
  for (std::size_t i = 0; i < truth.size(); ++i) {
    check_label(truth[i], classes, i, "true");
    check_label(predicted[i], classes, i, "predicted");
    ++report.confusion[truth[i]][predicted[i]];
    report.correct += truth[i] == predicted[i];
  }
  report.total = static_cast<long>(truth.size());
  return report;
}

std::vector<ClassScores> ClassificationReport::per_class() const {
  std::vector<ClassScores> scores(class_names.size());
  for (std::size_t c = 0; c < class_names.size(); ++c) {
    long predicted_as_c = 0;
    for (const auto& row : confusion) predicted_as_c += row[c];
    long actual_c = 0;
    for (long n : confusion[c]) actual_c += n;
    ClassScores& s = scores[c];
    s.support = actual_c;
    s.precision = ratio(confusion[c][c], predicted_as_c);
    s.recall = ratio(confusion[c][c], actual_c);
    s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0;
  }
  return scores;
}

ClassScores ClassificationReport::macro_average() const {
  ClassScores average;
  const auto scores = per_class();
  for (const ClassScores& s : scores) {
    average.precision += s.precision;
    average.recall += s.recall;
    average.f1 += s.f1;
    average.support += s.support;
  }
  if (!scores.empty()) {
    average.precision /= double(scores.size());
    average.recall /= double(scores.size());
    average.f1 /= double(scores.size());
  }
  return average;
}

std::string ClassificationReport::to_text() const {
  std::size_t name_width = std::string("macro avg").size();
  for (const auto& name : class_names) name_width = std::max(name_width, name.size());
  std::string out = padded("", name_width) + "  precision  recall      f1  support\n";
  char line[128];
  auto row = [&](const std::string& name, const ClassScores& s) {
    std::snprintf(line, sizeof line, "  %9.4f  %6.4f  %6.4f  %7ld\n", s.precision, s.recall, s.f1,
                  s.support);
    out += padded(name, name_width) + line;
  };
  const auto scores = per_class();
  for (std::size_t c = 0; c < scores.size(); ++c) row(class_names[c], scores[c]);
  row("macro avg", macro_average());
  std::snprintf(line, sizeof line, "accuracy %.4f (%ld/%ld)\n\n", accuracy(), correct, total);
  out += line;

  // The confusion matrix: one row per true class, one column per predicted class (by index).
  std::size_t cell = 5;
  for (const auto& r : confusion) {
    for (long n : r) cell = std::max(cell, std::to_string(n).size() + 1);
  }
  out += "confusion matrix (rows: true class, columns: predicted class)\n";
  out += padded("", name_width);
  for (std::size_t c = 0; c < class_names.size(); ++c) out += padded(std::to_string(c), cell);
  out += "\n";
  for (std::size_t t = 0; t < confusion.size(); ++t) {
    out += padded(class_names[t], name_width);
    for (long n : confusion[t]) out += padded(std::to_string(n), cell);
    out += "  (" + std::to_string(t) + ")\n";
  }
  return out;
}

nlohmann::json ClassificationReport::to_json() const {
  nlohmann::json classes = nlohmann::json::array();
  const auto scores = per_class();
  for (std::size_t c = 0; c < scores.size(); ++c) {
    classes.push_back({{"class", class_names[c]},
                       {"precision", scores[c].precision},
                       {"recall", scores[c].recall},
                       {"f1", scores[c].f1},
                       {"support", scores[c].support}});
  }
  const ClassScores macro = macro_average();
  return {
      {"accuracy", accuracy()},
      {"correct", correct},
      {"total", total},
      {"classes", classes},
      {"macro_avg", {{"precision", macro.precision}, {"recall", macro.recall}, {"f1", macro.f1}}},
      {"confusion_matrix", confusion}};
}

}  // namespace minitorch::app
