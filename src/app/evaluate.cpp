#include "app/evaluate.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <numeric>

#include <nlohmann/json.hpp>

#include "app/checkpoint.h"
#include "app/classification_report.h"
#include "app/classification_task.h"
#include "app/run_directory.h"
#include "app/svg_plot.h"
#include "app/train_network.h"
#include "app/usage_error.h"
#include "minitorch/core/error.h"
#include "minitorch/data/image_file.h"
#include "minitorch/data/spam_corpus.h"
#include "minitorch/data/vocabulary.h"
#include "minitorch/nn/functional.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::app {
namespace {

namespace fs = std::filesystem;

TrainConfig saved_config(const RunDirectory& run) {
  std::ifstream in(run.file("config.json"));
  try {
    return train_config_from_json(nlohmann::json::parse(in));
  } catch (const nlohmann::json::exception& e) {
    throw Error(run.file("config.json").string() + " is not valid JSON (" + e.what() + ")");
  }
}

void check_grayscale_model(const ModelCard& card) {
  if (card.channels != 1) {
    throw Error("the model takes " + std::to_string(card.channels) +
                "-channel images; image files are read as grayscale");
  }
}

Tensor image_file_input(const std::string& path, const ModelCard& card, bool resize) {
  check_grayscale_model(card);  // before the file is read: no image file can fit the model
  return image_input(data::read_image(path), path, card, resize);
}

Tensor text_input(const std::string& text, const ModelCard& card, const fs::path& run_dir) {
  if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); })) {
    throw Error("--text is empty; expected a message to classify");
  }
  const data::Vocabulary vocabulary = data::Vocabulary::load(run_dir / kVocabularyFile);
  const data::SpamMail mail{"command line", 0, text};
  return data::to_text_dataset({mail}, vocabulary, card.max_length).x;
}

// A model.safetensors copied in from another run would be scored on the wrong test set.
void check_model_fits_run(const ModelCard& card, const TrainConfig& config,
                          const RunDirectory& run) {
  if (card.task == config.task && card.model == config.model) return;
  throw Error(run.file(kModelFile).string() + ": this model is for task " + card.task + " (model " +
              card.model + "); the run directory's config.json is for task " + config.task +
              " (model " + config.model + ")");
}

struct Ranked {
  int index;
  double probability;
};

std::vector<Ranked> top_k(const Tensor& logits, int k) {
  const auto p = nn::functional::softmax(logits, 1).to_vector();
  std::vector<Ranked> ranked;
  for (std::size_t i = 0; i < p.size(); ++i) ranked.push_back({int(i), p[i]});
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Ranked& a, const Ranked& b) { return a.probability > b.probability; });
  ranked.resize(std::min<std::size_t>(ranked.size(), std::size_t(k)));
  return ranked;
}

// "x1,x2" as the model's input [1, 2]; anything else is a usage error naming the text.
Tensor point_input(const std::string& text) {
  const auto xy = parse_point(text);
  if (!xy) {
    throw UsageError("--point '" + text + "': expected two finite numbers x1,x2, e.g. 0.25,0.75");
  }
  return from_vector({(*xy)[0], (*xy)[1]}, {1, 2});
}

// The model's kind of input, as predict's usage names it.
std::string what_it_classifies(models::InputKind kind) {
  switch (kind) {
    case models::InputKind::Tokens:
      return "text; pass --text \"...\"";
    case models::InputKind::Features:
      return "2-D points; pass --point x1,x2";
    case models::InputKind::Image:
      break;
  }
  return "images; pass image files (PNG, PGM)";
}

}  // namespace

std::optional<std::array<double, 2>> parse_point(const std::string& text) {
  const auto comma = text.find(',');
  if (comma == std::string::npos) return std::nullopt;
  std::array<double, 2> xy{};
  for (std::size_t i = 0; i < 2; ++i) {
    std::string part = i == 0 ? text.substr(0, comma) : text.substr(comma + 1);
    // "0.1, 0.9" as CSV files often space it.
    const auto first = part.find_first_not_of(" \t");
    part = first == std::string::npos
               ? ""
               : part.substr(first, part.find_last_not_of(" \t") - first + 1);
    const char* last = part.data() + part.size();
    const auto [end, error] = std::from_chars(part.data(), last, xy[i]);
    if (part.empty() || error != std::errc() || end != last || !std::isfinite(xy[i])) {
      return std::nullopt;
    }
  }
  return xy;
}

