// The HTTP server end to end, in process, with cpp-httplib's client: every endpoint, every refusal
// with its status and JSON error, and the behaviour under concurrency, reloads, back-pressure,
// slow clients, many connections and shutdown.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "minitorch/serve/server.h"
#include "serve_fixtures.h"

namespace minitorch::serve {
namespace {

using nlohmann::json;

// A server on a free port of 127.0.0.1, running on its own thread until the fixture ends.
class Running {
 public:
  explicit Running(ServerOptions options, std::function<void(Server&)> add_models)
      : lines_(std::make_shared<Lines>()) {
    options.host = "127.0.0.1";
    options.port = 0;
    auto lines = lines_;
    options.log = [lines](const std::string& line) {
      std::lock_guard lock(lines->mutex);
      lines->lines.push_back(line);
    };
    server_ = std::make_unique<Server>(options);
    add_models(*server_);
    port_ = server_->bind();
    thread_ = std::thread([this] { server_->run(); });
  }
  ~Running() { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    server_->stop();
    thread_.join();
  }

  httplib::Client client(const std::string& token = "") const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(20);
    if (!token.empty()) client.set_bearer_token_auth(token);
    return client;
  }
  int port() const { return port_; }
  Server& server() { return *server_; }
  std::vector<std::string> log_lines() const {
    std::lock_guard lock(lines_->mutex);
    return lines_->lines;
  }

 private:
  struct Lines {
    std::mutex mutex;
    std::vector<std::string> lines;
  };
  std::shared_ptr<Lines> lines_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::thread thread_;
};

std::function<void(Server&)> lenet_model() {
  return [](Server& server) {
    server.models().add("lenet", [] { return testing::image_classifier(); });
  };
}

std::vector<double> pixels(const Tensor& images) {
  return images.to_vector();
}

std::string infer_body(const Tensor& images, const std::string& id = "") {
  json body{{"inputs",
             {{{"name", "input"},
               {"shape", images.shape()},
               {"datatype", "FP32"},
               {"data", pixels(images)}}}}};
  if (!id.empty()) body["id"] = id;
  return body.dump();
}

// The probabilities of an infer answer, as the float32 numbers the server computed.
std::vector<double> answered_probabilities(const std::string& body) {
  const json answer = json::parse(body);
  std::vector<double> out;
  for (const json& p : answer["outputs"][0]["data"]) out.push_back(double(p.get<float>()));
  return out;
}

std::vector<double> expected_probabilities(const Tensor& images) {
  std::vector<double> out;
  for (const double p : testing::image_classifier()->probabilities(images).to_vector()) {
    out.push_back(double(float(p)));
  }
  return out;
}

std::string error_of(const httplib::Result& result) {
  if (!result) return "(no answer)";
  const json body = json::parse(result->body, nullptr, false);
  EXPECT_TRUE(body.is_object() && body.contains("error")) << result->body;
  return body.is_object() && body.contains("error") ? body["error"].get<std::string>() : "";
}

TEST(Server, HealthMetadataAndInference) {
  Running running({}, lenet_model());
  auto client = running.client();
  auto live = client.Get("/v2/health/live");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  EXPECT_EQ(json::parse(live->body), json({{"live", true}}));
  EXPECT_EQ(client.Get("/v2/health/ready")->status, 200);
  EXPECT_EQ(json::parse(client.Get("/v2")->body)["name"], "minitorch");
  const json metadata = json::parse(client.Get("/v2/models/lenet")->body);
  EXPECT_EQ(metadata["inputs"][0]["shape"], json({-1, 1, 28, 28}));
  EXPECT_EQ(client.Get("/v2/models/lenet/ready")->status, 200);

  const Tensor images = testing::random_images(3, 5);
  auto answer =
      client.Post("/v2/models/lenet/infer", infer_body(images, "abc"), "application/json");
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200) << answer->body;
  EXPECT_EQ(json::parse(answer->body)["id"], "abc");
  EXPECT_EQ(answered_probabilities(answer->body), expected_probabilities(images));
  EXPECT_EQ(json::parse(client.Get("/openapi.json")->body)["openapi"], "3.1.0");
}

