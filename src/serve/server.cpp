#include "minitorch/serve/server.h"

#include <atomic>

#include <nlohmann/json.hpp>

#include "minitorch/serve/http_service.h"
#include "serve/endpoints.h"
#include "serve/request_context.h"

namespace minitorch::serve {
namespace {

using nlohmann::json;

HttpOptions http_options(const ServerOptions& options, Metrics& metrics) {
  HttpOptions http = options;
  http.failure_prefix = "inference failed: ";
  http.on_answer = [&metrics, user = options.on_answer](const std::string& endpoint, int status,
                                                        double seconds) {
    metrics.count_request(current_request().model, endpoint, status, seconds);
    if (user) user(endpoint, status, seconds);
  };
  return http;
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
        http(http_options(options, metrics)) {
    add_routes();
  }

  void add_routes();
  HttpHandler bound_to(void (*handler)(const Services&, const httplib::Request&,
                                       httplib::Response&));

  ServerOptions options;
  ModelRepository models;
  Metrics metrics;
  Batcher batcher;
  std::atomic<bool> stopping{false};
  Services services;
  HttpService http;
  bool bound = false;
};

// A handler of endpoints.h with the server's services; an unknown model is answered 404.
HttpHandler Server::Impl::bound_to(void (*handler)(const Services&, const httplib::Request&,
                                                   httplib::Response&)) {
  return [this, handler](const httplib::Request& req, httplib::Response& res) {
    try {
      handler(services, req, res);
    } catch (const UnknownModel& e) {
      throw HttpError(404, e.what() + std::string("; GET /v2/repository/index lists the models"));
    }
  };
}

void Server::Impl::add_routes() {
  const std::string name = "([A-Za-z0-9_.-]+)";
  // cpp-httplib tries the patterns in order: the busiest first.
  http.add_route({"/v2/models/" + name + "/infer", "infer", {{"POST", bound_to(infer)}}});
  http.add_route({"/v2/models/" + name + "/predict", "predict", {{"POST", bound_to(predict)}}});
  http.add_route({"/v2/health/live",
                  "live",
                  {{"GET",
                    [](const httplib::Request&, httplib::Response& res) {
                      answer_json(res, 200, json{{"live", true}}.dump());
                    }}},
                  false});
  http.add_route({"/v2/health/ready",
                  "ready",
                  {{"GET",
                    [this](const httplib::Request&, httplib::Response& res) {
                      const bool ready = !stopping;
                      answer_json(res, ready ? 200 : 503, json{{"ready", ready}}.dump());
                    }}},
                  false});
  http.add_route({"/v2", "server_metadata", {{"GET", bound_to(server_metadata)}}});
  http.add_route({"/v2/models/" + name, "model_metadata", {{"GET", bound_to(model_metadata)}}});
  http.add_route(
      {"/v2/models/" + name + "/ready", "model_ready", {{"GET", bound_to(model_ready)}}});
  http.add_route(
      {"/v2/repository/index", "repository_index", {{"POST", bound_to(repository_index)}}});
  http.add_route(
      {"/v2/repository/models/" + name + "/load", "load", {{"POST", bound_to(load_model)}}});
  http.add_route(
      {"/v2/repository/models/" + name + "/unload", "unload", {{"POST", bound_to(unload_model)}}});
  http.add_route(
      {"/metrics", "metrics", {{"GET", [this](const httplib::Request&, httplib::Response& res) {
                                  res.set_content(metrics.text(),
                                                  "text/plain; version=0.0.4; charset=utf-8");
                                }}}});
  http.add_route(
      {"/openapi.json", "openapi", {{"GET", [](const httplib::Request&, httplib::Response& res) {
                                       answer_json(res, 200, openapi_document());
                                     }}}});
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
  const int port = impl_->http.bind();
  impl_->bound = true;
  for (const ModelState& state : impl_->models.index()) {
    impl_->metrics.set_model_ready(state.name, state.ready);
  }
  return port;
}

void Server::run() {
  if (!impl_->bound) bind();
  if (!impl_->stopping) impl_->http.run();
  // Every connection has been answered; what the batcher still holds belongs to nobody.
  impl_->batcher.stop();
}

void Server::stop() {
  impl_->stopping = true;
  impl_->http.stop();
}

}  // namespace minitorch::serve
