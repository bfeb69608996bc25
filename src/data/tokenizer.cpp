#include "minitorch/data/tokenizer.h"

#include <array>

namespace minitorch::data {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
char to_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_email_local(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool is_domain(char c) {
  return is_alnum(c) || c == '.' || c == '-';
}

bool starts_with_ignoring_case(std::string_view text, std::size_t pos, std::string_view prefix) {
  if (text.size() - pos < prefix.size()) return false;
  for (std::size_t k = 0; k < prefix.size(); ++k) {
    if (to_lower(text[pos + k]) != prefix[k]) return false;
  }
  return true;
}

// The end of the URL starting at pos, or pos when none starts there.
std::size_t url_end(std::string_view text, std::size_t pos) {
  static constexpr std::array<std::string_view, 3> kSchemes{"http://", "https://", "ftp://"};
  std::size_t start = pos;
  for (const std::string_view scheme : kSchemes) {
    if (starts_with_ignoring_case(text, pos, scheme)) start = pos + scheme.size();
  }
  if (start == pos) {
    if (!starts_with_ignoring_case(text, pos, "www.") || pos + 4 >= text.size() ||
        !is_alnum(text[pos + 4])) {
      return pos;
    }
    start = pos + 4;
  }
  static constexpr std::string_view kStops = "<>\"'()[]{}";
  std::size_t end = start;
  while (end < text.size()) {
    const auto byte = static_cast<unsigned char>(text[end]);
    if (byte <= ' ' || byte >= 127 || kStops.find(text[end]) != std::string_view::npos) break;
    ++end;
  }
  return end;
}

// The end of the domain of an address whose "@" is at `at`, or `at` when no valid domain follows.
std::size_t domain_end(std::string_view text, std::size_t at) {
  const std::size_t begin = at + 1;
  std::size_t end = begin;
  while (end < text.size() && is_domain(text[end])) ++end;
  while (end > begin && !is_alnum(text[end - 1])) --end;  // a sentence's final "." is not in it
  if (end == begin || !is_alnum(text[begin])) return at;
  for (std::size_t k = begin + 1; k + 1 < end; ++k) {
    if (text[k] == '.' && is_alnum(text[k - 1]) && is_alnum(text[k + 1])) return end;
  }
  return at;
}

}  // namespace

std::vector<std::string> tokenize(std::string_view text, const TokenizerOptions& options) {
  std::vector<std::string> tokens;
  // Positions before this one start no address: a scan of a local part found no valid "@...".
  // Every start inside one local part ends at the same place, so the text is scanned once.
  std::size_t no_email_before = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_alnum(text[i])) {
      ++i;
      continue;
    }
    if (options.urls) {
      if (const std::size_t end = url_end(text, i); end > i) {
        tokens.emplace_back(kUrlToken);
        i = end;
        continue;
      }
    }
    if (options.emails && i >= no_email_before) {
      std::size_t at = i;
      while (at < text.size() && is_email_local(text[at])) ++at;
      if (at < text.size() && text[at] == '@') {
        if (const std::size_t end = domain_end(text, at); end > at) {
          tokens.emplace_back(kEmailToken);
          i = end;
          continue;
        }
      }
      no_email_before = at;
    }
    std::string word;
    bool digits_only = true;
    std::size_t j = i;
    while (j < text.size()) {
      if (is_alnum(text[j])) {
        digits_only = digits_only && is_digit(text[j]);
        word += to_lower(text[j++]);
      } else if (text[j] == '\'' && j + 1 < text.size() && is_alnum(text[j + 1])) {
        ++j;  // inside a word ("don't"): dropped, the word goes on
      } else {
        break;
      }
    }
    if (options.numbers && digits_only) {
      tokens.emplace_back(kNumberToken);
    } else {
      tokens.push_back(std::move(word));
    }
    i = j;
  }
  return tokens;
}

}  // namespace minitorch::data