Tensor image_input(const data::GrayImage& source, const std::string& name, const ModelCard& card,
                   bool resize) {
  check_grayscale_model(card);
  if (source.width == card.width && source.height == card.height) {
    return data::image_to_tensor(source);
  }
  if (!resize) {
    throw Error(name + ": image of " + std::to_string(source.width) + "x" +
                std::to_string(source.height) + " pixels; the model takes " +
                std::to_string(card.width) + "x" + std::to_string(card.height) +
                " (pass --resize to scale it)");
  }
  return data::image_to_tensor(data::resize(source, card.width, card.height));
}

nlohmann::json prediction_json(const nlohmann::json& input, const Tensor& logits,
                               const std::vector<std::string>& class_names, int k) {
  nlohmann::json predictions = nlohmann::json::array();
  for (const Ranked& r : top_k(logits, k)) {
    predictions.push_back({{"class", class_names.at(std::size_t(r.index))},
                           {"index", r.index},
                           {"probability", r.probability}});
  }
  return {{"input", input}, {"predictions", predictions}};
}

int run_eval(const EvalOptions& options) {
  const RunDirectory run = RunDirectory::open_existing(options.run_dir);
  TrainConfig config = saved_config(run);
  if (!options.data_dir.empty()) config.data_dir = options.data_dir;
  if (config.task == "2d") {
    throw Error(run.path().string() +
                " is a run of task 2d, which keeps no test split to evaluate; its training "
                "accuracy is in " +
                run.file("summary.json").string() +
                ". Classify points with `minitorch predict --run " + run.path().string() +
                " --point x1,x2`");
  }
  SavedModel saved = load_saved_model(run.path());
  check_model_fits_run(saved.card, config, run);
  config.train_samples = 0;
  const TaskData data = load_task(config, run.path(), false);
  const Tensor logits = predict_logits(*saved.model, data.test_x, saved.card.mean, saved.card.std);
  const ClassificationReport report =
      make_report(as_labels(data.test_y), row_argmax(logits), saved.card.class_names);

  nlohmann::json result = report.to_json();
  result["run"] = run.path().string();
  result["task"] = saved.card.task;
  result["model"] = saved.card.model;
  result["epoch"] = saved.card.epoch;
  run.write_json("eval.json", result);
  run.write_text(
      "confusion.svg",
      render_confusion_matrix(saved.card.model + " on " + saved.card.task + " (test set, epoch " +
                                  std::to_string(saved.card.epoch) + ")",
                              report.class_names, report.confusion));
  if (options.json) {
    std::cout << result.dump(2) << "\n";
  } else {
    std::printf("Test accuracy %.2f%% (%ld/%ld) of %s on %s after epoch %d\n\n",
                100.0 * report.accuracy(), report.correct, report.total, saved.card.model.c_str(),
                saved.card.task.c_str(), saved.card.epoch);
    std::cout << report.to_text() << "\n";
    std::printf("Wrote %s and %s\n", run.file("eval.json").c_str(),
                run.file("confusion.svg").c_str());
  }
  return 0;
}

int run_predict(const PredictOptions& options) {
  const RunDirectory run = RunDirectory::open_existing(options.run_dir);
  SavedModel saved = load_saved_model(run.path());
  const models::InputKind kind = saved.card.input;
  const bool given_text = options.has_text;
  const bool given_points = !options.points.empty();
  const bool given_images = !options.images.empty();
  const bool fits = kind == models::InputKind::Tokens ? given_text && !given_points
                    : kind == models::InputKind::Features
                        ? given_points && !given_text && !given_images
                        : given_images && !given_points;
  if (!fits) {
    throw Error("the model of " + run.path().string() + " classifies " + what_it_classifies(kind));
  }
  std::vector<std::pair<std::string, Tensor>> inputs;
  if (given_text) {
    inputs.emplace_back("text", text_input(options.text, saved.card, run.path()));
  } else if (given_points) {
    for (const auto& point : options.points) inputs.emplace_back(point, point_input(point));
  } else {
    for (const auto& path : options.images) {
      inputs.emplace_back(path, image_file_input(path, saved.card, options.resize));
    }
  }
  nlohmann::json all = nlohmann::json::array();
  for (const auto& [name, x] : inputs) {
    const Tensor logits = predict_logits(*saved.model, x, saved.card.mean, saved.card.std);
    const nlohmann::json prediction =
        prediction_json(name, logits, saved.card.class_names, options.top_k);
    std::string line = name + ":";
    for (const nlohmann::json& p : prediction["predictions"]) {
      char text[64];
      std::snprintf(text, sizeof text, "%.4f", p["probability"].get<double>());
      line += "  " + p["class"].get<std::string>() + " " + text;
    }
    all.push_back(prediction);
    if (!options.json) std::cout << line << "\n";
  }
  if (options.json) std::cout << all.dump(2) << "\n";
  return 0;
}

}  // namespace minitorch::app
