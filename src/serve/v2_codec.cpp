#include "serve/v2_codec.h"

#include <cmath>
#include <limits>

#include "minitorch/serve/http_error.h"
#include "minitorch/tensor/creation.h"
#include "serve/v2_fast_data.h"

namespace minitorch::serve::v2 {
namespace {

using nlohmann::json;

constexpr const char* kOutputNames[] = {"probabilities", "class", "label"};

[[noreturn]] void bad_request(const std::string& message) {
  throw HttpError(400, message);
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    out += (i ? ", " : "") + std::to_string(shape[i]);
  }
  return out + "]";
}

// A JSON value in a message: short, whatever its size.
std::string excerpt(const json& value) {
  std::string text = value.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

const json& member(const json& object, const char* name, const std::string& where) {
  const auto it = object.find(name);
  if (it == object.end()) bad_request(where + " has no \"" + name + "\"; expected one");
  return *it;
}

std::vector<std::int64_t> parse_shape(const json& value) {
  if (!value.is_array()) {
    bad_request("inputs[0].shape is " + excerpt(value) + "; expected an array of sizes");
  }
  std::vector<std::int64_t> shape;
  for (const json& size : value) {
    if (!size.is_number_integer() || size.get<std::int64_t>() < 0) {
      bad_request("inputs[0].shape " + excerpt(value) + " holds " + excerpt(size) +
                  "; expected integers >= 0");
    }
    shape.push_back(size.get<std::int64_t>());
  }
  if (shape.empty()) bad_request("inputs[0].shape is []; expected [batch, ...]");
  if (shape.size() > kMaxRank) {
    bad_request("inputs[0].shape has " + std::to_string(shape.size()) +
                " sizes; expected at most " + std::to_string(kMaxRank));
  }
  return shape;
}

// The number of elements of `shape`, or nullopt when it exceeds `limit` (no overflow).
std::optional<std::uint64_t> element_count(const std::vector<std::int64_t>& shape,
                                           std::uint64_t limit) {
  std::uint64_t count = 1;
  for (const std::int64_t size : shape) {
    if (size == 0) return 0;
    if (count > limit / std::uint64_t(size)) return std::nullopt;
    count *= std::uint64_t(size);
  }
  return count;
}

// Appends the elements of `data` in row-major order; nested data must nest as `shape` says.
void flatten(const json& data, const std::vector<std::int64_t>& shape, std::size_t depth,
             std::vector<const json*>& out) {
  if (!data.is_array()) {
    out.push_back(&data);
    return;
  }
  if (depth >= shape.size() || std::int64_t(data.size()) != shape[depth]) {
    bad_request("inputs[0].data nests " + std::to_string(data.size()) + " values at depth " +
                std::to_string(depth) + "; the shape " + shape_text(shape) + " expects " +
                (depth < shape.size() ? std::to_string(shape[depth]) : std::string("none")));
  }
  for (const json& value : data) flatten(value, shape, depth + 1, out);
}

std::vector<const json*> elements(const json& data, const std::vector<std::int64_t>& shape) {
  if (!data.is_array()) bad_request("inputs[0].data is " + excerpt(data) + "; expected an array");
  std::vector<const json*> out;
  const bool nested = !data.empty() && data.front().is_array();
  if (nested) {
    flatten(data, shape, 0, out);
  } else {
    for (const json& value : data) out.push_back(&value);
  }
  return out;
}

void check_element_count(const std::vector<std::int64_t>& shape, std::size_t values) {
  const std::optional<std::uint64_t> count =
      element_count(shape, std::numeric_limits<std::uint64_t>::max());
  if (!count || *count != values) {
    bad_request("inputs[0].data holds " + std::to_string(values) + " values; the shape " +
                shape_text(shape) + " needs " +
                (count ? std::to_string(*count) : std::string("more than 2^64")));
  }
}

// A number of FP32 or FP64 data as the model gets it: rounded to float for FP32, and within
// float32's range either way. nullopt when it is not.
std::optional<double> model_number(double value, const std::string& datatype) {
  const double number = datatype == "FP32" ? double(static_cast<float>(value)) : value;
  if (!std::isfinite(static_cast<float>(number))) return std::nullopt;
  return number;
}

constexpr const char* kBeyondFloat32 =
    "numbers within float32's range, which the model computes in (this one overflows)";

void read_data(const json& data, InferRequest& request) {
  const std::vector<const json*> values = elements(data, request.shape);
  check_element_count(request.shape, values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const json& value = *values[i];
    auto wrong = [&](const char* expected) {
      bad_request("inputs[0].data[" + std::to_string(i) + "] is " + excerpt(value) + "; datatype " +
                  request.datatype + " expects " + expected);
    };
    if (request.datatype == "BYTES") {
      if (!value.is_string()) wrong("strings");
      request.texts.push_back(value.get<std::string>());
    } else if (request.datatype == "INT64") {
      if (!value.is_number_integer()) wrong("integers");
      request.numbers.push_back(double(value.get<std::int64_t>()));
    } else {
      if (!value.is_number()) wrong("numbers");
      // The models compute in float32: an FP64 value beyond its range would become infinite.
      const std::optional<double> number = model_number(value.get<double>(), request.datatype);
      if (!number) wrong(kBeyondFloat32);
      request.numbers.push_back(*number);
    }
  }
}

void parse_outputs(const json& body, InferRequest& request) {
  const auto it = body.find("outputs");
  if (it == body.end()) return;
  if (!it->is_array()) bad_request("\"outputs\" is " + excerpt(*it) + "; expected an array");
  for (const json& output : *it) {
    if (!output.is_object() || !output.contains("name") || !output["name"].is_string()) {
      bad_request("\"outputs\" holds " + excerpt(output) + "; expected {\"name\": \"...\"}");
    }
    request.outputs.push_back(output["name"].get<std::string>());
  }
}

void check_datatype(const InferRequest& request, std::initializer_list<const char*> accepted,
                    const std::string& what) {
  for (const char* datatype : accepted) {
    if (request.datatype == datatype) return;
  }
  std::string names;
  for (const char* datatype : accepted)
    names += (names.empty() ? "" : " or ") + std::string(datatype);
  bad_request("input \"" + request.input_name + "\" has datatype " + request.datatype + "; " +
              what + " expects " + names);
}

void check_shape(const InferRequest& request, const std::vector<std::int64_t>& item_shape) {
  std::vector<std::int64_t> expected{request.shape.empty() ? 0 : request.shape[0]};
  expected.insert(expected.end(), item_shape.begin(), item_shape.end());
  if (request.shape != expected) {
    std::vector<std::int64_t> wanted = expected;
    wanted[0] = -1;
    bad_request("input \"" + request.input_name + "\" has shape " + shape_text(request.shape) +
                "; the model expects " + shape_text(wanted) + " (-1: the batch)");
  }
}

Tensor numbers_tensor(const InferRequest& request) {
  return from_vector(request.numbers, request.shape);
}

Tensor token_batch(const InferRequest& request, const Classifier& classifier) {
  if (request.datatype == "BYTES") {
    if (request.shape.size() != 1) {
      bad_request("input \"text\" has shape " + shape_text(request.shape) +
                  "; expected [-1] (one string per text)");
    }
    try {
      return classifier.encode_texts(request.texts);
    } catch (const HttpError&) {
      throw;
    } catch (const Error& e) {
      bad_request(e.what());
    }
  }
  check_shape(request, classifier.item_shape());
  const auto vocabulary = double(classifier.vocabulary_size());
  for (std::size_t i = 0; i < request.numbers.size(); ++i) {
    if (request.numbers[i] < 0 || request.numbers[i] >= vocabulary) {
      bad_request("input \"tokens\" holds id " + std::to_string(std::int64_t(request.numbers[i])) +
                  " at " + std::to_string(i) + "; expected ids in [0, " +
                  std::to_string(classifier.vocabulary_size()) + ")");
    }
  }
  return numbers_tensor(request);
}

std::string input_name(const Classifier& classifier, const std::string& datatype) {
  if (classifier.input_kind() != models::InputKind::Tokens) return "input";
  return datatype == "INT64" ? "tokens" : "text";
}

}  // namespace

static std::size_t nesting_depth(const std::string& text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

void check_nesting(const std::string& body) {
  const std::size_t depth = nesting_depth(body);
  if (depth > kMaxNesting) {
    throw HttpError(400, "the body nests arrays or objects " + std::to_string(depth) +
                             " deep; expected at most " + std::to_string(kMaxNesting));
  }
}

json parse_json_body(const std::string& body, const std::string& expected) {
  check_nesting(body);
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded())
    throw HttpError(400, "the body is not valid JSON; expected " + expected);
  return parsed;
}

namespace {

// Numbers read by find_numeric_data, checked as read_data checks them.
void read_numbers(const std::vector<double>& values, InferRequest& request) {
  check_element_count(request.shape, values.size());
  request.numbers.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::optional<double> number = model_number(values[i], request.datatype);
    if (!number) {
      bad_request("inputs[0].data[" + std::to_string(i) + "] is " + excerpt(json(values[i])) +
                  "; datatype " + request.datatype + " expects " + kBeyondFloat32);
    }
    request.numbers.push_back(*number);
  }
}

// The request in `parsed`; with `fast_values`, the numbers of its data, read from the body by
// find_numeric_data, whose array `parsed` holds as []. Returns false when those numbers cannot
// stand for the data (a datatype other than FP32 or FP64): the caller parses the whole body.
bool read_request(const json& parsed, const std::vector<double>* fast_values,
                  InferRequest& request) {
  if (!parsed.is_object()) {
    bad_request("the body is " + excerpt(parsed) + "; expected an object {\"inputs\": [...]}");
  }
  if (const auto id = parsed.find("id"); id != parsed.end()) {
    if (!id->is_string()) bad_request("\"id\" is " + excerpt(*id) + "; expected a string");
    request.id = id->get<std::string>();
  }
  const json& inputs = member(parsed, "inputs", "the request");
  if (!inputs.is_array() || inputs.size() != 1) {
    bad_request("\"inputs\" is " + excerpt(inputs) + "; expected an array of one tensor");
  }
  const json& input = inputs[0];
  if (!input.is_object()) bad_request("inputs[0] is " + excerpt(input) + "; expected an object");
  const json& name = member(input, "name", "inputs[0]");
  const json& datatype = member(input, "datatype", "inputs[0]");
  if (!name.is_string()) bad_request("inputs[0].name is " + excerpt(name) + "; expected a string");
  if (!datatype.is_string()) {
    bad_request("inputs[0].datatype is " + excerpt(datatype) + "; expected a string");
  }
  request.input_name = name.get<std::string>();
  request.datatype = datatype.get<std::string>();
  if (request.datatype != "FP32" && request.datatype != "FP64" && request.datatype != "INT64" &&
      request.datatype != "BYTES") {
    bad_request("inputs[0].datatype is \"" + request.datatype +
                "\"; expected FP32, FP64, INT64 or BYTES");
  }
  request.shape = parse_shape(member(input, "shape", "inputs[0]"));
  const json& data = member(input, "data", "inputs[0]");
  if (fast_values) {
    if (request.datatype != "FP32" && request.datatype != "FP64") return false;
    if (!data.is_array() || !data.empty()) return false;
    read_numbers(*fast_values, request);
  } else {
    read_data(data, request);
  }
  parse_outputs(parsed, request);
  return true;
}

}  // namespace

