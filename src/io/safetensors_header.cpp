#include "safetensors_header.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "minitorch/core/error.h"

namespace minitorch::io::detail {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxRank = 64;

// Every dtype name of the safetensors specification, so that a file holding one minitorch does
// not support is told apart from a corrupt one.
constexpr std::array<std::string_view, 20> kOtherSafetensorsDtypes = {
    "BOOL",    "U8",          "I8",          "I16",  "U16",     "I32",     "U32",
    "I64",     "U64",         "F16",         "BF16", "C64",     "F8_E5M2", "F8_E4M3",
    "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "F4",   "F6_E2M3", "F6_E3M2"};

// ---- the part of the JSON document the format reads --------------------------------------------

enum class Kind { Object, Array, String, Number, Boolean, Null };

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::Object:
      return "an object";
    case Kind::Array:
      return "an array";
    case Kind::String:
      return "a string";
    case Kind::Number:
      return "a number";
    case Kind::Boolean:
      return "a boolean";
    case Kind::Null:
      break;
  }
  return "null";
}

// A JSON value as far as the format looks into it. Members keep the text's order and its repeated
// keys. Children are kept only where the format reads them: the members of the header and of its
// entries (depth 0 and 1) and the first kMaxRank + 1 items of an entry's arrays (depth 2).
struct Value {
  Kind kind = Kind::Null;
  std::string key;              // as a member of an object
  std::string text;             // a string's value; a number's literal
  std::vector<Value> children;  // an object's members or an array's items
};

bool keeps_members(int depth) {
  return depth <= 1;
}
bool keeps_items(int depth) {
  return depth == 2;
}

// Builds the kept part of the document from nlohmann's parse events.
class HeaderBuilder : public nlohmann::json_sax<json> {
 public:
  explicit HeaderBuilder(std::string context) : context_(std::move(context)) {}

  Value take_root() { return std::move(root_); }

  bool null() override { return add(Kind::Null, {}); }
  bool boolean(bool) override { return add(Kind::Boolean, {}); }
  bool number_integer(number_integer_t value) override {
    return add(Kind::Number, std::to_string(value));
  }
  bool number_unsigned(number_unsigned_t value) override {
    return add(Kind::Number, std::to_string(value));
  }
  // Also every integer literal beyond 64 bits: its text is kept, so it is reported as too large.
  bool number_float(number_float_t, const string_t& literal) override {
    return add(Kind::Number, literal);
  }
  bool string(string_t& value) override { return add(Kind::String, std::move(value)); }
  bool binary(binary_t&) override { return add(Kind::Null, {}); }  // not produced by JSON text
  bool start_object(std::size_t) override { return open(Kind::Object); }
  bool key(string_t& key) override {
    key_ = std::move(key);
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(Kind::Array); }
  bool end_array() override { return close(); }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& error) override {
    throw Error(context_ + "header is not valid JSON: byte " + std::to_string(position) + ": " +
                without_location(error.what()));
  }

 private:
  // nlohmann's message after its "[json.exception...] parse error at line 1, column 5: ".
  static std::string without_location(const std::string& message) {
    const auto column = message.find("column ");
    const auto colon = column == std::string::npos ? column : message.find(": ", column);
    return colon == std::string::npos ? message : message.substr(colon + 2);
  }

  // The place for the next value in the open container, or nullptr when it is not kept.
  Value* slot() {
    if (open_.empty()) return &root_;
    Value* parent = open_.back();
    if (parent == nullptr) return nullptr;
    const int depth = static_cast<int>(open_.size()) - 1;
    if (parent->kind == Kind::Object) {
      if (!keeps_members(depth)) return nullptr;
      Value& member = parent->children.emplace_back();
      member.key = std::move(key_);
      return &member;
    }
    if (!keeps_items(depth) || parent->children.size() > kMaxRank) return nullptr;
    return &parent->children.emplace_back();
  }

  bool add(Kind kind, std::string text) {
    if (Value* value = slot()) {
      value->kind = kind;
      value->text = std::move(text);
    }
    return true;
  }

  bool open(Kind kind) {
    if (static_cast<int>(open_.size()) >= kMaxDepth) {
      throw Error(context_ + "header is not valid JSON: nesting deeper than " +
                  std::to_string(kMaxDepth) + " levels");
    }
    Value* value = slot();
    if (value) value->kind = kind;
    open_.push_back(value);
    return true;
  }

  bool close() {
    open_.pop_back();
    return true;
  }

  std::string context_;
  Value root_;
  std::string key_;
  std::vector<Value*> open_;  // the open containers; nullptr for one not kept
};

