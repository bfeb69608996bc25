// The JSON header of a safetensors file (private to the io layer): what it says about each tensor
// and the metadata, read from its text with every rule of the format checked, and written back.
//
// Reading goes through nlohmann-json's event (SAX) interface rather than its document type, for
// what the format needs and the document type cannot give: repeated keys are seen (and refused)
// instead of silently overwritten, nesting deeper than 64 levels is refused, and only the values
// the format reads are kept, so a large or hostile header costs memory in proportion to its
// tensors, not to the number of JSON values in it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "minitorch/io/safetensors.h"
#include "minitorch/storage/dtype.h"
#include "minitorch/storage/shape.h"

namespace minitorch::io::detail {

// One tensor as the header describes it; offsets are [begin, end) into the data after the header.
struct HeaderEntry {
  std::string name;
  Dtype dtype = kFloat32;
  std::string dtype_name;  // as written ("F32")
  Shape shape;
  std::array<std::uint64_t, 2> offsets{};
};

struct Header {
  std::vector<HeaderEntry> entries;  // in the order of the text
  Metadata metadata;
};

// The header in `text`. Ensures: each entry has a supported dtype, a shape of at most 64
// non-negative sizes and two offsets; names and metadata keys are unique. (Whether sizes agree
// with offsets is the caller's to check: it needs the data's length.) Throws Error starting with
// `context` and naming what was wrong: "header is not valid JSON: byte 17: ..." for text that is
// not JSON, or the entry and field at fault.
Header parse_safetensors_header(std::string_view text, const std::string& context);

// The header text for `metadata` and `entries`, compact, in the given order ("__metadata__"
// first). Requires: every string is valid UTF-8.
std::string safetensors_header_json(const Metadata& metadata,
                                    const std::vector<HeaderEntry>& entries);

bool is_valid_utf8(std::string_view text);

}  // namespace minitorch::io::detail
