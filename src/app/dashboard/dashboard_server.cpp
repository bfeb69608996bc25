#include "app/dashboard/dashboard_server.h"

#include <malloc.h>

#include <atomic>
#include <charconv>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "app/checkpoint.h"
#include "app/dashboard/assets.h"
#include "app/dashboard/boundary.h"
#include "app/dashboard/data_view.h"
#include "app/dashboard/inspection.h"
#include "app/dashboard/model_view.h"
#include "app/dashboard/run_files.h"
#include "app/dashboard/run_store.h"
#include "app/dashboard/sweep_view.h"
#include "app/dashboard/view_cache.h"
#include "app/served_run.h"
#include "minitorch/serve/http_service.h"
#include "minitorch/serve/predict_request.h"

namespace minitorch::app::dashboard {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using serve::HttpError;

constexpr std::size_t kCachedViews = 32;
constexpr std::size_t kCachedClassifiers = 4;

std::string required_param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) {
    throw HttpError(400, std::string("missing query parameter '") + name + "'; expected ?" + name +
                             "=<id relative to the runs directory>");
  }
  return req.get_param_value(name);
}

long long int_param(const httplib::Request& req, const char* name, long long fallback,
                    long long lowest, long long highest) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < lowest ||
      value > highest) {
    throw HttpError(400, std::string("query parameter ") + name + "='" + text +
                             "'; expected an integer from " + std::to_string(lowest) + " to " +
                             std::to_string(highest));
  }
  return value;
}

// What a cached answer was computed from: the files' mtimes and sizes.
std::string stamp_of(const fs::path& dir, std::initializer_list<const char*> names) {
  std::string stamp;
  for (const char* name : names) {
    std::error_code error;
    const auto time = fs::last_write_time(dir / name, error);
    const auto size = error ? 0 : fs::file_size(dir / name, error);
    stamp += std::to_string(error ? -1 : time.time_since_epoch().count()) + ":" +
             std::to_string(size) + ";";
  }
  return stamp;
}

void require_model(const fs::path& dir, const std::string& id) {
  for (const char* name : {kModelFile, "vocab.txt", "config.json"}) {
    const std::string problem = not_regular_problem(dir / name);
    if (!problem.empty()) throw HttpError(400, "run '" + id + "': " + problem);
  }
  std::error_code error;
  if (!fs::is_regular_file(fs::symlink_status(dir / kModelFile, error))) {
    throw HttpError(404, "run '" + id + "' has no " + std::string(kModelFile) +
                             " (yet); expected a finished `minitorch train`");
  }
}

// Assets change only with the program; the page itself is asked for afresh, so a new build's
// page never runs against an old script.
void answer_asset(httplib::Response& res, const std::string& name) {
  const Asset* asset = find_asset(name);
  if (!asset) {
    throw HttpError(404, "no asset '" + name + "'; the page's files are under /assets/");
  }
  res.set_header("Cache-Control", name == "index.html" ? "no-cache" : "public, max-age=3600");
  res.set_content(std::string(asset->body), std::string(asset->content_type));
}

