// The handlers of the server's endpoints, each answering one kind of request from the services
// the server shares with them. They throw HttpError for a request they refuse; the server turns
// it (and any other exception) into a JSON error answer.
#pragma once

#include <atomic>
#include <string>

#include <httplib.h>

#include "minitorch/serve/batcher.h"
#include "minitorch/serve/http_service.h"
#include "minitorch/serve/metrics.h"
#include "minitorch/serve/model_repository.h"

namespace minitorch::serve {

struct Services {
  ModelRepository& models;
  Batcher& batcher;
  Metrics& metrics;
  const std::atomic<bool>& stopping;
};

// A model in service, by the name a request's path gives (HttpError 404 for an unloaded one,
// UnknownModel, answered 404 by the server, for an unknown one); the name goes into the request's
// metrics and log line.
struct ServedModel {
  std::string name;
  std::shared_ptr<const Classifier> classifier;
};
ServedModel served_model(const Services& services, const std::string& name);

// The rows' probabilities from the batcher, waited for; HttpError 503 when its queue is full or
// the server is shutting down. `arrival` announced the request (Batcher::expect_request) when
// its handler began; it is done once the rows are queued.
Inference run_inference(const Services& services, const ServedModel& model, Tensor rows,
                        Batcher::Arrival& arrival);

void server_metadata(const Services& services, const httplib::Request& req, httplib::Response& res);
void model_metadata(const Services& services, const httplib::Request& req, httplib::Response& res);
void model_ready(const Services& services, const httplib::Request& req, httplib::Response& res);
void infer(const Services& services, const httplib::Request& req, httplib::Response& res);
void predict(const Services& services, const httplib::Request& req, httplib::Response& res);
void repository_index(const Services& services, const httplib::Request& req,
                      httplib::Response& res);
void load_model(const Services& services, const httplib::Request& req, httplib::Response& res);
void unload_model(const Services& services, const httplib::Request& req, httplib::Response& res);

}  // namespace minitorch::serve