InferRequest parse_infer_request(const std::string& body, bool fast) {
  const std::string expected = "an inference request {\"inputs\": [...]}";
  if (fast) {
    check_nesting(body);
    if (std::optional<NumericData> data = find_numeric_data(body)) {
      std::string rest;
      rest.reserve(body.size() - (data->end - data->begin) + 2);
      rest.append(body, 0, data->begin).append("[]").append(body, data->end, std::string::npos);
      const json parsed = json::parse(rest, nullptr, false);
      InferRequest request;
      try {
        if (!parsed.is_discarded() && read_request(parsed, &data->values, request)) return request;
      } catch (const HttpError&) {
        // Refused: the whole body is parsed again below, so that the message quotes it as sent.
      }
    }
  }
  const json parsed = parse_json_body(body, expected);
  InferRequest request;
  read_request(parsed, nullptr, request);
  return request;
}

Tensor to_batch(const InferRequest& request, const Classifier& classifier) {
  const std::string expected_name = input_name(classifier, request.datatype);
  if (request.input_name != expected_name) {
    bad_request("input \"" + request.input_name + "\" is not an input of this model; expected \"" +
                expected_name + "\"" +
                (classifier.input_kind() == models::InputKind::Tokens
                     ? " (\"text\" BYTES or \"tokens\" INT64)"
                     : ""));
  }
  if (request.shape[0] == 0) {
    bad_request("input \"" + request.input_name + "\" has a batch of 0; expected at least one");
  }
  switch (classifier.input_kind()) {
    case models::InputKind::Tokens:
      check_datatype(request, {"BYTES", "INT64"}, "a text model");
      return token_batch(request, classifier);
    case models::InputKind::Image:
      check_datatype(request, {"FP32", "FP64"}, "an image model");
      break;
    case models::InputKind::Features:
      check_datatype(request, {"FP32", "FP64"}, "a model of numeric features");
      break;
  }
  check_shape(request, classifier.item_shape());
  return numbers_tensor(request);
}

