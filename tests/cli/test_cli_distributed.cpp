// `mpirun -np 2 minitorch train` end to end on this machine: one run directory written by rank 0
// with the global metrics, a distributed checkpoint that resumes to the uninterrupted run's
// weights, a resume with another world size refused, and a rank that dies, throws or meets bad
// data ending the whole job in bounded time with a message naming it. Each rank runs one thread.
#include <chrono>
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
using Clock = std::chrono::steady_clock;

// A job may take this long at most before the test fails rather than wait for it (a hang).
constexpr int kJobSeconds = 240;

class DistributedTraining : public Cli {
 protected:
  // mpirun with one program context per rank (MPMD): contexts[r] is rank r's environment
  // assignments ("NAME=value", may be empty) and arguments.
  struct Rank {
    std::vector<std::string> environment;
    std::vector<std::string> args;
  };
  Result mpirun(const std::vector<Rank>& ranks) {
    std::string command = "timeout " + std::to_string(kJobSeconds) + " " +
                          quote(MINITORCH_MPIEXEC) +
                          " --allow-run-as-root --oversubscribe --mca mpi_yield_when_idle 1";
    for (std::size_t r = 0; r < ranks.size(); ++r) {
      if (r > 0) command += " :";
      command += " -np 1";
      if (!ranks[r].environment.empty()) {
        command += " env";
        for (const auto& assignment : ranks[r].environment) command += " " + quote(assignment);
      }
      command += " " + quote(cli_path());
      for (const auto& arg : ranks[r].args) command += " " + quote(arg);
    }
    const fs::path out = dir_ / "stdout.txt", err = dir_ / "stderr.txt";
    command += " >" + quote(out.string()) + " 2>" + quote(err.string()) + " </dev/null";
    const auto start = Clock::now();
    const int status = std::system(command.c_str());
    seconds_ = std::chrono::duration<double>(Clock::now() - start).count();
    Result result;
    result.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = read(out);
    result.err = read(err);
    return result;
  }
  // Both ranks with the same arguments.
  Result mpirun2(const std::vector<std::string>& args) { return mpirun({{{}, args}, {{}, args}}); }

  std::vector<std::string> train(const fs::path& run_dir, int epochs) const {
    return {"train",
            "--task",
            "fashion-mnist",
            "--model",
            "lenet",
            "--epochs",
            std::to_string(epochs),
            "--train-samples",
            "512",
            "--batch-size",
            "32",
            "--threads",
            "1",
            "--seed",
            "4",
            "--run-dir",
            run_dir.string()};
  }

  static std::vector<nlohmann::json> epochs_of(const fs::path& run_dir) {
    std::vector<nlohmann::json> out;
    std::istringstream lines(read(run_dir / "metrics.jsonl"));
    for (std::string line; std::getline(lines, line);) {
      const auto record = nlohmann::json::parse(line);
      if (record["kind"] == "epoch") out.push_back(record);
    }
    return out;
  }

  double seconds_ = 0.0;
};

