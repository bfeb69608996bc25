// Mail parsing (data/mail.h) and tokenizing (data/tokenizer.h) on arbitrary bytes: the path of a
// mail of the spam corpus, and of the text `predict --text` classifies. Both are documented to
// accept any input, so any exception at all is a finding here, and so is a token the tokenizer's
// contract does not allow.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "minitorch/data/mail.h"
#include "minitorch/data/tokenizer.h"

namespace {

namespace data = minitorch::data;

// A special token, or a non-empty run of [a-z0-9].
bool allowed_token(const std::string& token) {
  if (token == data::kUrlToken || token == data::kEmailToken || token == data::kNumberToken) {
    return true;
  }
  return !token.empty() && std::all_of(token.begin(), token.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

void check_tokens(std::string_view text, const data::TokenizerOptions& options) {
  const auto tokens = data::tokenize(text, options);
  minitorch::fuzz::require(std::all_of(tokens.begin(), tokens.end(), allowed_token),
                           "tokenize returned a token its contract does not allow");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string_view raw = minitorch::fuzz::as_text(bytes, size);
  const data::Mail mail = data::parse_mail(raw);
  check_tokens(mail.subject + "\n" + mail.body, {});  // a mail of the corpus
  check_tokens(raw, {});                              // the text of `predict --text`
  // Each decoder on its own as well: a mail reaches them only through headers and parts.
  (void)data::decode_quoted_printable(raw);
  (void)data::decode_base64(raw);
  (void)data::decode_encoded_words(raw);
  (void)data::html_to_text(raw);
  return 0;
}
