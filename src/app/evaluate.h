// `minitorch eval` and `minitorch predict`: what a finished run's model does on data.
//
// run_eval: the model of run_dir/model.safetensors on its task's test split: accuracy, per-class
//   precision / recall / F1 and the confusion matrix, printed (or as JSON with json), and written
//   to run_dir/eval.json and run_dir/confusion.svg.
// run_predict: the top-k classes with their softmax probabilities for each image file (PNG or
//   PGM, converted to grayscale; an image whose size is not the model's is an error unless
//   `resize`) or for a text (tokenised with the run's vocabulary). Requires a model of the
//   matching kind, top_k >= 1 and, for text, at least one non-blank character.
// Both throw Error with what was wrong; the command line turns it into exit code 1.
#pragma once

#include <string>
#include <vector>

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
  int top_k = 3;
  bool resize = false;
  bool json = false;
};

int run_eval(const EvalOptions& options);
int run_predict(const PredictOptions& options);

}  // namespace minitorch::app
