#include "app/dashboard/inspection.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "minitorch/tensor/creation.h"

namespace minitorch::app::dashboard {
namespace {

using nlohmann::json;

constexpr std::int64_t kSlice = 256;

struct Scored {
  std::vector<int> labels;
  std::vector<float> probabilities;  // [N * classes]
  std::size_t classes = 0;
  int predicted(std::size_t i) const {
    const float* row = probabilities.data() + i * classes;
    return static_cast<int>(std::max_element(row, row + classes) - row);
  }
  float p(std::size_t i, std::size_t c) const { return probabilities[i * classes + c]; }
};

Tensor points_tensor(const data::Dataset2D& points) {
  std::vector<double> values;
  for (const auto& x : points.x) values.insert(values.end(), {x[0], x[1]});
  return from_vector(values, {static_cast<std::int64_t>(points.size()), 2});
}

json shown_sample(const RunData& run, std::size_t i) {
  if (run.kind == "2d") return {{"point", {run.points.x[i][0], run.points.x[i][1]}}};
  if (run.kind == "text") return {{"text", run.test_mails[i].text.substr(0, 2000)}};
  json pixels = json::array();
  for (const double v : rows_of(run.task.test_x, static_cast<std::int64_t>(i), 1)) {
    pixels.push_back(static_cast<int>(std::lround(std::clamp(v, 0.0, 1.0) * 255.0)));
  }
  return {{"pixels", pixels}};
}

json sample_json(const RunData& run, const Scored& scored, std::size_t i) {
  json sample = shown_sample(run, i);
  sample["index"] = i;
  sample["label"] = scored.labels[i];
  sample["predicted"] = scored.predicted(i);
  sample["probabilities"] =
      std::vector<float>(scored.probabilities.begin() + long(i * scored.classes),
                         scored.probabilities.begin() + long((i + 1) * scored.classes));
  return sample;
}

Scored score(const RunData& run, const serve::Classifier& classifier) {
  Scored scored;
  scored.classes = classifier.class_names().size();
  if (run.kind == "2d") {
    scored.labels = run.points.y;
    scored.probabilities = probabilities_of(classifier, points_tensor(run.points));
  } else {
    for (const double y : run.task.test_y.to_vector()) scored.labels.push_back(int(y));
    scored.probabilities = probabilities_of(classifier, run.task.test_x);
  }
  return scored;
}

}  // namespace

std::vector<float> probabilities_of(const serve::Classifier& classifier, const Tensor& inputs) {
  std::vector<float> out;
  const std::int64_t n = inputs.size(0);
  for (std::int64_t start = 0; start < n; start += kSlice) {
    const Tensor batch = inputs.narrow(0, start, std::min(kSlice, n - start)).contiguous();
    for (const double p : classifier.probabilities(batch).to_vector()) out.push_back(float(p));
  }
  return out;
}

json inspection_view(const RunData& run, const serve::Classifier& classifier, int per_class) {
  const Scored scored = score(run, classifier);
  json classes = json::array();
  for (std::size_t c = 0; c < scored.classes; ++c) {
    std::vector<std::size_t> false_positives, false_negatives;
    for (std::size_t i = 0; i < scored.labels.size(); ++i) {
      const bool labelled = scored.labels[i] == int(c);
      const bool predicted = scored.predicted(i) == int(c);
      if (predicted && !labelled) false_positives.push_back(i);
      if (labelled && !predicted) false_negatives.push_back(i);
    }
    const auto keep = [&](std::vector<std::size_t>& indices, bool highest_first) {
      std::stable_sort(indices.begin(), indices.end(), [&](std::size_t a, std::size_t b) {
        return highest_first ? scored.p(a, c) > scored.p(b, c) : scored.p(a, c) < scored.p(b, c);
      });
      json samples = json::array();
      for (std::size_t k = 0; k < indices.size() && k < std::size_t(per_class); ++k) {
        samples.push_back(sample_json(run, scored, indices[k]));
      }
      return samples;
    };
    classes.push_back({{"class", c},
                       {"false_positives", keep(false_positives, true)},
                       {"false_negatives", keep(false_negatives, false)}});
  }
  json view{{"kind", run.kind}, {"classes", classifier.class_names()}, {"per_class", classes}};
  if (run.kind == "image") {
    view["width"] = run.task.width;
    view["height"] = run.task.height;
  }
  return view;
}

}  // namespace minitorch::app::dashboard
