#include "minitorch/serve/server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <random>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "serve/endpoints.h"
#include "serve/http_error.h"
#include "serve/request_context.h"

namespace minitorch::serve {

RequestContext& current_request() {
  thread_local RequestContext context;
  return context;
}

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

const char* const kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

// One path of the API with the methods it answers; any other method gets 405.
struct Route {
  std::string pattern;
  std::string endpoint;  // its name in metrics
  std::vector<std::pair<std::string, Handler>> methods;
  bool needs_token = true;
};

std::string error_json(const std::string& message) {
  return json{{"error", message}}.dump();
}

// The message of an error httplib answered itself (no handler ran or none wrote a body).
std::string default_error(const httplib::Request& req, int status, std::size_t max_body_bytes) {
  switch (status) {
    case 400:
      if (!req.method.empty()) {
        return "the request's body did not arrive in full within the read timeout, or is "
               "malformed; "
               "expected as many bytes as Content-Length says";
      }
      return "malformed HTTP request; expected HTTP/1.1 with a valid request line and headers";
    case 404:
      return "no endpoint " + req.method + " " + req.path + "; GET /openapi.json lists them";
    case 413:
      return "the request body is over the limit of " + std::to_string(max_body_bytes) +
             " bytes (--max-body-bytes)";
    case 414:
      return "the request URI is too long";
    default:
      return "the request could not be answered (HTTP " + std::to_string(status) + ")";
  }
}

bool valid_request_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
}

// Constant time in the token's contents: a wrong guess takes as long wherever it differs.
bool same_secret(const std::string& given, const std::string& secret) {
  unsigned char difference = given.size() == secret.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i) {
    difference |= static_cast<unsigned char>(given[i] ^ secret[i % secret.size()]);
  }
  return difference == 0;
}

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
      1000000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[80];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<long long>(micros));
  return text;
}

}  // namespace

struct Server::Impl {
  explicit Impl(ServerOptions options_in)
      : options(std::move(options_in)),
        batcher(options.batching,
                BatchObserver{[this](const std::string& model, std::int64_t rows, double seconds) {
                                metrics.observe_batch(model, rows, seconds);
                              },
                              [this](const std::string& model, std::int64_t rows) {
                                metrics.set_queue_rows(model, rows);
                              }}),
        services{models, batcher, metrics, stopping},
        id_prefix(std::random_device{}()) {
    if (options.http_threads < 1) {
      throw Error("serve::Server: http_threads " + std::to_string(options.http_threads) +
                  "; expected at least 1");
    }
    configure();
  }

  void configure();
  void add_route(const Route& route);
  void dispatch(const Route& route, const Handler& handler, const httplib::Request& req,
                httplib::Response& res);
  bool authorised(const httplib::Request& req) const;
  void log(const httplib::Request& req, const httplib::Response& res);

  ServerOptions options;
  ModelRepository models;
  Metrics metrics;
  Batcher batcher;
  std::atomic<bool> stopping{false};
  Services services;
  httplib::Server http;
  std::uint32_t id_prefix;
  std::atomic<std::uint64_t> next_id{0};
  bool bound = false;
  int listening_socket = -1;
};

