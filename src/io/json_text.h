// JSON text for the safetensors header (private to the io layer): quoting strings for writing, and
// a pull reader for reading.
//
// The reader walks the text without building a document tree, so a caller keeps only what it
// needs and a large or hostile header costs memory in proportion to what is kept, not to the
// number of JSON values in it. It accepts RFC 8259 JSON: strings must be valid UTF-8 (escapes
// decoded, surrogate pairs combined); numbers are returned as their literal text for the caller
// to interpret. Nesting deeper than 64 levels is refused in skip_value() (no deep recursion).
// Hand-written rather than nlohmann-json: the library and its installed package then need no JSON
// dependency, and reading stays in our hands (memory, depth, exact messages).
// Every syntax error throws minitorch::Error: "<context>byte 17: expected ':' after an object key,
// found '}'" with the context the reader was given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minitorch::io::detail {

// s as a JSON string literal: quotes, '"' '\\' and control characters escaped; other bytes as they
// are. Requires: s is valid UTF-8 (check with is_valid_utf8).
std::string json_quote(std::string_view s);

bool is_valid_utf8(std::string_view s);

// A JSON number literal as a non-negative integer, when it is one that fits: "12" -> 12;
// "-1", "1.5", "1e3" and values above 2^64 - 1 -> nullopt.
std::optional<std::uint64_t> json_unsigned(std::string_view literal);

class JsonReader {
 public:
  enum class Kind { Object, Array, String, Number, Boolean, Null };

  JsonReader(std::string_view text, std::string context)
      : text_(text), context_(std::move(context)) {}

  // The kind of the next value (whitespace skipped); Error at the end of the text or on a byte
  // that starts no value.
  Kind peek();

  // Objects: begin_object() consumes '{'; then next_member(key) reads "key": and returns true, or
  // consumes '}' and returns false. The caller reads (or skips) each member's value in between.
  void begin_object();
  bool next_member(std::string& key);
  // Arrays likewise: next_item() returns true before each item, false after consuming ']'.
  void begin_array();
  bool next_item();

  std::string read_string();
  // The literal text of a number, syntax checked.
  std::string_view read_number();
  void skip_value();
  // Requires only whitespace to remain.
  void finish();

  std::size_t offset() const { return position_; }

 private:
  [[noreturn]] void fail(const std::string& what) const;
  std::string found() const;
  void skip_whitespace();
  void expect(char c, const char* where);
  void skip_value(int depth);
  void read_hex4(std::uint32_t& out);
  void read_literal(std::string_view word);

  std::string_view text_;
  std::string context_;
  std::size_t position_ = 0;
  // Per open container: whether an item has been read (so the next needs a comma).
  std::string open_;  // one char per level: 'o' / 'a' before the first member, 'O' / 'A' after
};

// "an object", "an array", "a string", "a number", "a boolean", "null": for messages.
const char* json_kind_name(JsonReader::Kind kind);

}  // namespace minitorch::io::detail
