// IDX files (data/idx.h), plain or gzip, from a scratch file: read_idx takes only a path.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "minitorch/data/idx.h"
#include "minitorch/storage/shape.h"

namespace {
const minitorch::fuzz::ScratchDirectory scratch("idx");
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  namespace fuzz = minitorch::fuzz;
  const auto path = scratch.write("input.idx", fuzz::as_text(bytes, size));
  fuzz::expect_only_errors([&] {
    const minitorch::data::IdxArray array = minitorch::data::read_idx(path);
    fuzz::require(array.values.size() == static_cast<std::size_t>(minitorch::numel(array.shape)),
                  "read_idx returned a number of values other than its shape's size");
  });
  return 0;
}
