// GET /api/inspection: the test samples a run's model gets most wrong, per class (the Run page's
// inspection). For every class c: false positives (predicted c, labelled otherwise), highest p(c)
// first, and false negatives (labelled c, predicted otherwise), lowest p(c) first, at most
// per_class of each. A sample carries its index, true label, predicted class, the probabilities
// of every class and what it shows: pixels 0..255 (image), its text (first 2000 characters) or
// its point (2d runs, whose training points stand in for the test split they do not have); an
// image run's answer also carries the images' width and height.
// The classifier is the run's own (load_served_run); its probabilities are computed in slices.
#pragma once

#include <nlohmann/json.hpp>

#include "app/dashboard/run_data.h"
#include "minitorch/serve/classifier.h"

namespace minitorch::app::dashboard {

nlohmann::json inspection_view(const RunData& run, const serve::Classifier& classifier,
                               int per_class);

// The classifier's probabilities of every row of inputs [N, ...], row-major [N * classes].
std::vector<float> probabilities_of(const serve::Classifier& classifier, const Tensor& inputs);

}  // namespace minitorch::app::dashboard
