// `minitorch serve` refusing to start: every bad flag, run directory, token file or address exits
// with its code (2 bad usage, 1 runtime failure) and a message naming the problem, before any
// request could be served. Serving itself is tested in tests/serve/.
#include <fstream>

#include "cli_fixture.h"

namespace {

using minitorch::testing::Cli;
using minitorch::testing::contains;
using minitorch::testing::Result;
namespace fs = std::filesystem;

class Serve : public Cli {
 protected:
  // A finished 2-D run (trains in well under a second), served as "xor" unless renamed.
  std::string trained_run() {
    const std::string run_dir = (dir_ / "xor").string();
    const Result r = run({"train", "--task", "2d", "--dataset", "xor", "--points", "20", "--epochs",
                          "2", "--run-dir", run_dir});
    EXPECT_EQ(r.code, 0) << r.err;
    return run_dir;
  }
};

TEST_F(Serve, HelpListsTheFlags) {
  const Result r = run({"serve", "--help"});
  EXPECT_EQ(r.code, 0);
  for (const char* flag :
       {"--run", "--name", "--host", "--port", "--threads", "--max-batch-size",
        "--max-queue-delay-us", "--max-body-bytes", "--token-file", "--log-file"}) {
    EXPECT_TRUE(contains(r.out, flag)) << flag;
  }
}

TEST_F(Serve, BadFlagsAreBadUsage) {
  const std::string run_dir = trained_run();
  const fs::path empty_token = dir_ / "token";
  std::ofstream(empty_token) << "\n";
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {{"serve"}, "--run is required"},
           {{"serve", "--run", (dir_ / "nowhere").string()}, "Directory does not exist"},
           {{"serve", "--run", run_dir, "--port", "70000"}, "--port"},
           {{"serve", "--run", run_dir, "--threads", "0"}, "--threads"},
           {{"serve", "--run", run_dir, "--max-batch-size", "0"}, "--max-batch-size"},
           {{"serve", "--run", run_dir, "--name", "a", "--name", "b"}, "2 --name for 1 --run"},
           {{"serve", "--run", run_dir, "--token-file", empty_token.string()}, "holds no token"},
       }) {
    const Result r = run(c.args);
    EXPECT_EQ(r.code, 2) << c.args.back() << "\n" << r.err;
    EXPECT_TRUE(contains(r.err, c.says)) << r.err << "\nexpected: " << c.says;
  }
}

TEST_F(Serve, RunsThatCannotBeServedAreRuntimeFailures) {
  const std::string run_dir = trained_run();
  fs::create_directories(dir_ / "empty");
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {{"serve", "--run", (dir_ / "empty").string()}, "model.safetensors does not exist"},
           {{"serve", "--run", run_dir, "--run", run_dir}, "two models are named 'xor'"},
           {{"serve", "--run", run_dir, "--name", "a b"}, "cannot appear in a URL"},
           {{"serve", "--run", run_dir, "--host", "256.1.2.3", "--port", "0"},
            "cannot listen on 256.1.2.3"},
           {{"serve", "--run", run_dir, "--log-file", (dir_ / "no" / "log").string()},
            "cannot open the log file"},
       }) {
    const Result r = run(c.args);
    EXPECT_EQ(r.code, 1) << c.args.back() << "\n" << r.err;
    EXPECT_TRUE(contains(r.err, c.says)) << r.err << "\nexpected: " << c.says;
  }
}

}  // namespace
