// The model card of a saved model (app/checkpoint.h) as eval and predict read it: the metadata of
// a safetensors file (from a scratch file) taken apart by ModelCard::from_metadata, whose JSON
// fields ("classes", "input_shape") nlohmann-json parses. A card read is one to_metadata writes
// and from_metadata reads back the same.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "app/checkpoint.h"
#include "fuzz_support.h"
#include "minitorch/io/safetensors.h"

namespace {
const minitorch::fuzz::ScratchDirectory scratch("model_card");
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  namespace fuzz = minitorch::fuzz;
  using minitorch::app::ModelCard;
  const auto path = scratch.write("model.safetensors", fuzz::as_text(bytes, size));
  std::optional<ModelCard> card;
  if (!fuzz::expect_only_errors([&] {
        card =
            ModelCard::from_metadata(minitorch::io::load_safetensors(path).metadata, path.string());
      })) {
    return 0;
  }
  const auto written = card->to_metadata();
  fuzz::require(ModelCard::from_metadata(written, "written").to_metadata() == written,
                "a model card read, written and read again changed");
  (void)card->model_config();
  return 0;
}