std::vector<std::string> requested_outputs(const InferRequest& request) {
  if (request.outputs.empty()) return {std::begin(kOutputNames), std::end(kOutputNames)};
  for (const std::string& name : request.outputs) {
    if (std::find(std::begin(kOutputNames), std::end(kOutputNames), name) ==
        std::end(kOutputNames)) {
      bad_request("output \"" + name +
                  "\" is not an output of this model; expected probabilities, class or label");
    }
  }
  return request.outputs;
}

std::vector<std::int64_t> predicted_classes(const std::vector<float>& probabilities,
                                            std::int64_t classes) {
  std::vector<std::int64_t> out;
  for (auto row = probabilities.begin(); row < probabilities.end(); row += classes) {
    out.push_back(std::max_element(row, row + classes) - row);
  }
  return out;
}

json infer_response(const std::string& model_name, const std::optional<std::string>& id,
                    const std::vector<float>& probabilities, std::int64_t classes,
                    const Classifier& classifier, const std::vector<std::string>& outputs) {
  json response{{"model_name", model_name}};
  if (id) response["id"] = *id;
  const std::vector<std::int64_t> predicted = predicted_classes(probabilities, classes);
  const auto rows = static_cast<std::int64_t>(predicted.size());
  json tensors = json::array();
  for (const std::string& name : outputs) {
    if (name == "probabilities") {
      tensors.push_back({{"name", name},
                         {"datatype", "FP32"},
                         {"shape", {rows, classes}},
                         {"data", probabilities}});
    } else if (name == "class") {
      tensors.push_back(
          {{"name", name}, {"datatype", "INT64"}, {"shape", {rows}}, {"data", predicted}});
    } else {
      json labels = json::array();
      for (const std::int64_t c : predicted)
        labels.push_back(classifier.class_names()[std::size_t(c)]);
      tensors.push_back(
          {{"name", name}, {"datatype", "BYTES"}, {"shape", {rows}}, {"data", labels}});
    }
  }
  response["outputs"] = std::move(tensors);
  return response;
}

