#include "app/batch_predict.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>

#include "app/checkpoint.h"
#include "app/classification_task.h"
#include "app/run_directory.h"
#include "app/train_network.h"
#include "minitorch/core/error.h"
#include "minitorch/data/idx.h"
#include "minitorch/data/image_file.h"
#include "minitorch/data/spam_corpus.h"
#include "minitorch/data/vocabulary.h"
#include "minitorch/io/atomic_file.h"
#include "minitorch/tensor/creation.h"
#include "minitorch/train/progress.h"

namespace minitorch::app {
namespace {

namespace fs = std::filesystem;

constexpr const char* kExpectedInputs =
    "expected a directory of images, an IDX file of images or a text file with one input per line";

enum class InputsKind { ImageDirectory, Idx, Lines };

std::string kind_name(InputsKind kind) {
  switch (kind) {
    case InputsKind::ImageDirectory:
      return "a directory";
    case InputsKind::Idx:
      return "an IDX file";
    case InputsKind::Lines:
      break;
  }
  return "a text file (neither a directory nor an IDX file)";
}

// IDX files start with two zero bytes (then the type and the rank); gzip files, which read_idx
// inflates, with 1f 8b. A text file starts with neither.
bool starts_like_idx(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("--batch " + path.string() + ": cannot be read");
  char magic[2] = {1, 1};
  in.read(magic, 2);
  if (in.gcount() < 2) return false;
  const auto b0 = static_cast<unsigned char>(magic[0]);
  const auto b1 = static_cast<unsigned char>(magic[1]);
  return (b0 == 0x00 && b1 == 0x00) || (b0 == 0x1f && b1 == 0x8b);
}

InputsKind kind_of(const fs::path& inputs) {
  std::error_code error;
  const fs::file_status status = fs::status(inputs, error);
  if (!fs::exists(status)) {
    throw Error("--batch " + inputs.string() + " does not exist; " + kExpectedInputs);
  }
  if (fs::is_directory(status)) return InputsKind::ImageDirectory;
  if (!fs::is_regular_file(status)) {
    throw Error("--batch " + inputs.string() + " is not a regular file or a directory; " +
                kExpectedInputs);
  }
  return starts_like_idx(inputs) ? InputsKind::Idx : InputsKind::Lines;
}

// What --batch must be for a model of `kind`.
void check_kind_fits(InputsKind inputs_kind, const fs::path& inputs, const ModelCard& card,
                     const fs::path& run_dir) {
  const bool images = card.input == models::InputKind::Image;
  if (images == (inputs_kind != InputsKind::Lines)) return;
  const std::string what =
      images ? "images; --batch takes a directory of images (PNG, PGM) or an IDX file of images"
      : card.input == models::InputKind::Tokens
          ? "text; --batch takes a text file with one text per line"
          : "2-D points; --batch takes a text file with one point x1,x2 per line";
  throw Error("the model of " + run_dir.string() + " classifies " + what + ", but " +
              inputs.string() + " is " + kind_name(inputs_kind));
}

// The inputs, named as the output lines name them, and a way to build the model's input for a
// range of them. Building is lazy, so only one batch of decoded inputs is held at a time.
struct Inputs {
  std::vector<nlohmann::json> names;
  std::function<Tensor(std::size_t begin, std::size_t end)> tensors;
};

Inputs image_directory(const fs::path& dir, const ModelCard& card, bool resize) {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  if (files.empty()) {
    throw Error("--batch " + dir.string() + " holds no files; expected images (PNG, PGM)");
  }
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  Inputs inputs;
  for (const fs::path& file : files) inputs.names.emplace_back(file.string());
  inputs.tensors = [files, card, resize](std::size_t begin, std::size_t end) {
    std::vector<Tensor> images;
    for (std::size_t i = begin; i < end; ++i) {
      const std::string name = files[i].string();
      images.push_back(image_input(data::read_image(files[i]), name, card, resize));
    }
    return cat(images, 0);
  };
  return inputs;
}

Inputs idx_images(const fs::path& file, const ModelCard& card, bool resize) {
  auto idx = std::make_shared<const data::IdxArray>(data::read_idx(file));
  const std::vector<std::int64_t>& shape = idx->shape;
  const bool gray = shape.size() == 3 || (shape.size() == 4 && shape[1] == 1);
  if (!gray) {
    std::string text;
    for (const auto size : shape) text += (text.empty() ? "" : ", ") + std::to_string(size);
    throw Error(file.string() + ": IDX array of shape [" + text +
                "]; expected grayscale images [N, H, W] (or [N, 1, H, W])");
  }
  const std::int64_t height = shape[shape.size() - 2];
  const std::int64_t width = shape.back();
  Inputs inputs;
  for (std::int64_t i = 0; i < shape[0]; ++i) inputs.names.emplace_back(i);
  inputs.tensors = [idx, file, card, resize, height, width](std::size_t begin, std::size_t end) {
    const auto pixels = static_cast<std::size_t>(height * width);
    std::vector<Tensor> images;
    for (std::size_t i = begin; i < end; ++i) {
      data::GrayImage image{width, height, {}};
      const auto first = idx->values.begin() + static_cast<std::ptrdiff_t>(i * pixels);
      image.pixels.assign(first, first + static_cast<std::ptrdiff_t>(pixels));
      images.push_back(
          image_input(image, file.string() + " image " + std::to_string(i), card, resize));
    }
    return cat(images, 0);
  };
  return inputs;
}

struct Line {
  long number;  // 1-based
  std::string text;
};

// The lines holding more than white space, without their "\r\n" or "\n".
std::vector<Line> non_blank_lines(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("--batch " + file.string() + ": cannot be read");
  std::vector<Line> lines;
  long number = 0;
  for (std::string text; std::getline(in, text);) {
    ++number;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    const bool blank =
        std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c) != 0; });
    if (!blank) lines.push_back({number, std::move(text)});
  }
  if (lines.empty()) {
    throw Error("--batch " + file.string() +
                " has no line to classify; expected one input per line");
  }
  return lines;
}

