#include "minitorch/data/vocabulary.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <utility>

#include "minitorch/core/error.h"

namespace minitorch::data {
namespace {

[[noreturn]] void fail_file(const std::string& what, const std::filesystem::path& path,
                            const std::string& problem) {
  throw Error("Vocabulary::" + what + ": " + path.string() + ": " + problem);
}

// Why a token cannot be one line of a vocabulary file, or "" when it can.
std::string unsavable(std::string_view token) {
  if (token.empty()) return "an empty token";
  if (token.find_first_of("\r\n") != std::string_view::npos) return "a token with a line break";
  return "";
}

std::string shown(std::string_view token) {
  constexpr std::size_t kShown = 40;
  std::string text(token.substr(0, kShown));
  if (token.size() > kShown) text += "...";
  return "'" + text + "'";
}

void write_all(int fd, std::string_view text, const std::filesystem::path& temporary,
               const std::filesystem::path& path) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      ::unlink(temporary.c_str());
      fail_file("save", path, "cannot write: " + reason);
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

void count_tokens(const std::vector<std::string>& tokens, TokenCounts& counts) {
  for (const std::string& token : tokens) ++counts[token];
}

Vocabulary::Vocabulary()
    : Vocabulary(std::vector<std::string>{std::string(kPadToken), std::string(kUnkToken)}) {}

Vocabulary::Vocabulary(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {
  if (tokens_.size() < 2 || tokens_[0] != kPadToken || tokens_[1] != kUnkToken) {
    std::string first;
    for (std::size_t i = 0; i < std::min<std::size_t>(tokens_.size(), 2); ++i) {
      first += (i ? ", " : "") + shown(tokens_[i]);
    }
    throw Error("Vocabulary: the first tokens are [" + first + "]; expected ['<pad>', '<unk>']");
  }
  ids_.reserve(tokens_.size());
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    if (const std::string why = unsavable(tokens_[i]); !why.empty()) {
      throw Error("Vocabulary: token " + std::to_string(i) + " is " + why +
                  "; expected a non-empty token without line breaks");
    }
    const auto [place, inserted] = ids_.emplace(tokens_[i], static_cast<std::int64_t>(i));
    if (!inserted) {
      throw Error("Vocabulary: token " + shown(tokens_[i]) + " has ids " +
                  std::to_string(place->second) + " and " + std::to_string(i) +
                  "; expected each token once");
    }
  }
}

Vocabulary Vocabulary::build(const std::vector<std::vector<std::string>>& documents,
                             const VocabularyOptions& options) {
  TokenCounts counts;
  for (const auto& document : documents) count_tokens(document, counts);
  return from_counts(counts, options);
}

Vocabulary Vocabulary::from_counts(const TokenCounts& counts, const VocabularyOptions& options) {
  if (options.min_frequency < 1) {
    throw Error("Vocabulary: min_frequency " + std::to_string(options.min_frequency) +
                "; expected at least 1");
  }
  if (options.max_size && *options.max_size < 2) {
    throw Error("Vocabulary: max_size " + std::to_string(*options.max_size) +
                "; expected at least 2 (<pad> and <unk>)");
  }
  std::vector<std::pair<std::int64_t, const std::string*>> kept;
  for (const auto& [token, count] : counts) {
    if (const std::string why = unsavable(token); !why.empty()) {
      throw Error("Vocabulary: cannot build from " + why + " (" + shown(token) +
                  "); expected non-empty tokens without line breaks");
    }
    if (count >= options.min_frequency && token != kPadToken && token != kUnkToken) {
      kept.emplace_back(count, &token);
    }
  }
  const auto before = [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : *a.second < *b.second;
  };
  std::size_t room = kept.size();
  if (options.max_size) room = std::min(room, static_cast<std::size_t>(*options.max_size - 2));
  std::partial_sort(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(room), kept.end(),
                    before);
  std::vector<std::string> tokens{std::string(kPadToken), std::string(kUnkToken)};
  tokens.reserve(room + 2);
  for (std::size_t i = 0; i < room; ++i) tokens.push_back(*kept[i].second);
  return Vocabulary(std::move(tokens));
}

std::int64_t Vocabulary::id(std::string_view token) const {
  const auto place = ids_.find(token);
  return place == ids_.end() ? kUnk : place->second;
}

const std::string& Vocabulary::token(std::int64_t id) const {
  if (id < 0 || id >= size()) {
    throw Error("Vocabulary::token: id " + std::to_string(id) + "; expected 0 <= id < " +
                std::to_string(size()));
  }
  return tokens_[static_cast<std::size_t>(id)];
}

std::vector<std::int64_t> Vocabulary::encode(const std::vector<std::string>& tokens,
                                             std::int64_t length) const {
  if (length < 0) {
    throw Error("Vocabulary::encode: length " + std::to_string(length) + "; expected >= 0");
  }
  std::vector<std::int64_t> ids(static_cast<std::size_t>(length), kPad);
  const std::size_t used = std::min(tokens.size(), ids.size());
  for (std::size_t i = 0; i < used; ++i) ids[i] = id(tokens[i]);
  return ids;
}

void Vocabulary::save(const std::filesystem::path& path) const {
  std::string text;
  for (const std::string& token : tokens_) {
    text += token;
    text += '\n';
  }
  // A unique temporary name in the target's directory: rename is atomic only within one file
  // system, and two writers must not share a temporary file.
  std::filesystem::path temporary = path;
  temporary += ".tmp.XXXXXX";
  std::string name = temporary.string();
  const int fd = ::mkstemp(name.data());
  if (fd < 0)
    fail_file("save", path, std::string("cannot create a temporary file: ") + std::strerror(errno));
  temporary = name;
  ::fchmod(fd, 0644);
  write_all(fd, text, temporary, path);
  if (::close(fd) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temporary.c_str());
    fail_file("save", path, "cannot write: " + reason);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temporary.c_str());
    fail_file("save", path, "cannot rename the temporary file over it: " + reason);
  }
}

