#include "serve/endpoints.h"

#include <nlohmann/json.hpp>

#include "minitorch/serve/http_error.h"
#include "serve/request_context.h"
#include "serve/v2_codec.h"

namespace minitorch::serve {

using nlohmann::json;

ServedModel served_model(const Services& services, const std::string& name) {
  current_request().model = name;
  std::shared_ptr<const Classifier> classifier = services.models.get(name);
  if (!classifier) {
    throw HttpError(404, "model '" + name + "' is unloaded; expected a loaded model (POST " +
                             "/v2/repository/models/" + name + "/load loads it)");
  }
  return {name, std::move(classifier)};
}

Inference run_inference(const Services& services, const ServedModel& model, Tensor rows,
                        Batcher::Arrival& arrival) {
  // `rows` stays held here until the answer comes, so that this thread frees it (batcher.h).
  std::future<Inference> pending;
  try {
    pending = services.batcher.submit(model.name, model.classifier, rows);
  } catch (const QueueFull& e) {
    throw HttpError(503, e.what());
  } catch (const Error& e) {
    throw HttpError(503, e.what());
  }
  arrival.done();
  Inference inference = pending.get();
  current_request().batch_rows = inference.batch_rows;
  return inference;
}

void server_metadata(const Services&, const httplib::Request&, httplib::Response& res) {
  answer_json(res, 200,
              json{{"name", "minitorch"},
                   {"version", MINITORCH_VERSION},
                   {"extensions", {"model_repository"}}}
                  .dump());
}

void model_metadata(const Services& services, const httplib::Request& req, httplib::Response& res) {
  const ServedModel model = served_model(services, req.matches[1]);
  answer_json(res, 200, v2::model_metadata(model.name, *model.classifier).dump());
}

void model_ready(const Services& services, const httplib::Request& req, httplib::Response& res) {
  const std::string name = req.matches[1];
  current_request().model = name;
  const bool ready = services.models.get(name) != nullptr && !services.stopping;
  answer_json(res, ready ? 200 : 400, json{{"name", name}, {"ready", ready}}.dump());
}

void infer(const Services& services, const httplib::Request& req, httplib::Response& res) {
  Batcher::Arrival arrival = services.batcher.expect_request();
  const ServedModel model = served_model(services, req.matches[1]);
  const v2::InferRequest request = v2::parse_infer_request(req.body);
  const std::vector<std::string> outputs = v2::requested_outputs(request);
  const Inference inference =
      run_inference(services, model, v2::to_batch(request, *model.classifier), arrival);
  answer_json(res, 200,
              v2::infer_response(model.name, request.id, inference.probabilities, inference.classes,
                                 *model.classifier, outputs)
                  .dump());
}

void repository_index(const Services& services, const httplib::Request&, httplib::Response& res) {
  json index = json::array();
  for (const ModelState& state : services.models.index()) {
    index.push_back({{"name", state.name},
                     {"version", "1"},
                     {"state", state.ready ? "READY" : "UNAVAILABLE"},
                     {"reason", state.ready ? "" : "unloaded"}});
  }
  answer_json(res, 200, index.dump());
}

void load_model(const Services& services, const httplib::Request& req, httplib::Response& res) {
  const std::string name = req.matches[1];
  current_request().model = name;
  try {
    services.models.load(name);
  } catch (const UnknownModel&) {
    throw;  // 404, from the server's dispatch
  } catch (const Error& e) {
    throw HttpError(
        400, "loading model '" + name + "' failed, the model in service is unchanged: " + e.what());
  }
  services.metrics.set_model_ready(name, true);
  answer_json(res, 200, json{{"name", name}, {"state", "READY"}}.dump());
}

void unload_model(const Services& services, const httplib::Request& req, httplib::Response& res) {
  const std::string name = req.matches[1];
  current_request().model = name;
  services.models.unload(name);
  services.metrics.set_model_ready(name, false);
  answer_json(res, 200, json{{"name", name}, {"state", "UNAVAILABLE"}}.dump());
}

}  // namespace minitorch::serve
