#include "minitorch/train/metrics.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "minitorch/core/error.h"

namespace minitorch::train {
namespace {

namespace fs = std::filesystem;

// Fields a record may hold besides the evaluation metrics; any other number is one of those.
const std::vector<std::string> kFields{
    "kind",  "step", "epoch",          "loss",          "correct",
    "total", "lr",   "train_accuracy", "epoch_seconds", "samples_per_second"};

[[noreturn]] void bad_line(const fs::path& file, int line, const std::string& problem) {
  throw Error(file.string() + ": line " + std::to_string(line) +
              " is not a metrics record: " + problem);
}

double number_in(const nlohmann::json& record, const std::string& name, const fs::path& file,
                 int line) {
  if (!record.contains(name)) bad_line(file, line, "it has no '" + name + "'");
  const auto& value = record.at(name);
  if (value.is_null()) {
    // Earlier versions wrote a NaN or infinite loss as null instead of stopping the run.
    bad_line(file, line,
             "'" + name +
                 "' is null, a non-finite value: the run diverged at that epoch and cannot be "
                 "resumed; start a new run with a smaller learning rate or weight decay");
  }
  if (!value.is_number()) {
    bad_line(file, line, "'" + name + "' is " + value.dump() + "; expected a number");
  }
  return value.get<double>();
}

double optional_number(const nlohmann::json& record, const std::string& name, const fs::path& file,
                       int line, double absent) {
  return record.contains(name) ? number_in(record, name, file, line) : absent;
}

long whole_number(const nlohmann::json& record, const std::string& name, const fs::path& file,
                  int line, double least) {
  const double value = number_in(record, name, file, line);
  if (value != std::floor(value) || value < least || value > 1e15) {
    bad_line(file, line,
             "'" + name + "' is " + record.at(name).dump() +
                 "; expected an integer >= " + std::to_string(static_cast<long>(least)));
  }
  return static_cast<long>(value);
}

nlohmann::json json_of(const MetricsRecord& r) {
  nlohmann::json out{{"kind", r.is_epoch() ? "epoch" : "step"},
                     {"step", r.step},
                     {"epoch", r.epoch},
                     {"loss", r.loss},
                     {"correct", r.correct},
                     {"total", r.total},
                     {"train_accuracy", r.train_accuracy},
                     {"samples_per_second", r.samples_per_second}};
  if (r.is_epoch()) out["epoch_seconds"] = r.epoch_seconds;
  if (r.lr) out["lr"] = *r.lr;
  for (const auto& [name, value] : r.evaluation) out[name] = value;
  return out;
}

}  // namespace

std::optional<double> MetricsRecord::evaluated(const std::string& name) const {
  for (const auto& [key, value] : evaluation) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::string MetricsRecord::to_json_line() const {
  return json_of(*this).dump();
}

MetricsRecord MetricsRecord::parse(const std::string& text, const fs::path& file, int line) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    bad_line(file, line, std::string("invalid JSON (") + e.what() + ")");
  }
  if (!j.is_object()) bad_line(file, line, "expected a JSON object");
  MetricsRecord r;
  if (j.contains("kind")) {
    const auto& kind = j.at("kind");
    if (kind != "epoch" && kind != "step") {
      bad_line(file, line, "'kind' is " + kind.dump() + "; expected \"epoch\" or \"step\"");
    }
    r.kind = kind == "epoch" ? Kind::Epoch : Kind::Step;
  }
  r.epoch = static_cast<int>(whole_number(j, "epoch", file, line, 1));
  r.step = j.contains("step") ? whole_number(j, "step", file, line, 0) : 0;
  r.loss = number_in(j, "loss", file, line);
  r.train_accuracy = number_in(j, "train_accuracy", file, line);
  r.samples_per_second = number_in(j, "samples_per_second", file, line);
  r.correct = j.contains("correct") ? whole_number(j, "correct", file, line, 0) : 0;
  r.total = j.contains("total") ? whole_number(j, "total", file, line, 0) : 0;
  if (r.is_epoch()) r.epoch_seconds = number_in(j, "epoch_seconds", file, line);
  if (j.contains("lr")) r.lr = number_in(j, "lr", file, line);
  for (const auto& [name, value] : j.items()) {
    if (std::find(kFields.begin(), kFields.end(), name) != kFields.end()) continue;
    r.evaluation.emplace_back(name, optional_number(j, name, file, line, 0.0));
  }
  return r;
}

std::vector<MetricsRecord> read_committed_metrics(const fs::path& file, int epochs) {
  std::vector<MetricsRecord> out;
  std::ifstream in(file);
  int line = 0, finished = 0;
  for (std::string text; finished < epochs && std::getline(in, text);) {
    ++line;
    MetricsRecord r = MetricsRecord::parse(text, file, line);
    const int expected = finished + 1;
    if (r.epoch != expected) {
      bad_line(file, line,
               "it is epoch " + std::to_string(r.epoch) + "; expected epoch " +
                   std::to_string(expected) + " (one line per epoch, in order)");
    }
    finished += r.is_epoch();
    out.push_back(std::move(r));
  }
  if (finished < epochs) {
    throw Error(file.string() + " holds " + std::to_string(finished) +
                " epoch record(s), but the checkpoint finished epoch " + std::to_string(epochs) +
                "; expected one line per finished epoch");
  }
  return out;
}

std::string metrics_text(const std::vector<MetricsRecord>& records) {
  std::string text;
  for (const auto& r : records) text += r.to_json_line() + "\n";
  return text;
}

std::vector<MetricsRecord> epoch_records(const std::vector<MetricsRecord>& records) {
  std::vector<MetricsRecord> out;
  std::copy_if(records.begin(), records.end(), std::back_inserter(out),
               [](const MetricsRecord& r) { return r.is_epoch(); });
  return out;
}

std::string summary_json(const std::vector<MetricsRecord>& records) {
  const std::vector<MetricsRecord> epochs = epoch_records(records);
  if (epochs.empty()) throw Error("summary_json: no epoch record; expected at least one");
  nlohmann::json summary = json_of(epochs.back());
  summary.erase("kind");
  std::vector<double> seconds;
  for (const auto& r : epochs) seconds.push_back(r.epoch_seconds);
  double total = 0.0;
  for (double s : seconds) total += s;
  summary["epochs"] = epochs.back().epoch;
  summary["final_loss"] = epochs.back().loss;
  summary["total_seconds"] = total;
  summary["epoch_seconds_median"] = median(seconds);
  return summary.dump();
}

double median(std::vector<double> values) {
  if (values.empty()) throw Error("median: no values; expected at least one");
  const auto middle = values.begin() + values.size() / 2;
  std::nth_element(values.begin(), middle, values.end());
  if (values.size() % 2 == 1) return *middle;
  return (*middle + *std::max_element(values.begin(), middle)) / 2.0;
}

}  // namespace minitorch::train
