#include "app/run_directory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "minitorch/core/error.h"

namespace fs = std::filesystem;
using minitorch::app::RunDirectory;

namespace {

class RunDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("minitorch-run-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

std::string read(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_F(RunDirectoryTest, CreatesNestedDirectoriesAndWritesFiles) {
  const auto run = RunDirectory::open(root_ / "a" / "b");
  run.write_json("config.json", {{"lr", 0.5}});
  run.append_json_line("metrics.jsonl", {{"epoch", 1}});
  run.append_json_line("metrics.jsonl", {{"epoch", 2}});
  EXPECT_EQ(read(run.file("metrics.jsonl")), "{\"epoch\":1}\n{\"epoch\":2}\n");
  EXPECT_EQ(nlohmann::json::parse(read(run.file("config.json")))["lr"], 0.5);
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(run.path())) {
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << entry.path();
    ++entries;
  }
  EXPECT_EQ(entries, 3);  // with the lock file
}

TEST_F(RunDirectoryTest, UniqueNamesNeverCollide) {
  const auto first = RunDirectory::create_unique(root_, "xor-scalar");
  const auto second = RunDirectory::create_unique(root_, "xor-scalar");
  EXPECT_NE(first.path(), second.path());
  EXPECT_EQ(first.path().filename().string().rfind("xor-scalar-", 0), 0u);
}

TEST_F(RunDirectoryTest, RefusesANonEmptyDirectory) {
  RunDirectory::open(root_ / "run").write_text("keep.txt", "data");  // and releases its lock
  try {
    RunDirectory::open(root_ / "run");
    FAIL() << "expected an Error";
  } catch (const minitorch::Error& e) {
    EXPECT_NE(std::string(e.what()).find("not empty"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read(root_ / "run" / "keep.txt"), "data");
}

// flock conflicts between two open file descriptions even in one process, so one process can
// stand for two writers here; the command line's tests run two processes.
TEST_F(RunDirectoryTest, ASecondWriterIsRefusedWithTheHoldersPid) {
  const auto run = RunDirectory::open(root_ / "run");
  run.write_json("config.json", {{"task", "spam"}});
  for (const auto& attempt : {+[](const fs::path& p) { RunDirectory::open_to_resume(p); },
                              +[](const fs::path& p) { RunDirectory::open(p); }}) {
    try {
      attempt(root_ / "run");
      FAIL() << "expected an Error";
    } catch (const minitorch::Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("in use by process " + std::to_string(::getpid())), std::string::npos)
          << message;
      EXPECT_NE(message.find(".lock"), std::string::npos) << message;
    }
  }
  const auto copy = run;  // copies share the one lock
  EXPECT_THROW(RunDirectory::open_to_resume(root_ / "run"), minitorch::Error);
}

TEST_F(RunDirectoryTest, TheLockGoesWithTheLastCopy) {
  {
    const auto run = RunDirectory::open(root_ / "run");
    run.write_json("config.json", {{"task", "spam"}});
  }
  EXPECT_NO_THROW(RunDirectory::open_to_resume(root_ / "run"));
  // Readers take no lock: eval and predict work while a run trains.
  const auto writer = RunDirectory::open_to_resume(root_ / "run");
  EXPECT_NO_THROW(RunDirectory::open_existing(root_ / "run"));
}

TEST_F(RunDirectoryTest, ALockFileLeftByAKilledRunBlocksNobody) {
  fs::create_directories(root_ / "run");
  std::ofstream(root_ / "run" / ".lock") << "999999999\n";  // no process holds it
  const auto run = RunDirectory::open(root_ / "run");       // a directory with only the lock file
  EXPECT_EQ(read(run.file(".lock")), std::to_string(::getpid()) + "\n");
}

TEST_F(RunDirectoryTest, RemovesOnlyTheTemporariesOfProcessesThatEnded) {
  const auto run = RunDirectory::open(root_ / "run");
  const std::string own = std::to_string(::getpid());
  const std::vector<std::string> stale{"model.safetensors.tmp.999999999.0",
                                       "metrics.jsonl.tmp.999999999.12"};
  const std::vector<std::string> kept{"eval.json.tmp." + own + ".3", "notes.tmp.txt", "a.tmp.1x.2",
                                      ".lock"};
  for (const auto& name : stale) std::ofstream(run.file(name)) << "x";
  for (const auto& name : kept) std::ofstream(run.file(name), std::ios::app) << "";
  EXPECT_EQ(run.remove_stale_temporaries().size(), stale.size());
  for (const auto& name : stale) EXPECT_FALSE(fs::exists(run.file(name))) << name;
  for (const auto& name : kept) EXPECT_TRUE(fs::exists(run.file(name))) << name;
}
