// The V2 request parser and the model-side checks: every refusal is HttpError 400 with a message
// naming the field and what was expected; good requests become the batch the model takes.
#include <gtest/gtest.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "minitorch/serve/http_error.h"
#include "serve/v2_codec.h"
#include "serve_fixtures.h"

namespace minitorch::serve::v2 {
namespace {

using nlohmann::json;

json image_request(std::int64_t batch, const std::vector<double>& data,
                   const std::string& datatype = "FP32") {
  return {{"inputs",
           {{{"name", "input"},
             {"shape", {batch, 1, 28, 28}},
             {"datatype", datatype},
             {"data", data}}}}};
}

// The message of the HttpError `body` makes the parser or the model's checks throw.
std::string refusal(const std::string& body, const Classifier* model = nullptr) {
  try {
    const InferRequest request = parse_infer_request(body);
    requested_outputs(request);
    if (model) to_batch(request, *model);
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 400) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << body.substr(0, 200);
  return {};
}

TEST(V2Codec, ParsesFlatDataIdAndOutputs) {
  json body = image_request(1, std::vector<double>(784, 0.5));
  body["id"] = "request-7";
  body["outputs"] = {{{"name", "class"}}};
  const InferRequest request = parse_infer_request(body.dump());
  EXPECT_EQ(request.id, "request-7");
  EXPECT_EQ(request.shape, (std::vector<std::int64_t>{1, 1, 28, 28}));
  EXPECT_EQ(request.numbers.size(), 784u);
  EXPECT_EQ(requested_outputs(request), std::vector<std::string>{"class"});
}

TEST(V2Codec, NestedDataEqualsFlatData) {
  std::vector<double> flat;
  json rows = json::array();
  for (int r = 0; r < 2; ++r) {
    json row = json::array();
    for (int c = 0; c < 3; ++c) {
      row.push_back(r * 3 + c + 0.5);
      flat.push_back(r * 3 + c + 0.5);
    }
    rows.push_back(row);
  }
  const json nested = {
      {"inputs", {{{"name", "input"}, {"shape", {2, 3}}, {"datatype", "FP64"}, {"data", rows}}}}};
  EXPECT_EQ(parse_infer_request(nested.dump()).numbers, flat);
}

TEST(V2Codec, Fp32ValuesAreRoundedToFloat) {
  const json body = {
      {"inputs", {{{"name", "input"}, {"shape", {1}}, {"datatype", "FP32"}, {"data", {0.1}}}}}};
  EXPECT_EQ(parse_infer_request(body.dump()).numbers[0], double(0.1f));
}

TEST(V2Codec, RefusesMalformedRequests) {
  const auto input = [](json changes) {
    json tensor = {
        {"name", "input"}, {"shape", {1, 2}}, {"datatype", "FP32"}, {"data", {1.0, 2.0}}};
    for (auto& [key, value] : changes.items()) {
      if (value.is_null()) {
        tensor.erase(key);
      } else {
        tensor[key] = value;
      }
    }
    return json{{"inputs", {tensor}}}.dump();
  };
  struct Case {
    std::string body;
    std::string says;  // a piece of the message
  };
  const std::vector<Case> cases{
      {"{\"inputs\": [", "not valid JSON"},
      {"[1, 2]", "expected an object"},
      {"{}", "has no \"inputs\""},
      {"{\"inputs\": []}", "array of one tensor"},
      {"{\"inputs\": [1]}", "expected an object"},
      {"{\"id\": 5, \"inputs\": []}", "\"id\" is 5"},
      {input({{"name", nullptr}}), "has no \"name\""},
      {input({{"shape", nullptr}}), "has no \"shape\""},
      {input({{"datatype", nullptr}}), "has no \"datatype\""},
      {input({{"data", nullptr}}), "has no \"data\""},
      {input({{"name", 3}}), "name is 3"},
      {input({{"datatype", "FP16"}}), "expected FP32, FP64, INT64 or BYTES"},
      {input({{"shape", {1, -2}}}), "expected integers >= 0"},
      {input({{"shape", {1, 2.5}}}), "expected integers >= 0"},
      {input({{"shape", json::array()}}), "expected [batch, ...]"},
      {input({{"shape", "1x2"}}), "expected an array of sizes"},
      {input({{"shape", {1, 3}}}), "holds 2 values; the shape [1, 3] needs 3"},
      {input({{"shape", {1, 4000000000, 4000000000, 4}}}), "needs more than 2^64"},
      {input({{"data", "1,2"}}), "expected an array"},
      {input({{"data", {1.0, "2"}}}), "expects numbers"},
      {input({{"data", {1.0, true}}}), "expects numbers"},
      {input({{"data", {1.0, 1e39}}}), "(this one overflows)"},
      {input({{"datatype", "INT64"}, {"data", {1, 2.5}}}), "expects integers"},
      {input({{"datatype", "BYTES"}, {"data", {"a", 2}}}), "expects strings"},
      {input({{"shape", {2, 1}}, {"data", {{1.0, 2.0}}}}), "nests 1 values at depth 0"},
      {input({{"data", {{1.0}, {2.0}}}}), "nests 2 values at depth 0"},
      {json{
           {"inputs", {{{"name", "input"}, {"shape", {1}}, {"datatype", "FP32"}, {"data", {1.0}}}}},
           {"outputs", {{{"name", "logits"}}}}}
           .dump(),
       "output \"logits\" is not an output"},
      {json{
           {"inputs", {{{"name", "input"}, {"shape", {1}}, {"datatype", "FP32"}, {"data", {1.0}}}}},
           {"outputs", {"class"}}}
           .dump(),
       "expected {\"name\""},
  };
  for (const Case& c : cases) {
    const std::string message = refusal(c.body);
    EXPECT_NE(message.find(c.says), std::string::npos)
        << c.body.substr(0, 120) << "\n  message: " << message << "\n  expected: " << c.says;
  }
}

// What parse_infer_request gives: the request, or the message it refuses the body with.
std::string outcome(const std::string& body, bool fast) {
  try {
    const InferRequest r = parse_infer_request(body, fast);
    std::string out = "id=" + r.id.value_or("-") + " name=" + r.input_name + " type=" + r.datatype;
    out += " shape=" + json(r.shape).dump() + " outputs=" + json(r.outputs).dump();
    out += " texts=" + json(r.texts).dump() + " numbers=";
    for (const double v : r.numbers) {
      char text[40];
      std::snprintf(text, sizeof text, "%a,", v);  // exact, sign of zero included
      out += text;
    }
    return out;
  } catch (const HttpError& e) {
    return "refused " + std::to_string(e.status()) + ": " + e.what();
  }
}

TEST(V2Codec, ReadingNumbersFromTheTextGivesWhatTheJsonTreeGives) {
  const std::string head = R"({"id": "7", "inputs": [{"name": "input", "shape": [1, 4], )";
  const std::vector<std::string> bodies{
      head + R"("datatype": "FP32", "data": [0.5, 1, -0, 2.5e-3]}]})",
      head + R"("datatype": "FP64", "data": [ 0.1 ,1E+2,-0.0,  123456789012345678901234 ] }]})",
      R"({"inputs": [{"data": [1, 2, 3, 4], "shape": [4], "datatype": "FP32", "name": "input"}]})",
      head + R"("datatype": "FP32", "data": [1, 2, 3]}]})",
      head + R"("datatype": "FP32", "data": [1, 2, 3, 1e39]}]})",
      head + R"("datatype": "FP64", "data": [1, 2, 3, 1e300]}]})",
      head + R"("datatype": "FP32", "data": [1, 2, 3, 1e400]}]})",
      head + R"("datatype": "FP32", "data": [1, 2, 3, 1e-400]}]})",
      head + R"("datatype": "FP32", "data": [01, 2, 3, 4]}]})",
      head + R"("datatype": "FP32", "data": [1., 2, 3, 4]}]})",
      head + R"("datatype": "FP32", "data": [+1, 2, 3, 4]}]})",
      head + R"("datatype": "FP32", "data": [1, 2, 3, 4,]}]})",
      head + R"("datatype": "FP32", "data": [1, 2, 3, NaN]}]})",
      head + R"("datatype": "FP32", "data": [[1, 2], [3, 4]]}]})",
      head + R"("datatype": "INT64", "data": [1, 2, 3, 4]}]})",
      head + R"("datatype": "INT64", "data": [1, 2, 3, 4.5]}]})",
      head + R"("datatype": "BYTES", "data": [1, 2, 3, 4]}]})",
      head + R"("datatype": "FP32", "data": [1, 2, 3, 4], "data": [5, 6, 7, 8]}]})",
      head + R"("datatype": "FP32", "data": [1, 2, 3, 4], "data": [5, 6, 7, 8]}]})",
      head + R"("datatype": "FP32", "data": [1, 2, 3, 4], "data": 5}]})",
      head + R"("datatype": "FP32", "data": [1, 2, 3, 4]}], "inputs": []})",
      head + R"("datatype": "FP32", "data": [1, 2, 3, 4]}, {"name": "x"}]})",
      R"({"inputs": ["x", {"name": "input", "shape": [1], "datatype": "FP32", "data": [1]}]})",
      head + R"("datatype": "FP32", "data": [1, 2, 3, 4]}]} x)",
      head + R"("datatype": "FP32", "data": [1, 2, 3, 4]}]}  )",
      head + R"("datatype": "FP32", "data": [1, 2, 3, 4]}], "outputs": [{"name": "class"}]})",
      head + R"("datatype": "FP32", "data": []}]})",
      R"({"inputs": [{"name": "input", "shape": [0, 4], "datatype": "FP32", "data": []}]})",
      R"({"id": "a]b[", "inputs": [{"name": "in"put", "shape": [1], "datatype": "FP32", "data": [7]}]})",
      R"([{"inputs": []}])",
  };
  for (const std::string& body : bodies) {
    EXPECT_EQ(outcome(body, true), outcome(body, false)) << body;
  }
}