Inputs text_lines(const std::vector<Line>& lines, const ModelCard& card, const fs::path& run_dir) {
  auto vocabulary =
      std::make_shared<const data::Vocabulary>(data::Vocabulary::load(run_dir / kVocabularyFile));
  auto mails = std::make_shared<std::vector<data::SpamMail>>();
  Inputs inputs;
  for (const Line& line : lines) {
    inputs.names.emplace_back(line.number);
    mails->push_back({"line " + std::to_string(line.number), 0, line.text});
  }
  const std::int64_t length = card.max_length;
  inputs.tensors = [mails, vocabulary, length](std::size_t begin, std::size_t end) {
    const std::vector<data::SpamMail> batch(mails->begin() + static_cast<std::ptrdiff_t>(begin),
                                            mails->begin() + static_cast<std::ptrdiff_t>(end));
    return data::to_text_dataset(batch, *vocabulary, length).x;
  };
  return inputs;
}

// Every line is parsed before anything is predicted, so a bad line fails at once.
Inputs point_lines(const std::vector<Line>& lines, const fs::path& file) {
  auto coordinates = std::make_shared<std::vector<double>>();
  Inputs inputs;
  for (const Line& line : lines) {
    const auto xy = parse_point(line.text);
    if (!xy) {
      throw Error(file.string() + ":" + std::to_string(line.number) + ": '" + line.text +
                  "' is not a point; expected two finite numbers x1,x2 per line");
    }
    inputs.names.emplace_back(line.number);
    coordinates->insert(coordinates->end(), xy->begin(), xy->end());
  }
  inputs.tensors = [coordinates](std::size_t begin, std::size_t end) {
    const std::vector<double> rows(coordinates->begin() + static_cast<std::ptrdiff_t>(2 * begin),
                                   coordinates->begin() + static_cast<std::ptrdiff_t>(2 * end));
    return from_vector(rows, {static_cast<std::int64_t>(end - begin), 2});
  };
  return inputs;
}

