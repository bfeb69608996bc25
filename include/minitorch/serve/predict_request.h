// The request and answer of the predict endpoint (POST /v2/models/{name}/predict), for every server
// that classifies what people send: the inference server and the dashboard's playground.
//
// read_predict_request(classifier, req) reads, as the classifier's input kind wants:
//   Image     the raw body (Content-Type image/png, image/x-portable-graymap, image/pgm or
//             application/octet-stream) or each file of a multipart/form-data upload;
//   Tokens    {"texts": ["...", ...]} (application/json);
//   Features  {"inputs": [[F numbers], ...]} (application/json);
// and the query parameters top_k (1 to 2^20, default 3; more than the classes means all of them)
// and resize=0|1 (scale images to the model's size). It throws HttpError 415 for another content
// type and 400 for a body or parameter it cannot use, naming what was expected.
// predict_answer(request, classifier, probabilities) is the answer, as `minitorch predict --json`
// prints it: [{"input": name, "predictions": [{"class", "index", "probability"}, ...]}, ...], the
// k most probable classes of each row, most probable first (ties in class order).
#pragma once

#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "minitorch/serve/classifier.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::serve {

struct PredictRequest {
  std::vector<std::string> names;  // one per row: the file name, "body", "texts[i]", "inputs[i]"
  Tensor rows;                     // the classifier's batch
  int top_k = 3;
};

PredictRequest read_predict_request(const Classifier& classifier, const httplib::Request& req);

// probabilities: rows × classes, row-major (as Classifier::probabilities gives them).
nlohmann::json predict_answer(const PredictRequest& request, const Classifier& classifier,
                              const std::vector<float>& probabilities);

}  // namespace minitorch::serve