Vocabulary Vocabulary::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_file("load", path, std::string("cannot open: ") + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) fail_file("load", path, "cannot read");
  const std::string text = buffer.str();
  if (text.empty()) {
    fail_file("load", path, "the file is empty; expected '<pad>' and '<unk>' on lines 1 and 2");
  }
  std::vector<std::string> tokens;
  std::unordered_map<std::string_view, std::size_t> lines;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    const std::size_t next = end == std::string::npos ? text.size() : end + 1;
    if (end == std::string::npos) end = text.size();
    if (end > pos && text[end - 1] == '\r') --end;
    const std::string_view token(text.data() + pos, end - pos);
    const std::size_t line = tokens.size() + 1;
    if (token.empty()) {
      fail_file("load", path,
                "line " + std::to_string(line) + " is empty; expected one token per line");
    }
    const std::string_view expected = line == 1 ? kPadToken : kUnkToken;
    if (line <= 2 && token != expected) {
      fail_file("load", path,
                "line " + std::to_string(line) + " is " + shown(token) + "; expected '" +
                    std::string(expected) + "'");
    }
    if (const auto [place, inserted] = lines.emplace(token, line); !inserted) {
      fail_file("load", path,
                "line " + std::to_string(line) + " repeats the token " + shown(token) +
                    " of line " + std::to_string(place->second) + "; expected each token once");
    }
    tokens.emplace_back(token);
    pos = next;
  }
  if (tokens.size() < 2) {
    fail_file("load", path, "only 1 line; expected '<pad>' and '<unk>' on lines 1 and 2");
  }
  try {
    return Vocabulary(std::move(tokens));
  } catch (const Error& e) {
    fail_file("load", path, e.what());
  }
}

}  // namespace minitorch::data
