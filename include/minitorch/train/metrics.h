// MetricsRecord — one line of a training run's metrics.jsonl, in the one schema every task writes.
//
// A run writes an "epoch" record when an epoch ends and, with a logging interval, a "step" record
// every that many optimizer steps, so a run of one or two epochs still draws a curve. Every record
// carries `step` (optimizer steps taken since the run began, through this record) and `epoch` (the
// 1-based epoch the step belongs to). Loss and accuracy cover the steps of the epoch since its
// previous record (an epoch record: the whole epoch), each batch counted before its step; an
// epoch record adds the epoch's duration and, when the task has them, the accuracy on other
// splits ("test_accuracy", "val_accuracy") after the epoch.
//
// parse() reads what to_json_line() writes, and the records of earlier versions (no step, kind,
// correct or total); it throws minitorch::Error naming the file and line of a malformed record.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace minitorch::train {

struct MetricsRecord {
  enum class Kind { Step, Epoch };
  Kind kind = Kind::Epoch;
  long step = 0;
  int epoch = 0;
  double loss = 0.0;
  long correct = 0;  // training predictions right
  long total = 0;    // training samples seen
  double train_accuracy = 0.0;
  double epoch_seconds = 0.0;  // epoch records only
  double samples_per_second = 0.0;
  std::optional<double> lr;
  std::vector<std::pair<std::string, double>> evaluation;  // e.g. {"test_accuracy", 0.91}

  bool is_epoch() const { return kind == Kind::Epoch; }
  // The value of an evaluation metric, if the record has it.
  std::optional<double> evaluated(const std::string& name) const;

  std::string to_json_line() const;  // one JSON object, no newline
  static MetricsRecord parse(const std::string& text, const std::filesystem::path& file, int line);
};

// The records of metrics.jsonl through the epoch record of `epochs`, which must appear in order
// (1, 2, ...). Whatever follows it was written after the last committed epoch and is dropped.
// Throws Error when the file holds fewer epoch records.
std::vector<MetricsRecord> read_committed_metrics(const std::filesystem::path& file, int epochs);

// The records as metrics.jsonl holds them, one line each.
std::string metrics_text(const std::vector<MetricsRecord>& records);

// The epoch records among `records`.
std::vector<MetricsRecord> epoch_records(const std::vector<MetricsRecord>& records);

// summary.json of a run from its records alone (so it can be rebuilt after a kill): the last epoch
// record's fields, plus "epochs", "final_loss", "total_seconds" (the epochs' durations added up,
// across every session of a resumed run) and "epoch_seconds_median". Requires an epoch record.
std::string summary_json(const std::vector<MetricsRecord>& records);

// The median of `values` (the mean of the middle two for an even count). Throws Error when empty.
double median(std::vector<double> values);

}  // namespace minitorch::train