TEST(V2Codec, ModelChecksNameShapeDatatypeAndBatch) {
  const auto model = testing::image_classifier();
  const std::vector<double> image(784, 0.5);
  json wrong_name = image_request(1, image);
  wrong_name["inputs"][0]["name"] = "pixels";
  json wrong_shape = image_request(1, image);
  wrong_shape["inputs"][0]["shape"] = {1, 28, 28};
  wrong_shape["inputs"][0]["data"] = image;
  json bytes = {
      {"inputs", {{{"name", "input"}, {"shape", {1}}, {"datatype", "BYTES"}, {"data", {"x"}}}}}};
  EXPECT_NE(refusal(wrong_name.dump(), model.get()).find("expected \"input\""), std::string::npos);
  EXPECT_NE(refusal(wrong_shape.dump(), model.get()).find("expects [-1, 1, 28, 28]"),
            std::string::npos);
  EXPECT_NE(refusal(bytes.dump(), model.get()).find("an image model expects FP32 or FP64"),
            std::string::npos);
  EXPECT_NE(refusal(image_request(0, {}).dump(), model.get()).find("a batch of 0"),
            std::string::npos);
}

TEST(V2Codec, TextModelsTakeTextsOrTokenIdsInTheVocabulary) {
  const auto model = testing::text_classifier();
  const json texts = {{"inputs",
                       {{{"name", "text"},
                         {"shape", {2}},
                         {"datatype", "BYTES"},
                         {"data", {"free money now", "meeting today"}}}}}};
  const Tensor batch = to_batch(parse_infer_request(texts.dump()), *model);
  EXPECT_EQ(batch.shape(), (Shape{2, 8}));
  EXPECT_EQ(batch.to_vector()[0], double(model->encode_texts({"free money now"}).to_vector()[0]));

  std::vector<std::int64_t> ids(8, 0);
  ids[0] = 2;
  const json tokens = {
      {"inputs", {{{"name", "tokens"}, {"shape", {1, 8}}, {"datatype", "INT64"}, {"data", ids}}}}};
  EXPECT_EQ(to_batch(parse_infer_request(tokens.dump()), *model).to_vector()[0], 2.0);

  ids[3] = 8;  // the vocabulary has 8 words: ids 0 to 7
  const json outside = {
      {"inputs", {{{"name", "tokens"}, {"shape", {1, 8}}, {"datatype", "INT64"}, {"data", ids}}}}};
  EXPECT_NE(refusal(outside.dump(), model.get()).find("expected ids in [0, 8)"), std::string::npos);
  const json blank = {
      {"inputs", {{{"name", "text"}, {"shape", {1}}, {"datatype", "BYTES"}, {"data", {"  "}}}}}};
  EXPECT_NE(refusal(blank.dump(), model.get()).find("empty"), std::string::npos);
  const json numbers = {
      {"inputs", {{{"name", "text"}, {"shape", {1}}, {"datatype", "FP32"}, {"data", {1.0}}}}}};
  EXPECT_NE(refusal(numbers.dump(), model.get()).find("a text model expects BYTES or INT64"),
            std::string::npos);
}

