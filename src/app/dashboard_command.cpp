#include "app/dashboard_command.h"

#include <malloc.h>
#include <signal.h>

#include <iostream>
#include <thread>

#include "app/shutdown_signals.h"

namespace minitorch::app {

void add_dashboard_command(CLI::App& app, dashboard::DashboardOptions& options) {
  auto* dashboard = app.add_subcommand(
      "dashboard", "Web app over the runs and sweeps under a directory (curves, data, models)");
  dashboard->add_option("--runs", options.runs, "Directory holding run directories and sweeps")
      ->required()
      ->check(CLI::ExistingDirectory);
  dashboard->add_option("--host", options.host, "Address to listen on")->capture_default_str();
  dashboard->add_option("--port", options.port, "Port (0: a free one)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  dashboard
      ->add_option("--http-threads", options.http_threads,
                   "Threads reading and answering connections")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
}

int run_dashboard(const dashboard::DashboardOptions& options) {
  // A closed connection is an error result, not SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  // A data set loaded for one request must leave when it is dropped: buffers from 256 KiB up are
  // mapped on their own (glibc would otherwise raise this threshold after the first big free and
  // keep later data sets in its heaps).
  ::mallopt(M_MMAP_THRESHOLD, 256 << 10);
  // One heap for every thread: each connection thread would otherwise keep its own arena, holding
  // what its last answer freed (some 6 MB after listing 500 runs), eight threads over.
  ::mallopt(M_ARENA_MAX, 1);
  dashboard::DashboardServer server(options);
  const int port = server.bind();
  ShutdownSignals signals;
  std::thread waiter([&server, &signals] {
    if (signals.wait()) server.stop();
  });
  std::cout << "minitorch dashboard: " << options.runs << " at http://" << options.host << ":"
            << port << " (SIGINT or SIGTERM stops)" << std::endl;
  server.run();
  signals.release();  // the waiter is still waiting when the server stopped alone
  waiter.join();
  std::cout << "minitorch dashboard: stopped" << std::endl;
  return 0;
}

}  // namespace minitorch::app
