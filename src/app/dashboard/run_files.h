// Reading the files of a run directory while its run may still be writing them, never throwing
// for a bad file: each problem becomes a readable reason ("summary.json: invalid JSON at byte 12
// (...)") for the dashboard to show beside what could be read.
//
// read_json_object(file): the object a JSON file holds; value is null and problem empty when the
// file does not exist; problem names the file and why when it is unreadable, invalid JSON or not
// an object (value null then too).
// read_metrics(file, since): the records of the complete lines of metrics.jsonl (each ending in
// '\n') from line `since` (0-based) on. A torn last line (the writer's line not finished) is
// neither returned nor counted; an invalid line is skipped and named in problems. next is the
// number of complete lines in the file (the `since` of the next call). A missing file has no lines.
// Every file is opened without following a symbolic link and read only when it is a regular file
// (never blocking on a FIFO or reading a device without end): a run's file linking elsewhere
// could otherwise show any file of the machine. metrics.jsonl is read up to kLargestMetricsFile.
// writer_alive(run_dir): some process holds the flock on run_dir/.lock (the run is training), as
// /proc/locks lists it. The pid written in .lock is not used: it outlives its process and may be
// reused. Read-only: never takes the lock, which could make a starting `train` fail. A .lock that
// is not a regular file (a symlink, a FIFO) reads as false.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace minitorch::app::dashboard {

struct JsonRead {
  nlohmann::json value;  // null when missing or unusable
  std::string problem;   // empty when none
};

struct MetricsRead {
  std::vector<nlohmann::json> records;
  std::size_t next = 0;
  std::vector<std::string> problems;
};

JsonRead read_json_object(const std::filesystem::path& file);
MetricsRead read_metrics(const std::filesystem::path& file, std::size_t since);
bool writer_alive(const std::filesystem::path& run_dir);

// metrics.jsonl of a run is far smaller; a larger one is refused, not read on every poll.
constexpr std::uintmax_t kLargestMetricsFile = std::uintmax_t(64) << 20;

struct FileRead {
  bool missing = false;  // the file does not exist
  std::string problem;   // empty when the text was read
};

// Reads a regular file of at most `cap` bytes into text; a symlink, a FIFO, a device or a larger
// file is a problem naming the file and not read.
FileRead read_run_file(const std::filesystem::path& file, std::uintmax_t cap, std::string& text);

// Why the dashboard does not read `file` ("config.json: a symbolic link; ..."), empty when it is a
// regular file or missing.
std::string not_regular_problem(const std::filesystem::path& file);

// Reads the file's whole text (a regular file of at most 64 MiB); false when it cannot be read.
bool read_text(const std::filesystem::path& file, std::string& text);

}  // namespace minitorch::app::dashboard
