// FileDescriptor — owns a POSIX file descriptor and closes it when destroyed (a negative one,
// what a failed open returns, is held but never closed). Private to the library's sources.
#pragma once

#include <unistd.h>

#include <utility>

namespace minitorch::detail {

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  // Gives up ownership (e.g. to a library that closes the descriptor itself).
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace minitorch::detail
