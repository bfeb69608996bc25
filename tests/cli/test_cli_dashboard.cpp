// `minitorch dashboard` end to end: the real program on a directory of real short runs (2-D,
// Fashion-MNIST with eval, spam) trained once per build of the program, every endpoint over HTTP
// checked against the runs' files and `minitorch predict`, a live metrics line, path tricks, and
// the server still answering after each bad request.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "cli_fixture.h"

namespace {

namespace fs = std::filesystem;
using minitorch::testing::Cli;
using minitorch::testing::cli_path;
using minitorch::testing::contains;
using minitorch::testing::quote;
using minitorch::testing::read;
using minitorch::testing::Result;
using nlohmann::json;

json read_json(const fs::path& path) {
  return json::parse(read(path));
}

// Runs the program, waiting for it; its standard output.
std::string run_quietly(const std::vector<std::string>& args, int& code) {
  std::string command = quote(cli_path());
  for (const auto& arg : args) command += " " + quote(arg);
  const fs::path out = fs::temp_directory_path() / ("dashboard-cli-" + std::to_string(::getpid()));
  command += " >" + quote(out.string()) + " 2>/dev/null </dev/null";
  const int status = std::system(command.c_str());
  code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  std::string text = read(out);
  fs::remove(out);
  return text;
}

// The dashboard as a child process on a free port, stopped with SIGTERM.
class DashboardProcess {
 public:
  explicit DashboardProcess(const fs::path& runs) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      const std::string program = cli_path();
      const std::string dir = runs.string();
      ::execl(program.c_str(), program.c_str(), "dashboard", "--runs", dir.c_str(), "--port", "0",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = ::fdopen(fds[0], "r");
    char line[1024] = {};
    if (!std::fgets(line, sizeof line, out_)) return;
    ready_line_ = line;
    const auto colon = ready_line_.rfind(':');
    if (colon != std::string::npos) port_ = std::atoi(ready_line_.c_str() + colon + 1);
  }
  ~DashboardProcess() {
    if (pid_ > 0 && exit_code() < 0) ::kill(pid_, SIGKILL);
    if (out_) std::fclose(out_);
  }
  // SIGTERM, then its exit code.
  int stop() {
    ::kill(pid_, SIGTERM);
    return exit_code();
  }
  int exit_code() {
    if (code_ >= 0 || pid_ <= 0) return code_;
    int status = 0;
    if (::waitpid(pid_, &status, 0) == pid_) code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    return code_;
  }
  int port() const { return port_; }
  const std::string& ready_line() const { return ready_line_; }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  std::string ready_line_;
  int port_ = 0;
  int code_ = -1;
};

// The runs every test serves, by directory name: each a list of command lines ({run} is its
// directory), run in turn.
const std::vector<std::pair<std::string, std::vector<std::vector<std::string>>>>& trainings() {
  static const std::vector<std::pair<std::string, std::vector<std::vector<std::string>>>> runs = {
      {"xor",
       {{"train", "--task", "2d", "--dataset", "xor", "--epochs", "50", "--run-dir", "{run}"}}},
      {"img",
       {{"train", "--task", "fashion-mnist", "--model", "lenet", "--epochs", "2", "--train-samples",
         "300", "--batch-size", "64", "--run-dir", "{run}"},
        {"eval", "--run", "{run}"}}},
      {"spam",
       {{"train", "--task", "spam", "--model", "textcnn", "--epochs", "1", "--train-samples", "200",
         "--run-dir", "{run}"}}}};
  return runs;
}

void make_runs(const fs::path& target) {
  fs::create_directories(target);
  for (const auto& [name, commands] : trainings()) {
    for (std::vector<std::string> args : commands) {
      std::replace(args.begin(), args.end(), std::string("{run}"), (target / name).string());
      int code = -1;
      run_quietly(args, code);
      if (code != 0)
        throw std::runtime_error(args[0] + " " + name + " exited with " + std::to_string(code));
    }
  }
}

// What the shared runs were made by: the program (path, size, modification time) and the
// trainings; other stamps mean they are made again.
std::string runs_stamp() {
  const fs::path program = fs::canonical(cli_path());
  struct stat status {};
  if (::stat(program.c_str(), &status) != 0) throw std::runtime_error("stat " + program.string());
  std::string stamp = program.string() + " " + std::to_string(status.st_size) + " " +
                      std::to_string(status.st_mtim.tv_sec) + "." +
                      std::to_string(status.st_mtim.tv_nsec);
  for (const auto& [name, commands] : trainings()) {
    stamp += "\n" + name;
    for (const auto& args : commands) {
      for (const auto& arg : args) stamp += " " + arg;
    }
  }
  return stamp + "\n";
}

// The runs, trained once per build of the program beside it, under a file lock so that test
// processes running side by side wait for the first one: minutes of training saved per test.
fs::path shared_runs() {
  const fs::path shared = fs::path(cli_path()).parent_path() / "test-shared" / "dashboard-cli";
  fs::create_directories(shared);
  const int lock = ::open((shared / "runs.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) throw std::runtime_error("lock " + shared.string());
  const fs::path runs = shared / "runs";
  const fs::path stamp_file = shared / "runs.stamp";
  const std::string stamp = runs_stamp();
  try {
    if (!fs::is_directory(runs) || read(stamp_file) != stamp) {
      fs::remove_all(runs);
      const fs::path partial = shared / "runs.partial";
      fs::remove_all(partial);
      make_runs(partial);
      fs::rename(partial, runs);
      std::ofstream(stamp_file) << stamp;
    }
  } catch (...) {
    ::close(lock);
    throw;
  }
  ::close(lock);
  return runs;
}

class DashboardCli : public ::testing::Test {
 protected:
  // Each test process serves its own copy of the shared runs, which its tests may change.
  static void SetUpTestSuite() {
    root_ = fs::temp_directory_path() / ("minitorch-dashboard-cli-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    ASSERT_NO_THROW(fs::copy(shared_runs(), root_, fs::copy_options::recursive));
    server_ = new DashboardProcess(root_);
    ASSERT_GT(server_->port(), 0) << server_->ready_line();
  }
  static void TearDownTestSuite() {
    if (server_) {
      EXPECT_EQ(server_->stop(), 0);
      delete server_;
      server_ = nullptr;
    }
    fs::remove_all(root_);
  }

  static httplib::Client client() {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(60, 0);
    return c;
  }
  // GET path: status and JSON body.
  static std::pair<int, json> get(const std::string& path) {
    auto c = client();
    const auto res = c.Get(path);
    if (!res) return {0, nullptr};
    return {res->status, json::parse(res->body, nullptr, false)};
  }
  static json get_ok(const std::string& path) {
    const auto [status, body] = get(path);
    EXPECT_EQ(status, 200) << path << ": " << body.dump();
    return body;
  }
  static std::pair<int, json> post(const std::string& path, const std::string& body,
                                   const std::string& type) {
    auto c = client();
    const auto res = c.Post(path, body, type);
    if (!res) return {0, nullptr};
    return {res->status, json::parse(res->body, nullptr, false)};
  }
  static json find_run(const json& listing, const std::string& id) {
    for (const json& run : listing["runs"]) {
      if (run["id"] == id) return run;
    }
    ADD_FAILURE() << id << " not in " << listing.dump();
    return json::object();
  }
  // The server still answers after a bad request.
  static void expect_alive() { EXPECT_EQ(get("/api/runs").first, 200); }

  static fs::path root_;
  static DashboardProcess* server_;
};
fs::path DashboardCli::root_;
DashboardProcess* DashboardCli::server_ = nullptr;

TEST_F(DashboardCli, TheReadyLineNamesTheDirectoryAndAddress) {
  EXPECT_TRUE(contains(server_->ready_line(),
                       "minitorch dashboard: " + root_.string() + " at http://127.0.0.1:"))
      << server_->ready_line();
  EXPECT_TRUE(contains(server_->ready_line(), "(SIGINT or SIGTERM stops)"));
}

TEST_F(DashboardCli, ThePageAndItsAssets) {
  auto c = client();
  const auto page = c.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_TRUE(contains(page->get_header_value("Content-Type"), "text/html"));
  EXPECT_TRUE(contains(page->body, "<html") || contains(page->body, "<!doctype html>"));
  const auto script = c.Get("/assets/uPlot.iife.min.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_TRUE(contains(script->get_header_value("Cache-Control"), "max-age"));
  for (const char* path : {"/assets/nothing.js", "/assets/..%2fCMakeLists.txt", "/assets/"}) {
    const auto [status, body] = get(path);
    EXPECT_EQ(status, 404) << path;
    EXPECT_TRUE(body.is_object() && body.contains("error")) << path << ": " << body.dump();
  }
  expect_alive();
}

TEST_F(DashboardCli, TheRunsListHasEveryRunWithItsSummary) {
  const json listing = get_ok("/api/runs");
  EXPECT_EQ(listing["runs"].size(), 3u);
  const json img = find_run(listing, "img");
  EXPECT_EQ(img["kind"], "image");
  EXPECT_EQ(img["status"], "complete");
  EXPECT_EQ(img["model"], "lenet");
  EXPECT_TRUE(img["has_eval"]);
  EXPECT_EQ(img["summary"]["test_accuracy"],
            read_json(root_ / "img/summary.json")["test_accuracy"]);
  EXPECT_EQ(img["epochs_done"], 2);
  const json xor_run = find_run(listing, "xor");
  EXPECT_EQ(xor_run["kind"], "2d");
  EXPECT_EQ(xor_run["dataset"], "xor");
  EXPECT_EQ(xor_run["summary"], read_json(root_ / "xor/summary.json"));
  EXPECT_EQ(find_run(listing, "spam")["kind"], "text");
  EXPECT_EQ(find_run(listing, "spam")["status"], "complete");
}

TEST_F(DashboardCli, OneRunHasTheConfusionMatrixOfEvalJson) {
  const json run = get_ok("/api/run?run=img");
  const json eval = read_json(root_ / "img/eval.json");
  EXPECT_EQ(run["eval"]["confusion_matrix"], eval["confusion_matrix"]);
  EXPECT_EQ(run["eval"]["accuracy"], eval["accuracy"]);
  EXPECT_EQ(run["class_names"].size(), 10u);
  EXPECT_EQ(run["config"], read_json(root_ / "img/config.json"));
  EXPECT_FALSE(run["files"].empty());
}

TEST_F(DashboardCli, MetricsSinceLineNShowAnAppendedEpochLive) {
  fs::copy(root_ / "xor", root_ / "live", fs::copy_options::recursive);
  const json first = get_ok("/api/metrics?run=live&since=0");
  const std::size_t lines = first["records"].size();
  EXPECT_EQ(first["next"], lines);
  EXPECT_FALSE(first["training"]);
  EXPECT_TRUE(get_ok("/api/metrics?run=live&since=" + std::to_string(lines))["records"].empty());
  {
    std::ofstream out(root_ / "live/metrics.jsonl", std::ios::app);
    out << R"({"kind":"epoch","epoch":51,"step":51,"loss":0.25,"train_accuracy":0.9})"
        << "\n"
        << R"({"kind":"epoch","epoch":52,"lo)";  // a line being written
  }
  const json page = get_ok("/api/metrics?run=live&since=" + std::to_string(lines));
  ASSERT_EQ(page["records"].size(), 1u);
  EXPECT_EQ(page["records"][0]["epoch"], 51);
  EXPECT_EQ(page["next"], lines + 1);
  // A live pid in .lock is not enough (a finished run keeps its trainer's pid); the flock that
  // `train` holds on .lock makes the run training.
  std::ofstream(root_ / "live/.lock") << ::getpid() << "\n";
  EXPECT_FALSE(get_ok("/api/metrics?run=live")["training"]);
  const int lock = ::open((root_ / "live/.lock").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(lock, 0);
  ASSERT_EQ(::flock(lock, LOCK_EX | LOCK_NB), 0);
  EXPECT_TRUE(get_ok("/api/metrics?run=live")["training"]);
  EXPECT_EQ(find_run(get_ok("/api/runs"), "live")["status"], "training");
  ::close(lock);
  fs::remove_all(root_ / "live");
}

TEST_F(DashboardCli, BrokenRunsAreShownWithTheirReasons) {
  fs::copy(root_ / "img", root_ / "broken", fs::copy_options::recursive);
  std::ofstream(root_ / "broken/summary.json") << "{\"test_accuracy\": 0.";
  fs::remove(root_ / "broken/model.safetensors");
  json config = read_json(root_ / "img/config.json");
  config["data_dir"] = (root_ / "no-data-here").string();
  std::ofstream(root_ / "broken/config.json") << config.dump();
  const json run = find_run(get_ok("/api/runs"), "broken");
  EXPECT_EQ(run["status"], "broken");
  ASSERT_FALSE(run["problems"].empty());
  EXPECT_TRUE(contains(run["problems"][0].get<std::string>(), "summary.json: invalid JSON"));
  EXPECT_EQ(run["epochs_done"], 2);  // what could be read is still there
  const auto [model_status, model] = get("/api/model?run=broken");
  EXPECT_EQ(model_status, 404);
  EXPECT_TRUE(contains(model["error"].get<std::string>(), "model.safetensors")) << model.dump();
  const auto [data_status, data] = get("/api/data?run=broken");
  EXPECT_EQ(data_status, 500);
  EXPECT_TRUE(contains(data["error"].get<std::string>(), "no-data-here")) << data.dump();
  EXPECT_EQ(post("/api/predict?run=broken", "x", "image/png").first, 404);
  expect_alive();
  fs::remove_all(root_ / "broken");
}

TEST_F(DashboardCli, DataOfEachKind) {
  const json image = get_ok("/api/data?run=img&per_class=2");
  EXPECT_EQ(image["kind"], "image");
  EXPECT_EQ(image["samples"].size(), 20u);
  EXPECT_EQ(image["samples"][0]["pixels"].size(), 784u);
  EXPECT_EQ(image["splits"]["train"], 300);
  EXPECT_EQ(image["splits"]["test"], 10000);
  EXPECT_EQ(image["pixel_stats"]["histogram"].size(), 16u);
  const json text = get_ok("/api/data?run=spam&per_class=3");
  EXPECT_EQ(text["kind"], "text");
  EXPECT_EQ(text["samples"].size(), 6u);
  EXPECT_LE(text["samples"][0]["tokens"].size(), 64u);
  EXPECT_GT(text["length_stats"]["max"].get<int>(), 0);
  EXPECT_EQ(text["splits"]["train"], 200);
  const json points = get_ok("/api/data?run=xor");
  EXPECT_EQ(points["kind"], "2d");
  EXPECT_EQ(points["points"].size(), 50u);
}

TEST_F(DashboardCli, ModelTreeAndGraph) {
  const json model = get_ok("/api/model?run=img");
  EXPECT_EQ(model["model"], "lenet");
  long long total = 0;
  for (const json& p : model["parameters"]) total += p["count"].get<long long>();
  EXPECT_EQ(model["total_parameters"], total);
  EXPECT_EQ(model["input"]["shape"], json({1, 28, 28}));
  const json graph = get_ok("/api/graph?run=xor");
  EXPECT_EQ(graph["dot"].get<std::string>().rfind("digraph", 0), 0u);
  if (::access("/usr/bin/dot", X_OK) == 0) {
    EXPECT_TRUE(graph["svg"].is_string()) << graph["note"];
  }
}

TEST_F(DashboardCli, InspectionAndBoundary) {
  const json inspection = get_ok("/api/inspection?run=img&per_class=2");
  ASSERT_EQ(inspection["per_class"].size(), 10u);
  EXPECT_EQ(inspection["width"], 28);
  EXPECT_EQ(inspection["height"], 28);
  for (const json& entry : inspection["per_class"]) {
    EXPECT_LE(entry["false_positives"].size(), 2u);
    for (const json& sample : entry["false_negatives"]) {
      EXPECT_EQ(sample["label"], entry["class"]);
      EXPECT_EQ(sample["pixels"].size(), 784u);
    }
  }
  const json text = get_ok("/api/inspection?run=spam&per_class=1");
  EXPECT_EQ(text["per_class"].size(), 2u);
  const json boundary = get_ok("/api/boundary?run=xor&grid=10");
  EXPECT_EQ(boundary["probabilities"].size(), 100u);
  EXPECT_EQ(get("/api/boundary?run=img").first, 400);
}

TEST_F(DashboardCli, PredictAnswersAsMinitorchPredictDoes) {
  // A test image of the data page, as a PGM file.
  const json image = get_ok("/api/data?run=img&per_class=1");
  std::string pgm = "P5\n28 28\n255\n";
  for (const json& v : image["samples"][3]["pixels"]) pgm.push_back(char(v.get<int>()));
  const fs::path file = root_ / "sample.pgm";
  std::ofstream(file, std::ios::binary) << pgm;
  int code = -1;
  const json expected = json::parse(
      run_quietly({"predict", "--run", (root_ / "img").string(), file.string(), "--json"}, code));
  ASSERT_EQ(code, 0);
  const auto [status, answer] =
      post("/api/predict?run=img&top_k=3", pgm, "image/x-portable-graymap");
  ASSERT_EQ(status, 200) << answer.dump();
  ASSERT_EQ(answer[0]["predictions"].size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    const json& got = answer[0]["predictions"][k];
    const json& want = expected[0]["predictions"][k];
    EXPECT_EQ(got["class"], want["class"]);
    EXPECT_NEAR(got["probability"].get<double>(), want["probability"].get<double>(), 1e-5);
  }
  const json text_expected = json::parse(run_quietly(
      {"predict", "--run", (root_ / "spam").string(), "--text", "free money now", "--json"}, code));
  const auto [text_status, text_answer] =
      post("/api/predict?run=spam", R"({"texts": ["free money now"]})", "application/json");
  ASSERT_EQ(text_status, 200) << text_answer.dump();
  EXPECT_EQ(text_answer[0]["predictions"][0]["class"], text_expected[0]["predictions"][0]["class"]);
  EXPECT_NEAR(text_answer[0]["predictions"][0]["probability"].get<double>(),
              text_expected[0]["predictions"][0]["probability"].get<double>(), 1e-5);
  const json point_expected = json::parse(run_quietly(
      {"predict", "--run", (root_ / "xor").string(), "--point", "0.2,0.8", "--json"}, code));
  const auto [point_status, point_answer] =
      post("/api/predict?run=xor", R"({"inputs": [[0.2, 0.8]]})", "application/json");
  ASSERT_EQ(point_status, 200) << point_answer.dump();
  EXPECT_NEAR(point_answer[0]["predictions"][0]["probability"].get<double>(),
              point_expected[0]["predictions"][0]["probability"].get<double>(), 1e-5);
  EXPECT_EQ(post("/api/predict?run=img", "not an image", "text/plain").first, 415);
  expect_alive();
}

TEST_F(DashboardCli, ASweepAndItsTrials) {
  fs::create_directories(root_ / "sw");
  fs::copy(root_ / "xor", root_ / "sw/trial-000", fs::copy_options::recursive);
  std::ofstream(root_ / "sw/sweep.json") << json{
      {"version", 1},
      {"metric", "train_accuracy"},
      {"trials",
       {{{"number", 0}, {"run_dir", "trial-000"}, {"state", "complete"}, {"value", 0.7}}}},
      {"best_trial", 0},
      {"best_value", 0.7}}.dump();
  const json listing = get_ok("/api/runs");
  ASSERT_EQ(listing["sweeps"].size(), 1u);
  EXPECT_EQ(listing["sweeps"][0]["complete"], 1);
  EXPECT_EQ(find_run(listing, "sw/trial-000")["sweep"], "sw");
  const json sweep = get_ok("/api/sweep?sweep=sw");
  EXPECT_EQ(sweep["trials"][0]["run"], "sw/trial-000");
  EXPECT_EQ(sweep["trials"][0]["curve"].size(), 50u);
  EXPECT_EQ(get("/api/sweep?sweep=xor").first, 404);
  fs::remove_all(root_ / "sw");
}

TEST_F(DashboardCli, AnotherHostIsRefusedAndEveryAnswerHasTheSecurityHeaders) {
  httplib::Client c = client();
  const std::string port = std::to_string(server_->port());
  for (const std::string& host :
       std::vector<std::string>{"127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port}) {
    const auto res = c.Get("/api/runs", {{"Host", host}});
    ASSERT_TRUE(res) << host;
    EXPECT_EQ(res->status, 200) << host;
  }
  for (const char* path : {"/", "/api/runs", "/assets/uPlot.iife.min.js"}) {
    const auto res = c.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->get_header_value("Content-Security-Policy"),
              "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'")
        << path;
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff") << path;
  }
  // A page of another site whose name resolves to this machine (DNS rebinding).
  for (const std::string& host :
       std::vector<std::string>{"evil.example:" + port, "127.0.0.1:1", "localhost"}) {
    const auto res = c.Get("/api/runs", {{"Host", host}});
    ASSERT_TRUE(res) << host;
    EXPECT_EQ(res->status, 403) << host;
    const json body = json::parse(res->body);
    EXPECT_TRUE(contains(body["error"].get<std::string>(), "Host '" + host + "'")) << res->body;
    EXPECT_TRUE(contains(body["error"].get<std::string>(), "localhost:" + port)) << res->body;
    EXPECT_EQ(res->body.find("xor"), std::string::npos);
  }
  const auto predict = c.Post("/api/predict?run=xor", {{"Host", "evil.example:" + port}},
                              R"({"inputs": [[0.2, 0.8]]})", "application/json");
  ASSERT_TRUE(predict);
  EXPECT_EQ(predict->status, 403);
  expect_alive();
}

TEST_F(DashboardCli, ModelFilesLinkingOutOfTheRunAreRefused) {
  const fs::path outside = root_.parent_path() / ("outside-model-" + std::to_string(::getpid()));
  fs::create_directories(outside);
  fs::copy(root_ / "xor", outside / "run", fs::copy_options::recursive);
  fs::copy(root_ / "xor", root_ / "linked-model", fs::copy_options::recursive);
  fs::remove(root_ / "linked-model/model.safetensors");
  fs::create_symlink(outside / "run/model.safetensors", root_ / "linked-model/model.safetensors");
  for (const char* path : {"/api/model?run=linked-model", "/api/graph?run=linked-model",
                           "/api/boundary?run=linked-model&grid=4"}) {
    const auto [status, body] = get(path);
    EXPECT_EQ(status, 400) << path;
    EXPECT_TRUE(contains(body["error"].get<std::string>(), "model.safetensors: a symbolic link"))
        << body.dump();
  }
  EXPECT_EQ(post("/api/predict?run=linked-model", R"({"inputs": [[0.2, 0.8]]})", "application/json")
                .first,
            400);
  fs::remove_all(root_ / "linked-model");
  fs::remove_all(outside);
  expect_alive();
}

TEST_F(DashboardCli, PathTricksAndBadParametersAreRefusedAndTheServerKeepsRunning) {
  fs::create_directories(root_.parent_path() / ("outside-" + std::to_string(::getpid())));
  const fs::path outside = root_.parent_path() / ("outside-" + std::to_string(::getpid()));
  fs::copy(root_ / "xor", outside / "run", fs::copy_options::recursive);
  fs::create_directory_symlink(outside / "run", root_ / "link");
  struct Case {
    std::string path;
    int status;
  };
  for (const Case& c : std::vector<Case>{
           {"/api/run?run=../xor", 400},
           {"/api/run?run=%2e%2e%2fxor", 400},
           {"/api/run?run=%2e%2e", 400},
           {"/api/run?run=/etc", 400},
           {"/api/run?run=" + httplib::detail::encode_query_param((root_ / "xor").string()), 400},
           {"/api/run?run=xor%5c..", 400},
           {"/api/run?run=", 400},
           {"/api/run", 400},
           {"/api/run?run=link", 404},
           {"/api/metrics?run=link", 404},
           {"/api/data?run=link", 404},
           {"/api/run?run=nowhere", 404},
           {"/api/metrics?run=xor&since=-1", 400},
           {"/api/metrics?run=xor&since=abc", 400},
           {"/api/data?run=img&per_class=1000", 400},
           {"/api/boundary?run=xor&grid=1", 400},
           {"/api/inspection?run=xor&per_class=0", 400},
           {"/api/sweep?sweep=../x", 400},
           {"/api/nothing", 404},
       }) {
    const auto [status, body] = get(c.path);
    EXPECT_EQ(status, c.status) << c.path << ": " << body.dump();
    EXPECT_TRUE(body.is_object() && body.contains("error")) << c.path << ": " << body.dump();
    expect_alive();
  }
  auto c = client();
  const auto deleted = c.Delete("/api/runs");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 405);
  fs::remove(root_ / "link");
  fs::remove_all(outside);
  expect_alive();
}

class DashboardFlags : public Cli {};

TEST_F(DashboardFlags, HelpAndBadFlags) {
  const Result help = run({"dashboard", "--help"});
  EXPECT_EQ(help.code, 0);
  for (const char* flag : {"--runs", "--host", "--port", "--http-threads"}) {
    EXPECT_TRUE(contains(help.out, flag)) << flag;
  }
  const Result missing = run({"dashboard", "--runs", (dir_ / "nowhere").string()});
  EXPECT_EQ(missing.code, 2);
  EXPECT_TRUE(contains(missing.err, (dir_ / "nowhere").string())) << missing.err;
  std::ofstream(dir_ / "file") << "x";
  const Result file = run({"dashboard", "--runs", (dir_ / "file").string()});
  EXPECT_EQ(file.code, 2);
  EXPECT_TRUE(contains(file.err, (dir_ / "file").string())) << file.err;
  EXPECT_EQ(run({"dashboard", "--runs", dir_.string(), "--port", "70000"}).code, 2);
  const Result bad_host =
      run({"dashboard", "--runs", dir_.string(), "--host", "256.1.2.3", "--port", "0"});
  EXPECT_EQ(bad_host.code, 1);
}

}  // namespace