Inputs read_inputs(InputsKind kind, const fs::path& path, const ModelCard& card,
                   const fs::path& run_dir, bool resize) {
  switch (kind) {
    case InputsKind::ImageDirectory:
      return image_directory(path, card, resize);
    case InputsKind::Idx:
      return idx_images(path, card, resize);
    case InputsKind::Lines:
      break;
  }
  const std::vector<Line> lines = non_blank_lines(path);
  return card.input == models::InputKind::Tokens ? text_lines(lines, card, run_dir)
                                                 : point_lines(lines, path);
}

// The file is written only at the end; a missing directory is better said before the work.
void check_output_path(const fs::path& out) {
  const fs::path parent = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  if (!fs::is_directory(parent)) {
    throw Error("--out " + out.string() + ": directory " + parent.string() +
                " does not exist; expected the output file in an existing directory");
  }
  if (fs::is_directory(out)) {
    throw Error("--out " + out.string() + " is a directory; expected a file name");
  }
}

// The bar of predict --batch: inputs done of all, inputs per second and the time left. On a
// terminal it is redrawn in place at most ten times a second; elsewhere only the final state is
// printed, as train::Progress keeps logs short.
class BatchProgress {
 public:
  BatchProgress(std::ostream& out, bool interactive, long total)
      : out_(out), interactive_(interactive), total_(total), start_(Clock::now()) {}

  void update(long done) {
    const auto now = Clock::now();
    if (!interactive_ || now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    out_ << "\r\033[K" << line(done, false) << std::flush;
  }
  void finish() {
    if (interactive_) out_ << "\r\033[K";
    out_ << line(total_, true) << "\n" << std::flush;
  }

 private:
  using Clock = std::chrono::steady_clock;

  std::string line(long done, bool finished) const {
    constexpr int kWidth = 20;
    const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    const double rate = seconds > 0 ? double(done) / seconds : 0.0;
    const auto filled = static_cast<int>(total_ > 0 ? done * kWidth / total_ : kWidth);
    std::string bar = "[";
    for (int i = 0; i < kWidth; ++i) bar += i < filled ? '=' : (i == filled ? '>' : ' ');
    bar += "]";
    const std::string timing =
        finished ? train::Progress::format_duration(seconds)
                 : "ETA " + train::Progress::format_duration(rate > 0 ? double(total_ - done) / rate
                                                                      : -1.0);
    char text[160];
    std::snprintf(text, sizeof text, "predict %s %ld/%ld  %.0f inputs/s  %s", bar.c_str(), done,
                  total_, rate, timing.c_str());
    return text;
  }

  std::ostream& out_;
  bool interactive_;
  long total_;
  Clock::time_point start_;
  Clock::time_point last_draw_{};
};

}  // namespace

int run_batch_predict(const PredictOptions& options) {
  const fs::path inputs_path = options.batch;
  const fs::path out = options.out;
  check_output_path(out);
  const RunDirectory run = RunDirectory::open_existing(options.run_dir);
  SavedModel saved = load_saved_model(run.path());
  const InputsKind kind = kind_of(inputs_path);
  check_kind_fits(kind, inputs_path, saved.card, run.path());
  const Inputs inputs = read_inputs(kind, inputs_path, saved.card, run.path(), options.resize);

  const std::size_t total = inputs.names.size();
  const auto batch_size = static_cast<std::size_t>(options.batch_size);
  BatchProgress progress(std::cerr, ::isatty(STDERR_FILENO) == 1, static_cast<long>(total));
  std::string lines;
  for (std::size_t begin = 0; begin < total; begin += batch_size) {
    const std::size_t end = std::min(total, begin + batch_size);
    const Tensor logits = predict_logits(*saved.model, inputs.tensors(begin, end), saved.card.mean,
                                         saved.card.std, options.batch_size);
    for (std::size_t i = begin; i < end; ++i) {
      const Tensor row = logits.narrow(0, static_cast<std::int64_t>(i - begin), 1);
      lines += prediction_json(inputs.names[i], row, saved.card.class_names, options.top_k).dump();
      lines += '\n';
    }
    progress.update(static_cast<long>(end));
  }
  io::write_file_atomically(out, lines);
  progress.finish();
  std::printf("Wrote %zu predictions (one JSON line per input) to %s\n", total,
              out.string().c_str());
  return 0;
}

}  // namespace minitorch::app
