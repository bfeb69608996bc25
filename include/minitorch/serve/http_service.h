// serve::HttpService — the HTTP layer every server of the project stands on (the inference server
// serve::Server and the dashboard): cpp-httplib with routes that answer only their methods, JSON
// errors, request ids, bearer-token auth, one log line per request, limits and a graceful stop.
//
// Routes: add_route() before bind(). A route's pattern is a cpp-httplib regular expression (its
// groups are req.matches); any method the route does not list is answered 405 with Allow. Handlers
// throw HttpError for a request they refuse (its status and message become the answer); any other
// exception becomes 500 {"error": failure_prefix + what()}. Paths no route matches are answered
// 404 {"error": "no endpoint METHOD PATH; " + not_found_hint}.
// Every answer carries X-Request-Id: the request's own header when valid (letters, digits, '-',
// '_', '.', up to 64), a fresh id otherwise. With options.token set, every route with needs_token
// wants 'Authorization: Bearer <token>' (compared in constant time), 401 otherwise.
// on_answer (optional) is called once for each answered request with its route's endpoint name
// ("other" when no route matched), status and seconds, before the answer is written for routed
// requests; log (optional) gets one JSON line per request: time, request_id, method, path, model,
// status, latency_ms, batch_size (model and batch size as current_request() holds them).
//
// bind() binds host:port (port 0: a free one) and returns the port, or throws Error naming the
// address; run() serves until stop(); stop() (from any thread, e.g. a signal handler's thread)
// stops accepting, lets the requests already read finish, and makes run() return. While stopping,
// every answer closes its connection.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <httplib.h>

#include "minitorch/serve/http_error.h"

namespace minitorch::serve {

using HttpHandler = std::function<void(const httplib::Request&, httplib::Response&)>;

struct HttpRoute {
  std::string pattern;   // e.g. "/api/runs" or "/v2/models/([A-Za-z0-9_.-]+)/infer"
  std::string endpoint;  // its name in metrics and logs
  std::vector<std::pair<std::string, HttpHandler>> methods;  // {"GET", handler}, ...
  bool needs_token = true;
};

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  int http_threads = 64;  // connections answered at once
  std::size_t max_body_bytes = std::size_t(16) << 20;
  std::optional<std::string> token;
  std::chrono::seconds read_timeout{5};
  std::chrono::seconds write_timeout{5};
  std::chrono::seconds keep_alive_timeout{5};
  std::string failure_prefix = "request failed: ";  // before an unexpected exception's message
  std::string not_found_hint = "GET /openapi.json lists them";
  std::function<void(const std::string& json_line)> log;
  std::function<void(const std::string& endpoint, int status, double seconds)> on_answer;
};

class HttpService {
 public:
  explicit HttpService(HttpOptions options);
  ~HttpService();
  HttpService(const HttpService&) = delete;
  HttpService& operator=(const HttpService&) = delete;

  void add_route(const HttpRoute& route);
  int bind();
  void run();
  void stop();
  bool stopping() const;
  const HttpOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Sets the status and a JSON body.
void answer_json(httplib::Response& res, int status, const std::string& json_text);
// {"error": message} as text.
std::string error_json(const std::string& message);

}  // namespace minitorch::serve
