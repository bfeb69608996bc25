// DashboardServer — `minitorch dashboard`'s HTTP server: the JSON API over the runs under one
// directory (RunStore and the views) and the single-page app's embedded assets, on
// serve::HttpService. The API's contract, route by route:
//   GET  /api/runs                          RunStore::list()
//   GET  /api/run?run=ID                    RunStore::run(ID)
//   GET  /api/metrics?run=ID&since=N        RunStore::metrics(ID, N), N >= 0 (default 0)
//   GET  /api/data?run=ID&per_class=K       data_view, K in [1, 32] (default 8)
//   GET  /api/inspection?run=ID&per_class=K inspection_view, K in [1, 20] (default 5)
//   GET  /api/model?run=ID                  model_view
//   GET  /api/graph?run=ID                  graph_view
//   GET  /api/boundary?run=ID&grid=G        boundary_view, 2-D runs only (400 otherwise), G in
//                                           [2, 200] (default 50)
//   POST /api/predict?run=ID&top_k=K&resize=0|1  the body and answer of `minitorch serve`'s
//                                           POST /v2/models/{name}/predict (predict_request.h)
//   GET  /api/sweep?sweep=ID                sweep_view
//   GET  /  and  GET /assets/NAME           the app's embedded files (assets.h)
// Errors are {"error": "..."}: 400 for a malformed parameter or run id, 404 for a run, sweep or
// file that is not there (a run without model.safetensors for the model views), 405 for another
// method, 500 for a failure while answering (e.g. the run's data set is not installed); 400 for a
// model view of a run whose model.safetensors, vocab.txt or config.json is not a regular file (a
// symlink could point anywhere). A request whose Host header is not HOST:PORT, localhost:PORT,
// 127.0.0.1:PORT or [::1]:PORT is refused with 403 (DNS rebinding); the routes' answers carry a
// Content-Security-Policy (the page's own files only) and X-Content-Type-Options: nosniff.
// Nothing big stays resident between requests: data sets and models are loaded per request (one
// heavy computation at a time), and only the small answers are cached (ViewCache, at most a few
// classifiers), keyed by the mtimes and sizes of the files they came from.
#pragma once

#include <memory>
#include <string>

namespace minitorch::app::dashboard {

struct DashboardOptions {
  std::string runs;  // DIR; must be an existing directory
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: a free one
  int http_threads = 8;
};

class DashboardServer {
 public:
  explicit DashboardServer(const DashboardOptions& options);
  ~DashboardServer();
  DashboardServer(const DashboardServer&) = delete;
  DashboardServer& operator=(const DashboardServer&) = delete;

  int bind();  // the port; Error naming the address when it cannot be bound
  void run();  // serves until stop()
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace minitorch::app::dashboard
