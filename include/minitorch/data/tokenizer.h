// A word tokenizer for English mail and web text, ASCII only.
//
// tokenize(text, options) splits text, read as bytes, into lower-case tokens:
//   - a token is a maximal run of ASCII letters and digits; every other byte (punctuation,
//     whitespace, bytes >= 0x80 of UTF-8 or any other encoding) separates tokens;
//   - an apostrophe between two letters or digits is dropped and the word goes on: "don't" and
//     "O'Neil" give "dont" and "oneil" rather than fragments such as "t";
//   - with options.urls, text starting with "http://", "https://", "ftp://" or "www." plus a
//     letter or digit (any case) up to the next whitespace, control byte, non-ASCII byte or one of
//     < > " ' ( ) [ ] { } is the one token kUrlToken;
//   - with options.emails, an address local@domain is the one token kEmailToken, where local is a
//     run of letters, digits and . _ % + - and domain is letters, digits, "." and "-" starting
//     with a letter or digit and holding a "." between letters or digits;
//   - with options.numbers, a token of digits only is kNumberToken ("mp3" stays "mp3").
// Requires nothing: any bytes are accepted. Ensures: tokens in text order, none empty, each
// either a special token or made only of [a-z0-9]. Runs in time linear in the text's length.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace minitorch::data {

inline constexpr std::string_view kUrlToken = "<url>";
inline constexpr std::string_view kEmailToken = "<email>";
inline constexpr std::string_view kNumberToken = "<num>";

struct TokenizerOptions {
  bool urls = true;
  bool emails = true;
  bool numbers = true;
};

std::vector<std::string> tokenize(std::string_view text, const TokenizerOptions& options = {});

}  // namespace minitorch::data
