#include "minitorch/app/run_directory.h"

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
  EXPECT_EQ(entries, 2);
}

TEST_F(RunDirectoryTest, UniqueNamesNeverCollide) {
  const auto first = RunDirectory::create_unique(root_, "xor-scalar");
  const auto second = RunDirectory::create_unique(root_, "xor-scalar");
  EXPECT_NE(first.path(), second.path());
  EXPECT_EQ(first.path().filename().string().rfind("xor-scalar-", 0), 0u);
}

TEST_F(RunDirectoryTest, RefusesANonEmptyDirectory) {
  const auto run = RunDirectory::open(root_ / "run");
  run.write_text("keep.txt", "data");
  try {
    RunDirectory::open(root_ / "run");
    FAIL() << "expected an Error";
  } catch (const minitorch::Error& e) {
    EXPECT_NE(std::string(e.what()).find("not empty"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read(run.file("keep.txt")), "data");
}

TEST_F(RunDirectoryTest, ReportsThePathAndReasonWhenItCannotWrite) {
  std::ofstream(root_ / "file") << "x";
  const fs::path impossible = root_ / "file" / "run";
  try {
    RunDirectory::open(impossible);
    FAIL() << "expected an Error";
  } catch (const minitorch::Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(impossible.string()), std::string::npos) << message;
    EXPECT_NE(message.find("Not a directory"), std::string::npos) << message;
  }
}

TEST_F(RunDirectoryTest, AtomicWriteReplacesWholeFiles) {
  const fs::path target = root_ / "out.txt";
  minitorch::app::write_file_atomically(target, "first version, longer");
  minitorch::app::write_file_atomically(target, "second");
  EXPECT_EQ(read(target), "second");
  EXPECT_THROW(minitorch::app::write_file_atomically(root_ / "missing" / "x.txt", "x"),
               minitorch::Error);
}
