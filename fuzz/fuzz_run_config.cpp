// A run directory's config.json (app/train_config.h) as eval, predict and --resume read it:
// nlohmann-json parses the bytes, then train_config_from_json takes the fields. The callers turn
// nlohmann-json's exceptions into Errors, so both are rejections. A config read is one that
// to_json writes and train_config_from_json reads back with every field the same.
#include <cstddef>
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "app/train_config.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  namespace fuzz = minitorch::fuzz;
  namespace app = minitorch::app;
  std::optional<app::TrainConfig> config;
  try {
    config = app::train_config_from_json(nlohmann::json::parse(fuzz::as_text(bytes, size)));
  } catch (const minitorch::Error&) {
    return 0;
  } catch (const nlohmann::json::exception&) {
    return 0;
  }
  const nlohmann::json written = app::to_json(*config);
  fuzz::require(app::to_json(app::train_config_from_json(written)) == written,
                "a config read, written and read again changed");
  return 0;
}
