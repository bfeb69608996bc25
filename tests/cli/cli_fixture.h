// The `minitorch` program run as a user runs it: a fresh scratch directory per test, the exit
// code, standard output and standard error of each run.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace minitorch::testing {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::string read(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

inline std::string quote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') {
      out.append("'\\''");
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

// The program under test; MINITORCH_CLI_PATH in the environment overrides the one built with the
// tests (to run the tests against another build, e.g. an older one, to see which of them fail).
inline const char* cli_path() {
  const char* override_path = std::getenv("MINITORCH_CLI_PATH");
  return override_path && *override_path ? override_path : MINITORCH_CLI_PATH;
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    // A parameterised test's name holds a '/' ("ReachesAtLeast48Of50/0"), which would make the
    // scratch directory a subdirectory and leave its parent behind.
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    dir_ = fs::temp_directory_path() /
           ("minitorch-cli-test-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  Result run(const std::vector<std::string>& args) const {
    std::string command = quote(cli_path());
    for (const auto& arg : args) command += " " + quote(arg);
    const fs::path out = dir_ / "stdout.txt";
    const fs::path err = dir_ / "stderr.txt";
    command += " >" + quote(out.string()) + " 2>" + quote(err.string()) + " </dev/null";
    const int status = std::system(command.c_str());
    Result result;
    result.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = read(out);
    result.err = read(err);
    return result;
  }

  fs::path dir_;
};

inline bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

}  // namespace minitorch::testing
