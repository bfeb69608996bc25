#include "app/dashboard/run_files.h"

#include <signal.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>
#include <system_error>

namespace minitorch::app::dashboard {
namespace {

namespace fs = std::filesystem;

// A JSON file of a run is small; anything larger is not one we wrote.
constexpr std::uintmax_t kLargestJsonFile = std::uintmax_t(64) << 20;

std::string invalid_json_reason(const nlohmann::json::parse_error& e) {
  return "invalid JSON at byte " + std::to_string(e.byte);
}

}  // namespace

bool read_text(const fs::path& file, std::string& text) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  text = std::move(buffer).str();
  return !in.bad();
}

JsonRead read_json_object(const fs::path& file) {
  JsonRead result;
  const std::string name = file.filename().string();
  std::error_code error;
  const auto status = fs::status(file, error);
  if (!fs::exists(status)) return result;
  if (!fs::is_regular_file(status)) {
    result.problem = name + ": not a regular file";
    return result;
  }
  if (fs::file_size(file, error) > kLargestJsonFile) {
    result.problem = name + ": larger than 64 MiB, not a file of a run";
    return result;
  }
  std::string text;
  if (!read_text(file, text)) {
    result.problem = name + ": cannot be read";
    return result;
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    result.problem = name + ": empty";
    return result;
  }
  try {
    nlohmann::json value = nlohmann::json::parse(text);
    if (!value.is_object()) {
      result.problem = name + ": expected a JSON object, found " + value.type_name();
      return result;
    }
    result.value = std::move(value);
  } catch (const nlohmann::json::parse_error& e) {
    result.problem = name + ": " + invalid_json_reason(e);
  }
  return result;
}

MetricsRead read_metrics(const fs::path& file, std::size_t since) {
  MetricsRead result;
  std::string text;
  std::error_code error;
  if (!fs::exists(file, error)) return result;
  if (!fs::is_regular_file(file, error) || !read_text(file, text)) {
    result.problems.push_back(file.filename().string() + ": cannot be read");
    return result;
  }
  std::size_t start = 0;
  std::size_t line = 0;
  for (std::size_t end = text.find('\n'); end != std::string::npos;
       start = end + 1, end = text.find('\n', start), ++line) {
    if (line < since) continue;
    const std::string_view content(text.data() + start, end - start);
    if (content.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    nlohmann::json record = nlohmann::json::parse(content, nullptr, /*allow_exceptions=*/false);
    if (record.is_object()) {
      result.records.push_back(std::move(record));
    } else {
      result.problems.push_back(file.filename().string() + ": line " + std::to_string(line + 1) +
                                " is not a JSON object");
    }
  }
  result.next = line;
  return result;
}

bool writer_alive(const fs::path& run_dir) {
  std::string text;
  if (!read_text(run_dir / ".lock", text)) return false;
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return false;
  long pid = 0;
  const char* begin = text.data() + first;
  const auto [end, error] = std::from_chars(begin, text.data() + text.size(), pid);
  if (error != std::errc() || end == begin || pid <= 0 || pid > 4'194'304) return false;
  if (::kill(static_cast<pid_t>(pid), 0) == 0) return true;
  return errno == EPERM;  // alive, owned by another user
}

}  // namespace minitorch::app::dashboard
