// The dashboard's view of a runs directory: scanning, statuses, broken runs of every kind, a run
// being written, a huge directory, path tricks in run ids, and metrics since line N.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "app/dashboard/run_files.h"
#include "app/dashboard/run_store.h"
#include "minitorch/serve/http_error.h"

namespace {

namespace fs = std::filesystem;
using minitorch::app::dashboard::RunStore;
using minitorch::app::dashboard::ScanLimits;
using minitorch::serve::HttpError;
using nlohmann::json;

const char* const kEpoch1 =
    R"({"kind":"epoch","epoch":1,"step":4,"loss":0.9,"train_accuracy":0.5})";
const char* const kEpoch2 =
    R"({"kind":"epoch","epoch":2,"step":8,"loss":0.5,"train_accuracy":0.8})";
const char* const kStep = R"({"kind":"step","epoch":2,"step":6,"loss":0.6,"train_accuracy":0.7})";

class DashboardRunStore : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("minitorch-dashboard-store-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const fs::path& relative, const std::string& text) const {
    fs::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative, std::ios::binary) << text;
  }
  // A finished 2-epoch run of `task`.
  void complete_run(const std::string& id, const std::string& task = "fashion-mnist") const {
    write(id + "/config.json",
          json{{"task", task}, {"model", "lenet"}, {"epochs", 2}, {"dataset", "xor"}}.dump());
    write(id + "/metrics.jsonl", std::string(kEpoch1) + "\n" + kStep + "\n" + kEpoch2 + "\n");
    write(id + "/summary.json", R"({"test_accuracy": 0.75, "epochs": 2})");
  }
  json find_run(const json& listing, const std::string& id) const {
    for (const json& run : listing["runs"]) {
      if (run["id"] == id) return run;
    }
    ADD_FAILURE() << id << " not listed in " << listing.dump();
    return json::object();
  }
  int status_of(const std::function<void()>& call) const {
    try {
      call();
    } catch (const HttpError& e) {
      return e.status();
    }
    return 200;
  }

  fs::path root_;
};

TEST_F(DashboardRunStore, ListsRunsWithKindStatusAndFinalFigures) {
  complete_run("img");
  complete_run("xor", "2d");
  complete_run("spam", "spam");
  write("notes/readme.txt", "not a run");
  RunStore store(root_);
  const json listing = store.list();
  EXPECT_EQ(listing["runs"].size(), 3u);
  EXPECT_FALSE(listing["truncated"]);
  const json img = find_run(listing, "img");
  EXPECT_EQ(img["kind"], "image");
  EXPECT_EQ(img["status"], "complete");
  EXPECT_EQ(img["epochs_done"], 2);
  EXPECT_EQ(img["epochs"], 2);
  EXPECT_EQ(img["last_epoch"]["epoch"], 2);
  EXPECT_DOUBLE_EQ(img["summary"]["test_accuracy"].get<double>(), 0.75);
  EXPECT_TRUE(img["problems"].empty());
  EXPECT_TRUE(img["sweep"].is_null());
  EXPECT_EQ(find_run(listing, "xor")["kind"], "2d");
  EXPECT_EQ(find_run(listing, "xor")["dataset"], "xor");
  EXPECT_EQ(find_run(listing, "spam")["kind"], "text");
}

TEST_F(DashboardRunStore, AnUnfinishedRunWithoutAWriterIsStopped) {
  write("cut/config.json", R"({"task":"2d","epochs":5})");
  write("cut/metrics.jsonl", std::string(kEpoch1) + "\n");
  RunStore store(root_);
  const json run = find_run(store.list(), "cut");
  EXPECT_EQ(run["status"], "stopped");
  EXPECT_EQ(run["epochs_done"], 1);
}