// ---- the format's rules ------------------------------------------------------------------------

class HeaderReader {
 public:
  explicit HeaderReader(const std::string& context) : context_(context) {}

  Header read(const Value& root) const {
    if (root.kind != Kind::Object) {
      fail(std::string("the header is ") + kind_name(root.kind) +
           "; expected a JSON object mapping tensor names to entries");
    }
    Header header;
    std::set<std::string> names;
    bool seen_metadata = false;
    for (const Value& value : root.children) {
      const std::string& key = value.key;
      if (key == "__metadata__") {
        if (seen_metadata) fail("\"__metadata__\" appears twice; expected it at most once");
        seen_metadata = true;
        read_metadata(value, header.metadata);
        continue;
      }
      if (!names.insert(key).second) {
        fail("tensor '" + key + "' appears twice in the header; expected unique names");
      }
      header.entries.push_back(read_entry(value, key));
    }
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw Error(context_ + what); }

  void read_metadata(const Value& object, Metadata& metadata) const {
    if (object.kind != Kind::Object) {
      fail(std::string("\"__metadata__\" is ") + kind_name(object.kind) +
           "; expected an object of strings");
    }
    for (const Value& value : object.children) {
      const std::string& key = value.key;
      if (value.kind != Kind::String) {
        fail("\"__metadata__\" value of '" + key + "' is " + kind_name(value.kind) +
             "; expected a string (safetensors metadata holds strings only)");
      }
      if (!metadata.emplace(key, value.text).second) {
        fail("\"__metadata__\" key '" + key + "' appears twice; expected unique keys");
      }
    }
  }

  // A non-negative integer array element or offset, with a message naming what it is. Number
  // literals arrive as nlohmann read them: integers in their decimal form, others (fractions,
  // exponents, integers beyond 64 bits) as written.
  std::uint64_t read_unsigned(const Value& value, const std::string& what) const {
    if (value.kind != Kind::Number) {
      fail(what + " is " + kind_name(value.kind) + "; expected a non-negative integer");
    }
    const std::string& literal = value.text;
    const auto refuse = [&](const char* problem) {
      fail(what + " is " + literal + ", " + problem + "; expected a non-negative integer");
    };
    if (literal.starts_with('-')) refuse("negative");
    if (literal.find_first_not_of("0123456789") != std::string::npos) refuse("not an integer");
    std::uint64_t parsed = 0;
    for (const char c : literal) {
      const auto digit = static_cast<std::uint64_t>(c - '0');
      if (parsed > (UINT64_MAX - digit) / 10) refuse("too large");
      parsed = parsed * 10 + digit;
    }
    return parsed;
  }

  HeaderEntry read_entry(const Value& object, const std::string& name) const {
    const std::string context = "tensor '" + name + "'";
    if (object.kind != Kind::Object) {
      fail(context + " is " + kind_name(object.kind) +
           "; expected an object with \"dtype\", \"shape\" and \"data_offsets\"");
    }
    HeaderEntry entry;
    entry.name = name;
    bool has_shape = false;
    bool has_offsets = false;
    for (const Value& value : object.children) {
      const std::string& field = value.key;
      const bool repeated = (field == "dtype" && !entry.dtype_name.empty()) ||
                            (field == "shape" && has_shape) ||
                            (field == "data_offsets" && has_offsets);
      if (repeated) fail(context + ": \"" + field + "\" appears twice; expected it once");
      if (field == "dtype") {
        if (value.kind != Kind::String) {
          fail(context + ": \"dtype\" is " + kind_name(value.kind) +
               "; expected a string such as \"F32\"");
        }
        if (value.text.empty()) fail(context + ": \"dtype\" is empty; expected \"F32\" or \"F64\"");
        entry.dtype_name = value.text;
      } else if (field == "shape") {
        entry.shape = read_shape(value, context);
        has_shape = true;
      } else if (field == "data_offsets") {
        entry.offsets = read_offsets(value, context);
        has_offsets = true;
      }  // other fields are ignored, as the reference reader does
    }
    if (entry.dtype_name.empty()) fail(context + " has no \"dtype\"; expected \"F32\" or \"F64\"");
    if (!has_shape) fail(context + " has no \"shape\"; expected an array of sizes");
    if (!has_offsets) fail(context + " has no \"data_offsets\"; expected [begin, end]");
    entry.dtype = dtype_from_name(entry.dtype_name, context);
    return entry;
  }