TEST(Server, RefusalsHaveTheirStatusAndAJsonError) {
  ServerOptions options;
  options.max_body_bytes = 64 * 1024;
  Running running(options, lenet_model());
  auto client = running.client();
  auto unknown_model = client.Post("/v2/models/nope/infer", "{}", "application/json");
  EXPECT_EQ(unknown_model->status, 404);
  EXPECT_NE(error_of(unknown_model).find("no model is named 'nope'"), std::string::npos);
  auto unknown_path = client.Get("/v3/anything");
  EXPECT_EQ(unknown_path->status, 404);
  EXPECT_NE(error_of(unknown_path).find("no endpoint GET /v3/anything"), std::string::npos);
  auto wrong_method = client.Get("/v2/models/lenet/infer");
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->get_header_value("Allow"), "POST");
  EXPECT_NE(error_of(wrong_method).find("expected POST"), std::string::npos);
  auto too_big =
      client.Post("/v2/models/lenet/infer", std::string(100 * 1024, ' '), "application/json");
  ASSERT_TRUE(too_big);
  EXPECT_EQ(too_big->status, 413);
  EXPECT_NE(error_of(too_big).find("over the limit of 65536 bytes"), std::string::npos);
  auto malformed = client.Post("/v2/models/lenet/infer", "{\"inputs\": ", "application/json");
  EXPECT_EQ(malformed->status, 400);
  EXPECT_NE(error_of(malformed).find("not valid JSON"), std::string::npos);
  auto wrong_type = client.Post("/v2/models/lenet/predict", "{}", "text/plain");
  EXPECT_EQ(wrong_type->status, 415);
  EXPECT_NE(error_of(wrong_type).find("image/png"), std::string::npos);
  auto not_an_image = client.Post("/v2/models/lenet/predict", "GIF89a....", "image/png");
  EXPECT_EQ(not_an_image->status, 400);
  EXPECT_NE(error_of(not_an_image).find("not a PNG or PGM"), std::string::npos);
  auto bad_top_k =
      client.Post("/v2/models/lenet/predict?top_k=0", "P5 28 28 255\n", "image/x-portable-graymap");
  EXPECT_EQ(bad_top_k->status, 400);
  EXPECT_NE(error_of(bad_top_k).find("top_k is '0'; expected an integer from 1"),
            std::string::npos);
  // The server still answers good requests right.
  const Tensor images = testing::random_images(1, 9);
  auto good = client.Post("/v2/models/lenet/infer", infer_body(images), "application/json");
  ASSERT_EQ(good->status, 200);
  EXPECT_EQ(answered_probabilities(good->body), expected_probabilities(images));
}

std::string pgm(const std::vector<std::uint8_t>& pixels, int width, int height) {
  std::string out = "P5 " + std::to_string(width) + " " + std::to_string(height) + " 255\n";
  out.append(pixels.begin(), pixels.end());
  return out;
}

TEST(Server, PredictAnswersTopKForAnImageAsTheModelSeesIt) {
  Running running({}, lenet_model());
  std::vector<std::uint8_t> bytes(784);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = std::uint8_t(i * 7 % 256);
  auto answer = running.client().Post("/v2/models/lenet/predict?top_k=4", pgm(bytes, 28, 28),
                                      "image/x-portable-graymap");
  ASSERT_EQ(answer->status, 200) << answer->body;
  const json predictions = json::parse(answer->body);
  ASSERT_EQ(predictions.size(), 1u);
  EXPECT_EQ(predictions[0]["input"], "body");
  ASSERT_EQ(predictions[0]["predictions"].size(), 4u);
  const Tensor image = data::image_to_tensor(data::decode_image(pgm(bytes, 28, 28), "image"));
  const auto p = testing::image_classifier()->probabilities(image).to_vector();
  const std::int64_t best = std::max_element(p.begin(), p.end()) - p.begin();
  EXPECT_EQ(predictions[0]["predictions"][0]["index"], best);
  EXPECT_EQ(predictions[0]["predictions"][0]["probability"].get<double>(), p[std::size_t(best)]);
  EXPECT_EQ(predictions[0]["predictions"][0]["class"], "class " + std::to_string(best));

  auto small =
      running.client().Post("/v2/models/lenet/predict", pgm(std::vector<std::uint8_t>(16), 4, 4),
                            "image/x-portable-graymap");
  EXPECT_EQ(small->status, 400);
  EXPECT_NE(error_of(small).find("4x4 pixels; the model takes 28x28"), std::string::npos);
  auto resized =
      running.client().Post("/v2/models/lenet/predict?resize=1",
                            pgm(std::vector<std::uint8_t>(16), 4, 4), "image/x-portable-graymap");
  EXPECT_EQ(resized->status, 200);
}