TEST_F(DashboardRunStore, AHeldLockMakesTheRunTrainingAndAPidAloneDoesNot) {
  complete_run("live");
  write("live/.lock", "999999\n");
  const int held = ::open((root_ / "live/.lock").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(held, 0);
  ASSERT_EQ(::flock(held, LOCK_EX | LOCK_NB), 0);
  // A finished run keeps its trainer's pid in .lock; a live process with that pid (reused, or the
  // run copied) must not make it "training".
  complete_run("pid-alive");
  write("pid-alive/.lock", std::to_string(::getpid()) + "\n");
  complete_run("garbage");
  write("garbage/.lock", "not a pid");
  RunStore store(root_);
  const json listing = store.list();
  EXPECT_EQ(find_run(listing, "live")["status"], "training");
  EXPECT_EQ(find_run(listing, "pid-alive")["status"], "complete");
  EXPECT_EQ(find_run(listing, "garbage")["status"], "complete");
  EXPECT_TRUE(store.metrics("live", 0)["training"]);
  EXPECT_FALSE(store.metrics("pid-alive", 0)["training"]);
  ::close(held);
  EXPECT_EQ(find_run(RunStore(root_).list(), "live")["status"], "complete");
}

TEST_F(DashboardRunStore, AFifoOrDeviceLockNeitherBlocksNorHangsTheListing) {
  complete_run("fifo");
  ASSERT_EQ(::mkfifo((root_ / "fifo/.lock").c_str(), 0600), 0);
  complete_run("device");
  fs::create_symlink("/dev/zero", root_ / "device/.lock");
  RunStore store(root_);
  const json listing = store.list();
  EXPECT_EQ(find_run(listing, "fifo")["status"], "complete");
  EXPECT_EQ(find_run(listing, "device")["status"], "complete");
  EXPECT_FALSE(store.metrics("fifo", 0)["training"]);
}

TEST_F(DashboardRunStore, RunFilesLinkingOutOfTheRunAreNotRead) {
  const fs::path outside = root_.string() + "-outside";
  fs::create_directories(outside);
  std::ofstream(outside / "secret.json") << R"({"task":"2d","secret":"outside-config"})";
  std::ofstream(outside / "secret.jsonl")
      << R"({"kind":"epoch","epoch":1,"secret":"outside-metrics"})"
      << "\n";
  complete_run("linked");
  fs::remove(root_ / "linked/config.json");
  fs::remove(root_ / "linked/metrics.jsonl");
  fs::create_symlink(outside / "secret.json", root_ / "linked/config.json");
  fs::create_symlink(outside / "secret.jsonl", root_ / "linked/metrics.jsonl");
  fs::create_symlink(outside / "secret.json", root_ / "linked/eval.json");
  RunStore store(root_);
  const std::string answers =
      store.list().dump() + store.run("linked").dump() + store.metrics("linked", 0).dump();
  EXPECT_EQ(find_run(store.list(), "linked")["status"], "broken");
  fs::remove_all(outside);  // dangling links still make a listed, broken run
  EXPECT_EQ(answers.find("outside-"), std::string::npos) << answers;
  EXPECT_NE(answers.find("config.json: a symbolic link; the dashboard reads only regular files"),
            std::string::npos)
      << answers;
  EXPECT_NE(answers.find("metrics.jsonl: a symbolic link"), std::string::npos) << answers;
  EXPECT_EQ(find_run(store.list(), "linked")["status"], "broken");
}

TEST_F(DashboardRunStore, AMetricsFileOverTheCapIsAProblemNotRead) {
  complete_run("huge");
  // Sparse: its size is over the cap without writing it.
  fs::resize_file(root_ / "huge/metrics.jsonl", minitorch::app::dashboard::kLargestMetricsFile + 1);
  RunStore store(root_);
  const std::string answers = store.run("huge").dump() + store.metrics("huge", 0).dump();
  EXPECT_NE(answers.find("metrics.jsonl: " +
                         std::to_string(minitorch::app::dashboard::kLargestMetricsFile + 1) +
                         " bytes, larger than the 64 MiB"),
            std::string::npos)
      << answers;
  EXPECT_TRUE(store.metrics("huge", 0)["records"].empty());
}

TEST_F(DashboardRunStore, BrokenRunsAreListedWithTheirReasons) {
  complete_run("no-config");
  fs::remove(root_ / "no-config/config.json");
  complete_run("bad-config");
  write("bad-config/config.json", R"({"task": "2d", "epo)");
  complete_run("array-config");
  write("array-config/config.json", "[1, 2]");
  complete_run("empty-summary");
  write("empty-summary/summary.json", "");
  complete_run("bad-summary");
  write("bad-summary/summary.json", "{\"test_accuracy\": 0.7,");
  complete_run("bad-line");
  write("bad-line/metrics.jsonl", std::string(kEpoch1) + "\n{oops\n" + kEpoch2 + "\n");
  complete_run("bad-eval");
  write("bad-eval/eval.json", "{\"accuracy\": }");
  complete_run("binary");
  write("binary/metrics.jsonl", std::string("\0\xff\xfe\n", 4));
  RunStore store(root_);
  const json listing = store.list();
  struct Case {
    const char* id;
    const char* says;
  };
  for (const Case& c : {Case{"no-config", "config.json: missing"},
                        Case{"bad-config", "config.json: invalid JSON at byte"},
                        Case{"array-config", "config.json: expected a JSON object, found array"},
                        Case{"empty-summary", "summary.json: empty"},
                        Case{"bad-summary", "summary.json: invalid JSON at byte"},
                        Case{"bad-line", "metrics.jsonl: line 2 is not a JSON object"},
                        Case{"bad-eval", "eval.json: invalid JSON at byte"},
                        Case{"binary", "metrics.jsonl: line 1 is not a JSON object"}}) {
    const json run = find_run(listing, c.id);
    EXPECT_EQ(run["status"], "broken") << c.id;
    ASSERT_FALSE(run["problems"].empty()) << c.id;
    EXPECT_NE(run["problems"][0].get<std::string>().find(c.says), std::string::npos)
        << c.id << ": " << run["problems"].dump();
  }
  // What could be read is still there.
  EXPECT_EQ(find_run(listing, "bad-line")["epochs_done"], 2);
  EXPECT_DOUBLE_EQ(find_run(listing, "bad-config")["summary"]["test_accuracy"].get<double>(), 0.75);
  EXPECT_EQ(store.run("bad-eval")["eval"], nullptr);
}

TEST_F(DashboardRunStore, ATornLastLineIsNeitherReturnedNorCounted) {
  complete_run("run");
  write("run/metrics.jsonl", std::string(kEpoch1) + "\n" + kStep + "\n" + R"({"kind":"epoch","ep)");
  RunStore store(root_);
  json page = store.metrics("run", 0);
  EXPECT_EQ(page["records"].size(), 2u);
  EXPECT_EQ(page["next"], 2);
  EXPECT_TRUE(page["problems"].empty());
  EXPECT_EQ(find_run(store.list(), "run")["epochs_done"], 1);
  // The writer finishes its line and adds one: the next page has exactly those.
  write("run/metrics.jsonl",
        std::string(kEpoch1) + "\n" + kStep + "\n" + kEpoch2 + "\n" + kStep + "\n");
  page = store.metrics("run", 2);
  ASSERT_EQ(page["records"].size(), 2u);
  EXPECT_EQ(page["records"][0]["epoch"], 2);
  EXPECT_EQ(page["records"][0]["kind"], "epoch");
  EXPECT_EQ(page["next"], 4);
  EXPECT_TRUE(store.metrics("run", 4)["records"].empty());
  EXPECT_EQ(store.metrics("run", 99)["next"], 4);
  EXPECT_EQ(find_run(store.list(), "run")["epochs_done"], 2);
}

TEST_F(DashboardRunStore, TheListingFollowsChangedFiles) {
  complete_run("run");
  RunStore store(root_);
  EXPECT_EQ(find_run(store.list(), "run")["status"], "complete");
  write("run/summary.json", R"({"test_accuracy": 0.5, "epochs": 2, "more": "bytes"})");
  const json run = find_run(store.list(), "run");
  EXPECT_DOUBLE_EQ(run["summary"]["test_accuracy"].get<double>(), 0.5);
  fs::remove_all(root_ / "run");
  EXPECT_TRUE(store.list()["runs"].empty());
}

TEST_F(DashboardRunStore, SweepsAndTheirTrials) {
  complete_run("sw/trial-000");
  complete_run("sw/trial-001");
  write("sw/sweep.json", json{{"version", 1},
                              {"metric", "val_accuracy"},
                              {"trials",
                               {{{"number", 0}, {"run_dir", "trial-000"}, {"state", "complete"}},
                                {{"number", 1}, {"run_dir", "trial-001"}, {"state", "pruned"}}}},
                              {"best_trial", 0},
                              {"best_value", 0.75}}
                             .dump());
  RunStore store(root_);
  const json listing = store.list();
  ASSERT_EQ(listing["sweeps"].size(), 1u);
  const json sweep = listing["sweeps"][0];
  EXPECT_EQ(sweep["id"], "sw");
  EXPECT_EQ(sweep["trials"], 2);
  EXPECT_EQ(sweep["complete"], 1);
  EXPECT_EQ(sweep["pruned"], 1);
  EXPECT_EQ(sweep["best_trial"], 0);
  EXPECT_EQ(find_run(listing, "sw/trial-001")["sweep"], "sw");
  EXPECT_EQ(store.run("sw/trial-000")["sweep"], "sw");
}

TEST_F(DashboardRunStore, TheScanStopsAtDepthFour) {
  complete_run("a/b/c/d");
  complete_run("a/b/c/d2/e");
  RunStore store(root_);
  const json listing = store.list();
  ASSERT_EQ(listing["runs"].size(), 1u);
  EXPECT_EQ(listing["runs"][0]["id"], "a/b/c/d");
}

TEST_F(DashboardRunStore, ADirectoryOfFiveThousandEntriesIsListed) {
  complete_run("run");
  for (int i = 0; i < 5000; ++i) {
    if (i % 2) {
      fs::create_directory(root_ / ("dir-" + std::to_string(i)));
    } else {
      std::ofstream(root_ / ("file-" + std::to_string(i))) << i;
    }
  }
  RunStore store(root_);
  const json listing = store.list();
  EXPECT_EQ(listing["runs"].size(), 1u);
  EXPECT_FALSE(listing["truncated"]);
  RunStore capped(root_, ScanLimits{.max_depth = 4, .max_runs = 10, .max_entries = 100});
  EXPECT_TRUE(capped.list()["truncated"]);
}

TEST_F(DashboardRunStore, TheRunCapTruncatesTheListing) {
  for (int i = 0; i < 5; ++i) complete_run("run-" + std::to_string(i));
  RunStore store(root_, ScanLimits{.max_depth = 4, .max_runs = 3, .max_entries = 1000});
  const json listing = store.list();
  EXPECT_EQ(listing["runs"].size(), 3u);
  EXPECT_TRUE(listing["truncated"]);
}

TEST_F(DashboardRunStore, PathTricksAreRefused) {
  complete_run("runs/img");
  complete_run("outside");
  write("runs/notes/readme.txt", "no run here");
  fs::create_directory_symlink(root_ / "outside", root_ / "runs" / "link-out");
  fs::create_directory_symlink(root_ / "runs" / "img", root_ / "runs" / "link-in");
  RunStore store(root_ / "runs");
  EXPECT_EQ(status_of([&] { store.run_dir("img"); }), 200);
  EXPECT_EQ(status_of([&] { store.run_dir("link-in"); }), 200);
  for (const std::string& id : std::vector<std::string>{
           "", "../outside", "..", "img/../img", "./img", "img/", "/etc",
           std::string(root_ / "runs/img"), "img\\..", std::string("img\0x", 5)}) {
    EXPECT_EQ(status_of([&] { store.run_dir(id); }), 400) << id;
  }
  for (const std::string& id : std::vector<std::string>{"link-out", "%2e%2e", "%2e%2e/outside",
                                                        "nowhere", "notes", "notes/readme.txt"}) {
    EXPECT_EQ(status_of([&] { store.run_dir(id); }), 404) << id;
  }
  EXPECT_EQ(status_of([&] { store.run_dir(std::string(4097, 'a')); }), 400);
  EXPECT_EQ(status_of([&] { store.run_dir(std::string(4096, 'a')); }), 404);
  // The scan does not follow symlinks: the run outside is never listed.
  const json listing = store.list();
  ASSERT_EQ(listing["runs"].size(), 1u);
  EXPECT_EQ(listing["runs"][0]["id"], "img");
}

TEST_F(DashboardRunStore, ARunsDirectoryRemovedMeanwhileResolvesNoId) {
  complete_run("runs/img");
  RunStore store(root_ / "runs");
  fs::remove_all(root_ / "runs");
  EXPECT_EQ(status_of([&] { store.run_dir("img"); }), 500);
}

TEST_F(DashboardRunStore, OneRunHasItsEvalFilesAndClassNames) {
  complete_run("img");
  write(
      "img/eval.json",
      R"({"accuracy": 0.5, "classes": [{"class": "a"}, {"class": "b"}], "confusion_matrix": [[1,1],[0,2]]})");
  complete_run("spam", "spam");
  RunStore store(root_);
  const json run = store.run("img");
  EXPECT_TRUE(run["has_eval"]);
  EXPECT_EQ(run["eval"]["confusion_matrix"][0][1], 1);
  EXPECT_EQ(run["class_names"], json({"a", "b"}));
  bool lists_config = false;
  for (const json& file : run["files"]) lists_config |= file["name"] == "config.json";
  EXPECT_TRUE(lists_config);
  EXPECT_EQ(store.run("spam")["class_names"], json({"ham", "spam"}));
  EXPECT_EQ(status_of([&] { store.metrics("nowhere", 0); }), 404);
}

}  // namespace
