#include "app/dashboard/data_view.h"

#include <algorithm>
#include <cmath>

#include "minitorch/data/tokenizer.h"

namespace minitorch::app::dashboard {
namespace {

using nlohmann::json;

constexpr std::int64_t kSlice = 512;      // rows copied to the host at once
constexpr std::size_t kTextChars = 2000;  // of a mail's text shown
constexpr std::size_t kTokensShown = 64;
constexpr int kPixelBins = 16;

std::vector<int> labels_of(const Tensor& y) {
  std::vector<int> labels;
  if (!y.defined()) return labels;
  for (const double label : y.to_vector()) labels.push_back(static_cast<int>(label));
  return labels;
}

json counts_per_class(const Tensor& y, std::size_t classes) {
  std::vector<long long> counts(classes, 0);
  for (const int label : labels_of(y)) {
    if (label >= 0 && std::size_t(label) < classes) ++counts[std::size_t(label)];
  }
  return counts;
}

// The first `per_class` indices of each class, in the split's order.
std::vector<std::vector<std::int64_t>> first_of_each_class(const std::vector<int>& labels,
                                                           std::size_t classes, int per_class) {
  std::vector<std::vector<std::int64_t>> picked(classes);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const int label = labels[i];
    if (label < 0 || std::size_t(label) >= classes) continue;
    if (picked[std::size_t(label)].size() < std::size_t(per_class)) {
      picked[std::size_t(label)].push_back(static_cast<std::int64_t>(i));
    }
  }
  return picked;
}

json pixels_of(const Tensor& images, std::int64_t index) {
  json pixels = json::array();
  for (const double value : rows_of(images, index, 1)) {
    pixels.push_back(static_cast<int>(std::lround(std::clamp(value, 0.0, 1.0) * 255.0)));
  }
  return pixels;
}

json pixel_stats(const Tensor& images) {
  double sum = 0.0, sum_squares = 0.0;
  long long count = 0;
  std::vector<long long> histogram(kPixelBins, 0);
  const std::int64_t n = images.size(0);
  for (std::int64_t start = 0; start < n; start += kSlice) {
    for (const double value : rows_of(images, start, std::min(kSlice, n - start))) {
      sum += value;
      sum_squares += value * value;
      ++count;
      const int bin = std::clamp(static_cast<int>(value * kPixelBins), 0, kPixelBins - 1);
      ++histogram[std::size_t(bin)];
    }
  }
  const double mean = count ? sum / double(count) : 0.0;
  const double variance = count ? std::max(0.0, sum_squares / double(count) - mean * mean) : 0.0;
  return {{"mean", mean}, {"std", std::sqrt(variance)}, {"histogram", histogram}};
}

json image_view(const RunData& run, int per_class) {
  const TaskData& task = run.task;
  const auto labels = labels_of(task.test_y);
  json samples = json::array();
  for (const auto& indices : first_of_each_class(labels, task.class_names.size(), per_class)) {
    for (const std::int64_t i : indices) {
      samples.push_back({{"class", labels[std::size_t(i)]},
                         {"index", i},
                         {"split", "test"},
                         {"pixels", pixels_of(task.test_x, i)}});
    }
  }
  return {{"kind", "image"},     {"classes", task.class_names},
          {"width", task.width}, {"height", task.height},
          {"samples", samples},  {"pixel_stats", pixel_stats(task.test_x)}};
}

json shown_tokens(const data::SpamMail& mail, const data::Vocabulary& vocabulary) {
  json tokens = json::array();
  for (const std::string& token : data::tokenize(mail.text)) {
    if (tokens.size() == kTokensShown) break;
    tokens.push_back(vocabulary.token(vocabulary.id(token)));
  }
  return tokens;
}

json length_stats(const std::vector<data::SpamMail>& mails) {
  std::vector<std::size_t> lengths;
  for (const auto& mail : mails) lengths.push_back(data::tokenize(mail.text).size());
  if (lengths.empty())
    return {{"mean", 0}, {"median", 0}, {"max", 0}, {"histogram", json::array()}};
  std::sort(lengths.begin(), lengths.end());
  double sum = 0;
  for (const std::size_t length : lengths) sum += double(length);
  const std::size_t longest = lengths.back();
  constexpr std::size_t kBins = 16;
  const std::size_t width = std::max<std::size_t>(1, (longest + kBins) / kBins);
  json histogram = json::array();
  for (std::size_t low = 0; low <= longest; low += width) {
    const auto from = std::lower_bound(lengths.begin(), lengths.end(), low);
    const auto to = std::lower_bound(lengths.begin(), lengths.end(), low + width);
    histogram.push_back({{"low", low}, {"high", low + width}, {"count", to - from}});
  }
  return {{"mean", sum / double(lengths.size())},
          {"median", lengths[lengths.size() / 2]},
          {"max", longest},
          {"histogram", histogram}};
}

json text_view(const RunData& run, int per_class) {
  const TaskData& task = run.task;
  std::vector<int> labels;
  for (const auto& mail : run.test_mails) labels.push_back(static_cast<int>(mail.label));
  json samples = json::array();
  for (const auto& indices : first_of_each_class(labels, task.class_names.size(), per_class)) {
    for (const std::int64_t i : indices) {
      const data::SpamMail& mail = run.test_mails[std::size_t(i)];
      samples.push_back({{"class", mail.label},
                         {"index", i},
                         {"split", "test"},
                         {"text", mail.text.substr(0, kTextChars)},
                         {"tokens", shown_tokens(mail, task.vocabulary)}});
    }
  }
  return {{"kind", "text"},
          {"classes", task.class_names},
          {"samples", samples},
          {"length_stats", length_stats(run.test_mails)}};
}

json two_d_view(const RunData& run) {
  json points = json::array();
  for (std::size_t i = 0; i < run.points.size(); ++i) {
    points.push_back({run.points.x[i][0], run.points.x[i][1], run.points.y[i]});
  }
  return {{"kind", "2d"}, {"classes", {"0", "1"}}, {"points", points}};
}

}  // namespace

json split_sizes(const RunData& run) {
  if (run.kind == "2d") return {{"train", run.points.size()}};
  json sizes = {{"train", run.task.train_x.size(0)}, {"test", run.task.test_x.size(0)}};
  if (run.task.val_x.defined()) sizes["validation"] = run.task.val_x.size(0);
  return sizes;
}

json class_counts(const RunData& run) {
  if (run.kind == "2d") {
    std::vector<long long> counts(2, 0);
    for (const int label : run.points.y) ++counts[label == 1 ? 1 : 0];
    return {{"train", counts}};
  }
  const std::size_t classes = run.task.class_names.size();
  json counts = {{"train", counts_per_class(run.task.train_y, classes)},
                 {"test", counts_per_class(run.task.test_y, classes)}};
  if (run.task.val_y.defined()) counts["validation"] = counts_per_class(run.task.val_y, classes);
  return counts;
}

json data_view(const RunData& run, int per_class) {
  json view = run.kind == "2d"     ? two_d_view(run)
              : run.kind == "text" ? text_view(run, per_class)
                                   : image_view(run, per_class);
  view["splits"] = split_sizes(run);
  view["class_counts"] = class_counts(run);
  return view;
}

}  // namespace minitorch::app::dashboard
