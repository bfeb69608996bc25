// POST /v2/models/{name}/predict: the endpoint for people. The request and its answer are those
// of serve/predict_request.h; the rows are classified by the batcher, with other requests' rows.
#include <nlohmann/json.hpp>

#include "minitorch/serve/predict_request.h"
#include "serve/endpoints.h"

namespace minitorch::serve {

void predict(const Services& services, const httplib::Request& req, httplib::Response& res) {
  Batcher::Arrival arrival = services.batcher.expect_request();
  const ServedModel model = served_model(services, req.matches[1]);
  PredictRequest request = read_predict_request(*model.classifier, req);
  const Inference inference = run_inference(services, model, request.rows, arrival);
  answer_json(res, 200, predict_answer(request, *model.classifier, inference.probabilities).dump());
}

}  // namespace minitorch::serve
