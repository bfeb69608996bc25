// The JSON pull reader of the safetensors header (src/io/json_text.h) on arbitrary text: one walk
// over every value the way the header's reader takes them apart. Each string it returns is valid
// UTF-8 that json_quote writes and the reader reads back unchanged.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "io/json_text.h"

namespace {

using minitorch::io::detail::JsonReader;
namespace json_text = minitorch::io::detail;

// Containers nested deeper than this are skipped whole: skip_value() has its own depth limit, and
// the walk should not recurse without one.
constexpr int kWalkDepth = 16;

void check_string(const std::string& text) {
  namespace fuzz = minitorch::fuzz;
  fuzz::require(json_text::is_valid_utf8(text), "read_string returned text that is not UTF-8");
  const std::string quoted = json_text::json_quote(text);  // the reader keeps only a view
  JsonReader again(quoted, "quoted: ");
  fuzz::require(again.read_string() == text, "json_quote then read_string changed a string");
  again.finish();
}

void walk(JsonReader& json, int depth) {
  const JsonReader::Kind kind = json.peek();
  if ((kind == JsonReader::Kind::Object || kind == JsonReader::Kind::Array) &&
      depth >= kWalkDepth) {
    return json.skip_value();
  }
  switch (kind) {
    case JsonReader::Kind::Object: {
      json.begin_object();
      for (std::string key; json.next_member(key);) {
        check_string(key);
        walk(json, depth + 1);
      }
      break;
    }
    case JsonReader::Kind::Array:
      json.begin_array();
      while (json.next_item()) walk(json, depth + 1);
      break;
    case JsonReader::Kind::String:
      check_string(json.read_string());
      break;
    case JsonReader::Kind::Number:
      (void)json_text::json_unsigned(json.read_number());
      break;
    default:
      json.skip_value();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  namespace fuzz = minitorch::fuzz;
  fuzz::expect_only_errors([&] {
    JsonReader json(fuzz::as_text(bytes, size), "fuzz: ");
    walk(json, 0);
    json.finish();
  });
  // The same text skipped whole, as the header's reader skips unknown fields.
  fuzz::expect_only_errors([&] {
    JsonReader json(fuzz::as_text(bytes, size), "fuzz: ");
    json.skip_value();
    json.finish();
  });
  return 0;
}
