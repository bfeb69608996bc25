// End-to-end tests of what keeps a run directory trustworthy: a diverged run stops instead of
// saving NaN, one writer per run directory, every epoch committed whole (proven by killing the
// program at each write and resuming), and values from checkpoints and flags checked against
// their limits.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli_fixture.h"

using minitorch::testing::Cli;
using minitorch::testing::contains;
using minitorch::testing::read;
using minitorch::testing::Result;
namespace fs = std::filesystem;

namespace {

// A run on the first 256 images of Fashion-MNIST, one thread (deterministic): the issue's own
// examples, and long enough (it loads the whole data set first) to overlap a second process.
std::vector<std::string> fashion_run(const fs::path& run_dir, int epochs,
                                     const std::vector<std::string>& extra = {},
                                     const std::string& model = "mlp") {
  std::vector<std::string> args{"train", "--task", "fashion-mnist", "--model", model};
  for (const char* setting : {"--seed=5", "--threads=1", "--train-samples=256"}) {
    args.push_back(setting);
  }
  args.insert(args.end(), {"--epochs", std::to_string(epochs), "--run-dir", run_dir.string()});
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

void write_idx(const fs::path& path, std::uint32_t magic, const std::vector<std::uint32_t>& dims,
               const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  for (std::uint32_t word : std::vector<std::uint32_t>{magic}) {
    for (int shift = 24; shift >= 0; shift -= 8) out.put(static_cast<char>(word >> shift));
  }
  for (std::uint32_t word : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) out.put(static_cast<char>(word >> shift));
  }
  out << bytes;
}

// A made-up MNIST in IDX files: 128 training and 64 test images of 28 x 28 pixels, so that a
// run takes a fraction of a second and the fault-injection test can run a dozen.
void write_tiny_mnist(const fs::path& dir) {
  fs::create_directories(dir);
  for (const auto& [split, count] : {std::pair<std::string, std::uint32_t>{"train", 128},
                                     std::pair<std::string, std::uint32_t>{"t10k", 64}}) {
    std::string images, labels;
    for (std::uint32_t i = 0; i < count; ++i) {
      const std::uint32_t label = i * 7 % 10;
      labels.push_back(static_cast<char>(label));
      for (std::uint32_t pixel = 0; pixel < 28 * 28; ++pixel) {
        images.push_back(static_cast<char>((pixel * (label + 1) + i) % 256));
      }
    }
    write_idx(dir / (split + "-images-idx3-ubyte"), 0x803, {count, 28, 28}, images);
    write_idx(dir / (split + "-labels-idx1-ubyte"), 0x801, {count}, labels);
  }
}

// A safetensors file as its JSON header and its data bytes, to corrupt on purpose.
struct Safetensors {
  nlohmann::json header;
  std::string data;

  static Safetensors load(const fs::path& path) {
    const std::string bytes = read(path);
    std::uint64_t length = 0;
    std::memcpy(&length, bytes.data(), sizeof length);  // little-endian, as on x86 and arm64
    return {nlohmann::json::parse(bytes.substr(8, length)), bytes.substr(8 + length)};
  }
  void save(const fs::path& path) const {
    const std::string text = header.dump();
    const std::uint64_t length = text.size();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(&length), sizeof length);
    out << text << data;
  }
  // Overwrites the first float32 value of the first float32 tensor.
  void poison_first_float(float value) {
    for (const auto& [name, entry] : header.items()) {
      if (name == "__metadata__" || entry["dtype"] != "F32") continue;
      const auto offset = entry["data_offsets"][0].get<std::size_t>();
      std::memcpy(data.data() + offset, &value, sizeof value);
      return;
    }
    FAIL() << "no float32 tensor";
  }
};

void set_metadata(const fs::path& path, const std::string& key, const std::string& value) {
  Safetensors file = Safetensors::load(path);
  file.header["__metadata__"][key] = value;
  file.save(path);
}

std::vector<std::string> lines_of(const fs::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// What must not depend on how often a run was stopped: everything but the clock.
nlohmann::json without_timing(nlohmann::json record) {
  for (const char* key :
       {"epoch_seconds", "samples_per_second", "total_seconds", "epoch_seconds_median"}) {
    record.erase(key);
  }
  return record;
}

std::vector<nlohmann::json> metrics_without_timing(const fs::path& run) {
  std::vector<nlohmann::json> out;
  for (const auto& line : lines_of(run / "metrics.jsonl")) {
    out.push_back(without_timing(nlohmann::json::parse(line)));
  }
  return out;
}

std::vector<std::string> temporary_files(const fs::path& run) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(run)) {
    const std::string name = entry.path().filename().string();
    if (contains(name, ".tmp.")) out.push_back(name);
  }
  return out;
}