  Dtype dtype_from_name(const std::string& text, const std::string& context) const {
    if (text == "F32") return kFloat32;
    if (text == "F64") return kFloat64;
    if (std::find(kOtherSafetensorsDtypes.begin(), kOtherSafetensorsDtypes.end(), text) !=
        kOtherSafetensorsDtypes.end()) {
      fail(context + " has dtype " + text +
           ", which minitorch does not support; expected F32 or F64");
    }
    fail(context + " has unknown dtype '" + text + "'; expected F32 or F64");
  }

  Shape read_shape(const Value& array, const std::string& context) const {
    if (array.kind != Kind::Array) {
      fail(context + ": \"shape\" is " + kind_name(array.kind) +
           "; expected an array of non-negative integers");
    }
    Shape shape;
    for (const Value& item : array.children) {
      if (shape.size() == kMaxRank) {
        fail(context + ": \"shape\" has more than " + std::to_string(kMaxRank) +
             " dimensions; expected at most " + std::to_string(kMaxRank));
      }
      const std::uint64_t size =
          read_unsigned(item, context + ": shape element " + std::to_string(shape.size()));
      if (size > static_cast<std::uint64_t>(INT64_MAX)) {
        fail(context + ": shape element " + std::to_string(shape.size()) + " is " +
             std::to_string(size) + ", too large; expected at most " + std::to_string(INT64_MAX));
      }
      shape.push_back(static_cast<std::int64_t>(size));
    }
    return shape;
  }

  std::array<std::uint64_t, 2> read_offsets(const Value& array, const std::string& context) const {
    if (array.kind != Kind::Array) {
      fail(context + ": \"data_offsets\" is " + kind_name(array.kind) + "; expected [begin, end]");
    }
    std::array<std::uint64_t, 2> offsets{};
    std::size_t count = 0;
    for (const Value& item : array.children) {
      if (count == 2) {
        fail(context + ": \"data_offsets\" has more than 2 items; expected [begin, end]");
      }
      offsets[count] =
          read_unsigned(item, context + ": data_offsets[" + std::to_string(count) + "]");
      ++count;
    }
    if (count != 2) {
      fail(context + ": \"data_offsets\" has " + std::to_string(count) +
           " items; expected 2 ([begin, end])");
    }
    return offsets;
  }

  const std::string& context_;
};

// nlohmann's message on what is wrong with `text` as UTF-8 ("invalid UTF-8 byte at index 3:
// 0xFF"), or "" when it is valid: its serializer checks every string it writes.
std::string utf8_problem(std::string_view text) {
  try {
    (void)json(std::string(text)).dump();
    return "";
  } catch (const json::type_error& error) {
    const std::string message = error.what();  // "[json.exception.type_error.316] invalid ..."
    return message.substr(message.find(']') + 2);
  }
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  return utf8_problem(text).empty();
}

Header parse_safetensors_header(std::string_view text, const std::string& context) {
  // JSON text is UTF-8 (RFC 8259); checked whole first so that the message says so plainly.
  if (const std::string problem = utf8_problem(text); !problem.empty()) {
    throw Error(context + "header is not valid JSON: " + problem);
  }
  HeaderBuilder builder(context);
  json::sax_parse(text, &builder);
  return HeaderReader(context).read(builder.take_root());
}

std::string safetensors_header_json(const Metadata& metadata,
                                    const std::vector<HeaderEntry>& entries) {
  nlohmann::ordered_json header;
  header["__metadata__"] = nlohmann::ordered_json::object();
  for (const auto& [key, value] : metadata) header["__metadata__"][key] = value;
  for (const HeaderEntry& entry : entries) {
    header[entry.name] = {
        {"dtype", entry.dtype_name}, {"shape", entry.shape}, {"data_offsets", entry.offsets}};
  }
  return header.dump();
}

}  // namespace minitorch::io::detail
