#include "app/dashboard/run_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <system_error>

namespace minitorch::app::dashboard {
namespace {

namespace fs = std::filesystem;

// A JSON file of a run is small; anything larger is not one we wrote.
constexpr std::uintmax_t kLargestJsonFile = std::uintmax_t(64) << 20;

std::string invalid_json_reason(const nlohmann::json::parse_error& e) {
  return "invalid JSON at byte " + std::to_string(e.byte);
}

std::string mib(std::uintmax_t bytes) {
  return std::to_string(bytes >> 20) + " MiB";
}

// Closes the descriptor on every path out of read_run_file.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

bool read_all(int fd, std::size_t size, std::string& text) {
  text.clear();
  text.reserve(size);
  char buffer[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got == 0) return true;
    if (got < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    text.append(buffer, static_cast<std::size_t>(got));
    if (text.size() > size) return true;  // grew while read: the caller's cap was checked on fstat
  }
}

// The (device, inode) of each FLOCK lock held now, as /proc/locks lists them:
// "3: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF" (major and minor hex, inode decimal).
// Lines of waiters ("3: -> FLOCK ...") hold nothing and are skipped.
bool flock_held_on(dev_t device, ino_t inode) {
  std::ifstream locks("/proc/locks");
  std::string line;
  while (std::getline(locks, line)) {
    char kind[16] = {};
    unsigned int major_number = 0;
    unsigned int minor_number = 0;
    unsigned long long inode_number = 0;
    if (std::sscanf(line.c_str(), "%*[^:]: %15s %*s %*s %*d %x:%x:%llu", kind, &major_number,
                    &minor_number, &inode_number) != 4) {
      continue;
    }
    if (std::string_view(kind) == "FLOCK" && major_number == major(device) &&
        minor_number == minor(device) && inode_number == static_cast<unsigned long long>(inode)) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string not_regular_problem(const fs::path& file) {
  std::error_code error;
  const auto status = fs::symlink_status(file, error);
  if (!fs::exists(status) && !fs::is_symlink(status)) return "";
  if (fs::is_symlink(status)) {
    return file.filename().string() +
           ": a symbolic link; the dashboard reads only regular files inside the runs directory";
  }
  if (!fs::is_regular_file(status)) return file.filename().string() + ": not a regular file";
  return "";
}

FileRead read_run_file(const fs::path& file, std::uintmax_t cap, std::string& text) {
  FileRead result;
  const std::string name = file.filename().string();
  const FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      result.missing = true;
    } else if (errno == ELOOP) {
      result.problem = not_regular_problem(file);
      if (result.problem.empty()) result.problem = name + ": a symbolic link";
    } else {
      result.problem = name + ": cannot be read";
    }
    return result;
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    result.problem = name + ": not a regular file";
    return result;
  }
  const auto size = static_cast<std::uintmax_t>(info.st_size);
  if (size > cap) {
    result.problem = name + ": " + std::to_string(size) + " bytes, larger than the " + mib(cap) +
                     " a run's file may have";
    return result;
  }
  if (!read_all(fd.get(), static_cast<std::size_t>(size), text)) {
    result.problem = name + ": cannot be read";
  }
  return result;
}

bool read_text(const fs::path& file, std::string& text) {
  const FileRead read = read_run_file(file, kLargestJsonFile, text);
  return !read.missing && read.problem.empty();
}

JsonRead read_json_object(const fs::path& file) {
  JsonRead result;
  const std::string name = file.filename().string();
  std::string text;
  const FileRead read = read_run_file(file, kLargestJsonFile, text);
  if (read.missing) return result;
  if (!read.problem.empty()) {
    result.problem = read.problem;
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
  const FileRead read = read_run_file(file, kLargestMetricsFile, text);
  if (read.missing) return result;
  if (!read.problem.empty()) {
    result.problems.push_back(read.problem);
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
  struct stat info {};
  const fs::path lock = run_dir / ".lock";
  if (::lstat(lock.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return false;
  return flock_held_on(info.st_dev, info.st_ino);
}

}  // namespace minitorch::app::dashboard
