// serve::Server — an HTTP inference server for classifiers: the Open Inference Protocol (KServe
// V2) REST API, a plain /predict endpoint, the model-repository extension, Prometheus metrics and
// an OpenAPI document, over cpp-httplib.
//
// Endpoints (GET /openapi.json describes each request and response):
//   GET  /v2/health/live, /v2/health/ready         liveness; readiness (503 while shutting down)
//   GET  /v2                                       server metadata
//   GET  /v2/models/{name}, /v2/models/{name}/ready  model metadata; 200 when ready, 400 when not
//   POST /v2/models/{name}/infer                   V2 inference (serve/v2_codec.h)
//   POST /v2/models/{name}/predict                 an image (PNG / PGM body or multipart upload) or
//                                                  {"texts": [...]} / {"inputs": [[...]]}: top-k
//                                                  JSON
//   POST /v2/repository/index, /v2/repository/models/{name}/load|unload
//   GET  /metrics, /openapi.json
// Every error is a JSON body {"error": "..."} naming what was wrong and what was expected: 400 bad
// request, 401 missing or wrong bearer token (when options.token is set; the health probes need
// none), 404 unknown model or path, 405 wrong method (with Allow), 413 body over
// max_body_bytes, 415 unsupported content type, 503 queue full (with Retry-After) or shutting
// down, 500 a failure of the model.
// Requests are read and answered by http_threads threads; inference runs on the Batcher's
// threads, batched across requests. Each answered request is counted in metrics() and, when
// options.log is set, described by one JSON line (time, request id, method, path, model, status,
// latency, batch size); a request's id is its X-Request-Id header when it sends a valid one
// (letters, digits, '-', '_', '.', up to 64), a fresh one otherwise, and is echoed in the answer.
//
// bind() binds host:port (port 0: a free port) and returns the port, or throws Error naming the
// address. run() serves until stop(); stop() (from any thread, e.g. on a signal) stops accepting,
// lets the requests already read finish, and makes run() return. models() is the repository to
// add models to, before or while serving.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "minitorch/serve/batcher.h"
#include "minitorch/serve/http_service.h"
#include "minitorch/serve/metrics.h"
#include "minitorch/serve/model_repository.h"

namespace minitorch::serve {

// The HTTP layer's options (host, port, threads, limits, token, timeouts, log) and batching.
// failure_prefix is "inference failed: " whatever is set; on_answer, when set, is called after
// the server has counted the request in its metrics.
struct ServerOptions : HttpOptions {
  BatchingOptions batching;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  ModelRepository& models();
  Metrics& metrics();

  int bind();
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The OpenAPI 3.1 document of the server's endpoints, as JSON text.
const std::string& openapi_document();

}  // namespace minitorch::serve