TEST(Server, TextModelsTakeTexts) {
  Running running({}, [](Server& server) {
    server.models().add("spam", [] { return testing::text_classifier(); });
  });
  auto answer = running.client().Post("/v2/models/spam/predict",
                                      R"({"texts": ["win free money now", "meeting today"]})",
                                      "application/json");
  ASSERT_EQ(answer->status, 200) << answer->body;
  EXPECT_EQ(json::parse(answer->body).size(), 2u);
  auto blank =
      running.client().Post("/v2/models/spam/predict", R"({"texts": [" "]})", "application/json");
  EXPECT_EQ(blank->status, 400);
}

TEST(Server, FeatureModelsTakeRowsOfNumbers) {
  Running running({}, [](Server& server) {
    server.models().add("points", [] {
      Generator generator(4);
      models::ModelConfig config;
      config.num_classes = 2;
      config.init.generator = &generator;
      ClassifierOptions options;
      options.input = models::InputKind::Features;
      options.item_shape = {2};
      options.class_names = {"0", "1"};
      return std::make_shared<const Classifier>(models::make_model("mlp2d", config), options);
    });
  });
  auto client = running.client();
  const json infer = {{"inputs",
                       {{{"name", "input"},
                         {"shape", {2, 2}},
                         {"datatype", "FP64"},
                         {"data", {{0.1, 0.9}, {0.8, 0.2}}}}}}};
  auto answer = client.Post("/v2/models/points/infer", infer.dump(), "application/json");
  ASSERT_EQ(answer->status, 200) << answer->body;
  EXPECT_EQ(json::parse(answer->body)["outputs"][0]["shape"], json({2, 2}));
  auto predicted =
      client.Post("/v2/models/points/predict", R"({"inputs": [[0.1, 0.9]]})", "application/json");
  ASSERT_EQ(predicted->status, 200) << predicted->body;
  EXPECT_EQ(json::parse(predicted->body)[0]["predictions"].size(), 2u);
  auto wrong =
      client.Post("/v2/models/points/predict", R"({"inputs": [[0.1]]})", "application/json");
  EXPECT_EQ(wrong->status, 400);
  EXPECT_NE(error_of(wrong).find("expected 2 numbers per row"), std::string::npos);
}

