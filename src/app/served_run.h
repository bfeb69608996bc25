// The model of a run directory of `minitorch train`, as the server runs it: the checkpoint
// (model.safetensors, rebuilt from its ModelCard), its input's preprocessing (the training images'
// normalisation, or the run's vocabulary for text), and its class names.
//
// load_served_run(run_dir) requires a finished network run (Error naming the file otherwise, as
// `minitorch predict` reports it); each call reads the files again, so the server's reload picks
// up a newer checkpoint (e.g. after `train --resume`).
#pragma once

#include <filesystem>
#include <memory>

#include "minitorch/serve/classifier.h"

namespace minitorch::app {

std::shared_ptr<const serve::Classifier> load_served_run(const std::filesystem::path& run_dir);

}  // namespace minitorch::app
