#include "error_helpers.h"
#include "minitorch/data/vocabulary.h"
#include "temp_dir.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace data = minitorch::data;
namespace fs = std::filesystem;
using minitorch::testing::error_of;
using minitorch::testing::TempDir;

namespace {

using Tokens = std::vector<std::string>;
using Ids = std::vector<std::int64_t>;

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// "the" x4, "cat" x2, "sat" x2, "a" x1, "mat" x1: documents of a small fixed corpus.
const std::vector<Tokens> kDocuments{
    {"the", "cat", "sat"}, {"the", "mat"}, {"the", "cat", "the", "sat", "a"}};

}  // namespace

TEST(Vocabulary, StartsWithPadAndUnk) {
  const data::Vocabulary empty;
  EXPECT_EQ(empty.size(), 2);
  EXPECT_EQ(empty.tokens(), (Tokens{"<pad>", "<unk>"}));
  EXPECT_EQ(data::Vocabulary::kPad, 0);
  EXPECT_EQ(data::Vocabulary::kUnk, 1);
  EXPECT_EQ(empty.id("<pad>"), 0);
  EXPECT_EQ(empty.id("<unk>"), 1);
  EXPECT_EQ(empty.id("anything"), 1);
}

TEST(Vocabulary, OrdersByFrequencyThenAlphabetically) {
  const data::Vocabulary vocabulary = data::Vocabulary::build(kDocuments);
  EXPECT_EQ(vocabulary.tokens(), (Tokens{"<pad>", "<unk>", "the", "cat", "sat", "a", "mat"}));
  EXPECT_EQ(vocabulary.size(), 7);
  EXPECT_EQ(vocabulary.id("the"), 2);
  EXPECT_EQ(vocabulary.id("mat"), 6);
  EXPECT_EQ(vocabulary.id("dog"), data::Vocabulary::kUnk);
  EXPECT_EQ(vocabulary.token(3), "cat");
  EXPECT_EQ(vocabulary.token(0), "<pad>");
}

TEST(Vocabulary, KeepsTokensSeenAtLeastMinFrequencyTimes) {
  EXPECT_EQ(data::Vocabulary::build(kDocuments, {.min_frequency = 2}).tokens(),
            (Tokens{"<pad>", "<unk>", "the", "cat", "sat"}));
  EXPECT_EQ(data::Vocabulary::build(kDocuments, {.min_frequency = 4}).tokens(),
            (Tokens{"<pad>", "<unk>", "the"}));
  EXPECT_EQ(data::Vocabulary::build(kDocuments, {.min_frequency = 5}).size(), 2);
}

TEST(Vocabulary, MaxSizeCountsPadAndUnkAndCutsTiesAlphabetically) {
  EXPECT_EQ(data::Vocabulary::build(kDocuments, {.max_size = 4}).tokens(),
            (Tokens{"<pad>", "<unk>", "the", "cat"}));
  EXPECT_EQ(data::Vocabulary::build(kDocuments, {.max_size = 6}).tokens(),
            (Tokens{"<pad>", "<unk>", "the", "cat", "sat", "a"}));
  EXPECT_EQ(data::Vocabulary::build(kDocuments, {.max_size = 2}).size(), 2);
  EXPECT_EQ(data::Vocabulary::build(kDocuments, {.max_size = 100}).size(), 7);
  EXPECT_EQ(data::Vocabulary::build(kDocuments, {.min_frequency = 2, .max_size = 100}).size(), 5);
}

TEST(Vocabulary, DoesNotCountPadAndUnkAgain) {
  const data::Vocabulary vocabulary =
      data::Vocabulary::build({{"<unk>", "<unk>", "x", "<pad>"}, {"<pad>"}});
  EXPECT_EQ(vocabulary.tokens(), (Tokens{"<pad>", "<unk>", "x"}));
}

TEST(Vocabulary, FromCountsMatchesBuild) {
  data::TokenCounts counts;
  for (const Tokens& document : kDocuments) data::count_tokens(document, counts);
  EXPECT_EQ(counts.at("the"), 4);
  EXPECT_EQ(counts.at("mat"), 1);
  EXPECT_EQ(data::Vocabulary::from_counts(counts, {.min_frequency = 2}).tokens(),
            data::Vocabulary::build(kDocuments, {.min_frequency = 2}).tokens());
}

TEST(Vocabulary, RejectsBadOptionsAndTokens) {
  EXPECT_CONTAINS(error_of([] { data::Vocabulary::build(kDocuments, {.min_frequency = 0}); }),
                  "min_frequency 0; expected at least 1");
  EXPECT_CONTAINS(error_of([] { data::Vocabulary::build(kDocuments, {.max_size = 1}); }),
                  "max_size 1; expected at least 2 (<pad> and <unk>)");
  EXPECT_CONTAINS(error_of([] { data::Vocabulary::build({{"ok", ""}}); }), "an empty token");
  EXPECT_CONTAINS(error_of([] { data::Vocabulary::build({{"two\nlines"}}); }),
                  "a token with a line break");
}