TEST(Server, TokenGuardsEverythingButTheHealthProbes) {
  ServerOptions options;
  options.token = "s3cret-token";
  Running running(options, lenet_model());
  EXPECT_EQ(running.client().Get("/v2/health/live")->status, 200);
  EXPECT_EQ(running.client().Get("/v2/health/ready")->status, 200);
  auto anonymous = running.client().Get("/v2/models/lenet");
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(anonymous->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_NE(error_of(anonymous).find("bearer token"), std::string::npos);
  EXPECT_EQ(running.client("s3cret-tokeN").Get("/v2/models/lenet")->status, 401);
  EXPECT_EQ(running.client("s3cret-token-longer").Get("/metrics")->status, 401);
  EXPECT_EQ(running.client("s3cret").Get("/metrics")->status, 401);
  EXPECT_EQ(running.client("s3cret-token").Get("/v2/models/lenet")->status, 200);
}

TEST(Server, LogsOneJsonLinePerRequestAndEchoesRequestIds) {
  Running running({}, lenet_model());
  httplib::Headers headers{{"X-Request-Id", "client-id-42"}};
  auto answer = running.client().Post("/v2/models/lenet/infer", headers,
                                      infer_body(testing::random_images(2, 3)), "application/json");
  ASSERT_EQ(answer->status, 200);
  EXPECT_EQ(answer->get_header_value("X-Request-Id"), "client-id-42");
  auto generated = running.client().Get("/v2/health/live");
  EXPECT_FALSE(generated->get_header_value("X-Request-Id").empty());
  running.stop();
  const auto lines = running.log_lines();
  ASSERT_EQ(lines.size(), 2u);
  // A request is logged after its answer is written, so the second may be logged first.
  const json first = json::parse(lines[0]).at("request_id") == "client-id-42"
                         ? json::parse(lines[0])
                         : json::parse(lines[1]);
  EXPECT_EQ(first["request_id"], "client-id-42");
  EXPECT_EQ(first["method"], "POST");
  EXPECT_EQ(first["path"], "/v2/models/lenet/infer");
  EXPECT_EQ(first["model"], "lenet");
  EXPECT_EQ(first["status"], 200);
  EXPECT_GE(first["batch_size"].get<int>(), 2);
  EXPECT_GT(first["latency_ms"].get<double>(), 0.0);
  EXPECT_TRUE(first["time"].get<std::string>().ends_with("Z"));
}

TEST(Server, MetricsCountRequestsBatchesAndMemory) {
  Running running({}, lenet_model());
  auto client = running.client();
  client.Post("/v2/models/lenet/infer", infer_body(testing::random_images(1, 1)),
              "application/json");
  client.Post("/v2/models/lenet/infer", "[]", "application/json");
  const std::string text = client.Get("/metrics")->body;
  for (const char* line :
       {"minitorch_requests_total{model=\"lenet\",endpoint=\"infer\",code=\"200\"} 1\n",
        "minitorch_requests_total{model=\"lenet\",endpoint=\"infer\",code=\"400\"} 1\n",
        "minitorch_batch_size_count{model=\"lenet\"} 1\n",
        "minitorch_inference_duration_seconds_count{model=\"lenet\"} 1\n",
        "minitorch_request_duration_seconds_count{model=\"lenet\"} 2\n",
        "minitorch_model_ready{model=\"lenet\"} 1\n", "# TYPE minitorch_batch_size histogram\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << " not in\n" << text;
  }
  EXPECT_EQ(text.find("process_resident_memory_bytes 0\n"), std::string::npos);
}

TEST(Server, ConcurrentClientsEachGetTheAnswerForTheirOwnInput) {
  ServerOptions options;
  options.batching = {
      .threads = 1, .max_batch_size = 8, .max_queue_delay = std::chrono::milliseconds(2)};
  Running running(options, lenet_model());
  std::atomic<int> wrong{0}, good{0};
  std::atomic<bool> done{false};
  std::thread troublemaker([&] {
    auto client = running.client();
    while (!done) {
      auto answer = client.Post("/v2/models/lenet/infer", R"({"inputs": [{"name": "input"}]})",
                                "application/json");
      if (!answer || answer->status != 400) ++wrong;
    }
  });
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      auto client = running.client();
      for (int i = 0; i < 6; ++i) {
        const Tensor images = testing::random_images(1 + (c + i) % 2, 500 + c * 10 + i);
        auto answer = client.Post("/v2/models/lenet/infer", infer_body(images), "application/json");
        if (answer && answer->status == 200 &&
            testing::same_answers(answered_probabilities(answer->body),
                                  expected_probabilities(images), 10)) {
          ++good;
        } else {
          ++wrong;
        }
      }
    });
  }
  for (auto& client : clients) client.join();
  done = true;
  troublemaker.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(good, 48);
}

