// `minitorch dashboard --runs DIR [--host 127.0.0.1] [--port 8080] [--http-threads N]`: the web
// app over the run directories under DIR (dashboard/dashboard_server.h).
//
// The server prints one line with its address on standard output when it is ready,
// "minitorch dashboard: DIR at http://HOST:PORT (SIGINT or SIGTERM stops)", and stops on SIGINT
// or SIGTERM after answering the requests it has read, exiting 0. DIR missing or not a directory
// and bad flags exit 2 naming them; an address that cannot be bound is an Error (exit 1).
#pragma once

#include <CLI/CLI.hpp>

#include "app/dashboard/dashboard_server.h"

namespace minitorch::app {

void add_dashboard_command(CLI::App& app, dashboard::DashboardOptions& options);
int run_dashboard(const dashboard::DashboardOptions& options);

}  // namespace minitorch::app
