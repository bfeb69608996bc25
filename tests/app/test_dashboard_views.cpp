// The dashboard's views of one run: data, inspection, boundary, model, graph and sweeps, on a real
// 2-D run trained here (the image and text runs are covered end to end in tests/cli/).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/dashboard/boundary.h"
#include "app/dashboard/data_view.h"
#include "app/dashboard/graphviz.h"
#include "app/dashboard/inspection.h"
#include "app/dashboard/model_view.h"
#include "app/dashboard/sweep_view.h"
#include "app/served_run.h"
#include "minitorch/serve/http_error.h"

namespace {

namespace fs = std::filesystem;
using namespace minitorch::app::dashboard;
using nlohmann::json;

int run_cli(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  return minitorch::app::run_cli(static_cast<int>(argv.size()), argv.data());
}

class DashboardViews : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = fs::temp_directory_path() / ("minitorch-dashboard-views-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    ASSERT_EQ(run_cli({"minitorch", "train", "--task", "2d", "--dataset", "xor", "--points", "40",
                       "--epochs", "30", "--run-dir", (root_ / "xor").string()}),
              0);
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }
  static fs::path root_;
};
fs::path DashboardViews::root_;

TEST_F(DashboardViews, DataOfA2dRunAreItsTrainingPoints) {
  const RunData run = load_run_data(root_ / "xor");
  EXPECT_EQ(run.kind, "2d");
  const json view = data_view(run, 8);
  EXPECT_EQ(view["kind"], "2d");
  ASSERT_EQ(view["points"].size(), 40u);
  EXPECT_EQ(view["splits"]["train"], 40);
  const auto counts = view["class_counts"]["train"];
  EXPECT_EQ(counts[0].get<int>() + counts[1].get<int>(), 40);
  EXPECT_EQ(view["points"][0][2], run.points.y[0]);
}

TEST_F(DashboardViews, InspectionListsOnlyMistakesInOrder) {
  const RunData run = load_run_data(root_ / "xor");
  const auto classifier = minitorch::app::load_served_run(root_ / "xor");
  const json view = inspection_view(run, *classifier, 20);
  ASSERT_EQ(view["per_class"].size(), 2u);
  for (const json& entry : view["per_class"]) {
    const int c = entry["class"];
    double previous = 2.0;
    for (const json& sample : entry["false_positives"]) {
      EXPECT_EQ(sample["predicted"], c);
      EXPECT_NE(sample["label"], c);
      const double p = sample["probabilities"][c];
      EXPECT_LE(p, previous);
      previous = p;
      EXPECT_EQ(sample["point"].size(), 2u);
    }
    previous = -1.0;
    for (const json& sample : entry["false_negatives"]) {
      EXPECT_EQ(sample["label"], c);
      EXPECT_NE(sample["predicted"], c);
      const double p = sample["probabilities"][c];
      EXPECT_GE(p, previous);
      previous = p;
    }
  }
}

TEST_F(DashboardViews, TheBoundaryCoversThePointsWithProbabilities) {
  const RunData run = load_run_data(root_ / "xor");
  const auto classifier = minitorch::app::load_served_run(root_ / "xor");
  const json view = boundary_view(run, *classifier, 11);
  ASSERT_EQ(view["probabilities"].size(), 121u);
  for (const json& p : view["probabilities"]) {
    EXPECT_GE(p.get<double>(), 0.0);
    EXPECT_LE(p.get<double>(), 1.0);
  }
  EXPECT_LT(view["x_range"][0].get<double>(), 0.1);
  EXPECT_GT(view["y_range"][1].get<double>(), 0.9);
  EXPECT_EQ(view["points"].size(), 40u);
}

TEST_F(DashboardViews, TheModelTreeAndItsParameters) {
  const json view = model_view(root_ / "xor");
  EXPECT_EQ(view["model"], "mlp2d");
  EXPECT_NE(view["tree"].get<std::string>().find("("), std::string::npos);
  long long total = 0;
  for (const json& p : view["parameters"]) total += p["count"].get<long long>();
  EXPECT_EQ(view["total_parameters"], total);
  EXPECT_EQ(view["parameters"][0]["name"], "layer1.weight");
  EXPECT_EQ(view["parameters"][0]["shape"], json({10, 2}));
  EXPECT_EQ(view["input"]["kind"], "features");
  EXPECT_EQ(view["input"]["shape"], json({2}));
}

TEST_F(DashboardViews, TheGraphOfATrainingStep) {
  const json view = graph_view(root_ / "xor", load_run_data(root_ / "xor"));
  EXPECT_EQ(view["dot"].get<std::string>().rfind("digraph", 0), 0u);
  if (::access(kDotProgram, X_OK) == 0) {
    ASSERT_TRUE(view["svg"].is_string()) << view["note"];
    EXPECT_NE(view["svg"].get<std::string>().find("<svg"), std::string::npos);
  } else {
    EXPECT_TRUE(view["svg"].is_null());
    EXPECT_FALSE(view["note"].get<std::string>().empty());
  }
}