TEST_F(DistributedTraining, TwoRanksWriteOneRunDirectoryWithTheGlobalMetrics) {
  const fs::path run_dir = dir_ / "run";
  // SGD, whose steps scale with the gradient (Adam's hardly do): a sum in place of the average
  // would show.
  const std::vector<std::string> sgd{"--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.9"};
  auto args = train(run_dir, 2);
  args.insert(args.end(), sgd.begin(), sgd.end());
  const Result r = mpirun2(args);
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  // Rank 0 alone reports.
  EXPECT_EQ(r.out.find("Training lenet"), r.out.rfind("Training lenet")) << r.out;
  EXPECT_TRUE(contains(r.out, "batch 32 per process x 2 processes = 64 global")) << r.out;
  EXPECT_TRUE(contains(r.out, "Waiting for the gradients' all-reduce this session: rank 0 "))
      << r.out;
  EXPECT_TRUE(contains(r.out, ", rank 1 ")) << r.out;
  const auto config = nlohmann::json::parse(read(run_dir / "config.json"));
  EXPECT_EQ(config["world_size"], 2);
  EXPECT_EQ(config["batch_size"], 32);
  const auto epochs = epochs_of(run_dir);
  ASSERT_EQ(epochs.size(), 2u);
  for (const auto& epoch : epochs) {
    EXPECT_EQ(epoch["total"], 512) << "every sample once, both ranks together";
    EXPECT_EQ(epoch["step"], epoch["epoch"].get<int>() * 8) << "512 / 64 steps per epoch";
  }
  // One process with the global batch takes the same steps on the same samples: the figures
  // differ only by float32 rounding (summation order).
  auto single_args = train(dir_ / "single", 2);
  ASSERT_EQ(single_args[9], "--batch-size");
  single_args[10] = "64";
  single_args.insert(single_args.end(), sgd.begin(), sgd.end());
  const Result single = run(single_args);
  ASSERT_EQ(single.code, 0) << single.err;
  const auto reference = epochs_of(dir_ / "single");
  ASSERT_EQ(reference.size(), 2u);
  for (std::size_t e = 0; e < 2; ++e) {
    EXPECT_NEAR(epochs[e]["loss"].get<double>(), reference[e]["loss"].get<double>(), 1e-5);
    EXPECT_NEAR(epochs[e]["test_accuracy"].get<double>(),
                reference[e]["test_accuracy"].get<double>(), 0.002);
  }
  EXPECT_TRUE(fs::exists(run_dir / "checkpoint.safetensors"));
  EXPECT_TRUE(fs::exists(run_dir / "loss.svg"));
  // The model is an ordinary one: evaluated by one process.
  const Result eval = run({"eval", "--run", run_dir.string()});
  EXPECT_EQ(eval.code, 0) << eval.err;
}

