// GET /api/model and GET /api/graph: a run's saved model (model.safetensors, rebuilt from its card
// by load_saved_model).
// model_view: the module tree as PyTorch prints it (Module::to_string), every parameter's dotted
//   name, shape and element count, their total, the model's registry name and its input (kind
//   "image" / "tokens" / "features" and the shape of one item).
// graph_view: the DOT graph (autodiff/graph_dot.h) of one training step's forward and loss —
//   the model in training mode on the first 2 training samples, cross-entropy against their
//   labels — and its SVG layout by Graphviz when installed (render_svg; svg null with a note
//   otherwise). The inputs enter the graph as the data set stores them (images un-normalised).
// Both throw Error naming the file when the run has no loadable model.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "app/dashboard/run_data.h"

namespace minitorch::app::dashboard {

nlohmann::json model_view(const std::filesystem::path& run_dir);
nlohmann::json graph_view(const std::filesystem::path& run_dir, const RunData& run);

}  // namespace minitorch::app::dashboard