TEST(DashboardGraphviz, AMissingFailingOrSlowProgramGivesANote) {
  EXPECT_NE(render_svg("digraph{}", std::chrono::milliseconds(1000), "/nonexistent/dot")
                .note.find("not installed"),
            std::string::npos);
  EXPECT_NE(
      render_svg("digraph{}", std::chrono::milliseconds(1000), "/bin/false").note.find("failed"),
      std::string::npos);
  const fs::path slow = fs::temp_directory_path() / ("slow-dot-" + std::to_string(::getpid()));
  std::ofstream(slow) << "#!/bin/sh\nexec sleep 30\n";
  fs::permissions(slow, fs::perms::owner_all);
  const SvgLayout layout = render_svg("digraph{}", std::chrono::milliseconds(300), slow.string());
  EXPECT_FALSE(layout.svg);
  EXPECT_NE(layout.note.find("longer than 300 ms"), std::string::npos) << layout.note;
  errno = 0;
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1) << "a child of render_svg is left";
  EXPECT_EQ(errno, ECHILD);
  fs::remove(slow);
}

TEST(DashboardGraphviz, AProgramExitingBeforeReadingItsInputDoesNotKillTheCaller) {
  // Far more than a pipe holds: the write fails once /bin/true has exited (SIGPIPE unless blocked).
  const SvgLayout layout = render_svg(std::string(std::size_t(1) << 20, 'x'),
                                      std::chrono::milliseconds(5000), "/bin/true");
  EXPECT_FALSE(layout.svg);
  EXPECT_NE(layout.note.find("failed"), std::string::npos) << layout.note;
  sigset_t pending;
  sigemptyset(&pending);
  ASSERT_EQ(::sigpending(&pending), 0);
  EXPECT_FALSE(sigismember(&pending, SIGPIPE));
}

TEST(DashboardGraphviz, TheProgramInheritsNoDescriptorButItsPipes) {
  const int inheritable = ::open("/dev/null", O_RDONLY);  // as the HTTP library's sockets are
  ASSERT_GE(inheritable, 3);
  const fs::path lister = fs::temp_directory_path() / ("fd-dot-" + std::to_string(::getpid()));
  std::ofstream(lister) << "#!/bin/sh\nexec ls /proc/self/fd\n";
  fs::permissions(lister, fs::perms::owner_all);
  const SvgLayout layout =
      render_svg("digraph{}", std::chrono::milliseconds(5000), lister.string());
  ::close(inheritable);
  fs::remove(lister);
  ASSERT_TRUE(layout.svg) << layout.note;
  std::istringstream listed(*layout.svg);
  for (std::string fd; listed >> fd;) {
    EXPECT_LE(std::stoi(fd), 3) << "inherited descriptor " << fd;  // 0-2, and ls's own directory
  }
}

TEST_F(DashboardViews, ASweepWithItsTrialsAndCurves) {
  const fs::path sweep = root_ / "sweep";
  fs::create_directories(sweep);
  fs::copy(root_ / "xor", sweep / "trial-000", fs::copy_options::recursive);
  std::ofstream(sweep / "sweep.json") << json{
      {"version", 1},
      {"metric", "train_accuracy"},
      {"trials",
       {{{"number", 0},
         {"run_dir", "trial-000"},
         {"state", "complete"},
         {"params", {{"lr", 0.5}}},
         {"values", {0.5}}},
        {{"number", 1}, {"run_dir", "../../etc"}, {"state", "failed"}, {"values", {0.25, 0.5}}},
        "not a trial"}},
      {"best_trial", 0}}.dump();
  const json view = sweep_view(root_, "sweep");
  EXPECT_EQ(view["id"], "sweep");
  EXPECT_EQ(view["sweep"]["best_trial"], 0);
  ASSERT_EQ(view["trials"].size(), 2u);
  EXPECT_EQ(view["trials"][0]["run"], "sweep/trial-000");
  EXPECT_EQ(view["trials"][0]["curve"].size(), 30u);  // from metrics.jsonl, one per epoch
  EXPECT_TRUE(view["trials"][1]["run"].is_null());
  EXPECT_EQ(view["trials"][1]["curve"], json({0.25, 0.5}));
  std::ofstream(sweep / "sweep.json") << "{\"trials\": [";
  EXPECT_THROW(sweep_view(root_, "sweep"), minitorch::Error);
  EXPECT_THROW(sweep_view(root_, "xor"), minitorch::serve::HttpError);
  EXPECT_THROW(sweep_view(root_, "../sweep"), minitorch::serve::HttpError);
}

}  // namespace
