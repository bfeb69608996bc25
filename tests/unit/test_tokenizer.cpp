#include "minitorch/data/tokenizer.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

namespace data = minitorch::data;

namespace {

using Tokens = std::vector<std::string>;

constexpr data::TokenizerOptions kWordsOnly{.urls = false, .emails = false, .numbers = false};

std::string joined(const Tokens& tokens) {
  std::string text;
  for (const std::string& token : tokens) text += token + " ";
  return text;
}

bool is_plain_token(const std::string& token) {
  if (token.empty()) return false;
  for (const char c : token) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace

TEST(Tokenizer, LowercasesRunsOfLettersAndDigits) {
  EXPECT_EQ(data::tokenize("Hello, WORLD!  mp3-player\tx_y\n"),
            (Tokens{"hello", "world", "mp3", "player", "x", "y"}));
  EXPECT_EQ(data::tokenize(""), Tokens{});
  EXPECT_EQ(data::tokenize(" .,;!? \n"), Tokens{});
}

TEST(Tokenizer, DropsApostrophesInsideWords) {
  EXPECT_EQ(data::tokenize("Don't say O'Neil's 'quoted' rock'n'roll it' 'tis"),
            (Tokens{"dont", "say", "oneils", "quoted", "rocknroll", "it", "tis"}));
}

TEST(Tokenizer, MapsNumbersToOneToken) {
  EXPECT_EQ(data::tokenize("Call 555-1234 now, $1,000 in 24h"),
            (Tokens{"call", "<num>", "<num>", "now", "<num>", "<num>", "in", "24h"}));
  EXPECT_EQ(data::tokenize("Call 555 now", {.numbers = false}), (Tokens{"call", "555", "now"}));
}

TEST(Tokenizer, MapsWebAddressesToOneToken) {
  EXPECT_EQ(data::tokenize("Visit HTTP://Example.com/a?b=c&d=1 or (https://x.org/p) today"),
            (Tokens{"visit", "<url>", "or", "<url>", "today"}));
  EXPECT_EQ(data::tokenize("see www.cheap-pills.biz/buy.html."), (Tokens{"see", "<url>"}));
  EXPECT_EQ(data::tokenize("ftp://files.org/x <http://a.b>"), (Tokens{"<url>", "<url>"}));
  // A "www" word, a scheme inside a word, and no options.
  EXPECT_EQ(data::tokenize("www. and wwwx.com and xhttp://y"),
            (Tokens{"www", "and", "wwwx", "com", "and", "xhttp", "y"}));
  EXPECT_EQ(data::tokenize("http://a.b/c", {.urls = false}), (Tokens{"http", "a", "b", "c"}));
}

TEST(Tokenizer, MapsMailAddressesToOneToken) {
  EXPECT_EQ(data::tokenize("Write to John.Doe+spam@Example.co.uk. Or <a_b@c-d.org>!"),
            (Tokens{"write", "to", "<email>", "or", "<email>"}));
  // No dot in the domain, no local part, no domain.
  EXPECT_EQ(data::tokenize("user@localhost @example.com name@ x@.com"),
            (Tokens{"user", "localhost", "example", "com", "name", "x", "com"}));
  EXPECT_EQ(data::tokenize("a@b.cd", {.emails = false}), (Tokens{"a", "b", "cd"}));
  // A local part made of many short words is scanned once and still yields its words.
  EXPECT_EQ(data::tokenize("a.b.c.d e"), (Tokens{"a", "b", "c", "d", "e"}));
}

TEST(Tokenizer, TreatsNonAsciiBytesAsSeparators) {
  EXPECT_EQ(data::tokenize("caf\xC3\xA9 na\xEFve \xFF\xFE ok"), (Tokens{"caf", "na", "ve", "ok"}));
  EXPECT_EQ(data::tokenize(std::string("a\0b", 3)), (Tokens{"a", "b"}));
}

TEST(Tokenizer, OptionsOffGiveOnlyWords) {
  EXPECT_EQ(data::tokenize("Mail x@y.com at http://z.org 42", kWordsOnly),
            (Tokens{"mail", "x", "y", "com", "at", "http", "z", "org", "42"}));
}

RC_GTEST_PROP(TokenizerProperties, TokensAreLowerCaseAlphanumericOrSpecial,
              (const std::string& text)) {
  for (const std::string& token : data::tokenize(text)) {
    RC_ASSERT(is_plain_token(token) || token == data::kUrlToken || token == data::kEmailToken ||
              token == data::kNumberToken);
  }
}

RC_GTEST_PROP(TokenizerProperties, WordTokensAreAFixedPoint, (const std::string& text)) {
  // Joining the words with spaces and tokenizing again gives the same words.
  const Tokens tokens = data::tokenize(text, kWordsOnly);
  RC_ASSERT(data::tokenize(joined(tokens), kWordsOnly) == tokens);
}

RC_GTEST_PROP(TokenizerProperties, SpecialTokensOnlyReplaceWords, ()) {
  // Built from words, numbers, URLs and addresses: each piece gives exactly one token.
  const auto pieces = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 4));
  std::string text;
  Tokens expected;
  for (const int kind : pieces) {
    switch (kind) {
      case 0:
        text += "Word";
        expected.push_back("word");
        break;
      case 1:
        text += "123";
        expected.emplace_back(data::kNumberToken);
        break;
      case 2:
        text += "http://x.com/y";
        expected.emplace_back(data::kUrlToken);
        break;
      default:
        text += "me@x.org";
        expected.emplace_back(data::kEmailToken);
    }
    text += *rc::gen::elementOf(std::vector<std::string>{" ", ", ", "\n", " (", ") "});
  }
  RC_ASSERT(data::tokenize(text) == expected);
}