json model_metadata(const std::string& name, const Classifier& classifier) {
  auto batch_shape = [](const std::vector<std::int64_t>& item) {
    std::vector<std::int64_t> shape{-1};
    shape.insert(shape.end(), item.begin(), item.end());
    return shape;
  };
  json inputs = json::array();
  if (classifier.input_kind() == models::InputKind::Tokens) {
    inputs.push_back({{"name", "text"}, {"datatype", "BYTES"}, {"shape", {-1}}});
    inputs.push_back({{"name", "tokens"},
                      {"datatype", "INT64"},
                      {"shape", batch_shape(classifier.item_shape())}});
  } else {
    inputs.push_back(
        {{"name", "input"}, {"datatype", "FP32"}, {"shape", batch_shape(classifier.item_shape())}});
  }
  const auto classes = static_cast<std::int64_t>(classifier.class_names().size());
  return {{"name", name},
          {"versions", {"1"}},
          {"platform", "minitorch"},
          {"inputs", inputs},
          {"outputs",
           {{{"name", "probabilities"}, {"datatype", "FP32"}, {"shape", {-1, classes}}},
            {{"name", "class"}, {"datatype", "INT64"}, {"shape", {-1}}},
            {{"name", "label"}, {"datatype", "BYTES"}, {"shape", {-1}}}}},
          {"parameters",
           {{"classes", classifier.class_names()}, {"description", classifier.description()}}}};
}

}  // namespace minitorch::serve::v2
