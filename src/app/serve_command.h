// `minitorch serve`: the trained models of one or more run directories behind an HTTP endpoint
// (serve::Server: the Open Inference Protocol, /predict, /metrics, /openapi.json).
//
// Each --run is served under its --name, in order, or else its directory's name. The server
// prints one line with its address on standard output when it is ready, logs one JSON line per
// request on standard error (or --log-file), and stops on SIGINT or SIGTERM after answering the
// requests it has read, exiting 0. A run that cannot be loaded, an address that cannot be bound,
// or an unreadable token or log file is an Error (exit 1); bad flags exit 2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace minitorch::app {

struct ServeOptions {
  std::vector<std::string> runs;
  std::vector<std::string> names;
  std::string host = "127.0.0.1";
  int port = 8080;
  int threads = 0;  // 0: every core
  int http_threads = 64;
  std::int64_t max_batch_size = 32;
  std::int64_t max_queue_delay_us = 500;
  std::int64_t max_queue_rows = 1024;
  std::size_t max_body_bytes = std::size_t(16) << 20;
  std::string token_file;
  std::string log_file;
};

void add_serve_command(CLI::App& app, ServeOptions& options);
int run_serve(const ServeOptions& options);

}  // namespace minitorch::app
