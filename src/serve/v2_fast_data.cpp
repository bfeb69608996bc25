#include "serve/v2_fast_data.h"

#include <charconv>
#include <cmath>
#include <string_view>

namespace minitorch::serve::v2 {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The end of the JSON number starting at `i` (-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?), or npos.
// `integer` says whether it has neither fraction nor exponent.
std::size_t number_end(std::string_view text, std::size_t i, bool& integer) {
  const std::size_t n = text.size();
  if (i < n && text[i] == '-') ++i;
  if (i >= n || !is_digit(text[i])) return std::string_view::npos;
  if (text[i] == '0') {
    ++i;
  } else {
    while (i < n && is_digit(text[i])) ++i;
  }
  integer = true;
  if (i < n && text[i] == '.') {
    integer = false;
    if (++i >= n || !is_digit(text[i])) return std::string_view::npos;
    while (i < n && is_digit(text[i])) ++i;
  }
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    integer = false;
    ++i;
    if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
    if (i >= n || !is_digit(text[i])) return std::string_view::npos;
    while (i < n && is_digit(text[i])) ++i;
  }
  return i;
}

// The numbers of a flat array '[' ... ']', or nullopt when it is anything else.
std::optional<std::vector<double>> flat_numbers(std::string_view array) {
  std::vector<double> values;
  values.reserve(array.size() / 4);
  std::size_t i = 1;                          // after '['
  const std::size_t last = array.size() - 1;  // the ']'
  auto skip_space = [&] {
    while (i < last && is_space(array[i])) ++i;
  };
  skip_space();
  if (i == last) return values;
  for (;;) {
    bool integer = false;
    const std::size_t end = number_end(array.substr(0, last), i, integer);
    if (end == std::string_view::npos) return std::nullopt;
    double value = 0.0;
    const auto [ptr, error] = std::from_chars(array.data() + i, array.data() + end, value);
    // Out of range (overflow or underflow): nlohmann-json decides what that is.
    if (error != std::errc() || ptr != array.data() + end || !std::isfinite(value))
      return std::nullopt;
    // nlohmann-json reads "-0" as the integer 0, whose double is +0.
    if (integer && value == 0.0) value = 0.0;
    values.push_back(value);
    i = end;
    skip_space();
    if (i == last) return values;
    if (array[i] != ',') return std::nullopt;
    ++i;
    skip_space();
  }
}

// Where the scan stands in the document: one frame per open object or array.
struct Frame {
  bool object = false;
  bool expecting_key = false;
  std::string key;          // objects: the key whose value comes next
  std::string name;         // the key this container is the value of ("" in arrays)
  std::int64_t index = -1;  // the index this container has in its parent array (-1 in objects)
  std::int64_t count = 0;   // arrays: elements begun so far
  int data_keys = 0;        // objects: how many keys "data" (nlohmann-json keeps the last)
};

// The end of the string starting at the quote at `i` (just past the closing quote), or npos;
// `escaped` says whether it holds a backslash.
std::size_t string_end(const std::string& text, std::size_t i, bool& escaped) {
  escaped = false;
  for (++i; i < text.size(); ++i) {
    if (text[i] == '\\') {
      escaped = true;
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return std::string::npos;
}

}  // namespace

std::optional<NumericData> find_numeric_data(const std::string& body) {
  std::vector<Frame> stack;
  std::optional<NumericData> found;
  int inputs_keys = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (is_space(c)) continue;
    if (stack.empty() && c != '{') return std::nullopt;  // the root is an object, and only one
    Frame* top = stack.empty() ? nullptr : &stack.back();
    if (c == '"') {
      bool escaped = false;
      const std::size_t end = string_end(body, i, escaped);
      if (end == std::string::npos) return std::nullopt;
      if (top && top->object && top->expecting_key) {
        if (escaped) return std::nullopt;  // a key nlohmann-json would unescape: decline
        top->key = body.substr(i + 1, end - i - 2);
        top->expecting_key = false;
        if (stack.size() == 1 && top->key == "inputs" && ++inputs_keys > 1) return std::nullopt;
        if (top->key == "data" && ++top->data_keys > 1) return std::nullopt;
      } else if (top && !top->object) {
        ++top->count;
      }
      i = end - 1;
      continue;
    }
    if (c == '{' || c == '[') {
      Frame frame;
      frame.object = c == '{';
      frame.expecting_key = frame.object;
      if (top) {
        if (top->object) {
          frame.name = top->key;
        } else {
          frame.index = top->count;
        }
      }
      const bool is_data = c == '[' && stack.size() == 3 && stack[0].object && !stack[1].object &&
                           stack[1].name == "inputs" && stack[2].object && stack[2].index == 0 &&
                           stack[2].key == "data";
      if (is_data) {
        const std::size_t close = body.find(']', i);
        if (close == std::string::npos || found) return std::nullopt;
        std::optional<std::vector<double>> values =
            flat_numbers(std::string_view(body).substr(i, close - i + 1));
        if (!values) return std::nullopt;  // nested, or not only numbers
        found = NumericData{i, close + 1, std::move(*values)};
        i = close;
        continue;
      }
      if (top && !top->object) ++top->count;
      stack.push_back(std::move(frame));
      continue;
    }
    if (c == '}' || c == ']') {
      if (!top || top->object != (c == '}')) return std::nullopt;
      stack.pop_back();
      if (stack.empty()) {
        // Only space may follow the root.
        for (std::size_t j = i + 1; j < body.size(); ++j) {
          if (!is_space(body[j])) return std::nullopt;
        }
        return found;
      }
      continue;
    }
    if (c == ',') {
      if (top && top->object) top->expecting_key = true;
      continue;
    }
    if (top && !top->object &&
        (body[i - 1] == '[' || body[i - 1] == ',' || is_space(body[i - 1]))) {
      // A scalar element of an array starts: counted once, at its first character.
      std::size_t j = i;
      while (j > 0 && is_space(body[j - 1])) --j;
      if (j > 0 && (body[j - 1] == '[' || body[j - 1] == ',')) ++top->count;
    }
  }
  return std::nullopt;
}

}  // namespace minitorch::serve::v2
