#include "app/served_run.h"

#include "app/checkpoint.h"
#include "app/classification_task.h"

namespace minitorch::app {

std::shared_ptr<const serve::Classifier> load_served_run(const std::filesystem::path& run_dir) {
  SavedModel saved = load_saved_model(run_dir);
  const ModelCard& card = saved.card;
  serve::ClassifierOptions options;
  options.input = card.input;
  options.class_names = card.class_names;
  options.description = card.model + " on " + card.task + ", epoch " + std::to_string(card.epoch);
  options.item_shape = card.input_shape();
  if (card.input == models::InputKind::Image) {
    options.mean = card.mean;
    options.std = card.std;
  }
  if (card.input == models::InputKind::Tokens) {
    options.vocabulary = data::Vocabulary::load(run_dir / kVocabularyFile);
  }
  return std::make_shared<const serve::Classifier>(saved.model, std::move(options));
}

}  // namespace minitorch::app
