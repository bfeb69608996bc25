// RunDirectory — where one training run writes its results.
//
// A run directory has one writer at a time. open() and create_unique() claim a new or empty
// directory for a new run, open_to_resume() an existing run to continue it; each holds an
// exclusive lock (flock on "<dir>/.lock", which records the holder's pid) for as long as any copy
// of the RunDirectory lives, and throws minitorch::Error naming the holder's pid when another
// process has it. The kernel drops the lock when its process ends, however it ends, so a lock file
// left by a killed run blocks nobody. The emptiness check runs under the lock, so two runs started
// together on one directory cannot both claim it. open_existing() is for readers (eval, predict)
// and takes no lock.
//
// Files are written atomically (io::write_file_atomically: a temporary file in the same directory,
// fsync'ed, then renamed over the target), so a reader never sees a half-written file.
// metrics.jsonl grows by whole lines, each written at once and fsync'ed.
// remove_stale_temporaries() deletes the temporary files ("<name>.tmp.<pid>.<n>") that processes
// no longer running left behind when they were killed mid-write.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "minitorch/io/atomic_file.h"

namespace minitorch::app {

// The library's atomic writer (temporary file + fsync + rename); Error with the path and reason.
using io::write_file_atomically;

// The exclusive right to write one run directory; released when destroyed.
class RunLock {
 public:
  static constexpr const char* kFileName = ".lock";
  // Locks directory/.lock (creating it) without waiting; Error naming the holder otherwise.
  static std::shared_ptr<RunLock> acquire(const std::filesystem::path& directory);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_;
};

class RunDirectory {
 public:
  // A new or empty directory (created with its parents), locked for this run.
  static RunDirectory open(const std::filesystem::path& path);
  // A fresh directory under parent named "<stem>-YYYYmmdd-HHMMSS" (suffixed -2, -3, ... if taken),
  // created exclusively and locked for this run.
  static RunDirectory create_unique(const std::filesystem::path& parent, const std::string& stem);
  // The directory of an earlier run (it must hold config.json), to evaluate or predict.
  static RunDirectory open_existing(const std::filesystem::path& path);
  // The directory of an earlier run, locked to continue it.
  static RunDirectory open_to_resume(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path file(const std::string& name) const { return path_ / name; }

  void write_text(const std::string& name, const std::string& text) const;
  void write_json(const std::string& name, const nlohmann::json& value) const;
  void append_json_line(const std::string& name, const nlohmann::json& value) const;
  // Removes what write_file_atomically left behind in processes that died; returns the removed.
  std::vector<std::filesystem::path> remove_stale_temporaries() const;

 private:
  explicit RunDirectory(std::filesystem::path path) : path_(std::move(path)) {}
  static RunDirectory claim_empty(const std::filesystem::path& path);
  std::filesystem::path path_;
  std::shared_ptr<RunLock> lock_;  // shared: copies of a RunDirectory hold the one lock
};

}  // namespace minitorch::app
