#include "app/classification_task.h"

#include <algorithm>
#include <iostream>

#include "app/usage_error.h"
#include "minitorch/core/error.h"
#include "minitorch/data/image_dataset.h"
#include "minitorch/data/sampling.h"
#include "minitorch/data/spam_corpus.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::app {
namespace {

namespace fs = std::filesystem;

// The indices of a seeded, stratified sample of `limit` (all when limit is 0 or not smaller than
// the set): quick runs see every class in its share.
std::vector<std::size_t> sample_indices(const std::vector<std::int64_t>& labels, long limit,
                                        std::uint64_t seed) {
  const std::size_t n = limit <= 0 ? labels.size() : static_cast<std::size_t>(limit);
  Generator sampler(seed);
  return data::stratified_sample(labels, n, sampler);
}

// The rows of images [N, ...] and labels [N] at `rows`.
std::pair<Tensor, Tensor> sampled_rows(const Tensor& images, const Tensor& labels, long limit,
                                       std::uint64_t seed) {
  if (limit <= 0 || limit >= images.size(0)) return {images, labels};
  std::vector<std::int64_t> classes;
  for (const double label : labels.to_vector()) classes.push_back(static_cast<std::int64_t>(label));
  std::vector<double> rows;
  for (const std::size_t i : sample_indices(classes, limit, seed)) rows.push_back(double(i));
  const Tensor index = from_vector(rows, {static_cast<std::int64_t>(rows.size())});
  Shape shape = images.shape();
  const std::int64_t n = shape[0];
  shape[0] = index.size(0);
  const Tensor flat = images.contiguous().view({n, images.numel() / n});
  return {embedding(flat, index).contiguous().view(shape),
          embedding(labels.contiguous().view({n, 1}), index).contiguous().view({index.size(0)})};
}

std::vector<std::string> digit_classes() {
  std::vector<std::string> names;
  for (int d = 0; d < 10; ++d) names.push_back(std::to_string(d));
  return names;
}

TaskData load_images(const TrainConfig& config) {
  const bool fashion = config.task == "fashion-mnist";
  if (!fashion && config.data_dir.empty()) {
    throw Error(
        "task mnist needs --data-dir: a directory with MNIST's IDX files "
        "(train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-...)");
  }
  const std::filesystem::path dir =
      config.data_dir.empty() ? data::default_fashion_mnist_dir() : fs::path(config.data_dir);
  if (!std::filesystem::is_directory(dir)) {
    throw Error(std::string(fashion ? "Fashion-MNIST" : "MNIST") +
                " data set not found: " + dir.string() + " is not a directory" +
                (config.data_dir.empty()
                     ? "; install Debian's package dataset-fashion-mnist (scripts/install-deps.sh "
                       "does) or pass --data-dir"
                     : ""));
  }
  const auto classes = fashion ? data::fashion_mnist_classes() : digit_classes();
  const data::ImageDataset train = data::load_mnist_format(dir, "train", classes);
  const data::ImageDataset test = data::load_mnist_format(dir, "t10k", classes);
  TaskData out;
  out.input = models::InputKind::Image;
  std::tie(out.train_x, out.train_y) =
      sampled_rows(train.images, train.labels, config.train_samples, config.seed);
  out.test_x = test.images;
  out.test_y = test.labels;
  out.class_names = classes;
  std::tie(out.mean, out.std) = data::mean_and_std(out.train_x);
  out.channels = out.train_x.size(1);
  out.height = out.train_x.size(2);
  out.width = out.train_x.size(3);
  if (test.images.size(2) != out.height || test.images.size(3) != out.width) {
    throw Error("test images of " + shape_to_string(test.images.shape()) +
                " do not match the training images " + shape_to_string(out.train_x.shape()));
  }
  return out;
}

// Below this many words a text model can hardly tell mails apart; the run still trains.
constexpr std::int64_t kFewWords = 100;

// A vocabulary of only <pad> and <unk> turns every mail into the same input, so training would
// report a constant model's accuracy without a word of warning.
void check_vocabulary_size(const data::Vocabulary& vocabulary, const TrainConfig& config,
                           std::size_t mails) {
  const std::int64_t words = vocabulary.size() - 2;  // <pad> and <unk> are not words
  const std::string numbers = "the vocabulary of the " + std::to_string(mails) +
                              " training mails has " + std::to_string(words) +
                              " word(s) seen at least " + std::to_string(config.min_frequency) +
                              " times (--min-frequency)";
  if (words == 0) {
    throw UsageError(numbers + "; expected at least one word: lower --min-frequency");
  }
  if (words < kFewWords) {
    std::cerr << "minitorch: warning: " << numbers << "; fewer than " << kFewWords
              << " words make most mails look alike: lower --min-frequency\n";
  }
}

// The vocabulary comes from the training mails only, so validation and test words the model never
// saw map to <unk> as they would for new mail.
TaskData load_spam(const TrainConfig& config, const std::filesystem::path& run_dir,
                   bool build_vocabulary) {
  const std::filesystem::path dir =
      config.data_dir.empty() ? data::default_spam_corpus_dir() : fs::path(config.data_dir);
  data::SpamSplit split = data::split_spam_corpus(data::load_spam_corpus(dir));
  if (config.train_samples > 0 && std::size_t(config.train_samples) < split.train.size()) {
    std::vector<std::int64_t> labels;
    for (const auto& mail : split.train) labels.push_back(mail.label);
    std::vector<data::SpamMail> sample;
    for (const std::size_t i : sample_indices(labels, config.train_samples, config.seed)) {
      sample.push_back(std::move(split.train[i]));
    }
    split.train = std::move(sample);
  }
  data::Vocabulary vocabulary;
  if (build_vocabulary) {
    vocabulary = data::build_vocabulary(
        split.train, {.min_frequency = config.min_frequency, .max_size = config.vocab_size});
    check_vocabulary_size(vocabulary, config, split.train.size());
  } else {
    vocabulary = data::Vocabulary::load(run_dir / kVocabularyFile);
  }
  const auto train = data::to_text_dataset(split.train, vocabulary, config.max_length);
  const auto val = data::to_text_dataset(split.validation, vocabulary, config.max_length);
  const auto test = data::to_text_dataset(split.test, vocabulary, config.max_length);
  TaskData out;
  out.input = models::InputKind::Tokens;
  out.train_x = train.x;
  out.train_y = train.y;
  out.val_x = val.x;
  out.val_y = val.y;
  out.test_x = test.x;
  out.test_y = test.y;
  out.class_names = train.class_names;
  out.vocab_size = vocabulary.size();
  out.vocabulary = std::move(vocabulary);
  return out;
}

}  // namespace

const std::vector<std::string>& network_task_names() {
  static const std::vector<std::string> names{"fashion-mnist", "mnist", "spam"};
  return names;
}

bool is_network_task(const std::string& task) {
  const auto& names = network_task_names();
  return std::find(names.begin(), names.end(), task) != names.end();
}

models::ModelConfig model_config_for(const TaskData& data, const TrainConfig& config) {
  models::ModelConfig out;
  out.in_channels = data.channels;
  out.height = data.height;
  out.width = data.width;
  out.vocab_size = data.vocab_size;
  out.embedding_dim = config.embedding_dim;
  out.num_classes = static_cast<std::int64_t>(data.class_names.size());
  return out;
}

TaskData load_task(const TrainConfig& config, const std::filesystem::path& run_dir,
                   bool build_vocabulary) {
  if (config.task == "fashion-mnist" || config.task == "mnist") return load_images(config);
  if (config.task == "spam") return load_spam(config, run_dir, build_vocabulary);
  throw Error("unknown task '" + config.task + "'; expected one of fashion-mnist, mnist, spam");
}

}  // namespace minitorch::app
