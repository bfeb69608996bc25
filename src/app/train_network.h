// Training a models:: network on a classification task (`minitorch train --task fashion-mnist|
// mnist|spam`): mini-batches from a shuffling, prefetching data loader, cross-entropy, the chosen
// optimizer and schedule, trained by the library's loop (train::fit: the progress bar, the
// metrics records of train/metrics.h, the divergence checks), and after every epoch the test (and
// validation) accuracy, a checkpoint (train/checkpoint.h) and the epoch's metrics records. The run
// directory gets config.json, metrics.jsonl, summary.json, model.safetensors,
// checkpoint.safetensors, loss.svg and accuracy.svg (and vocab.txt for text), and holds the run's
// lock (.lock) while it trains.
//
// Each epoch is committed whole: model.safetensors, then its metrics records, then
// checkpoint.safetensors (the commit point), then summary.json and the plots, which follow from
// the committed epochs. A non-finite loss (checked every step) or non-finite weights (checked
// before each commit) stop the run with Error naming the epoch, the step and the likely cause;
// the epoch is not committed.
//
// With `resume`, config is the one saved in that run directory (epochs and threads may be
// changed), and training continues after the last checkpoint's epoch from the very same state:
// with the same thread count a resumed run ends with the same weights as one never stopped.
// Before it trains, resume puts the directory back to its checkpoint: it removes temporary files
// of ended processes, drops metrics records after the checkpoint's epoch and rewrites the model,
// the summary and the plots from the checkpoint (without a checkpoint it starts from epoch 1).
#pragma once

#include <filesystem>
#include <iosfwd>
#include <vector>

#include "app/after_epoch.h"
#include "app/train_config.h"
#include "minitorch/nn/module.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::app {

struct NetworkRun {
  std::filesystem::path run_dir;  // empty: a fresh directory under config.runs_dir
  bool resume = false;            // continue the run in run_dir
  AfterEpoch after_epoch;         // called after each committed epoch; false stops the run there
};

int train_network(const TrainConfig& config, const NetworkRun& where);

// Class scores [N, classes] for inputs [N, ...] in eval mode without gradients, batch by batch,
// inputs normalised as (x − mean) / std first.
Tensor predict_logits(nn::Layer& model, const Tensor& inputs, double mean, double std,
                      std::int64_t batch_size = 1000);
// argmax of each row, as ints.
std::vector<int> row_argmax(const Tensor& logits);
std::vector<int> as_labels(const Tensor& targets);

}  // namespace minitorch::app
