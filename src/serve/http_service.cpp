#include "minitorch/serve/http_service.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "serve/request_context.h"

namespace minitorch::serve {

RequestContext& current_request() {
  thread_local RequestContext context;
  return context;
}

void answer_json(httplib::Response& res, int status, const std::string& json_text) {
  res.status = status;
  res.set_content(json_text, "application/json");
}

std::string error_json(const std::string& message) {
  return nlohmann::json{{"error", message}}.dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace);
}

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

const char* const kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

// The message of an error httplib answered itself (no handler ran or none wrote a body).
std::string default_error(const httplib::Request& req, int status, const HttpOptions& options) {
  switch (status) {
    case 400:
      if (!req.method.empty()) {
        return "the request's body did not arrive in full within the read timeout, or is "
               "malformed; expected as many bytes as Content-Length says";
      }
      return "malformed HTTP request; expected HTTP/1.1 with a valid request line and headers";
    case 404:
      return "no endpoint " + req.method + " " + req.path + "; " + options.not_found_hint;
    case 413:
      return "the request body is over the limit of " + std::to_string(options.max_body_bytes) +
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

struct HttpService::Impl {
  explicit Impl(HttpOptions options_in)
      : options(std::move(options_in)), id_prefix(std::random_device{}()) {
    if (options.http_threads < 1) {
      throw Error("serve: http_threads " + std::to_string(options.http_threads) +
                  "; expected at least 1");
    }
    configure();
  }

  void configure();
  void start_request(const httplib::Request& req, httplib::Response& res);
  void dispatch(const HttpRoute& route, const HttpHandler& handler, const httplib::Request& req,
                httplib::Response& res);
  bool authorised(const httplib::Request& req) const;
  void count(const std::string& endpoint, int status, double seconds) const {
    if (options.on_answer) options.on_answer(endpoint, status, seconds);
  }
  void log(const httplib::Request& req, const httplib::Response& res);

  HttpOptions options;
  httplib::Server http;
  std::atomic<bool> stopping{false};
  std::uint32_t id_prefix;
  std::atomic<std::uint64_t> next_id{0};
  bool bound = false;
  int listening_socket = -1;
};

void HttpService::Impl::configure() {
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
    start_request(req, res);
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        if (res.body.empty()) {
          res.set_content(error_json(default_error(req, res.status, options)), "application/json");
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
}

void HttpService::Impl::start_request(const httplib::Request& req, httplib::Response& res) {
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
}

bool HttpService::Impl::authorised(const httplib::Request& req) const {
  if (!options.token) return true;
  const std::string header = req.get_header_value("Authorization");
  const std::string scheme = "Bearer ";
  if (header.compare(0, scheme.size(), scheme) != 0) return false;
  return same_secret(header.substr(scheme.size()), *options.token);
}

void HttpService::Impl::dispatch(const HttpRoute& route, const HttpHandler& handler,
                                 const httplib::Request& req, httplib::Response& res) {
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
  } catch (const std::exception& e) {
    answer_json(res, 500, error_json(options.failure_prefix + e.what()));
  }
  // Once stopping, each connection is closed after its answer, so that run() can return.
  if (stopping) res.set_header("Connection", "close");
  // Counted before the answer is written, so a client that reads its metrics after its answer
  // sees its request there (requests httplib answers itself are counted when logged).
  RequestContext& context = current_request();
  count(context.endpoint, res.status, context.seconds());
  context.counted = true;
}

void HttpService::Impl::log(const httplib::Request& req, const httplib::Response& res) {
  RequestContext& context = current_request();
  const double seconds = context.seconds();
  if (!context.counted) count(context.endpoint, res.status, seconds);
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

HttpService::HttpService(HttpOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpService::~HttpService() {
  stop();
}

const HttpOptions& HttpService::options() const {
  return impl_->options;
}

bool HttpService::stopping() const {
  return impl_->stopping;
}

void HttpService::add_route(const HttpRoute& route) {
  std::string allowed;
  for (const auto& [method, handler] : route.methods) {
    allowed += (allowed.empty() ? "" : ", ") + method;
  }
  Impl* impl = impl_.get();
  for (const char* method : kMethods) {
    const auto match = std::find_if(route.methods.begin(), route.methods.end(),
                                    [method](const auto& entry) { return entry.first == method; });
    HttpHandler handler =
        match != route.methods.end()
            ? match->second
            : HttpHandler([allowed, method](const httplib::Request& req, httplib::Response& res) {
                res.set_header("Allow", allowed);
                throw HttpError(405, std::string("method ") + method + " is not allowed on " +
                                         req.path + "; expected " + allowed);
              });
    HttpHandler entry = [impl, route, handler](const httplib::Request& req,
                                               httplib::Response& res) {
      impl->dispatch(route, handler, req, res);
    };
    const std::string m = method;
    if (m == "GET") impl->http.Get(route.pattern, entry);
    if (m == "POST") impl->http.Post(route.pattern, entry);
    if (m == "PUT") impl->http.Put(route.pattern, entry);
    if (m == "PATCH") impl->http.Patch(route.pattern, entry);
    if (m == "DELETE") impl->http.Delete(route.pattern, entry);
    if (m == "OPTIONS") impl->http.Options(route.pattern, entry);
  }
}

int HttpService::bind() {
  const HttpOptions& options = impl_->options;
  const int port = options.port == 0
                       ? impl_->http.bind_to_any_port(options.host)
                       : (impl_->http.bind_to_port(options.host, options.port) ? options.port : -1);
  if (port < 0) {
    throw Error("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                "; expected a local address and a free port (--host, --port; 0 picks one)");
  }
  if (impl_->listening_socket >= 0) ::listen(impl_->listening_socket, SOMAXCONN);
  impl_->bound = true;
  return port;
}

void HttpService::run() {
  if (!impl_->bound) bind();
  if (!impl_->stopping) impl_->http.listen_after_bind();
}

// httplib's own stop() ends every connection at once, dropping those accepted but not read yet.
// Shutting the listening socket down instead makes accept fail, which ends httplib's accept loop;
// its threads then answer every connection already accepted (each closed after its answer, see
// dispatch) before run() returns.
void HttpService::stop() {
  // Once is enough; a second shutdown could reach a socket that reused a closed one's number.
  if (impl_->stopping.exchange(true)) return;
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
