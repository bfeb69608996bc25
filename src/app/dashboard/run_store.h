// RunStore — the runs and sweeps under the dashboard's root directory DIR, as /api/runs,
// /api/run and /api/metrics answer them (routes in dashboard_server.h).
//
// A directory is a run when it holds config.json or metrics.jsonl, a sweep when it holds
// sweep.json (its trials are runs below it). list() descends at most 4 levels below DIR, never
// into a symlink, nor into a run, and lists at most 10,000 runs ("truncated": true beyond); it
// looks at no more than 200,000 directory entries, so a huge directory cannot hang it.
// Every run is described without throwing: missing, truncated, invalid or being-written files
// become "problems" and a "broken" status, while whatever could be read is still listed.
// Descriptions are cached by the (mtime, size) of the files they were read from, so listing
// 500 unchanged runs costs a few stat calls each; only the liveness of a run's writer (.lock) is
// checked on every call. Thread-safe: the server calls it from several threads.
//
// run(id), metrics(id, since) and run_dir(id) resolve the id with resolve_under_root (HttpError
// 400 for a malformed id, 404 for a path outside DIR) and throw HttpError 404 when the directory
// is not a run. sweep_dir(id) likewise for sweeps.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace minitorch::app::dashboard {

// What list() looks at: made smaller by the tests.
struct ScanLimits {
  int max_depth = 4;
  std::size_t max_runs = 10'000;
  std::size_t max_entries = 200'000;
};

class RunStore {
 public:
  explicit RunStore(std::filesystem::path root, ScanLimits limits = {});

  const std::filesystem::path& root() const { return root_; }

  nlohmann::json list();
  // One run: the listing's object plus "eval", "files" and "class_names".
  nlohmann::json run(const std::string& id);
  // {"records", "next", "training", "problems"} of metrics.jsonl from complete line `since`.
  nlohmann::json metrics(const std::string& id, std::size_t since);

  std::filesystem::path run_dir(const std::string& id) const;
  std::filesystem::path sweep_dir(const std::string& id) const;

  static bool is_run(const std::filesystem::path& dir);
  static bool is_sweep(const std::filesystem::path& dir);

 private:
  struct FileStamp {
    long long mtime_ns = -1;
    long long size = -1;
    bool operator==(const FileStamp&) const = default;
  };
  struct Cached {
    std::vector<FileStamp> stamps;
    nlohmann::json description;  // without "status" when training is possible: see describe()
  };

  nlohmann::json describe(const std::filesystem::path& dir, const std::string& id,
                          const std::string& sweep);
  nlohmann::json describe_sweep(const std::filesystem::path& dir);
  nlohmann::json read_run(const std::filesystem::path& dir) const;
  void scan(const std::filesystem::path& dir, int depth, const std::string& sweep,
            nlohmann::json& runs, nlohmann::json& sweeps, std::size_t& entries, bool& truncated);

  std::filesystem::path root_;
  std::filesystem::path canonical_root_;
  ScanLimits limits_;
  std::mutex mutex_;
  std::map<std::string, Cached> runs_;
  std::map<std::string, Cached> sweeps_;
};

// The kind of a run's task: "2d", "image" (fashion-mnist, mnist), "text" (spam) or "unknown".
std::string task_kind(const std::string& task);

}  // namespace minitorch::app::dashboard
