// The data of a classification task of `minitorch train`, `eval` and `predict`, as tensors.
//
//   "fashion-mnist"  Debian's dataset-fashion-mnist (or --data-dir with the same IDX files):
//                    train 60,000 / test 10,000 images [N, 1, 28, 28] in [0, 1], 10 classes.
//   "mnist"          the same layout for MNIST digits; needs --data-dir.
//   "spam"           the SpamAssassin corpus: token ids [N, max_length], classes ham and spam,
//                    train / validation / test split by hashing file names (data/spam_corpus.h).
// Image inputs are normalised by the loaders with the training images' mean and standard
// deviation (kept in the checkpoint so eval and predict apply the same); token ids are not.
// load_task throws Error naming the directory it looked in and the Debian or npm package that
// installs the data when a data set is missing.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "app/train_config.h"
#include "minitorch/data/vocabulary.h"
#include "minitorch/models/registry.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::app {

struct TaskData {
  models::InputKind input = models::InputKind::Image;
  Tensor train_x, train_y;
  Tensor val_x, val_y;  // undefined when the task has no validation split
  Tensor test_x, test_y;
  std::vector<std::string> class_names;
  double mean = 0.0, std = 1.0;  // input normalisation (identity for tokens)
  std::int64_t channels = 1, height = 0, width = 0;
  std::int64_t vocab_size = 0;
  data::Vocabulary vocabulary;  // text tasks: the token ids' meaning, saved as kVocabularyFile
};

// The vocabulary's file in a run directory of a text task.
inline constexpr const char* kVocabularyFile = "vocab.txt";

// The tasks with a network: every task name but "2d".
const std::vector<std::string>& network_task_names();
bool is_network_task(const std::string& task);

// The model configuration the task's shapes call for (image size, classes, vocabulary size).
models::ModelConfig model_config_for(const TaskData& data, const TrainConfig& config);

// With `build_vocabulary`, a text task builds its vocabulary from the training mails (the caller
// saves it to the run directory), and throws UsageError when no word reaches --min-frequency;
// otherwise it reads run_dir/vocab.txt. Nothing is written to run_dir.
TaskData load_task(const TrainConfig& config, const std::filesystem::path& run_dir,
                   bool build_vocabulary);

}  // namespace minitorch::app
