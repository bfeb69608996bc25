#include "app/dashboard/graphviz.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

extern char** environ;

namespace minitorch::app::dashboard {
namespace {

using Clock = std::chrono::steady_clock;

class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) fds_[0] = fds_[1] = -1;
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  bool ok() const { return fds_[0] >= 0; }
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }
  void close_read() { close_end(0); }
  void close_write() { close_end(1); }

 private:
  void close_end(int i) {
    if (fds_[i] >= 0) ::close(fds_[i]);
    fds_[i] = -1;
  }
  int fds_[2] = {-1, -1};
};

// Writes `input` to the child's stdin and reads its stdout until it closes it or the deadline.
bool exchange(Pipe& in, Pipe& out, const std::string& input, std::string& output,
              Clock::time_point deadline) {
  ::fcntl(in.write_end(), F_SETFL, O_NONBLOCK);
  std::size_t written = 0;
  if (input.empty()) in.close_write();
  char buffer[65536];
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd fds[2] = {{out.read_end(), POLLIN, 0}, {in.write_end(), POLLOUT, 0}};
    const int count = in.write_end() >= 0 ? 2 : 1;
    if (::poll(fds, nfds_t(count), int(left.count())) < 0 && errno != EINTR) return false;
    if (count == 2 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t n = ::write(in.write_end(), input.data() + written, input.size() - written);
      if (n > 0) written += std::size_t(n);
      if (n < 0 && errno != EAGAIN && errno != EINTR) in.close_write();
      if (written == input.size()) in.close_write();
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = ::read(out.read_end(), buffer, sizeof buffer);
      if (n == 0) return true;
      if (n > 0) output.append(buffer, std::size_t(n));
      if (n < 0 && errno != EINTR && errno != EAGAIN) return false;
    }
  }
}

// While alive, SIGPIPE is blocked in this thread, so a program that exits before reading all of
// its input makes the write fail with EPIPE instead of killing the process (only the dashboard's
// command ignores SIGPIPE; tests and other callers do not). A SIGPIPE left pending by such a write
// is consumed before the mask is restored, so it is never delivered afterwards.
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&sigpipe_);
    sigaddset(&sigpipe_, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &sigpipe_, &previous_);
  }
  ~SigpipeBlocked() {
    const timespec no_wait{0, 0};
    while (::sigtimedwait(&sigpipe_, nullptr, &no_wait) == SIGPIPE) {
    }
    ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t sigpipe_{};
  sigset_t previous_{};
};

}  // namespace

SvgLayout render_svg(const std::string& dot, std::chrono::milliseconds timeout,
                     const std::string& program) {
  if (::access(program.c_str(), X_OK) != 0) {
    return {std::nullopt, program + " is not installed (Debian's graphviz draws the graph)"};
  }
  Pipe in, out;
  if (!in.ok() || !out.ok()) return {std::nullopt, "cannot create pipes to run " + program};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read_end(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.write_end(), STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  // The HTTP library's sockets are not close-on-exec: the program must not hold them open.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  std::string arg0 = program, arg1 = "-Tsvg";
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return {std::nullopt, "cannot run " + program};
  in.close_read();
  out.close_write();
  std::string svg;
  const SigpipeBlocked sigpipe_blocked;
  const bool finished = exchange(in, out, dot, svg, Clock::now() + timeout);
  if (!finished) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!finished) {
    return {std::nullopt, program + " took longer than " + std::to_string(timeout.count()) +
                              " ms and was stopped"};
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || svg.empty()) {
    return {std::nullopt, program + " failed on the graph"};
  }
  return {std::move(svg), ""};
}

}  // namespace minitorch::app::dashboard
