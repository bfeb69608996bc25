#include "app/evaluate.h"

#include <algorithm>
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

// An image file as the model's input [1, C, H, W] in [0, 1], as the data set's bytes / 255.
Tensor image_input(const std::string& path, const ModelCard& card, bool resize) {
  if (card.channels != 1) {
    throw Error("the model takes " + std::to_string(card.channels) +
                "-channel images; image files are read as grayscale");
  }
  data::GrayImage image = data::read_image(path);
  if (image.width != card.width || image.height != card.height) {
    if (!resize) {
      throw Error(path + ": image of " + std::to_string(image.width) + "x" +
                  std::to_string(image.height) + " pixels; the model takes " +
                  std::to_string(card.width) + "x" + std::to_string(card.height) +
                  " (pass --resize to scale it)");
    }
    image = data::resize(image, card.width, card.height);
  }
  return data::image_to_tensor(image);
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

}  // namespace

int run_eval(const EvalOptions& options) {
  const RunDirectory run = RunDirectory::open_existing(options.run_dir);
  TrainConfig config = saved_config(run);
  if (!options.data_dir.empty()) config.data_dir = options.data_dir;
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
  const bool wants_text = saved.card.input == models::InputKind::Tokens;
  if (options.has_text != wants_text || (!options.has_text && options.images.empty())) {
    throw Error(std::string("the model of ") + run.path().string() + " classifies " +
                (wants_text ? "text; pass --text \"...\"" : "images; pass image files (PNG, PGM)"));
  }
  std::vector<std::pair<std::string, Tensor>> inputs;
  if (options.has_text) {
    inputs.emplace_back("text", text_input(options.text, saved.card, run.path()));
  } else {
    for (const auto& path : options.images) {
      inputs.emplace_back(path, image_input(path, saved.card, options.resize));
    }
  }
  nlohmann::json all = nlohmann::json::array();
  for (const auto& [name, x] : inputs) {
    const Tensor logits = predict_logits(*saved.model, x, saved.card.mean, saved.card.std);
    nlohmann::json predictions = nlohmann::json::array();
    std::string line = name + ":";
    for (const Ranked& r : top_k(logits, options.top_k)) {
      const std::string& label = saved.card.class_names.at(std::size_t(r.index));
      predictions.push_back({{"class", label}, {"index", r.index}, {"probability", r.probability}});
      char text[64];
      std::snprintf(text, sizeof text, "%.4f", r.probability);
      line += "  " + label + " " + text;
    }
    all.push_back({{"input", name}, {"predictions", predictions}});
    if (!options.json) std::cout << line << "\n";
  }
  if (options.json) std::cout << all.dump(2) << "\n";
  return 0;
}

}  // namespace minitorch::app
