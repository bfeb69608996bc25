// The Open Inference Protocol (KServe V2) REST bodies of a classifier, as JSON.
//
// parse_infer_request(body): an inference request {"id"?, "parameters"?, "inputs": [one tensor
//   {"name", "shape", "datatype", "data"}], "outputs"?: [{"name"}...]}, data flat (row-major) or
//   nested as the shape says. Checks everything the JSON alone can tell (syntax, field types, a
//   shape of non-negative sizes whose product is the element count, elements of the datatype:
//   numbers for FP32 / FP64, integers for INT64, strings for BYTES) and throws HttpError 400
//   naming the field, what it held and what was expected.
// to_batch(request, classifier): the request's tensor as the model's batch, after the checks only
//   the model can make (input name, datatype, shape against its signature, finite values, token
//   ids within the vocabulary, a batch of at least one); HttpError 400 otherwise.
// infer_response(...): {"model_name", "id"?, "outputs": [...]}: "probabilities" FP32 [B, classes],
//   "class" INT64 [B] (the most probable class, the first of equals) and "label" BYTES [B], or
//   the ones the request named (an unknown name is HttpError 400, raised by requested_outputs).
// model_metadata(...): {"name", "versions", "platform", "inputs", "outputs"} with -1 for the batch.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "minitorch/serve/classifier.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::serve::v2 {

// Bodies nested deeper than this are refused before they are parsed (a deep value would exhaust
// the stack of whatever walks it recursively); tensors of more sizes than kMaxRank too.
inline constexpr std::size_t kMaxNesting = 64;
inline constexpr std::size_t kMaxRank = 32;

// The JSON of a request body, or HttpError 400 naming what was expected when it is not JSON or
// nests deeper than kMaxNesting.
nlohmann::json parse_json_body(const std::string& body, const std::string& expected);
void check_nesting(const std::string& body);

struct InferRequest {
  std::optional<std::string> id;
  std::string input_name;
  std::string datatype;  // FP32, FP64, INT64 or BYTES
  std::vector<std::int64_t> shape;
  std::vector<double> numbers;       // FP32, FP64, INT64
  std::vector<std::string> texts;    // BYTES
  std::vector<std::string> outputs;  // empty: all
};

// `fast`: read the numbers of a flat FP32 / FP64 data array straight from the text
// (serve/v2_fast_data.h); the request is the same either way (fuzz_infer_request checks it).
InferRequest parse_infer_request(const std::string& body, bool fast = true);
Tensor to_batch(const InferRequest& request, const Classifier& classifier);

// The output names of the response, checked; all of them when the request names none.
std::vector<std::string> requested_outputs(const InferRequest& request);
nlohmann::json infer_response(const std::string& model_name, const std::optional<std::string>& id,
                              const std::vector<float>& probabilities, std::int64_t classes,
                              const Classifier& classifier,
                              const std::vector<std::string>& outputs);

nlohmann::json model_metadata(const std::string& name, const Classifier& classifier);

// The index of the largest probability of each row of [B, classes].
std::vector<std::int64_t> predicted_classes(const std::vector<float>& probabilities,
                                            std::int64_t classes);

}  // namespace minitorch::serve::v2
