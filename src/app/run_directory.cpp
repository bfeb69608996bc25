#include "minitorch/app/run_directory.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include "minitorch/core/error.h"

namespace minitorch::app {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void fail(const fs::path& path, const std::string& what, const std::string& reason) {
  throw Error("cannot " + what + " '" + path.string() + "': " + reason);
}

void write_all(int fd, const std::string& text, const fs::path& path) {
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string reason = std::strerror(errno);
      ::close(fd);
      fail(path, "write", reason);
    }
    written += static_cast<std::size_t>(n);
  }
}

std::string timestamp_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &local);
  return text;
}

}  // namespace

RunDirectory RunDirectory::open(const fs::path& path) {
  std::error_code error;
  if (fs::exists(path, error)) {
    if (!fs::is_directory(path, error)) fail(path, "use run directory", "it is not a directory");
    if (!fs::is_empty(path, error)) {
      fail(path, "use run directory",
           "it already exists and is not empty; expected a new or empty directory");
    }
  } else {
    fs::create_directories(path, error);
    if (error) fail(path, "create run directory", error.message());
  }
  // Prove the directory is writable now rather than after a long training run.
  RunDirectory run(path);
  const fs::path probe = path / ".write-test";
  write_file_atomically(probe, "");
  fs::remove(probe, error);
  return run;
}

RunDirectory RunDirectory::create_unique(const fs::path& parent, const std::string& stem) {
  const std::string base = stem + "-" + timestamp_now();
  fs::path candidate = parent / base;
  std::error_code error;
  for (int suffix = 2; fs::exists(candidate, error); ++suffix) {
    candidate = parent / (base + "-" + std::to_string(suffix));
  }
  return open(candidate);
}

RunDirectory RunDirectory::open_existing(const fs::path& path) {
  std::error_code error;
  if (!fs::is_directory(path, error)) {
    fail(path, "open run directory", "it does not exist or is not a directory");
  }
  if (!fs::exists(path / "config.json", error)) {
    fail(path, "open run directory", "it has no config.json; expected a run directory of train");
  }
  return RunDirectory(path);
}

void RunDirectory::write_text(const std::string& name, const std::string& text) const {
  write_file_atomically(file(name), text);
}

void RunDirectory::write_json(const std::string& name, const nlohmann::json& value) const {
  write_text(name, value.dump(2) + "\n");
}

void RunDirectory::append_json_line(const std::string& name, const nlohmann::json& value) const {
  const fs::path path = file(name);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) fail(path, "append to", std::strerror(errno));
  write_all(fd, value.dump() + "\n", path);
  ::close(fd);
}

}  // namespace minitorch::app
