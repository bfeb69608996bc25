// The data of one run as the dashboard's data, inspection, boundary and graph views need it,
// loaded on demand for one request and dropped after it (never kept resident by the server).
//
// load_run_config(run_dir): config.json as a TrainConfig; Error naming the file when it is
// missing, invalid or lacks a setting. load_run_data(run_dir) loads the data set of that config
// the way training did (classification_task.h's load_task for the network tasks, with the run's
// vocabulary for text; data::make_dataset for 2-D runs): for a text run also the test split's
// mails themselves, in the order of task.test_x. Error naming what is missing (e.g. the data set
// is not installed).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "app/classification_task.h"
#include "app/train_config.h"
#include "minitorch/data/datasets.h"
#include "minitorch/data/spam_corpus.h"

namespace minitorch::app::dashboard {

struct RunData {
  TrainConfig config;
  std::string kind;                        // "2d", "image", "text"
  TaskData task;                           // image and text runs
  std::vector<data::SpamMail> test_mails;  // text runs
  data::Dataset2D points;                  // 2d runs
};

TrainConfig load_run_config(const std::filesystem::path& run_dir);
RunData load_run_data(const std::filesystem::path& run_dir);

// Rows [start, start + count) of a tensor [N, ...] as host values, for reading big splits in
// slices rather than all at once.
std::vector<double> rows_of(const Tensor& tensor, std::int64_t start, std::int64_t count);

}  // namespace minitorch::app::dashboard