TEST(Vocabulary, ConstructorChecksItsTokens) {
  EXPECT_EQ(data::Vocabulary({"<pad>", "<unk>", "b", "a"}).id("a"), 3);
  EXPECT_CONTAINS(error_of([] {
                    data::Vocabulary({"<unk>", "<pad>"});
                  }),
                  "the first tokens are ['<unk>', '<pad>']; expected ['<pad>', '<unk>']");
  EXPECT_CONTAINS(error_of([] { data::Vocabulary(Tokens{}); }), "the first tokens are []");
  EXPECT_CONTAINS(error_of([] {
                    data::Vocabulary({"<pad>", "<unk>", "x", "y", "x"});
                  }),
                  "token 'x' has ids 2 and 4; expected each token once");
  EXPECT_CONTAINS(error_of([] {
                    data::Vocabulary({"<pad>", "<unk>", ""});
                  }),
                  "token 2 is an empty token");
}

TEST(Vocabulary, TokenRejectsIdsOutOfRange) {
  const data::Vocabulary vocabulary = data::Vocabulary::build(kDocuments);
  EXPECT_CONTAINS(error_of([&] { vocabulary.token(7); }), "id 7; expected 0 <= id < 7");
  EXPECT_CONTAINS(error_of([&] { vocabulary.token(-1); }), "id -1; expected 0 <= id < 7");
}

TEST(Vocabulary, EncodePadsAndTruncates) {
  const data::Vocabulary vocabulary = data::Vocabulary::build(kDocuments);
  const Tokens sentence{"the", "dog", "sat", "on", "the", "mat"};
  EXPECT_EQ(vocabulary.encode(sentence, 8), (Ids{2, 1, 4, 1, 2, 6, 0, 0}));
  EXPECT_EQ(vocabulary.encode(sentence, 6), (Ids{2, 1, 4, 1, 2, 6}));
  EXPECT_EQ(vocabulary.encode(sentence, 3), (Ids{2, 1, 4}));  // the first tokens are kept
  EXPECT_EQ(vocabulary.encode({}, 2), (Ids{0, 0}));
  EXPECT_EQ(vocabulary.encode(sentence, 0), Ids{});
  EXPECT_CONTAINS(error_of([&] { vocabulary.encode(sentence, -1); }), "length -1; expected >= 0");
}

