// RunDirectory — where one training run writes its results.
//
// open() creates the directory (and its parents) or accepts an existing empty one, and proves it is
// writable before any training starts; it throws minitorch::Error naming the path and the reason
// otherwise. Files are written atomically (io::write_file_atomically: a temporary file in the same
// directory, fsync'ed, then renamed over the target), so a reader never sees a half-written file.
// metrics.jsonl grows by whole lines, each written and flushed at once.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "minitorch/io/atomic_file.h"

namespace minitorch::app {

// The library's atomic writer (temporary file + fsync + rename); Error with the path and reason.
using io::write_file_atomically;

class RunDirectory {
 public:
  static RunDirectory open(const std::filesystem::path& path);
  // A fresh directory under parent named "<stem>-YYYYmmdd-HHMMSS" (suffixed -2, -3, ... if taken).
  // The directory of an earlier run (it must hold config.json), to resume, evaluate or predict.
  static RunDirectory open_existing(const std::filesystem::path& path);
  static RunDirectory create_unique(const std::filesystem::path& parent, const std::string& stem);

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path file(const std::string& name) const { return path_ / name; }

  void write_text(const std::string& name, const std::string& text) const;
  void write_json(const std::string& name, const nlohmann::json& value) const;
  void append_json_line(const std::string& name, const nlohmann::json& value) const;

 private:
  explicit RunDirectory(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace minitorch::app
