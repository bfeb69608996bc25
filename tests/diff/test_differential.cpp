// Differential test against PyTorch: random programs over the tensor operations, run by minitorch
// on every backend, instruction set and dtype, and by PyTorch 1.13 in float64 as the oracle
// (torch_driver.py under /usr/bin/python3). Values and input gradients (backward with a random
// upstream gradient) must agree within rounding (comparison.h); a failing program is shrunk and
// printed as a runnable PyTorch script.
//
// Environment:
//   MINITORCH_DIFF_PROGRAMS  how many programs (default 2500, about 20 s; `make fuzz-diff` runs
//   many more) MINITORCH_DIFF_SEED      the first program's seed (default 1); program i uses seed +
//   i MINITORCH_DIFF_STEPS     the most steps per program (default 8) MINITORCH_DIFF_INJECT    a
//   relative error added to one float64 gradient of every program:
//                            proves the comparison catches it (the test must then fail)
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "comparison.h"
#include "minitorch/backend/cpu_features.h"
#include "minitorch/tensor/tensor_ops.h"
#include "program_generator.h"
#include "program_runner.h"
#include "shrink.h"
#include "torch_oracle.h"

namespace mt = minitorch;
namespace dt = minitorch::difftest;

namespace {

constexpr std::size_t kBatch = 250;
constexpr int kMaxReportedFailures = 3;
// Programs whose values grow past this are skipped: float32 overflow is not what is tested.
constexpr double kLargestComparedValue = 1e6;

double env_number(const char* name, double fallback) {
  const char* text = std::getenv(name);
  return text == nullptr ? fallback : std::atof(text);
}

// One way minitorch can run a program.
struct Target {
  std::string name;
  const mt::Backend* backend;
  mt::CpuIsa isa;
  mt::Dtype dtype;
};

// The reference backend, and the fast backend under every instruction set this processor has,
// each in float64 (first: float32 results are judged by it) and float32.
std::vector<Target> targets() {
  std::vector<Target> out;
  for (mt::Dtype dtype : {mt::kFloat64, mt::kFloat32}) {
    const std::string suffix = dtype == mt::kFloat64 ? "/float64" : "/float32";
    out.push_back(
        {"reference" + suffix, &mt::reference_backend(), mt::best_supported_isa(), dtype});
    for (auto isa : {mt::CpuIsa::Generic, mt::CpuIsa::Avx2, mt::CpuIsa::Avx512}) {
      if (isa > mt::best_supported_isa()) continue;
      out.push_back({"fast/" + mt::isa_name(isa) + suffix, &mt::fast_backend(), isa, dtype});
    }
  }
  return out;
}

// Runs under the target's instruction set, restoring the best one afterwards.
dt::RunResult run_on(const Target& target, const dt::Program& program) {
  mt::set_cpu_isa(target.isa);
  dt::RunResult result = dt::run_program(program, *target.backend, target.dtype);
  mt::set_cpu_isa(mt::best_supported_isa());
  return result;
}

// Scales the largest float64 gradient element by 1 + relative (the test-only error injection that
// proves the comparison's sensitivity); returns false when there is no nonzero gradient.
bool inject_error(dt::RunResult& result, double relative) {
  double* largest = nullptr;
  for (auto& grad : result.grads) {
    if (!grad) continue;
    for (double& g : *grad) {
      if (g != 0.0 && (largest == nullptr || std::abs(g) > std::abs(*largest))) largest = &g;
    }
  }
  if (largest == nullptr) return false;
  *largest *= 1.0 + relative;
  return true;
}

std::optional<std::string> check(const Target& target, const dt::Program& program,
                                 const dt::TorchResult& torch) {
  dt::RunResult ours = run_on(target, program);
  if (target.dtype == mt::kFloat64) inject_error(ours, env_number("MINITORCH_DIFF_INJECT", 0.0));
  return dt::mismatch(program, torch, ours, target.dtype);
}

bool comparable(const dt::TorchResult& torch) {
  return torch.error.empty() ? !torch.nonfinite && torch.value_scale <= kLargestComparedValue &&
                                   torch.grad_scale <= kLargestComparedValue
                             : true;
}

struct Tally {
  std::int64_t programs = 0, skipped = 0, float32_branch_flips = 0, torch_errors = 0;
  std::map<std::string, std::int64_t> op_counts;
  std::string first_rejection;  // what PyTorch (and minitorch) said to the first rejected program
  int failures = 0;
};

void report_failure(const Target& target, const dt::Program& program, std::uint64_t seed,
                    const std::string& what) {
  const dt::Program small = dt::shrink(
      program, [&](const dt::Program& p, const dt::TorchResult& t) { return check(target, p, t); });
  const auto torch = dt::run_torch({small});
  const std::string small_what = check(target, small, torch[0]).value_or("(shrunk program passes)");
  ADD_FAILURE() << target.name << " differs from PyTorch on program seed " << seed << ": " << what
                << "\nShrunk to:\n"
                << dt::describe(small) << "which gives: " << small_what << "\nPyTorch script:\n"
                << dt::torch_script(small);
}

void check_against_torch(const dt::Program& program, std::uint64_t seed,
                         const dt::TorchResult& torch, Tally& tally) {
  ++tally.programs;
  for (const auto& step : program.steps) ++tally.op_counts[step.op];
  if (!comparable(torch)) {
    ++tally.skipped;
    return;
  }
  if (!torch.error.empty() && tally.torch_errors++ == 0) tally.first_rejection = torch.error;
  std::set<std::pair<const mt::Backend*, mt::CpuIsa>> float64_passed;
  for (const Target& target : targets()) {
    const auto what = check(target, program, torch);
    const auto key = std::make_pair(target.backend, target.isa);
    if (!what) {
      if (target.dtype == mt::kFloat64) float64_passed.insert(key);
      continue;
    }
    if (target.dtype == mt::kFloat32 && dt::has_branches(program) && float64_passed.contains(key)) {
      ++tally.float32_branch_flips;
      continue;
    }
    if (++tally.failures <= kMaxReportedFailures) report_failure(target, program, seed, *what);
    return;
  }
}

}  // namespace

