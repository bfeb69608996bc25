// The predict endpoint's request and answer (serve/predict_request.h), shared by the inference
// server and the dashboard's playground.
#include "minitorch/serve/predict_request.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "minitorch/core/error.h"
#include "minitorch/data/image_file.h"
#include "minitorch/serve/http_error.h"
#include "minitorch/tensor/creation.h"
#include "serve/v2_codec.h"

namespace minitorch::serve {
namespace {

using nlohmann::json;

std::string media_type(const httplib::Request& req) {
  std::string type = req.get_header_value("Content-Type");
  type = type.substr(0, type.find(';'));
  type.erase(std::remove(type.begin(), type.end(), ' '), type.end());
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return type;
}

bool is_image_type(const std::string& type) {
  return type == "image/png" || type == "image/x-portable-graymap" || type == "image/pgm" ||
         type == "application/octet-stream";
}

int query_int(const httplib::Request& req, const char* name, int fallback, int low, int high) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < low || value > high) {
    throw HttpError(400, std::string("query parameter ") + name + " is '" + text +
                             "'; expected an integer from " + std::to_string(low) + " to " +
                             std::to_string(high));
  }
  return value;
}

Tensor decoded_image(const Classifier& classifier, const std::string& bytes,
                     const std::string& name, bool resize) {
  try {
    return classifier.encode_image(data::decode_image(bytes, name), resize, name);
  } catch (const Error& e) {
    throw HttpError(400, e.what());
  }
}

PredictRequest image_inputs(const Classifier& classifier, const httplib::Request& req,
                            bool resize) {
  PredictRequest inputs;
  std::vector<Tensor> images;
  if (req.is_multipart_form_data()) {
    for (const auto& [field, file] : req.files) {
      const std::string name = file.filename.empty() ? field : file.filename;
      images.push_back(decoded_image(classifier, file.content, name, resize));
      inputs.names.push_back(name);
    }
    if (images.empty()) {
      throw HttpError(400, "the multipart upload holds no file; expected one or more images");
    }
  } else {
    if (req.body.empty()) throw HttpError(400, "the body is empty; expected a PNG or PGM image");
    images.push_back(decoded_image(classifier, req.body, "body", resize));
    inputs.names.push_back("body");
  }
  inputs.rows = images.size() == 1 ? images.front() : cat(images, 0);
  return inputs;
}

const json& json_list(const json& body, const char* key, const std::string& expected) {
  const auto it = body.find(key);
  if (!body.is_object() || it == body.end() || !it->is_array() || it->empty()) {
    throw HttpError(400, "the body is " + body.dump().substr(0, 40) + "; expected " + expected);
  }
  return *it;
}

PredictRequest text_inputs(const Classifier& classifier, const json& body) {
  const json& texts = json_list(body, "texts", "{\"texts\": [\"...\", ...]} with one text or more");
  PredictRequest inputs;
  std::vector<std::string> strings;
  for (const json& text : texts) {
    if (!text.is_string()) {
      throw HttpError(400, "\"texts\" holds " + text.dump().substr(0, 40) + "; expected strings");
    }
    inputs.names.push_back("texts[" + std::to_string(strings.size()) + "]");
    strings.push_back(text.get<std::string>());
  }
  try {
    inputs.rows = classifier.encode_texts(strings);
  } catch (const Error& e) {
    throw HttpError(400, e.what());
  }
  return inputs;
}

PredictRequest number_inputs(const Classifier& classifier, const json& body) {
  const std::int64_t width = classifier.item_shape()[0];
  const std::string expected = "{\"inputs\": [[" + std::to_string(width) + " numbers], ...]}";
  const json& rows = json_list(body, "inputs", expected);
  PredictRequest inputs;
  std::vector<double> values;
  for (const json& row : rows) {
    if (!row.is_array() || std::int64_t(row.size()) != width ||
        !std::all_of(row.begin(), row.end(), [](const json& v) { return v.is_number(); })) {
      throw HttpError(400, "\"inputs\" holds " + row.dump().substr(0, 40) + "; expected " +
                               std::to_string(width) + " numbers per row");
    }
    for (const json& v : row) values.push_back(v.get<double>());
    inputs.names.push_back("inputs[" + std::to_string(inputs.names.size()) + "]");
  }
  inputs.rows = from_vector(values, {std::int64_t(inputs.names.size()), width});
  return inputs;
}

PredictRequest read_inputs(const Classifier& classifier, const httplib::Request& req, bool resize) {
  const std::string type = media_type(req);
  if (classifier.input_kind() == models::InputKind::Image) {
    if (!is_image_type(type) && !req.is_multipart_form_data()) {
      throw HttpError(415, "Content-Type '" + type +
                               "'; an image model expects image/png, image/x-portable-graymap or "
                               "a multipart/form-data upload");
    }
    return image_inputs(classifier, req, resize);
  }
  if (type != "application/json") {
    throw HttpError(415, "Content-Type '" + type + "'; this model expects application/json");
  }
  const json body =
      v2::parse_json_body(req.body, classifier.input_kind() == models::InputKind::Tokens
                                        ? "{\"texts\": [...]}"
                                        : "{\"inputs\": [[...], ...]}");
  return classifier.input_kind() == models::InputKind::Tokens ? text_inputs(classifier, body)
                                                              : number_inputs(classifier, body);
}

json top_k(const float* p, std::int64_t n, const std::vector<std::string>& classes, int k) {
  std::vector<std::int64_t> order(std::size_t(n), 0);
  for (std::int64_t i = 0; i < n; ++i) order[std::size_t(i)] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::int64_t a, std::int64_t b) { return p[a] > p[b]; });
  json out = json::array();
  for (std::int64_t i = 0; i < std::min<std::int64_t>(k, n); ++i) {
    const std::int64_t c = order[std::size_t(i)];
    out.push_back(
        {{"class", classes[std::size_t(c)]}, {"index", c}, {"probability", double(p[c])}});
  }
  return out;
}

}  // namespace

PredictRequest read_predict_request(const Classifier& classifier, const httplib::Request& req) {
  const int classes = static_cast<int>(classifier.class_names().size());
  // As `predict --top-k`: more than the classes means all of them.
  const int k = std::min(query_int(req, "top_k", 3, 1, 1 << 20), classes);
  const bool resize = query_int(req, "resize", 0, 0, 1) == 1;
  PredictRequest request = read_inputs(classifier, req, resize);
  request.top_k = k;
  return request;
}

json predict_answer(const PredictRequest& request, const Classifier& classifier,
                    const std::vector<float>& probabilities) {
  const auto classes = static_cast<std::int64_t>(classifier.class_names().size());
  if (probabilities.size() != request.names.size() * std::size_t(classes)) {
    throw Error("predict_answer: " + std::to_string(probabilities.size()) +
                " probabilities; expected " + std::to_string(request.names.size()) + " rows of " +
                std::to_string(classes) + " classes");
  }
  json answer = json::array();
  for (std::size_t i = 0; i < request.names.size(); ++i) {
    answer.push_back({{"input", request.names[i]},
                      {"predictions", top_k(probabilities.data() + std::int64_t(i) * classes,
                                            classes, classifier.class_names(), request.top_k)}});
  }
  return answer;
}

}  // namespace minitorch::serve