TEST_F(DistributedTraining, AResumedDistributedRunEqualsAnUninterruptedOne) {
  const fs::path whole = dir_ / "whole", parts = dir_ / "parts";
  Result r = mpirun2(train(whole, 2));
  ASSERT_EQ(r.code, 0) << r.err;
  r = mpirun2(train(parts, 1));
  ASSERT_EQ(r.code, 0) << r.err;

  // Another world size is refused, saying why and what to run instead.
  r = run({"train", "--resume", parts.string(), "--epochs", "2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "trained by 2 processes (mpirun -np 2) and this job has 1 process"))
      << r.err;
  EXPECT_TRUE(contains(r.err, "resume it with mpirun -np 2")) << r.err;

  r = mpirun2({"train", "--resume", parts.string(), "--epochs", "2", "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "after epoch 1")) << r.out;
  EXPECT_EQ(read(whole / "model.safetensors"), read(parts / "model.safetensors"));
  EXPECT_EQ(epochs_of(parts).back()["test_accuracy"], epochs_of(whole).back()["test_accuracy"]);
}

TEST_F(DistributedTraining, ARankKilledEndsTheWholeJobNamingIt) {
  const auto args = train(dir_ / "run", 3);
  const Result r = mpirun({{{}, args}, {{"MINITORCH_FAULT_AT=train:2"}, args}});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.code, 124) << "the job hung until timeout killed it";
  EXPECT_LT(seconds_, 120.0);
  EXPECT_TRUE(contains(r.err, "process rank 1")) << r.err;
  EXPECT_TRUE(contains(r.err, "signal 9")) << r.err;
}

TEST_F(DistributedTraining, ARankThatThrowsEndsTheWholeJobWithItsMessage) {
  const auto args = train(dir_ / "run", 3);
  const Result r = mpirun({{{}, args}, {{"MINITORCH_FAULT_AT=train:2:throw"}, args}});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_LT(seconds_, 120.0);
  EXPECT_TRUE(contains(r.err, "minitorch: rank 1 of 2: error: fault injected at train:2")) << r.err;
  // Epoch 1 was committed before; the directory resumes from it.
  EXPECT_EQ(epochs_of(dir_ / "run").size(), 1u);
}

TEST_F(DistributedTraining, ARankWithBadDataReportsItAndTheOthersStop) {
  const fs::path bad = dir_ / "bad-data";
  fs::create_directories(bad);
  std::ofstream(bad / "train-images-idx3-ubyte") << "not an IDX file";
  auto args = train(dir_ / "run", 2);
  auto bad_args = args;
  bad_args.insert(bad_args.end(), {"--data-dir", bad.string()});
  const Result r = mpirun({{{}, args}, {{}, bad_args}});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_LT(seconds_, 120.0);
  EXPECT_TRUE(contains(r.err, "minitorch: rank 1 of 2: error: load_mnist_format")) << r.err;
  EXPECT_TRUE(contains(r.err, bad.string())) << r.err;
}

TEST_F(DistributedTraining, RanksThatDisagreeStopNamingTheDifferenceInsteadOfHanging) {
  auto args = train(dir_ / "run", 2);
  auto other = args;
  ASSERT_EQ(other[8], "512");
  other[8] = "256";  // --train-samples
  const Result r = mpirun({{{}, args}, {{}, other}});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_LT(seconds_, 120.0);
  EXPECT_TRUE(contains(r.err, "the ranks disagree: rank 1 has train_samples 256, rank 0 has 512"))
      << r.err;
}

// Each batch is shared by the ranks (51 points in batches of 10: shares of 5, then of 0 and 1 in
// the last batch) and its derivatives summed before the step, so two ranks take one process's
// steps: the same losses epoch by epoch, to rounding (float64 for the scalar backend, float32
// for the tensor one), and the same predictions.
TEST_F(DistributedTraining, TheTwoDimensionalTaskSharesEachBatchAndTakesOneProcesssSteps) {
  for (const auto& [backend, tolerance] :
       std::vector<std::pair<std::string, double>>{{"scalar", 1e-9}, {"fast", 1e-5}}) {
    SCOPED_TRACE(backend);
    auto args = [&](const fs::path& run_dir) {
      return std::vector<std::string>{"train",
                                      "--task",
                                      "2d",
                                      "--dataset",
                                      "xor",
                                      "--points",
                                      "51",
                                      "--hidden",
                                      "4",
                                      "--epochs",
                                      "20",
                                      "--batch-size",
                                      "10",
                                      "--lr",
                                      "0.5",
                                      "--backend",
                                      backend,
                                      "--threads",
                                      "1",
                                      "--seed",
                                      "7",
                                      "--run-dir",
                                      run_dir.string()};
    };
    const fs::path shared = dir_ / (backend + "-two-ranks"), alone = dir_ / (backend + "-alone");
    const Result r = mpirun2(args(shared));
    ASSERT_EQ(r.code, 0) << r.err << r.out;
    EXPECT_EQ(r.out.find("Training mlp"), r.out.rfind("Training mlp")) << "rank 0 alone reports";
    EXPECT_TRUE(contains(r.out, "each batch shared by 2 processes")) << r.out;
    EXPECT_EQ(nlohmann::json::parse(read(shared / "config.json"))["world_size"], 2);
    const Result single = run(args(alone));
    ASSERT_EQ(single.code, 0) << single.err;
    const auto epochs = epochs_of(shared), reference = epochs_of(alone);
    ASSERT_EQ(epochs.size(), 20u);
    ASSERT_EQ(reference.size(), 20u);
    for (std::size_t e = 0; e < epochs.size(); ++e) {
      const double expected = reference[e]["loss"].get<double>();
      EXPECT_NEAR(epochs[e]["loss"].get<double>(), expected, tolerance * (1 + expected)) << e;
      EXPECT_EQ(epochs[e]["total"], 51) << e;
    }
    const auto summary = nlohmann::json::parse(read(shared / "summary.json"));
    const auto expected = nlohmann::json::parse(read(alone / "summary.json"));
    EXPECT_EQ(summary["correct"], expected["correct"]);
    // The weights moved: the run learnt something, and a sum counted twice would have shown.
    EXPECT_LT(summary["final_loss"].get<double>(), epochs.front()["loss"].get<double>());
    EXPECT_TRUE(fs::exists(shared / "model.safetensors"));
    EXPECT_TRUE(fs::exists(shared / "decision_boundary.svg"));
  }
}

TEST_F(DistributedTraining, OtherCommandsRefuseMpirun) {
  const Result r = mpirun2({"datasets", "--name", "xor"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "minitorch datasets runs in one process")) << r.err;
}

}  // namespace