void Server::Impl::configure() {
  const int threads = options.http_threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(std::size_t(threads)); };
  http.set_payload_max_length(options.max_body_bytes);
  http.set_read_timeout(options.read_timeout);
  http.set_write_timeout(options.write_timeout);
  http.set_keep_alive_max_count(10000);
  http.set_keep_alive_timeout(options.keep_alive_timeout.count());
  // cpp-httplib listens with a backlog of 5, compiled into the library: a burst of connections
  // overflows it and the dropped handshakes are retried a second later. The listening socket is
  // remembered here, so that bind() can listen again with the system's largest backlog.
  // Connections inherit TCP_NODELAY from the listening socket: without it an answer written in
  // two parts (headers, body) waits for the client's delayed acknowledgement, 40 ms.
  http.set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    const int on = 1;
    ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    listening_socket = sock;
  });
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    RequestContext& context = current_request();
    context = RequestContext{};
    context.started = true;
    context.start = Clock::now();
    const std::string given = req.get_header_value("X-Request-Id");
    if (valid_request_id(given)) {
      context.id = given;
    } else {
      char text[32];
      std::snprintf(text, sizeof text, "%08x-%010llx", id_prefix,
                    static_cast<unsigned long long>(next_id.fetch_add(1)));
      context.id = text;
    }
    res.set_header("X-Request-Id", context.id);
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        if (res.body.empty()) {
          res.set_content(error_json(default_error(req, res.status, options.max_body_bytes)),
                          "application/json");
        }
        return httplib::Server::HandlerResponse::Handled;
      }));
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.set_content(error_json("internal error"), "application/json");
      });
  http.set_logger(
      [this](const httplib::Request& req, const httplib::Response& res) { log(req, res); });

  auto bound_to = [this](void (*handler)(const Services&, const httplib::Request&,
                                         httplib::Response&)) -> Handler {
    return [this, handler](const httplib::Request& req, httplib::Response& res) {
      handler(services, req, res);
    };
  };
  const std::string name = "([A-Za-z0-9_.-]+)";
  // cpp-httplib tries the patterns in order: the busiest first.
  add_route({"/v2/models/" + name + "/infer", "infer", {{"POST", bound_to(infer)}}});
  add_route({"/v2/models/" + name + "/predict", "predict", {{"POST", bound_to(predict)}}});
  add_route({"/v2/health/live",
             "live",
             {{"GET",
               [](const httplib::Request&, httplib::Response& res) {
                 answer_json(res, 200, json{{"live", true}}.dump());
               }}},
             false});
  add_route({"/v2/health/ready",
             "ready",
             {{"GET",
               [this](const httplib::Request&, httplib::Response& res) {
                 const bool ready = !stopping;
                 answer_json(res, ready ? 200 : 503, json{{"ready", ready}}.dump());
               }}},
             false});
  add_route({"/v2", "server_metadata", {{"GET", bound_to(server_metadata)}}});
  add_route({"/v2/models/" + name, "model_metadata", {{"GET", bound_to(model_metadata)}}});
  add_route({"/v2/models/" + name + "/ready", "model_ready", {{"GET", bound_to(model_ready)}}});
  add_route({"/v2/repository/index", "repository_index", {{"POST", bound_to(repository_index)}}});
  add_route({"/v2/repository/models/" + name + "/load", "load", {{"POST", bound_to(load_model)}}});
  add_route(
      {"/v2/repository/models/" + name + "/unload", "unload", {{"POST", bound_to(unload_model)}}});
  add_route(
      {"/metrics", "metrics", {{"GET", [this](const httplib::Request&, httplib::Response& res) {
                                  res.set_content(metrics.text(),
                                                  "text/plain; version=0.0.4; charset=utf-8");
                                }}}});
  add_route(
      {"/openapi.json", "openapi", {{"GET", [](const httplib::Request&, httplib::Response& res) {
                                       answer_json(res, 200, openapi_document());
                                     }}}});
}

void Server::Impl::add_route(const Route& route) {
  std::string allowed;
  for (const auto& [method, handler] : route.methods) {
    allowed += (allowed.empty() ? "" : ", ") + method;
  }
  for (const char* method : kMethods) {
    const auto match = std::find_if(route.methods.begin(), route.methods.end(),
                                    [method](const auto& entry) { return entry.first == method; });
    Handler handler =
        match != route.methods.end()
            ? match->second
            : Handler([allowed, method](const httplib::Request& req, httplib::Response& res) {
                res.set_header("Allow", allowed);
                throw HttpError(405, std::string("method ") + method + " is not allowed on " +
                                         req.path + "; expected " + allowed);
              });
    Handler entry = [this, route, handler](const httplib::Request& req, httplib::Response& res) {
      dispatch(route, handler, req, res);
    };
    const std::string m = method;
    if (m == "GET") http.Get(route.pattern, entry);
    if (m == "POST") http.Post(route.pattern, entry);
    if (m == "PUT") http.Put(route.pattern, entry);
    if (m == "PATCH") http.Patch(route.pattern, entry);
    if (m == "DELETE") http.Delete(route.pattern, entry);
    if (m == "OPTIONS") http.Options(route.pattern, entry);
  }
}

