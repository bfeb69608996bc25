// Vocabulary files (data/vocabulary.h) from a scratch file: a vocabulary load accepts is one save
// writes back and load reads again, token for token.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "fuzz_support.h"
#include "minitorch/data/vocabulary.h"

namespace {
const minitorch::fuzz::ScratchDirectory scratch("vocabulary");
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  namespace fuzz = minitorch::fuzz;
  using minitorch::data::Vocabulary;
  const auto path = scratch.write("vocab.txt", fuzz::as_text(bytes, size));
  std::optional<Vocabulary> loaded;
  if (!fuzz::expect_only_errors([&] { loaded = Vocabulary::load(path); })) return 0;
  const auto copy = scratch.file("copy.txt");
  loaded->save(copy);
  fuzz::require(Vocabulary::load(copy).tokens() == loaded->tokens(),
                "a loaded vocabulary saved and loaded again has other tokens");
  return 0;
}