// The program started in the background, for what needs two processes at once.
class Background {
 public:
  explicit Background(const std::vector<std::string>& args) {
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv{const_cast<char*>(minitorch::testing::cli_path())};
      for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
      argv.push_back(nullptr);
      std::freopen("/dev/null", "w", stdout);
      std::freopen("/dev/null", "w", stderr);
      ::execv(minitorch::testing::cli_path(), argv.data());
      ::_exit(127);
    }
  }
  ~Background() { kill(); }
  pid_t pid() const { return pid_; }
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

template <class Condition>
bool wait_until(Condition condition) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

class Reliability : public Cli {
 protected:
  void SetUp() override {
    Cli::SetUp();
    write_tiny_mnist(dir_ / "mnist");
  }
  // A quick run: an MLP on the made-up MNIST, one thread (deterministic).
  std::vector<std::string> quick_run(const fs::path& run_dir, int epochs) const {
    return {"train",
            "--task",
            "mnist",
            "--data-dir",
            (dir_ / "mnist").string(),
            "--model",
            "mlp",
            "--seed",
            "5",
            "--threads",
            "1",
            "--epochs",
            std::to_string(epochs),
            "--run-dir",
            run_dir.string()};
  }
};

}  // namespace

// 1. A run whose loss stops being a number stops, exit 1, and saves nothing of that epoch.
TEST_F(Reliability, ADivergedRunStopsWithoutSavingIt) {
  const std::vector<std::vector<std::string>> settings{
      {"--lr", "1e9"}, {"--optimizer", "sgd", "--lr", "1e9"}, {"--weight-decay", "1e308"}};
  for (std::size_t i = 0; i < settings.size(); ++i) {
    const fs::path run_dir = dir_ / ("run" + std::to_string(i));
    const Result r = run(fashion_run(run_dir, 1, settings[i], "lenet"));
    EXPECT_EQ(r.code, 1) << i << ": " << r.out << r.err;
    EXPECT_TRUE(contains(r.err, "training diverged in epoch 1: at step ")) << r.err;
    EXPECT_TRUE(contains(r.err, "the learning rate (--lr ")) << r.err;
    EXPECT_TRUE(contains(r.err, "or the weight decay (--weight-decay ")) << r.err;
    EXPECT_TRUE(contains(r.err, "Epoch 1 was not saved; the run directory keeps no epoch"))
        << r.err;
    EXPECT_FALSE(contains(r.out, "Test accuracy")) << r.out;
    EXPECT_FALSE(fs::exists(run_dir / "model.safetensors"));
    EXPECT_FALSE(fs::exists(run_dir / "checkpoint.safetensors"));
    EXPECT_FALSE(contains(read(run_dir / "metrics.jsonl"), "null"));
  }
}

// 1. The 2-D trainer's loss is clamped, so its diverged weights show in the model's output.
TEST_F(Reliability, ADiverged2DRunStops) {
  for (const char* backend : {"scalar", "fast"}) {
    const fs::path run_dir = dir_ / backend;
    const Result r = run({"train", "--backend", backend, "--lr", "1e308", "--epochs", "20",
                          "--run-dir", run_dir.string()});
    EXPECT_EQ(r.code, 1) << backend << ": " << r.out;
    EXPECT_TRUE(contains(r.err, "training diverged in epoch ")) << r.err;
    EXPECT_TRUE(contains(r.err, "the model's output is nan; the learning rate (--lr 1e+308)"))
        << r.err;
    EXPECT_FALSE(fs::exists(run_dir / "summary.json"));
    EXPECT_FALSE(contains(read(run_dir / "metrics.jsonl"), "null"));
  }
}

