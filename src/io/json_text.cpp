#include "json_text.h"

#include <cstdio>

#include "minitorch/core/error.h"

namespace minitorch::io::detail {
namespace {

constexpr int kMaxDepth = 64;

// The length of the UTF-8 sequence starting at s[i], or 0 when it is not a valid one (overlong
// forms, surrogates and code points above U+10FFFF are invalid, as RFC 3629 says).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
          out += escape;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t length = utf8_sequence_length(s, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::optional<std::uint64_t> json_unsigned(std::string_view literal) {
  if (literal.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : literal) {
    if (!is_digit(c)) return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

const char* json_kind_name(JsonReader::Kind kind) {
  switch (kind) {
    case JsonReader::Kind::Object:
      return "an object";
    case JsonReader::Kind::Array:
      return "an array";
    case JsonReader::Kind::String:
      return "a string";
    case JsonReader::Kind::Number:
      return "a number";
    case JsonReader::Kind::Boolean:
      return "a boolean";
    case JsonReader::Kind::Null:
      return "null";
  }
  return "a value";
}

void JsonReader::fail(const std::string& what) const {
  throw Error(context_ + "byte " + std::to_string(position_) + ": " + what);
}

std::string JsonReader::found() const {
  if (position_ >= text_.size()) return "the end of the header";
  const auto c = static_cast<unsigned char>(text_[position_]);
  if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
  char text[16];
  std::snprintf(text, sizeof text, "byte 0x%02X", c);
  return text;
}

void JsonReader::skip_whitespace() {
  while (position_ < text_.size()) {
    const char c = text_[position_];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    ++position_;
  }
}

void JsonReader::expect(char c, const char* where) {
  skip_whitespace();
  if (position_ >= text_.size() || text_[position_] != c) {
    fail(std::string("expected '") + c + "' " + where + ", found " + found());
  }
  ++position_;
}

JsonReader::Kind JsonReader::peek() {
  skip_whitespace();
  if (position_ < text_.size()) {
    const char c = text_[position_];
    if (c == '{') return Kind::Object;
    if (c == '[') return Kind::Array;
    if (c == '"') return Kind::String;
    if (c == '-' || is_digit(c)) return Kind::Number;
    if (c == 't' || c == 'f') return Kind::Boolean;
    if (c == 'n') return Kind::Null;
  }
  fail("expected a JSON value, found " + found());
}

void JsonReader::begin_object() {
  expect('{', "to open an object");
  open_ += 'o';
}

bool JsonReader::next_member(std::string& key) {
  if (open_.empty() || (open_.back() != 'o' && open_.back() != 'O')) {
    fail("next_member outside an object (a bug in the caller)");
  }
  skip_whitespace();
  if (position_ < text_.size() && text_[position_] == '}') {
    ++position_;
    open_.pop_back();
    return false;
  }
  if (open_.back() == 'O') expect(',', "or '}' after an object member");
  skip_whitespace();
  if (position_ >= text_.size() || text_[position_] != '"') {
    fail("expected a string key in an object, found " + found());
  }
  key = read_string();
  expect(':', "after an object key");
  open_.back() = 'O';
  return true;
}

void JsonReader::begin_array() {
  expect('[', "to open an array");
  open_ += 'a';
}

bool JsonReader::next_item() {
  if (open_.empty() || (open_.back() != 'a' && open_.back() != 'A')) {
    fail("next_item outside an array (a bug in the caller)");
  }
  skip_whitespace();
  if (position_ < text_.size() && text_[position_] == ']') {
    ++position_;
    open_.pop_back();
    return false;
  }
  if (open_.back() == 'A') expect(',', "or ']' after an array item");
  open_.back() = 'A';
  return true;
}

void JsonReader::read_hex4(std::uint32_t& out) {
  out = 0;
  for (int k = 0; k < 4; ++k) {
    if (position_ >= text_.size()) fail("a \\u escape ends early; expected 4 hex digits");
    const char c = text_[position_];
    std::uint32_t digit = 0;
    if (is_digit(c)) {
      digit = static_cast<std::uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<std::uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<std::uint32_t>(c - 'A' + 10);
    } else {
      fail("expected a hex digit in a \\u escape, found " + found());
    }
    out = out * 16 + digit;
    ++position_;
  }
}

std::string JsonReader::read_string() {
  expect('"', "to open a string");
  std::string out;
  while (true) {
    if (position_ >= text_.size()) fail("a string is not closed; expected '\"' before the end");
    const char c = text_[position_];
    if (c == '"') {
      ++position_;
      return out;
    }
    if (static_cast<unsigned char>(c) < 0x20) {
      fail("raw control character " + found() + " in a string; expected it escaped");
    }
    if (c != '\\') {
      const std::size_t length = utf8_sequence_length(text_, position_);
      if (length == 0) fail("invalid UTF-8 " + found() + " in a string; expected UTF-8 text");
      out.append(text_.substr(position_, length));
      position_ += length;
      continue;
    }
    ++position_;
    if (position_ >= text_.size()) fail("a string ends inside an escape");
    const char e = text_[position_++];
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        std::uint32_t code = 0;
        read_hex4(code);
        if (code >= 0xDC00 && code <= 0xDFFF) fail("a lone low surrogate in a \\u escape");
        if (code >= 0xD800 && code <= 0xDBFF) {
          if (text_.substr(position_, 2) != "\\u") {
            fail("a high surrogate \\u escape without its low surrogate");
          }
          position_ += 2;
          std::uint32_t low = 0;
          read_hex4(low);
          if (low < 0xDC00 || low > 0xDFFF) fail("a high surrogate followed by no low surrogate");
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(out, code);
        break;
      }
      default:
        --position_;
        fail("unknown escape \\" + found() + " in a string");
    }
  }
}

std::string_view JsonReader::read_number() {
  skip_whitespace();
  const std::size_t start = position_;
  const auto digits = [&] {
    const std::size_t first = position_;
    while (position_ < text_.size() && is_digit(text_[position_])) ++position_;
    return position_ > first;
  };
  if (position_ < text_.size() && text_[position_] == '-') ++position_;
  if (position_ < text_.size() && text_[position_] == '0') {
    ++position_;
  } else if (!digits()) {
    fail("expected a digit in a number, found " + found());
  }
  if (position_ < text_.size() && text_[position_] == '.') {
    ++position_;
    if (!digits()) fail("expected a digit after '.' in a number, found " + found());
  }
  if (position_ < text_.size() && (text_[position_] == 'e' || text_[position_] == 'E')) {
    ++position_;
    if (position_ < text_.size() && (text_[position_] == '+' || text_[position_] == '-')) {
      ++position_;
    }
    if (!digits()) fail("expected a digit in a number's exponent, found " + found());
  }
  return text_.substr(start, position_ - start);
}

void JsonReader::read_literal(std::string_view word) {
  if (text_.substr(position_, word.size()) != word) {
    fail("expected a JSON value, found " + found());
  }
  position_ += word.size();
}

void JsonReader::skip_value() {
  skip_value(0);
}

void JsonReader::skip_value(int depth) {
  if (depth > kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
  std::string key;
  switch (peek()) {
    case Kind::Object:
      begin_object();
      while (next_member(key)) skip_value(depth + 1);
      return;
    case Kind::Array:
      begin_array();
      while (next_item()) skip_value(depth + 1);
      return;
    case Kind::String:
      read_string();
      return;
    case Kind::Number:
      read_number();
      return;
    case Kind::Boolean:
      read_literal(text_[position_] == 't' ? "true" : "false");
      return;
    case Kind::Null:
      read_literal("null");
      return;
  }
}

void JsonReader::finish() {
  skip_whitespace();
  if (position_ < text_.size()) {
    fail("unexpected " + found() + " after the JSON value; expected only whitespace");
  }
}

}  // namespace minitorch::io::detail
