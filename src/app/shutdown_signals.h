// ShutdownSignals — SIGINT and SIGTERM as an event one thread waits for, for the long-running
// commands (`minitorch serve`, `minitorch dashboard`) that stop gracefully on either.
//
// While a ShutdownSignals lives, both signals, whichever thread the system delivers them to, write
// a byte on a pipe (a signal handler may do little more than write(2)); wait() blocks until one
// came (true) or release() was called (false). The destructor restores the previous handlers.
// One instance at a time per process. Error when the pipe cannot be created.
#pragma once

#include <signal.h>

namespace minitorch::app {

class ShutdownSignals {
 public:
  ShutdownSignals();
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  bool wait();
  void release();

 private:
  int fds_[2] = {-1, -1};
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace minitorch::app