// compute() on a thread of its own: the tensor library keeps freed buffers in a per-thread cache
// (tens of MiB after a data set), which a thread that ends gives back and a server thread would
// keep for good.
json on_own_thread(const std::function<json()>& compute) {
  json value;
  std::exception_ptr failure;
  std::thread worker([&] {
    try {
      value = compute();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  worker.join();
  if (failure) std::rethrow_exception(failure);
  return value;
}

// The page loads only its own files; uPlot sets inline styles and the plots are exported as blob:
// and data: images.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'";

// The Host names a browser uses for this server. Any other Host is a page of another site whose
// name was made to resolve to this machine (DNS rebinding): it must not read the runs.
bool host_allowed(const std::string& requested, const std::string& bound_host, int port) {
  const std::string suffix = ":" + std::to_string(port);
  const std::string bound =
      bound_host.find(':') != std::string::npos ? "[" + bound_host + "]" : bound_host;
  for (const std::string& name :
       {bound, std::string("localhost"), std::string("127.0.0.1"), std::string("[::1]")}) {
    if (requested == name + suffix) return true;
  }
  return false;
}

void answer(httplib::Response& res, const json& value) {
  serve::answer_json(res, 200, value.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

struct DashboardServer::Impl {
  explicit Impl(const DashboardOptions& options)
      : store(options.runs), service(http_options(options)), host(options.host) {
    add_routes();
  }

  static serve::HttpOptions http_options(const DashboardOptions& options) {
    serve::HttpOptions http;
    http.host = options.host;
    http.port = options.port;
    http.http_threads = options.http_threads;
    http.failure_prefix = "";
    http.not_found_hint = "the dashboard answers GET /, /assets/<name> and /api/...";
    return http;
  }

  void get(const std::string& pattern, const std::string& endpoint, serve::HttpHandler handler) {
    service.add_route(
        {pattern, endpoint, {{"GET", guarded(std::move(handler))}}, /*needs_token=*/false});
  }

  // Every answer gets the security headers; a request for another Host is refused.
  serve::HttpHandler guarded(serve::HttpHandler handler) {
    return
        [this, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
          res.set_header("Content-Security-Policy", kContentSecurityPolicy);
          res.set_header("X-Content-Type-Options", "nosniff");
          const std::string requested = req.get_header_value("Host");
          const int port = bound_port.load();
          if (!host_allowed(requested, host, port)) {
            throw HttpError(403, "Host '" + requested + "' is not this dashboard's; expected " +
                                     host + ":" + std::to_string(port) +
                                     ", localhost:" + std::to_string(port) +
                                     " or 127.0.0.1:" + std::to_string(port));
          }
          handler(req, res);
        };
  }

  // A view computed from the run's files, cached by their stamps; one computation at a time,
  // since each may load a whole data set.
  json cached_view(const std::string& key, const fs::path& dir,
                   const std::function<json()>& compute) {
    const std::string stamp = stamp_of(dir, {"config.json", kModelFile, "vocab.txt"});
    if (std::optional<json> cached = views.find(key, stamp)) return std::move(*cached);
    std::lock_guard lock(heavy_work);
    // Identical requests wait here in turn: the first one's answer, kept before the lock is
    // released, serves the others.
    if (std::optional<json> done = views.find(key, stamp)) return std::move(*done);
    json view = on_own_thread(compute);
    // The data set just dropped would otherwise stay in malloc's free lists, resident.
    ::malloc_trim(0);
    views.put(key, stamp, view);
    return view;
  }

  std::shared_ptr<const serve::Classifier> classifier(const std::string& id, const fs::path& dir) {
    require_model(dir, id);
    return classifiers.get(id, stamp_of(dir, {kModelFile, "vocab.txt"}),
                           [&] { return load_served_run(dir); });
  }

  void add_routes() {
    get("/", "page", [](const auto&, auto& res) { answer_asset(res, "index.html"); });
    get("/assets/(.+)", "assets",
        [](const auto& req, auto& res) { answer_asset(res, req.matches[1].str()); });
    get("/api/runs", "runs", [this](const auto&, auto& res) { answer(res, store.list()); });
    get("/api/run", "run",
        [this](const auto& req, auto& res) { answer(res, store.run(required_param(req, "run"))); });
    get("/api/metrics", "metrics", [this](const auto& req, auto& res) {
      const std::string id = required_param(req, "run");
      const auto since = int_param(req, "since", 0, 0, 1LL << 40);
      answer(res, store.metrics(id, static_cast<std::size_t>(since)));
    });
    get("/api/data", "data", [this](const auto& req, auto& res) {
      const std::string id = required_param(req, "run");
      const int per_class = int(int_param(req, "per_class", 8, 1, 32));
      const fs::path dir = store.run_dir(id);
      answer(res, cached_view("data|" + id + "|" + std::to_string(per_class), dir,
                              [&] { return data_view(load_run_data(dir), per_class); }));
    });
    get("/api/inspection", "inspection", [this](const auto& req, auto& res) {
      const std::string id = required_param(req, "run");
      const int per_class = int(int_param(req, "per_class", 5, 1, 20));
      const fs::path dir = store.run_dir(id);
      const auto model = classifier(id, dir);
      answer(res, cached_view("inspection|" + id + "|" + std::to_string(per_class), dir, [&] {
               return inspection_view(load_run_data(dir), *model, per_class);
             }));
    });
    get("/api/model", "model", [this](const auto& req, auto& res) {
      const std::string id = required_param(req, "run");
      const fs::path dir = store.run_dir(id);
      require_model(dir, id);
      answer(res, cached_view("model|" + id, dir, [&] { return model_view(dir); }));
    });
    get("/api/graph", "graph", [this](const auto& req, auto& res) {
      const std::string id = required_param(req, "run");
      const fs::path dir = store.run_dir(id);
      require_model(dir, id);
      answer(res,
             cached_view("graph|" + id, dir, [&] { return graph_view(dir, load_run_data(dir)); }));
    });
    get("/api/boundary", "boundary", [this](const auto& req, auto& res) {
      const std::string id = required_param(req, "run");
      const int grid = int(int_param(req, "grid", 50, 2, 200));
      const fs::path dir = store.run_dir(id);
      const json run = store.run(id);
      if (run["kind"] != "2d") {
        throw HttpError(400, "run '" + id + "' is a run of kind " + run["kind"].dump() +
                                 "; the decision boundary is drawn for 2d runs only");
      }
      const auto model = classifier(id, dir);
      answer(res, cached_view("boundary|" + id + "|" + std::to_string(grid), dir,
                              [&] { return boundary_view(load_run_data(dir), *model, grid); }));
    });
    get("/api/sweep", "sweep", [this](const auto& req, auto& res) {
      const std::string id = required_param(req, "sweep");
      answer(res, sweep_view(store.root(), id));
    });
    service.add_route(
        {"/api/predict",
         "predict",
         {{"POST", guarded([this](const auto& req, auto& res) { predict(req, res); })}},
         /*needs_token=*/false});
  }

  void predict(const httplib::Request& req, httplib::Response& res) {
    const std::string id = required_param(req, "run");
    const auto model = classifier(id, store.run_dir(id));
    const serve::PredictRequest request = serve::read_predict_request(*model, req);
    std::vector<float> probabilities;
    for (const double p : model->probabilities(request.rows).to_vector()) {
      probabilities.push_back(static_cast<float>(p));
    }
    answer(res, serve::predict_answer(request, *model, probabilities));
  }

  RunStore store;
  serve::HttpService service;
  ViewCache<json> views{kCachedViews};
  ViewCache<std::shared_ptr<const serve::Classifier>> classifiers{kCachedClassifiers};
  std::mutex heavy_work;
  std::string host;
  std::atomic<int> bound_port{0};
};

DashboardServer::DashboardServer(const DashboardOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}
DashboardServer::~DashboardServer() = default;

int DashboardServer::bind() {
  const int port = impl_->service.bind();
  impl_->bound_port = port;
  return port;
}
void DashboardServer::run() {
  impl_->service.run();
}
void DashboardServer::stop() {
  impl_->service.stop();
}

}  // namespace minitorch::app::dashboard