TEST(Server, RepositoryLoadsAndUnloadsWithoutDroppingRequests) {
  std::atomic<int> loads{0};
  std::atomic<bool> fail_next{false};
  Running running({}, [&](Server& server) {
    server.models().add("lenet", [&] {
      if (fail_next) throw Error("checkpoint is corrupt");
      ++loads;
      return testing::image_classifier();
    });
  });
  auto client = running.client();
  const json index = json::parse(client.Post("/v2/repository/index", "", "application/json")->body);
  EXPECT_EQ(index,
            json::parse(R"([{"name": "lenet", "version": "1", "state": "READY", "reason": ""}])"));

  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::thread traffic([&] {
    auto traffic_client = running.client();
    const Tensor images = testing::random_images(1, 77);
    while (!done) {
      auto answer =
          traffic_client.Post("/v2/models/lenet/infer", infer_body(images), "application/json");
      if (!answer || answer->status != 200 ||
          answered_probabilities(answer->body) != expected_probabilities(images)) {
        ++failures;
      }
    }
  });
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(client.Post("/v2/repository/models/lenet/load", "", "application/json")->status, 200);
  }
  done = true;
  traffic.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(loads, 6);

  fail_next = true;
  auto failed = client.Post("/v2/repository/models/lenet/load", "", "application/json");
  EXPECT_EQ(failed->status, 400);
  EXPECT_NE(error_of(failed).find("checkpoint is corrupt"), std::string::npos);
  EXPECT_EQ(client.Get("/v2/models/lenet/ready")->status, 200);  // the old model serves on

  EXPECT_EQ(client.Post("/v2/repository/models/lenet/unload", "", "application/json")->status, 200);
  EXPECT_EQ(client.Get("/v2/models/lenet/ready")->status, 400);
  auto unloaded = client.Post("/v2/models/lenet/infer", infer_body(testing::random_images(1, 1)),
                              "application/json");
  EXPECT_EQ(unloaded->status, 404);
  EXPECT_NE(error_of(unloaded).find("unloaded"), std::string::npos);
  EXPECT_EQ(client.Post("/v2/repository/models/other/load", "", "application/json")->status, 404);
  fail_next = false;
  EXPECT_EQ(client.Post("/v2/repository/models/lenet/load", "", "application/json")->status, 200);
  EXPECT_EQ(client.Get("/v2/models/lenet/ready")->status, 200);
}

// A layer that sleeps, so that requests queue up behind it.
class Slow : public nn::Layer {
 public:
  Tensor forward(const Tensor& x) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return zeros({x.size(0), 2});
  }
};

std::function<void(Server&)> slow_model() {
  return [](Server& server) {
    server.models().add("slow", [] {
      ClassifierOptions options;
      options.input = models::InputKind::Image;
      options.item_shape = {1, 1, 1};
      options.class_names = {"a", "b"};
      return std::make_shared<const Classifier>(std::make_shared<Slow>(), options);
    });
  };
}

const std::string kSlowBody =
    R"({"inputs": [{"name": "input", "shape": [1, 1, 1, 1], "datatype": "FP32", "data": [0.5]}]})";

