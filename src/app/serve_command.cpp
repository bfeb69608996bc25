#include "app/serve_command.h"

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "app/served_run.h"
#include "app/shutdown_signals.h"
#include "app/usage_error.h"
#include "minitorch/core/error.h"
#include "minitorch/parallel/parallel.h"
#include "minitorch/serve/server.h"

namespace minitorch::app {
namespace {

namespace fs = std::filesystem;

std::string read_token(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read the token file " + path);
  std::string token((std::istreambuf_iterator<char>(in)), {});
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  const bool printable =
      std::all_of(token.begin(), token.end(), [](unsigned char c) { return std::isgraph(c); });
  if (token.empty() || !printable) {
    throw UsageError("the token file " + path +
                     " holds no token; expected one line of printable characters, no spaces");
  }
  return token;
}

// One JSON line per request, whole lines even when several threads log at once.
class LogSink {
 public:
  explicit LogSink(const std::string& path) {
    if (path.empty()) return;
    file_.open(path, std::ios::app);
    if (!file_) throw Error("cannot open the log file " + path + " for appending");
  }
  void write(const std::string& line) {
    std::lock_guard lock(mutex_);
    std::ostream& out = file_.is_open() ? static_cast<std::ostream&>(file_) : std::cerr;
    out << line << '\n' << std::flush;
  }

 private:
  std::mutex mutex_;
  std::ofstream file_;
};

std::string model_name(const ServeOptions& options, std::size_t i) {
  if (i < options.names.size()) return options.names[i];
  const fs::path run = fs::path(options.runs[i]).lexically_normal();
  return (run.has_filename() ? run.filename() : run.parent_path().filename()).string();
}

}  // namespace

void add_serve_command(CLI::App& app, ServeOptions& options) {
  auto* serve = app.add_subcommand(
      "serve", "Serve trained models over HTTP (Open Inference Protocol / KServe V2)");
  serve->add_option("--run", options.runs, "Run directory of `minitorch train` (repeatable)")
      ->required()
      ->check(CLI::ExistingDirectory);
  serve->add_option("--name", options.names,
                    "Model name for the --run at the same position (default: its directory name)");
  serve->add_option("--host", options.host, "Address to listen on")->capture_default_str();
  serve->add_option("--port", options.port, "Port (0: a free one)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  serve
      ->add_option("--threads", options.threads,
                   "Inference threads, also the kernels' thread count (default: every core)")
      ->check(CLI::Range(1, kMaxThreads));
  serve
      ->add_option("--http-threads", options.http_threads,
                   "Threads reading and answering connections")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  serve
      ->add_option("--max-batch-size", options.max_batch_size,
                   "Most rows gathered into one forward pass")
      ->check(CLI::Range(std::int64_t(1), std::int64_t(1) << 20))
      ->capture_default_str();
  serve
      ->add_option("--max-queue-delay-us", options.max_queue_delay_us,
                   "Longest wait for more requests to batch, in microseconds")
      ->check(CLI::Range(std::int64_t(0), std::int64_t(10'000'000)))
      ->capture_default_str();
  serve
      ->add_option("--max-queue", options.max_queue_rows,
                   "Most rows waiting for inference; beyond, requests get 503")
      ->check(CLI::Range(std::int64_t(1), std::int64_t(1) << 24))
      ->capture_default_str();
  serve
      ->add_option("--max-body-bytes", options.max_body_bytes,
                   "Largest request body; larger ones get 413")
      ->check(CLI::Range(std::size_t(1), std::size_t(1) << 32))
      ->capture_default_str();
  serve
      ->add_option("--token-file", options.token_file,
                   "File holding the bearer token every request but the health probes needs")
      ->check(CLI::ExistingFile);
  serve->add_option("--log-file", options.log_file,
                    "Append the request log here instead of standard error");
}

int run_serve(const ServeOptions& options) {
  if (options.names.size() > options.runs.size()) {
    throw UsageError(std::to_string(options.names.size()) + " --name for " +
                     std::to_string(options.runs.size()) +
                     " --run; expected at most one name per run directory");
  }
  // A closed connection is an error result, not SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  const int threads = options.threads > 0
                          ? options.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  set_num_threads(threads);
  LogSink log(options.log_file);
  serve::ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.http_threads = options.http_threads;
  server_options.batching = {
      .threads = threads,
      .max_batch_size = options.max_batch_size,
      .max_queue_delay = std::chrono::microseconds(options.max_queue_delay_us),
      .max_queue_rows = options.max_queue_rows};
  server_options.max_body_bytes = options.max_body_bytes;
  if (!options.token_file.empty()) server_options.token = read_token(options.token_file);
  server_options.log = [&log](const std::string& line) { log.write(line); };

  serve::Server server(server_options);
  std::string names;
  for (std::size_t i = 0; i < options.runs.size(); ++i) {
    const std::string name = model_name(options, i);
    const fs::path run = options.runs[i];
    server.models().add(name, [run] { return load_served_run(run); });
    names += (names.empty() ? "" : ", ") + name;
  }
  const int port = server.bind();
  ShutdownSignals signals;
  std::thread waiter([&server, &signals] {
    if (signals.wait()) server.stop();
  });
  std::cout << "minitorch serve: " << names << " at http://" << options.host << ":" << port
            << " (SIGINT or SIGTERM stops)" << std::endl;
  server.run();
  signals.release();  // the waiter is still waiting when the server stopped alone
  waiter.join();
  std::cout << "minitorch serve: stopped" << std::endl;
  return 0;
}

}  // namespace minitorch::app