// 1. eval and predict refuse weights that are not finite, however they got there.
TEST_F(Reliability, NonFiniteWeightsAreRefused) {
  const fs::path run_dir = dir_ / "run";
  ASSERT_EQ(run(quick_run(run_dir, 1)).code, 0);
  Safetensors model = Safetensors::load(run_dir / "model.safetensors");
  model.poison_first_float(std::numeric_limits<float>::quiet_NaN());
  model.save(run_dir / "model.safetensors");
  std::ofstream(dir_ / "item.pgm", std::ios::binary) << "P5\n28 28\n255\n" << std::string(784, 'x');
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"eval", "--run", run_dir.string()},
           {"predict", "--run", run_dir.string(), (dir_ / "item.pgm").string()}}) {
    const Result r = run(args);
    EXPECT_EQ(r.code, 1) << args[0] << ": " << r.out;
    EXPECT_TRUE(contains(r.err, "model.safetensors")) << r.err;
    EXPECT_TRUE(contains(r.err, "non-finite value (nan at index 0")) << r.err;
    EXPECT_FALSE(contains(r.out, "nan")) << r.out;
  }
  Safetensors checkpoint = Safetensors::load(run_dir / "checkpoint.safetensors");
  checkpoint.poison_first_float(std::numeric_limits<float>::infinity());
  checkpoint.save(run_dir / "checkpoint.safetensors");
  const Result r = run({"train", "--resume", run_dir.string(), "--epochs", "2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "checkpoint.safetensors")) << r.err;
  EXPECT_TRUE(contains(r.err, "(inf at index 0")) << r.err;
}

// 2. A run written before divergence was detected has "loss": null; its resume says which line.
TEST_F(Reliability, AnUnreadableMetricsLineIsNamed) {
  const fs::path run_dir = dir_ / "run";
  ASSERT_EQ(run(quick_run(run_dir, 1)).code, 0);
  auto record = nlohmann::json::parse(lines_of(run_dir / "metrics.jsonl").at(0));
  record["loss"] = nullptr;
  std::ofstream(run_dir / "metrics.jsonl", std::ios::trunc) << record.dump() << "\n";
  Result r = run({"train", "--resume", run_dir.string(), "--epochs", "2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "metrics.jsonl: line 1 is not a metrics record: 'loss' is null"))
      << r.err;
  EXPECT_TRUE(contains(r.err, "diverged")) << r.err;

  std::ofstream(run_dir / "metrics.jsonl", std::ios::trunc) << "";
  r = run({"train", "--resume", run_dir.string(), "--epochs", "2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "holds 0 epoch record(s), but the checkpoint finished epoch 1"))
      << r.err;
}

// 3. One writer per run directory: a second train or resume fails at once and names the holder;
// the lock ends with its process, even one killed.
TEST_F(Reliability, OneWriterPerRunDirectory) {
  const fs::path run_dir = dir_ / "run";
  ASSERT_EQ(run(quick_run(run_dir, 1)).code, 0);
  Background trainer({"train", "--resume", run_dir.string(), "--epochs", "1000"});
  // The resume holds the lock from its start and records its pid in the lock file.
  const std::string pid = std::to_string(trainer.pid());
  ASSERT_TRUE(wait_until([&] { return read(run_dir / ".lock") == pid + "\n"; }));
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"train", "--resume", run_dir.string(), "--epochs", "3"}, quick_run(run_dir, 1)}) {
    const Result r = run(args);
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_TRUE(contains(r.err, "is in use by process " + pid)) << r.err;
  }
  // Readers do not wait for the writer.
  EXPECT_EQ(run({"eval", "--run", run_dir.string()}).code, 0);

  trainer.kill();  // leaves .lock behind, unlocked
  const Result r = run({"train", "--resume", run_dir.string(), "--epochs", "1"});
  EXPECT_TRUE(contains(r.err, "already finished")) << r.err;  // not "in use"
  EXPECT_TRUE(temporary_files(run_dir).empty());
}

// 3. Two runs started on one new directory a moment apart (the second while the first loads its
// data): exactly one gets it, the other fails at once.
TEST_F(Reliability, TwoRunsStartedTogetherGetOneDirectory) {
  const fs::path run_dir = dir_ / "run";
  std::string train = minitorch::testing::quote(minitorch::testing::cli_path());
  for (const auto& arg : fashion_run(run_dir, 1)) train += " " + minitorch::testing::quote(arg);
  const std::string command = train + " >" + (dir_ / "out0").string() + " 2>&1 & sleep 0.3; " +
                              train + " >" + (dir_ / "out1").string() + " 2>&1; wait";
  ASSERT_EQ(std::system(command.c_str()), 0);
  // Either may win: a busy machine can let the second finish loading its data first.
  std::string winner = read(dir_ / "out0"), loser = read(dir_ / "out1");
  if (!contains(winner, "Test accuracy")) std::swap(winner, loser);
  EXPECT_TRUE(contains(winner, "Test accuracy")) << winner;
  EXPECT_FALSE(contains(loser, "Test accuracy")) << loser;
  EXPECT_TRUE(contains(loser, "in use by process") || contains(loser, "not empty")) << loser;
  EXPECT_EQ(lines_of(run_dir / "metrics.jsonl").size(), 1u);
}

// 4, 5. Killed at every write of an epoch and resumed, a run ends with the files of a run never
// stopped: the checkpoint is each epoch's commit point and resume rebuilds the rest from it.
TEST_F(Reliability, AKillAtAnyWriteResumesToTheSameFiles) {
  const fs::path whole = dir_ / "whole";
  ASSERT_EQ(run(quick_run(whole, 3)).code, 0);
  const std::vector<std::pair<std::string, int>> faults{
      {"model", 1},      {"model", 2},   {"metrics", 2}, {"checkpoint", 2},
      {"checkpoint", 3}, {"summary", 2}, {"summary", 3}};
  for (const auto& [step, epoch] : faults) {
    const std::string fault = step + ":" + std::to_string(epoch);
    SCOPED_TRACE(fault);
    const fs::path run_dir = dir_ / (step + "-" + std::to_string(epoch));
    ::setenv("MINITORCH_FAULT_AT", fault.c_str(), 1);
    Result r = run(quick_run(run_dir, 3));
    ::unsetenv("MINITORCH_FAULT_AT");
    ASSERT_EQ(r.code, 128 + SIGKILL) << r.out << r.err;
    // What a kill inside an atomic write leaves: a temporary file of a process that is gone.
    std::ofstream(run_dir / "model.safetensors.tmp.999999999.0") << "half a file";

    r = run({"train", "--resume", run_dir.string(), "--threads", "1"});
    if (step == "summary" && epoch == 3) {
      EXPECT_EQ(r.code, 1);  // the run had committed its last epoch; resume only repairs
      EXPECT_TRUE(contains(r.err, "already finished epoch 3 of 3")) << r.err;
    } else {
      ASSERT_EQ(r.code, 0) << r.out << r.err;
    }
    for (const char* file : {"model.safetensors", "checkpoint.safetensors", "loss.svg",
                             "accuracy.svg", "config.json"}) {
      EXPECT_EQ(read(run_dir / file), read(whole / file)) << file;
    }
    EXPECT_EQ(metrics_without_timing(run_dir), metrics_without_timing(whole));
    EXPECT_EQ(without_timing(nlohmann::json::parse(read(run_dir / "summary.json"))),
              without_timing(nlohmann::json::parse(read(whole / "summary.json"))));
    EXPECT_EQ(temporary_files(run_dir), std::vector<std::string>{});
  }
}

// 4, 5. Step records (--log-every) are committed with their epoch: a run killed before the commit
// resumes to the records of a run never stopped.
TEST_F(Reliability, StepRecordsResumeToTheSameRecords) {
  auto logging_run = [&](const fs::path& run_dir) {
    auto args = quick_run(run_dir, 3);
    args.insert(args.end(), {"--log-every", "2"});
    return args;
  };
  const fs::path whole = dir_ / "whole";
  ASSERT_EQ(run(logging_run(whole)).code, 0);
  const auto records = metrics_without_timing(whole);
  ASSERT_GT(records.size(), 3u);
  for (const auto& record : records) {
    EXPECT_TRUE(record.contains("step") && record.contains("epoch")) << record.dump();
  }
  for (const char* fault : {"checkpoint:2", "summary:2"}) {
    SCOPED_TRACE(fault);
    const fs::path run_dir = dir_ / (std::string("killed-") + fault[0]);
    ::setenv("MINITORCH_FAULT_AT", fault, 1);
    Result r = run(logging_run(run_dir));
    ::unsetenv("MINITORCH_FAULT_AT");
    ASSERT_EQ(r.code, 128 + SIGKILL) << r.out << r.err;
    r = run({"train", "--resume", run_dir.string(), "--threads", "1"});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_EQ(metrics_without_timing(run_dir), records);
    EXPECT_EQ(read(run_dir / "loss.svg"), read(whole / "loss.svg"));
  }
}

// 6. Values read from a checkpoint are checked against what they can be.
TEST_F(Reliability, CheckpointValuesOutsideTheirRangeAreNamed) {
  const fs::path run_dir = dir_ / "run";
  ASSERT_EQ(run(quick_run(run_dir, 1)).code, 0);
  std::ofstream(dir_ / "item.pgm", std::ios::binary) << "P5\n28 28\n255\n" << std::string(784, 'x');
  const std::string model = read(run_dir / "model.safetensors");
  for (const std::string value : {"0", "nan", "-1", "inf"}) {
    set_metadata(run_dir / "model.safetensors", "normalize_std", value);
    const Result r = run({"predict", "--run", run_dir.string(), (dir_ / "item.pgm").string()});
    EXPECT_EQ(r.code, 1) << value << ": " << r.out;
    EXPECT_TRUE(contains(
        r.err, "metadata 'normalize_std' is '" + value + "'; expected a finite number > 0"))
        << r.err;
  }
  // A float size would be cast to an integer: undefined behaviour where it does not fit.
  for (const std::string value : {"[1E28,28]", "[1,28.5,28]", "{\"a\":1}"}) {
    set_metadata(run_dir / "model.safetensors", "input_shape", value);
    const Result r = run({"predict", "--run", run_dir.string(), (dir_ / "item.pgm").string()});
    EXPECT_EQ(r.code, 1) << value << ": " << r.out;
    EXPECT_TRUE(contains(r.err, "metadata 'input_shape' is '" + value + "'")) << r.err;
  }
  std::ofstream(run_dir / "model.safetensors", std::ios::binary | std::ios::trunc) << model;

  set_metadata(run_dir / "checkpoint.safetensors", "epoch", "-5");
  const Result r = run({"train", "--resume", run_dir.string(), "--epochs", "2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "metadata 'epoch' is '-5'; expected an integer >= 1")) << r.err;
  EXPECT_FALSE(contains(r.out, "Training")) << r.out;
}

// 6. A checkpoint of another task in a run directory is named as such, not as a shape error.
TEST_F(Reliability, ACheckpointOfAnotherTaskIsNamed) {
  const fs::path images = dir_ / "images", text = dir_ / "text";
  ASSERT_EQ(run(quick_run(images, 1)).code, 0);
  Result r = run({"train", "--task", "spam", "--train-samples", "100", "--epochs", "1",
                  "--max-length", "16", "--embedding-dim", "4", "--run-dir", text.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* file : {"checkpoint.safetensors", "model.safetensors"}) {
    fs::copy_file(text / file, images / file, fs::copy_options::overwrite_existing);
  }
  r = run({"train", "--resume", images.string(), "--epochs", "2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "this checkpoint is for task spam (model textcnn)")) << r.err;
  EXPECT_TRUE(contains(r.err, "the run directory trains task mnist (model mlp)")) << r.err;
  r = run({"eval", "--run", images.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "this model is for task spam")) << r.err;
}

// 6. Size flags have stated upper limits instead of ending in std::bad_alloc.
TEST_F(Reliability, SizeFlagsHaveUpperLimits) {
  const std::vector<std::pair<std::string, std::string>> cases{{"--max-length", "[1, 8192]"},
                                                               {"--embedding-dim", "[1, 1024]"},
                                                               {"--points", "[1, 1000000]"},
                                                               {"--hidden", "[1, 1024]"},
                                                               {"--threads", "[1, 1024]"}};
  for (const auto& [flag, range] : cases) {
    const Result r = run({"train", flag, "2000000000", "--run-dir", (dir_ / "run").string()});
    EXPECT_EQ(r.code, 2) << flag;
    EXPECT_TRUE(contains(r.err, flag)) << r.err;
    EXPECT_TRUE(contains(r.err, "expected an integer in " + range + ", got '2000000000'")) << r.err;
    EXPECT_FALSE(contains(r.err, "bad_alloc")) << r.err;
  }
  EXPECT_EQ(run({"train", "--threads", "1025"}).code, 2);
  EXPECT_EQ(run({"datasets", "--name", "xor", "--points", "1000001"}).code, 2);
  EXPECT_FALSE(fs::exists(dir_ / "run"));
}

// 6. A --min-frequency no word reaches leaves a vocabulary of <pad> and <unk>: every mail alike.
TEST_F(Reliability, AVocabularyWithoutWordsIsRefused) {
  const fs::path run_dir = dir_ / "run";
  const Result r = run({"train", "--task", "spam", "--train-samples", "100", "--epochs", "1",
                        "--min-frequency", "2000000000", "--run-dir", run_dir.string()});
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_TRUE(contains(r.err, "100 training mails has 0 word(s) seen at least 2000000000 times"))
      << r.err;
  EXPECT_TRUE(contains(r.err, "--min-frequency")) << r.err;
  EXPECT_FALSE(fs::exists(run_dir));  // the data is checked before the directory is claimed
}
