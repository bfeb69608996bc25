#include "app/shutdown_signals.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "minitorch/core/error.h"

namespace minitorch::app {
namespace {

int shutdown_pipe_write_end = -1;

extern "C" void on_shutdown_signal(int) {
  const char signalled = 1;
  [[maybe_unused]] const ssize_t written = ::write(shutdown_pipe_write_end, &signalled, 1);
}

}  // namespace

ShutdownSignals::ShutdownSignals() {
  if (::pipe2(fds_, O_CLOEXEC) != 0) throw Error("cannot create a pipe for the shutdown signals");
  shutdown_pipe_write_end = fds_[1];
  struct sigaction action {};
  action.sa_handler = on_shutdown_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, &old_int_);
  ::sigaction(SIGTERM, &action, &old_term_);
}

ShutdownSignals::~ShutdownSignals() {
  ::sigaction(SIGINT, &old_int_, nullptr);
  ::sigaction(SIGTERM, &old_term_, nullptr);
  shutdown_pipe_write_end = -1;
  ::close(fds_[0]);
  ::close(fds_[1]);
}

bool ShutdownSignals::wait() {
  char byte = 0;
  while (::read(fds_[0], &byte, 1) < 0 && errno == EINTR) {
  }
  return byte == 1;
}

void ShutdownSignals::release() {
  const char released = 0;
  [[maybe_unused]] const ssize_t written = ::write(fds_[1], &released, 1);
}

}  // namespace minitorch::app
