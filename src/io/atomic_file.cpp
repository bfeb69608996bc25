#include "minitorch/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "minitorch/core/error.h"

namespace minitorch::io {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void fail(const fs::path& path, const std::string& step, int error_number) {
  throw Error("cannot write '" + path.string() + "': " + step +
              " failed: " + std::strerror(error_number));
}

// The temporary file: closed and removed on destruction unless commit() renamed it.
class TemporaryFile {
 public:
  explicit TemporaryFile(const fs::path& target) : target_(target) {
    static std::atomic<unsigned> counter{0};
    // O_EXCL: a name left behind by a crashed process, or taken by another thread, is skipped.
    for (int attempt = 0; attempt < 100; ++attempt) {
      path_ = target;
      path_ += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd_ >= 0) return;
      if (errno != EEXIST) break;
    }
    fail(target_, "creating a temporary file", errno);
  }
  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  void write(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail(target_, "writing", errno);
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  void commit() {
    if (::fsync(fd_) != 0) fail(target_, "fsync", errno);
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) fail(target_, "closing", errno);
    if (::rename(path_.c_str(), target_.c_str()) != 0)
      fail(target_, "renaming over the target", errno);
    committed_ = true;
  }

 private:
  fs::path target_;
  fs::path path_;
  int fd_ = -1;
  bool committed_ = false;
};

// Makes the rename itself durable. Failure is not reported: the file is already in place, and
// some file systems do not support syncing a directory.
void sync_directory(const fs::path& target) {
  const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomically(const fs::path& path, std::span<const std::string_view> pieces) {
  TemporaryFile file(path);
  for (const std::string_view piece : pieces) file.write(piece);
  file.commit();
  sync_directory(path);
}

void write_file_atomically(const fs::path& path, std::string_view bytes) {
  write_file_atomically(path, std::span<const std::string_view>(&bytes, 1));
}

}  // namespace minitorch::io
