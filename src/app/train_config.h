// TrainConfig — every setting of one `minitorch train` run, as parsed from the command line and
// saved to the run directory's config.json (so a run can be understood, repeated and resumed).
//
// task "2d" trains the 2-D point classifiers (dataset, hidden, points, backend); the other tasks
// ("fashion-mnist", "mnist", "spam") train a models:: network by name with a data loader, an
// optimizer and a learning-rate schedule. Settings a task does not use keep their defaults and are
// left out of to_json (config.json records only what took effect: no "hidden" for a network, no
// "momentum" unless the optimizer is sgd, no "step_size" or "gamma" unless the schedule is step).
// from_json(to_json(c)) == c for every field that takes effect; from_json names a missing or
// mistyped one and ignores the others.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace minitorch::app {

struct TrainConfig {
  std::string task = "2d";
  std::string backend = "fast";
  std::string dataset = "xor";
  std::string model = "mlp";
  int hidden = 10;
  double lr = 0.5;
  int epochs = 500;
  int points = 50;
  int batch_size = 0;  // 0: the whole data set in one batch
  std::uint64_t seed = 0;
  int threads = 0;                // 0: the default thread count
  std::string runs_dir = "runs";  // parent of a fresh run directory when run_dir is empty
  std::string run_dir;            // explicit run directory
  std::string graph_path;         // write the graph of one forward pass here when set
  long log_every = 0;             // steps between step records in metrics.jsonl; 0: epochs only

  // Networks on real data (every task but "2d").
  std::string optimizer = "adam";  // sgd, adam, adamw
  double momentum = 0.0;           // sgd
  double weight_decay = 0.0;
  std::string schedule = "none";  // none, step, cosine
  int step_size = 5;              // step schedule: epochs between decays
  double gamma = 0.5;             // step schedule: decay factor
  std::string data_dir;           // empty: the task's default location
  long train_samples = 0;         // 0: all; else a seeded stratified sample of N
  int max_length = 256;           // spam: tokens per message (padded or truncated)
  int vocab_size = 20000;         // spam: largest vocabulary, <pad> and <unk> included
  int min_frequency = 2;          // spam: rarer tokens become <unk>
  int embedding_dim = 64;         // textcnn
  // Processes of a data-parallel run (mpirun -np N): a network task's batch_size is then each
  // one's batch; task 2d shares each batch among them.
  int world_size = 1;
};

nlohmann::json to_json(const TrainConfig& config);
TrainConfig train_config_from_json(const nlohmann::json& json);

}  // namespace minitorch::app
