#include "app/run_directory.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>
#include <optional>

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

// The pid the lock's holder wrote into the lock file; empty when it has not written it yet.
std::string recorded_pid(int fd) {
  char text[32] = {};
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  if (n <= 0) return {};
  std::string pid(text, static_cast<std::size_t>(n));
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid;
}

void record_own_pid(int fd) {
  const std::string pid = std::to_string(::getpid()) + "\n";
  // The pid only improves another writer's message; failing to record it changes nothing else.
  if (::ftruncate(fd, 0) == 0) (void)::pwrite(fd, pid.data(), pid.size(), 0);
}

// The lock file does not make a directory a run: a claim killed before it wrote anything else
// leaves the directory reusable.
bool holds_nothing_but_the_lock(const fs::path& path) {
  for (const auto& entry : fs::directory_iterator(path)) {
    if (entry.path().filename() != RunLock::kFileName) return false;
  }
  return true;
}

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// The pid in a temporary file name of write_file_atomically, "<name>.tmp.<pid>.<n>".
std::optional<pid_t> temporary_file_owner(const std::string& name) {
  const auto counter_dot = name.rfind('.');
  if (counter_dot == std::string::npos || !all_digits(name.substr(counter_dot + 1))) return {};
  const auto pid_dot = name.rfind('.', counter_dot - 1);
  if (pid_dot == std::string::npos || pid_dot < 4 || name.compare(pid_dot - 4, 4, ".tmp") != 0) {
    return {};
  }
  const std::string pid_text = name.substr(pid_dot + 1, counter_dot - pid_dot - 1);
  pid_t pid = 0;
  const auto [end, error] =
      std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
  if (!all_digits(pid_text) || error != std::errc() || pid <= 0) return {};
  return pid;
}

// EPERM: the process exists but belongs to someone else.
bool process_is_running(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

}  // namespace

std::shared_ptr<RunLock> RunLock::acquire(const fs::path& directory) {
  const fs::path path = directory / kFileName;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) fail(directory, "use run directory", std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const std::string pid = recorded_pid(fd);
    ::close(fd);
    if (error != EWOULDBLOCK) fail(path, "lock", std::strerror(error));
    throw Error("run directory '" + directory.string() + "' is in use by " +
                (pid.empty() ? "another process" : "process " + pid) + ", which holds its lock " +
                path.string() +
                "; one process writes a run directory at a time: wait for that one to finish or "
                "stop it");
  }
  record_own_pid(fd);
  return std::shared_ptr<RunLock>(new RunLock(fd));
}

RunLock::~RunLock() {
  ::close(fd_);
}

RunDirectory RunDirectory::claim_empty(const fs::path& path) {
  RunDirectory run(path);
  run.lock_ = RunLock::acquire(path);  // also proves the directory writable before training
  if (!holds_nothing_but_the_lock(path)) {
    fail(path, "use run directory",
         "it already exists and is not empty; expected a new or empty directory");
  }
  return run;
}

RunDirectory RunDirectory::open(const fs::path& path) {
  std::error_code error;
  if (fs::exists(path, error) && !fs::is_directory(path, error)) {
    fail(path, "use run directory", "it is not a directory");
  }
  fs::create_directories(path, error);
  if (error) fail(path, "create run directory", error.message());
  return claim_empty(path);
}

RunDirectory RunDirectory::create_unique(const fs::path& parent, const std::string& stem) {
  std::error_code error;
  fs::create_directories(parent, error);
  if (error) fail(parent, "create the parent of run directories", error.message());
  const std::string base = stem + "-" + timestamp_now();
  fs::path candidate = parent / base;
  // mkdir fails on a name that exists, so two runs started in the same second get two names.
  for (int suffix = 2; ::mkdir(candidate.c_str(), 0755) != 0; ++suffix) {
    if (errno != EEXIST) fail(candidate, "create run directory", std::strerror(errno));
    candidate = parent / (base + "-" + std::to_string(suffix));
  }
  return claim_empty(candidate);
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

RunDirectory RunDirectory::open_to_resume(const fs::path& path) {
  RunDirectory run = open_existing(path);
  run.lock_ = RunLock::acquire(path);
  return run;
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
  // On disk before the checkpoint that commits its epoch, so that a power cut cannot keep the
  // checkpoint and lose the line.
  if (::fsync(fd) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    fail(path, "flush", reason);
  }
  ::close(fd);
}

// A reader (eval) may be writing its own temporaries here while a writer cleans up, so only the
// files of processes that no longer run are removed.
std::vector<fs::path> RunDirectory::remove_stale_temporaries() const {
  std::vector<fs::path> removed;
  for (const auto& entry : fs::directory_iterator(path_)) {
    const auto owner = temporary_file_owner(entry.path().filename().string());
    if (!owner || process_is_running(*owner)) continue;
    std::error_code error;
    if (fs::remove(entry.path(), error)) removed.push_back(entry.path());
  }
  return removed;
}

}  // namespace minitorch::app
