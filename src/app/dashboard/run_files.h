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
// writer_alive(run_dir): the pid in run_dir/.lock names a running process (the run is training).
// A stale lock (its process gone) or none reads as false.
#pragma once

#include <cstddef>
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

// Reads the file's whole text; false when it cannot be read.
bool read_text(const std::filesystem::path& file, std::string& text);

}  // namespace minitorch::app::dashboard
