// Training on the 2-D data sets: one loop for every backend.
//
// A Classifier2D is what a backend provides: the gradients of a batch's loss (or of one process's
// share of it), an SGD step, a probability for a point, and the DOT graph of one forward pass.
// train_2d runs it through the training loop (train::fit: progress bar, metrics.jsonl in the one
// schema of train/metrics.h, divergence checks), then writes model.safetensors, summary.json,
// loss.svg and decision_boundary.svg into the run directory and returns the summary.
// model.safetensors (written atomically, after the last epoch) holds the network as the tensor MLP
// 2 → H → H → 1 under models::MLP's names
// ("layer1.weight" [H, 2], ..., "layer3.bias" [1]; float32) whatever the backend, with the card
// of two_d_model_card: load_saved_model rebuilds it as registry model "mlp2d", which maps points
// x [B, 2] to the logits [0, z] of classes "0" and "1" (softmax [1 − p, p]). With a batch size, the
// order of the points is shuffled every epoch by `generator`, the run's one generator (which also
// drew the weights). The summary's final_loss is the mean loss of the last epoch; its
// train_accuracy, correct and total count the trained model's predictions after the last step.
// after_epoch (if set) sees each committed epoch's record; false ends training after that epoch,
// and the files above describe the epochs done.
#pragma once

#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/after_epoch.h"
#include "app/checkpoint.h"
#include "app/run_directory.h"
#include "app/train_config.h"
#include "minitorch/core/generator.h"
#include "minitorch/data/datasets.h"
#include "minitorch/distributed/process_group.h"
#include "minitorch/models/mlp.h"

namespace minitorch::app {

struct EpochStats {
  double loss_sum = 0.0;  // sum of per-sample losses over the epoch
  long correct = 0;       // predictions on the right side of 0.5, before the epoch's updates
};

class Classifier2D {
 public:
  virtual ~Classifier2D() = default;
  // Replaces the parameters' derivatives with those of the loss over `rows` (possibly none: then
  // zeros), each point's loss weighted 1 / batch_rows, where the batch has batch_rows points in
  // all (every process's share; `rows` is all of them in one process). Returns the rows' loss sum
  // and their correct predictions, before the step.
  virtual EpochStats compute_gradients(const data::Dataset2D& data,
                                       const std::vector<std::size_t>& rows,
                                       std::size_t batch_rows) = 0;
  // The parameters' derivatives, flattened in the parameters' order, as float64; set_gradients
  // writes values of that layout back (what a data-parallel run sums across the processes).
  virtual std::vector<double> gradients() const = 0;
  virtual void set_gradients(const std::vector<double>& values) = 0;
  // One SGD step with the derivatives held.
  virtual void step() = 0;
  virtual double predict(double x1, double x2) const = 0;
  virtual std::string forward_graph_dot(const data::Dataset2D& data) const = 0;
  // The network as the tensor MLP 2 → H → H → 1 (its output the logit z, p = sigmoid(z)), in
  // float32: the layout model.safetensors stores.
  virtual std::shared_ptr<models::MLP> tensor_model() const = 0;

  // One pass over the data in one process: the gradients of each batch's mean loss, then a step.
  EpochStats train_epoch(const data::Dataset2D& data,
                         const std::vector<std::vector<std::size_t>>& batches);
};

// The registry name of a 2-D run's saved model, and its class names (the 2-D sets' labels).
inline constexpr const char* kTwoDModel = "mlp2d";
const std::vector<std::string>& two_d_class_names();
// The card a 2-D run's model.safetensors carries: task "2d", model "mlp2d", epoch = the epochs
// trained, input features of shape [2], hidden = config.hidden, no normalisation.
ModelCard two_d_model_card(const TrainConfig& config);

// Splits `order` into consecutive batches of batch_size (0 or >= size: one batch).
std::vector<std::vector<std::size_t>> make_batches(const std::vector<std::size_t>& order,
                                                   int batch_size);

// Under mpirun every process of `group` calls it with the same arguments: each batch is split
// into one consecutive share per process, the derivatives of the batch's mean loss and its
// figures are summed across the group before every step (the same steps as one process takes),
// and `run` is given to rank 0 alone (nullptr elsewhere), which reports progress and writes the
// files. Every process returns the summary.
nlohmann::json train_2d(const TrainConfig& config, const data::Dataset2D& data, Classifier2D& model,
                        Generator& generator, const RunDirectory* run,
                        distributed::ProcessGroup& group, const AfterEpoch& after_epoch = {});
// In one process.
nlohmann::json train_2d(const TrainConfig& config, const data::Dataset2D& data, Classifier2D& model,
                        Generator& generator, const RunDirectory& run,
                        const AfterEpoch& after_epoch = {});

}  // namespace minitorch::app