bool Server::Impl::authorised(const httplib::Request& req) const {
  if (!options.token) return true;
  const std::string header = req.get_header_value("Authorization");
  const std::string scheme = "Bearer ";
  if (header.compare(0, scheme.size(), scheme) != 0) return false;
  return same_secret(header.substr(scheme.size()), *options.token);
}

void Server::Impl::dispatch(const Route& route, const Handler& handler, const httplib::Request& req,
                            httplib::Response& res) {
  current_request().endpoint = route.endpoint;
  try {
    if (route.needs_token && !authorised(req)) {
      res.set_header("WWW-Authenticate", "Bearer");
      throw HttpError(401,
                      "missing or wrong bearer token; expected the header "
                      "'Authorization: Bearer <token>' with the server's token");
    }
    handler(req, res);
  } catch (const HttpError& e) {
    if (e.status() == 503) res.set_header("Retry-After", "1");
    answer_json(res, e.status(), error_json(e.what()));
  } catch (const UnknownModel& e) {
    answer_json(res, 404,
                error_json(e.what() + std::string("; GET /v2/repository/index lists the models")));
  } catch (const std::exception& e) {
    answer_json(res, 500, error_json(std::string("inference failed: ") + e.what()));
  }
  // Once stopping, each connection is closed after its answer, so that run() can return.
  if (stopping) res.set_header("Connection", "close");
  // Counted before the answer is written, so a client that reads /metrics after its answer sees
  // its request there (requests httplib answers itself are counted when logged).
  RequestContext& context = current_request();
  metrics.count_request(context.model, context.endpoint, res.status, context.seconds());
  context.counted = true;
}

void Server::Impl::log(const httplib::Request& req, const httplib::Response& res) {
  RequestContext& context = current_request();
  const double seconds = context.seconds();
  if (!context.counted) metrics.count_request(context.model, context.endpoint, res.status, seconds);
  if (options.log) {
    json line{{"time", utc_now()},
              {"request_id", context.id},
              {"method", req.method},
              {"path", req.path},
              {"model", context.model},
              {"status", res.status},
              {"latency_ms", seconds * 1000.0},
              {"batch_size", context.batch_rows}};
    options.log(line.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  context = RequestContext{};
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() {
  stop();
  impl_->batcher.stop();
}

ModelRepository& Server::models() {
  return impl_->models;
}
Metrics& Server::metrics() {
  return impl_->metrics;
}

int Server::bind() {
  const int port = impl_->options.port == 0
                       ? impl_->http.bind_to_any_port(impl_->options.host)
                       : (impl_->http.bind_to_port(impl_->options.host, impl_->options.port)
                              ? impl_->options.port
                              : -1);
  if (port < 0) {
    throw Error("cannot listen on " + impl_->options.host + ":" +
                std::to_string(impl_->options.port) +
                "; expected a local address and a free port (--host, --port; 0 picks one)");
  }
  if (impl_->listening_socket >= 0) ::listen(impl_->listening_socket, SOMAXCONN);
  impl_->bound = true;
  for (const ModelState& state : impl_->models.index()) {
    impl_->metrics.set_model_ready(state.name, state.ready);
  }
  return port;
}

void Server::run() {
  if (!impl_->bound) bind();
  if (!impl_->stopping) impl_->http.listen_after_bind();
  // Every connection has been answered; what the batcher still holds belongs to nobody.
  impl_->batcher.stop();
}

// httplib's own stop() ends every connection at once, dropping those accepted but not read yet.
// Shutting the listening socket down instead makes accept fail, which ends httplib's accept loop;
// its threads then answer every connection already accepted (each closed after its answer, see
// dispatch) before run() returns.
void Server::stop() {
  impl_->stopping = true;
  if (impl_->listening_socket >= 0) {
    // Connections the system has completed but the loop has not accepted yet would be reset with
    // the socket: let the loop take them first (for at most a second, as clients may go on
    // connecting).
    const auto until = Clock::now() + std::chrono::seconds(1);
    pollfd pending{impl_->listening_socket, POLLIN, 0};
    while (impl_->http.is_running() && Clock::now() < until && ::poll(&pending, 1, 0) > 0 &&
           (pending.revents & POLLIN) != 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ::shutdown(impl_->listening_socket, SHUT_RD);
  } else {
    impl_->http.stop();
  }
}

}  // namespace minitorch::serve
