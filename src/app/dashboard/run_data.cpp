#include "app/dashboard/run_data.h"

#include "app/dashboard/run_files.h"
#include "app/dashboard/run_store.h"
#include "minitorch/core/error.h"

namespace minitorch::app::dashboard {

namespace fs = std::filesystem;

TrainConfig load_run_config(const fs::path& run_dir) {
  const JsonRead config = read_json_object(run_dir / "config.json");
  if (!config.value.is_object()) {
    throw Error("cannot read the run's configuration: " +
                (config.problem.empty() ? std::string("config.json: missing") : config.problem));
  }
  try {
    return train_config_from_json(config.value);
  } catch (const std::exception& e) {
    throw Error(std::string("config.json: ") + e.what());
  }
}

RunData load_run_data(const fs::path& run_dir) {
  RunData run;
  run.config = load_run_config(run_dir);
  run.kind = task_kind(run.config.task);
  if (run.kind == "2d") {
    run.points = data::make_dataset(run.config.dataset, run.config.points, run.config.seed);
    return run;
  }
  if (run.kind == "unknown") throw Error("config.json: unknown task '" + run.config.task + "'");
  // The task reads the run's vocabulary; a link could make it read any file of the machine.
  const std::string vocabulary_problem = not_regular_problem(run_dir / "vocab.txt");
  if (!vocabulary_problem.empty()) throw Error(vocabulary_problem);
  run.task = load_task(run.config, run_dir, /*build_vocabulary=*/false);
  if (run.kind == "text") {
    const fs::path dir = run.config.data_dir.empty() ? data::default_spam_corpus_dir()
                                                     : fs::path(run.config.data_dir);
    run.test_mails = data::split_spam_corpus(data::load_spam_corpus(dir)).test;
  }
  return run;
}

std::vector<double> rows_of(const Tensor& tensor, std::int64_t start, std::int64_t count) {
  return tensor.narrow(0, start, count).contiguous().to_vector();
}

}  // namespace minitorch::app::dashboard