TEST(Server, AFullQueueAnswers503WithRetryAfter) {
  ServerOptions options;
  options.batching = {
      .threads = 1, .max_batch_size = 1, .max_queue_delay = {}, .max_queue_rows = 2};
  Running running(options, slow_model());
  std::atomic<int> ok{0}, refused{0}, other{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&] {
      auto answer = running.client().Post("/v2/models/slow/infer", kSlowBody, "application/json");
      if (answer && answer->status == 200) {
        ++ok;
      } else if (answer && answer->status == 503 &&
                 answer->get_header_value("Retry-After") == "1" &&
                 error_of(answer).find("retry later") != std::string::npos) {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(other, 0);
  EXPECT_GE(ok, 1);
  EXPECT_GE(refused, 1);
}

// Four slow requests sent at once and the server stopped 100 ms later, once they are in; how
// many were answered 200.
int answered_when_stopped(ServerOptions options) {
  options.batching = {.threads = 1, .max_batch_size = 1, .max_queue_delay = {}};
  Running running(options, slow_model());
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&] {
      auto answer = running.client().Post("/v2/models/slow/infer", kSlowBody, "application/json");
      if (answer && answer->status == 200) ++ok;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  running.stop();  // returns once every answer is out
  for (auto& client : clients) client.join();
  EXPECT_FALSE(running.client().Get("/v2/health/live"));  // no longer listening
  return ok;
}

TEST(Server, StopFinishesTheRequestsInFlight) {
  EXPECT_EQ(answered_when_stopped({}), 4);  // all four read and queued
}

TEST(Server, StopAnswersConnectionsAcceptedButNotYetRead) {
  ServerOptions options;
  options.http_threads = 1;  // one connection at a time: the others wait, accepted, unread
  EXPECT_EQ(answered_when_stopped(options), 4);
}

TEST(Server, DeeplyNestedOrOutOfRangeBodiesAreRefused) {
  Running running({}, lenet_model());
  auto client = running.client();
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  for (
      const std::string& body :
      {deep, "{\"id\": " + deep + "}",
       R"({"inputs": [{"name": "input", "datatype": "FP32", "shape": [1], "data": [0]}], "outputs": )" +
           deep + "}"}) {
    auto answer = client.Post("/v2/models/lenet/infer", body, "application/json");
    ASSERT_TRUE(answer) << "no answer: the server died";
    EXPECT_EQ(answer->status, 400);
    EXPECT_NE(error_of(answer).find("deep; expected at most 64"), std::string::npos);
  }
  std::vector<double> image(784, 0.5);
  image[3] = 1e300;
  const json huge = {
      {"inputs",
       {{{"name", "input"}, {"shape", {1, 1, 28, 28}}, {"datatype", "FP64"}, {"data", image}}}}};
  auto answer = client.Post("/v2/models/lenet/infer", huge.dump(), "application/json");
  EXPECT_EQ(answer->status, 400);
  EXPECT_NE(error_of(answer).find("inputs[0].data[3] is 1e+300"), std::string::npos);
  EXPECT_EQ(client.Get("/v2/health/live")->status, 200);
}

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(std::uint16_t(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TEST(Server, ASlowClientNeitherBlocksOthersNorHoldsItsConnectionForever) {
  ServerOptions options;
  options.read_timeout = std::chrono::seconds(1);
  options.keep_alive_timeout = std::chrono::seconds(1);
  options.http_threads = 4;
  Running running(options, lenet_model());
  const int stalled = connect_to(running.port());
  ASSERT_GE(stalled, 0);
  const std::string half =
      "POST /v2/models/lenet/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"in";
  ASSERT_EQ(::send(stalled, half.data(), half.size(), 0), ssize_t(half.size()));
  const auto start = std::chrono::steady_clock::now();
  auto good = running.client().Get("/v2/models/lenet");
  EXPECT_EQ(good->status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
  // The server gives up on the stalled request after its read timeout and closes the connection.
  timeval wait{5, 0};
  ::setsockopt(stalled, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  char buffer[4096];
  ssize_t got = 0;
  std::string reply;
  while ((got = ::recv(stalled, buffer, sizeof buffer, 0)) > 0)
    reply.append(buffer, std::size_t(got));
  EXPECT_EQ(got, 0) << "the connection was not closed within 5 s";
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 400")) << reply;
  EXPECT_NE(reply.find("did not arrive in full within the read timeout"), std::string::npos)
      << reply;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  ::close(stalled);
}

TEST(Server, HundredsOfConnectionsAtOnceAreAllAnswered) {
  ServerOptions options;
  options.http_threads = 8;
  Running running(options, lenet_model());
  std::vector<int> sockets;
  for (int i = 0; i < 300; ++i) {
    const int fd = connect_to(running.port());
    if (fd < 0) continue;
    const std::string request =
        "GET /v2/health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != ssize_t(request.size())) {
      ::close(fd);
      continue;
    }
    sockets.push_back(fd);
  }
  EXPECT_GE(sockets.size(), 250u);
  int answered = 0;
  for (const int fd : sockets) {
    timeval wait{20, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    std::string reply;
    char buffer[1024];
    ssize_t got = 0;
    while ((got = ::recv(fd, buffer, sizeof buffer, 0)) > 0) reply.append(buffer, std::size_t(got));
    if (reply.starts_with("HTTP/1.1 200") && reply.find("{\"ready\":true}") != std::string::npos)
      ++answered;
    ::close(fd);
  }
  EXPECT_EQ(answered, int(sockets.size()));
  EXPECT_EQ(running.client().Get("/v2/health/live")->status, 200);
}

}  // namespace
}  // namespace minitorch::serve