TEST(Vocabulary, SavesOneTokenPerLineAndLoadsItBack) {
  TempDir dir;
  const data::Vocabulary vocabulary = data::Vocabulary::build(kDocuments, {.min_frequency = 2});
  vocabulary.save(dir / "vocab.txt");
  EXPECT_EQ(read_text(dir / "vocab.txt"), "<pad>\n<unk>\nthe\ncat\nsat\n");
  EXPECT_EQ(data::Vocabulary::load(dir / "vocab.txt").tokens(), vocabulary.tokens());
  // Saving again replaces the file and leaves no temporary file behind.
  data::Vocabulary().save(dir / "vocab.txt");
  EXPECT_EQ(read_text(dir / "vocab.txt"), "<pad>\n<unk>\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(Vocabulary, LoadAcceptsCrLfAndAMissingFinalNewline) {
  TempDir dir;
  write_text(dir / "v", "<pad>\r\n<unk>\r\nhello\r\nworld");
  const data::Vocabulary vocabulary = data::Vocabulary::load(dir / "v");
  EXPECT_EQ(vocabulary.tokens(), (Tokens{"<pad>", "<unk>", "hello", "world"}));
  EXPECT_EQ(vocabulary.id("world"), 3);
}

TEST(Vocabulary, SaveReportsAMissingDirectory) {
  TempDir dir;
  const fs::path path = dir / "absent" / "vocab.txt";
  const std::string message = error_of([&] { data::Vocabulary().save(path); });
  EXPECT_CONTAINS(message, "Vocabulary::save: " + path.string());
  EXPECT_CONTAINS(message, "No such file or directory");
}

TEST(Vocabulary, LoadRejectsCorruptFiles) {
  TempDir dir;
  const auto load_error = [&](const std::string& text) {
    write_text(dir / "corrupt.txt", text);
    const std::string message = error_of([&] { data::Vocabulary::load(dir / "corrupt.txt"); });
    EXPECT_CONTAINS(message, "Vocabulary::load: " + (dir / "corrupt.txt").string() + ": ");
    return message;
  };
  EXPECT_CONTAINS(load_error(""), "the file is empty; expected '<pad>' and '<unk>'");
  EXPECT_CONTAINS(load_error("<pad>\n"), "only 1 line; expected '<pad>' and '<unk>'");
  EXPECT_CONTAINS(load_error("<unk>\n<pad>\n"), "line 1 is '<unk>'; expected '<pad>'");
  EXPECT_CONTAINS(load_error("<pad>\nthe\n<unk>\n"), "line 2 is 'the'; expected '<unk>'");
  EXPECT_CONTAINS(load_error("<pad>\n<unk>\na\n\nb\n"),
                  "line 4 is empty; expected one token per line");
  EXPECT_CONTAINS(load_error("<pad>\n<unk>\na\nb\na\n"),
                  "line 5 repeats the token 'a' of line 3; expected each token once");
  EXPECT_CONTAINS(load_error("<pad>\n<unk>\n<pad>\n"), "line 3 repeats the token '<pad>'");
  EXPECT_CONTAINS(load_error("<pad>\n<unk>\nx\ry\n"), "a token with a line break");
  EXPECT_CONTAINS(
      load_error("<pad>\n<unk>\n" + std::string(100, 'z') + "\n" + std::string(100, 'z') + "\n"),
      "'" + std::string(40, 'z') + "...'");
}

TEST(Vocabulary, LoadReportsAMissingFile) {
  TempDir dir;
  const std::string message = error_of([&] { data::Vocabulary::load(dir / "none.txt"); });
  EXPECT_CONTAINS(message, (dir / "none.txt").string());
  EXPECT_CONTAINS(message, "cannot open: No such file or directory");
}

RC_GTEST_PROP(VocabularyProperties, IgnoresTheOrderOfDocumentsAndTokens, ()) {
  const auto documents = *rc::gen::container<std::vector<Tokens>>(
      rc::gen::container<Tokens>(rc::gen::elementOf(Tokens{"a", "b", "c", "d", "e", "f", "g"})));
  const auto min_frequency = *rc::gen::inRange<std::int64_t>(1, 4);
  const auto max_size = *rc::gen::inRange<std::int64_t>(2, 10);
  Tokens all;
  for (const Tokens& document : documents) all.insert(all.end(), document.begin(), document.end());
  Tokens shuffled = all;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(*rc::gen::arbitrary<unsigned>()));
  const data::VocabularyOptions options{.min_frequency = min_frequency, .max_size = max_size};
  const data::Vocabulary a = data::Vocabulary::build(documents, options);
  const data::Vocabulary b = data::Vocabulary::build({shuffled}, options);
  RC_ASSERT(a.tokens() == b.tokens());
  RC_ASSERT(a.size() <= max_size);
  // Every kept token is frequent enough; a frequent enough token is dropped only when the
  // vocabulary is full, and then it is no more frequent than the last one kept.
  const auto count = [&](const std::string& token) {
    return static_cast<std::int64_t>(std::count(all.begin(), all.end(), token));
  };
  for (std::int64_t id = 2; id < a.size(); ++id) RC_ASSERT(count(a.token(id)) >= min_frequency);
  for (const std::string& token : Tokens{"a", "b", "c", "d", "e", "f", "g"}) {
    if (a.id(token) != data::Vocabulary::kUnk || count(token) < min_frequency) continue;
    RC_ASSERT(a.size() == max_size);
    if (a.size() > 2) RC_ASSERT(count(token) <= count(a.token(a.size() - 1)));
  }
}

RC_GTEST_PROP(VocabularyProperties, SaveLoadRoundTrips, ()) {
  const auto words = *rc::gen::container<Tokens>(
      rc::gen::nonEmpty(rc::gen::container<std::string>(rc::gen::suchThat(
          rc::gen::arbitrary<char>(), [](char c) { return c != '\n' && c != '\r'; }))));
  TempDir dir;
  const data::Vocabulary vocabulary = data::Vocabulary::build({words});
  vocabulary.save(dir / "v.txt");
  RC_ASSERT(data::Vocabulary::load(dir / "v.txt").tokens() == vocabulary.tokens());
}

RC_GTEST_PROP(VocabularyProperties, EncodeKeepsTheFirstTokensThenPads, ()) {
  const auto tokens = *rc::gen::container<Tokens>(rc::gen::elementOf(Tokens{"the", "x", "cat"}));
  const auto length = *rc::gen::inRange<std::int64_t>(0, 20);
  const data::Vocabulary vocabulary = data::Vocabulary::build(kDocuments);
  const Ids ids = vocabulary.encode(tokens, length);
  RC_ASSERT(static_cast<std::int64_t>(ids.size()) == length);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    RC_ASSERT(ids[i] == (i < tokens.size() ? vocabulary.id(tokens[i]) : data::Vocabulary::kPad));
  }
}
