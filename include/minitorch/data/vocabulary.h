// Vocabulary — the mapping between tokens and the integer ids a model embeds.
//
// Id 0 is kPadToken "<pad>" (fills sequences up to a length), id 1 is kUnkToken "<unk>" (every
// token not in the vocabulary); the other tokens follow from id 2.
//   build / from_counts: the tokens seen at least options.min_frequency times in all (not per
//     document), most frequent first, ties in byte-wise alphabetical order, cut so that the whole
//     vocabulary (with <pad> and <unk>) has at most options.max_size entries. "<pad>" and "<unk>"
//     in the input are not counted again. Requires min_frequency >= 1, max_size >= 2 when given,
//     and tokens that are non-empty with no line break (so that save can write them); Error
//     otherwise. Ensures the same counts give the same vocabulary, whatever their order.
//   Vocabulary(tokens): the tokens in id order; requires what load checks (below).
//   id(token) is its id, kUnk when absent; token(id) requires 0 <= id < size() (Error otherwise).
//   encode(tokens, length): the ids of the first `length` tokens, then kPad up to `length`.
//     Requires length >= 0.
//   save(path) writes one token per line in id order, each line ending in "\n", through a
//     temporary file in the same directory renamed over path, so a reader never sees half a file.
//   load(path) reads such a file (a final line without "\n" and "\r\n" endings are accepted).
//     Requires a readable file whose first two lines are "<pad>" and "<unk>", no empty line and
//     no token twice. Errors name the path and the line.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace minitorch::data {

inline constexpr std::string_view kPadToken = "<pad>";
inline constexpr std::string_view kUnkToken = "<unk>";

struct VocabularyOptions {
  std::int64_t min_frequency = 1;
  std::optional<std::int64_t> max_size = std::nullopt;  // entries in all, <pad> and <unk> included
};

// How often each token occurs.
using TokenCounts = std::unordered_map<std::string, std::int64_t>;

void count_tokens(const std::vector<std::string>& tokens, TokenCounts& counts);

class Vocabulary {
 public:
  static constexpr std::int64_t kPad = 0;
  static constexpr std::int64_t kUnk = 1;

  // Only <pad> and <unk>.
  Vocabulary();
  explicit Vocabulary(std::vector<std::string> tokens);

  static Vocabulary build(const std::vector<std::vector<std::string>>& documents,
                          const VocabularyOptions& options = {});
  static Vocabulary from_counts(const TokenCounts& counts, const VocabularyOptions& options = {});
  static Vocabulary load(const std::filesystem::path& path);

  std::int64_t size() const { return static_cast<std::int64_t>(tokens_.size()); }
  std::int64_t id(std::string_view token) const;
  const std::string& token(std::int64_t id) const;
  const std::vector<std::string>& tokens() const { return tokens_; }

  std::vector<std::int64_t> encode(const std::vector<std::string>& tokens,
                                   std::int64_t length) const;

  void save(const std::filesystem::path& path) const;

 private:
  // Heterogeneous lookup: id(string_view) needs no temporary string.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };

  std::vector<std::string> tokens_;
  std::unordered_map<std::string, std::int64_t, Hash, std::equal_to<>> ids_;
};

}  // namespace minitorch::data
