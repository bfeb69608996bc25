// `minitorch eval` and `minitorch predict`: what a finished run's model does on data.
//
// run_eval: the model of run_dir/model.safetensors on its task's test split: accuracy, per-class
//   precision / recall / F1 and the confusion matrix, printed (or as JSON with json), and written
//   to run_dir/eval.json and run_dir/confusion.svg.
//   A 2-D run (task 2d) has no test split: eval refuses it, naming summary.json (its training
//   accuracy) and predict --point.
// run_predict: the top-k classes with their softmax probabilities for each image file (PNG or
//   PGM, converted to grayscale; an image whose size is not the model's is an error unless
//   `resize`), for a text (tokenised with the run's vocabulary) or, for a 2-D run, for each point
//   "x1,x2" (classes "0" and "1", probabilities 1 − p and p). Requires a model of the matching
//   kind, top_k >= 1, for text at least one non-blank character, and points of two finite
//   numbers (else UsageError: exit code 2). With --batch, the command line calls
//   run_batch_predict (batch_predict.h) instead.
// Both throw Error with what was wrong; the command line turns it into exit code 1.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/checkpoint.h"
#include "minitorch/data/image_file.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::app {

struct EvalOptions {
  std::string run_dir;
  std::string data_dir;  // empty: the one the run trained with
  bool json = false;
};

struct PredictOptions {
  std::string run_dir;
  std::vector<std::string> images;
  std::string text;
  bool has_text = false;
  std::vector<std::string> points;  // "x1,x2", for 2-D runs
  std::string batch;                // predict --batch INPUTS (batch_predict.h); empty: not batch
  std::string out;                  // --batch: the JSON-lines file written
  int batch_size = 256;             // --batch: inputs per forward pass
  int top_k = 3;
  bool resize = false;
  bool json = false;
};

int run_eval(const EvalOptions& options);
int run_predict(const PredictOptions& options);

// Shared by predict and predict --batch, so both read inputs and print predictions alike.
// An image as the model's input [1, C, H, W] in [0, 1] (bytes / 255, as the data sets load).
// Requires a one-channel model and an image of its size unless `resize` (else Error naming
// `name`, the sizes and --resize).
Tensor image_input(const data::GrayImage& image, const std::string& name, const ModelCard& card,
                   bool resize);
// The object `predict --json` prints for one input: {"input": input, "predictions": [{"class",
// "index", "probability"}, ...]}, the top_k classes of logits [1, classes] by softmax
// probability, ties in class order.
// "x1,x2" as two finite numbers (spaces and tabs around each allowed); nullopt when the text is
// not that.
std::optional<std::array<double, 2>> parse_point(const std::string& text);
nlohmann::json prediction_json(const nlohmann::json& input, const Tensor& logits,
                               const std::vector<std::string>& class_names, int top_k);

}  // namespace minitorch::app
