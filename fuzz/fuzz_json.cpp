// The safetensors header parser (src/io/safetensors_header.h) on arbitrary text, with no file and
// no data around it: it either throws Error or returns a header that, written back, parses to the
// same entries and metadata.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "io/safetensors_header.h"

namespace {

namespace detail = minitorch::io::detail;

bool same_entries(const std::vector<detail::HeaderEntry>& a,
                  const std::vector<detail::HeaderEntry>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.name == y.name && x.dtype == y.dtype && x.dtype_name == y.dtype_name &&
           x.shape == y.shape && x.offsets == y.offsets;
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  namespace fuzz = minitorch::fuzz;
  fuzz::expect_only_errors([&] {
    const detail::Header header =
        detail::parse_safetensors_header(fuzz::as_text(bytes, size), "fuzz: ");
    for (const auto& entry : header.entries) {
      fuzz::require(detail::is_valid_utf8(entry.name), "a tensor name is not UTF-8");
    }
    const std::string written = detail::safetensors_header_json(header.metadata, header.entries);
    const detail::Header again = detail::parse_safetensors_header(written, "written: ");
    fuzz::require(same_entries(header.entries, again.entries),
                  "written back, the header's entries changed");
    fuzz::require(header.metadata == again.metadata, "written back, the metadata changed");
  });
  return 0;
}