TEST(V2Codec, ResponseHoldsProbabilitiesClassesAndLabels) {
  const auto model = testing::image_classifier();
  const std::vector<float> probabilities{0.1f, 0.7f, 0.2f, 0, 0, 0, 0, 0, 0, 0,   //
                                         0.5f, 0.0f, 0.5f, 0, 0, 0, 0, 0, 0, 0};  // a tie: first
  const json response = infer_response("m", std::string("x"), probabilities, 10, *model,
                                       {"probabilities", "class", "label"});
  EXPECT_EQ(response["model_name"], "m");
  EXPECT_EQ(response["id"], "x");
  EXPECT_EQ(response["outputs"][0]["shape"], json({2, 10}));
  EXPECT_EQ(response["outputs"][0]["datatype"], "FP32");
  EXPECT_EQ(response["outputs"][1]["data"], json({1, 0}));
  EXPECT_EQ(response["outputs"][2]["data"], json({"class 1", "class 0"}));
  const json only_class = infer_response("m", std::nullopt, probabilities, 10, *model, {"class"});
  EXPECT_FALSE(only_class.contains("id"));
  EXPECT_EQ(only_class["outputs"].size(), 1u);
}

TEST(V2Codec, MetadataGivesTheBatchDimensionAsMinusOne) {
  const json image = model_metadata("lenet", *testing::image_classifier());
  EXPECT_EQ(image["inputs"][0]["shape"], json({-1, 1, 28, 28}));
  EXPECT_EQ(image["outputs"][0]["shape"], json({-1, 10}));
  const json text = model_metadata("spam", *testing::text_classifier());
  EXPECT_EQ(text["inputs"][0]["name"], "text");
  EXPECT_EQ(text["inputs"][1]["shape"], json({-1, 8}));
}

}  // namespace
}  // namespace minitorch::serve::v2