TEST(Differential, GeneratedOperationsRunOnBothSides) {
  for (const auto& op : dt::generated_ops()) EXPECT_TRUE(dt::is_known_op(op)) << op;
}

// Every Tensor operation is generated, or says here why the differential test leaves it out.
TEST(Differential, EveryTensorOperationIsGeneratedOrExcused) {
  const std::map<std::string, std::string> excused{
      {"is_close", "minitorch's own fixed-threshold comparison; PyTorch's isclose differs"},
      {"to", "programs run in one dtype; conversions are covered by the op harness"},
      {"unfold", "window operations are not generated yet (op harness and golden fixtures)"},
      {"fold", "window operations are not generated yet (op harness and golden fixtures)"},
      {"im2col", "window operations are not generated yet (op harness and golden fixtures)"},
      {"conv2d", "window operations are not generated yet (op harness and golden fixtures)"},
      {"pool2d", "window operations are not generated yet (op harness and golden fixtures)"},
  };
  const auto generated = dt::generated_ops();
  const std::set<std::string> ops(generated.begin(), generated.end());
  for (auto name : mt::kTensorOps) {
    const std::string op(name);
    EXPECT_TRUE(ops.contains(op) || excused.contains(op))
        << op << " is neither generated nor excused";
  }
}

TEST(Differential, RandomProgramsAgreeWithPyTorch) {
  if (const auto reason = dt::torch_unavailable_reason(); !reason.empty()) GTEST_SKIP() << reason;
  const auto count = static_cast<std::uint64_t>(env_number("MINITORCH_DIFF_PROGRAMS", 2500));
  const auto first_seed = static_cast<std::uint64_t>(env_number("MINITORCH_DIFF_SEED", 1));
  const int max_steps = static_cast<int>(env_number("MINITORCH_DIFF_STEPS", 8));
  const auto started = std::chrono::steady_clock::now();
  Tally tally;
  for (std::uint64_t begin = 0; begin < count && tally.failures < kMaxReportedFailures;
       begin += kBatch) {
    std::vector<dt::Program> programs;
    for (std::uint64_t i = begin; i < std::min(count, begin + kBatch); ++i) {
      mt::Generator generator(first_seed + i);
      programs.push_back(dt::random_program(generator, max_steps));
    }
    const auto results = dt::run_torch(programs);
    for (std::size_t p = 0; p < programs.size(); ++p) {
      check_against_torch(programs[p], first_seed + begin + p, results[p], tally);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << tally.programs << " programs on " << targets().size() << " targets in " << seconds
            << " s: " << tally.skipped << " skipped (overflow), " << tally.torch_errors
            << " rejected by both"
            << (tally.first_rejection.empty() ? "" : " (first: " + tally.first_rejection + ")")
            << ", " << tally.float32_branch_flips
            << " float32 runs took another branch than float64\n";
  EXPECT_EQ(tally.failures, 0);
  // Nearly every program must be compared, and every operation drawn, or the test proves little.
  EXPECT_LE(tally.skipped * 20, tally.programs);
  if (tally.programs >= 1000) {
    for (const auto& op : dt::generated_ops()) EXPECT_GT(tally.op_counts[op], 0) << op;
  }
}

// The comparison's sensitivity: one float64 gradient element off by 1e-7 relative is a failure in
// every program that has a gradient.
TEST(Differential, CatchesARelativeErrorOf1e7InOneFloat64Gradient) {
  if (const auto reason = dt::torch_unavailable_reason(); !reason.empty()) GTEST_SKIP() << reason;
  std::vector<dt::Program> programs;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    mt::Generator generator(seed);
    programs.push_back(dt::random_program(generator, 8));
  }
  const auto results = dt::run_torch(programs);
  int injected = 0;
  for (std::size_t p = 0; p < programs.size(); ++p) {
    if (!comparable(results[p]) || !results[p].error.empty()) continue;
    dt::RunResult ours = dt::run_program(programs[p], mt::reference_backend(), mt::kFloat64);
    ASSERT_FALSE(dt::mismatch(programs[p], results[p], ours, mt::kFloat64)) << p;
    if (!inject_error(ours, 1e-7)) continue;
    ++injected;
    EXPECT_TRUE(dt::mismatch(programs[p], results[p], ours, mt::kFloat64))
        << "an error of 1e-7 passes unnoticed in\n"
        << dt::describe(programs[p]);
  }
  EXPECT_GT(injected, 100);
}

// Shrinking keeps only what the failure needs: here, a program failing whenever it takes a log.
TEST(Differential, ShrinkingKeepsOnlyWhatFails) {
  if (const auto reason = dt::torch_unavailable_reason(); !reason.empty()) GTEST_SKIP() << reason;
  dt::Program program;
  program.inputs = {{{2}, {1, 2}, true}, {{2}, {0.5, 1.5}, true}};
  const auto none = nlohmann::json::object();
  program.steps = {
      {"exp", {0}, none}, {"add", {2, 1}, none}, {"log", {3}, none}, {"sum_all", {4}, none}};
  program.upstream = {1.0};
  const auto takes_log = [](const dt::Program& p, const dt::TorchResult&) {
    for (const auto& step : p.steps) {
      if (step.op == "log") return std::optional<std::string>("log");
    }
    return std::optional<std::string>();
  };
  const dt::Program small = dt::shrink(program, takes_log);
  ASSERT_EQ(small.steps.size(), 1u) << dt::describe(small);
  EXPECT_EQ(small.steps[0].op, "log");
  ASSERT_EQ(small.inputs.size(), 1u);
  EXPECT_EQ(small.inputs[0].values.size(), 1u);  // shapes shrunk to one element
}
