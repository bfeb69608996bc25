// End-to-end tests of `minitorch predict --batch INPUTS --out FILE`: a directory of images, an IDX
// file and text lines, each line the object `predict --json` prints for that input; bad inputs
// named, the output written whole or not at all, and bad usage as exit code 2. Suites named
// *Training train a small run first and are skipped by the sanitizer pass.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_fixture.h"

using minitorch::testing::Cli;
using minitorch::testing::contains;
using minitorch::testing::read;
using minitorch::testing::Result;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The pixels of test image `seed`: w x h bytes, each (a·x + b·y + seed·31) mod 256.
std::vector<std::uint8_t> pixels(int w, int h, int seed) {
  std::vector<std::uint8_t> out;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x)
      out.push_back(std::uint8_t((x * (3 + seed) + y * 7 + seed * 31) % 256));
  }
  return out;
}

void write_pgm(const fs::path& path, int w, int h, int seed) {
  std::ofstream out(path, std::ios::binary);
  out << "P5\n" << w << " " << h << "\n255\n";
  for (std::uint8_t p : pixels(w, h, seed)) out.put(static_cast<char>(p));
}

void put_big_endian(std::ofstream& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.put(static_cast<char>((value >> shift) & 0xff));
}

// An IDX file of unsigned bytes (type 0x08) with the given shape: test images 0, 1, ... when it
// holds images [N, H, W], else the bytes 0, 1, 2, ...
void write_idx(const fs::path& path, const std::vector<std::uint32_t>& shape) {
  std::ofstream out(path, std::ios::binary);
  out.put(0).put(0).put(8).put(static_cast<char>(shape.size()));
  for (std::uint32_t size : shape) put_big_endian(out, size);
  if (shape.size() == 3) {
    for (std::uint32_t i = 0; i < shape[0]; ++i) {
      for (std::uint8_t p : pixels(int(shape[2]), int(shape[1]), int(i))) {
        out.put(static_cast<char>(p));
      }
    }
  } else {
    for (std::uint32_t i = 0; i < shape[0]; ++i) out.put(static_cast<char>(i));
  }
}

std::vector<json> json_lines(const fs::path& path) {
  std::vector<json> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

class BatchPredictTraining : public Cli {
 protected:
  // A small Fashion-MNIST run (the mlp, one epoch on 64 images): fast, and a real image model.
  fs::path train_image_run() {
    const fs::path run_dir = dir_ / "images-run";
    const Result r = run({"train", "--task", "fashion-mnist", "--model", "mlp", "--train-samples",
                          "64", "--epochs", "1", "--threads", "1", "--run-dir", run_dir.string()});
    EXPECT_EQ(r.code, 0) << r.err << r.out;
    return run_dir;
  }
};

class BatchPredictUsage : public Cli {};

}  // namespace

TEST_F(BatchPredictTraining, ImageDirectoryAndIdxGiveWhatPredictJsonGivesPerImage) {
  const fs::path run_dir = train_image_run();
  const fs::path images = dir_ / "images";
  fs::create_directories(images / "nested");  // subdirectories are not entered
  // Written out of order: the batch follows the names.
  for (int i : {2, 0, 3, 1, 4})
    write_pgm(images / ("item" + std::to_string(i) + ".pgm"), 28, 28, i);
  write_pgm(images / "nested" / "skipped.pgm", 28, 28, 9);

  const fs::path out = dir_ / "predictions.jsonl";
  Result r = run({"predict", "--run", run_dir.string(), "--batch", images.string(), "--out",
                  out.string(), "--top-k", "3", "--batch-size", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "Wrote 5 predictions")) << r.out;
  EXPECT_TRUE(contains(r.out, out.string())) << r.out;
  EXPECT_TRUE(contains(r.err, "5/5")) << r.err;  // the progress bar's last state
  const std::vector<json> lines = json_lines(out);
  ASSERT_EQ(lines.size(), 5u);

  std::vector<std::string> args{"predict", "--run", run_dir.string(), "--json", "--top-k", "3"};
  for (int i = 0; i < 5; ++i)
    args.push_back((images / ("item" + std::to_string(i) + ".pgm")).string());
  r = run(args);
  ASSERT_EQ(r.code, 0) << r.err;
  const json single = json::parse(r.out);
  ASSERT_EQ(single.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(lines[i], single[i])
        << "batch: " << lines[i].dump() << "\nsingle: " << single[i].dump();
    EXPECT_EQ(lines[i]["predictions"].size(), 3u);
  }

  // The same five images as an IDX file: the same predictions, named by index.
  const fs::path idx = dir_ / "images-idx3-ubyte";
  write_idx(idx, {5, 28, 28});
  const fs::path idx_out = dir_ / "idx.jsonl";
  r = run({"predict", "--run", run_dir.string(), "--batch", idx.string(), "--out", idx_out.string(),
           "--top-k", "3"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<json> idx_lines = json_lines(idx_out);
  ASSERT_EQ(idx_lines.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(idx_lines[i]["input"], i);
    EXPECT_EQ(idx_lines[i]["predictions"], single[i]["predictions"]) << i;
  }

  // Images of another size need --resize, as for predict.
  const fs::path big = dir_ / "big";
  fs::create_directories(big);
  write_pgm(big / "big.pgm", 56, 40, 1);
  r = run({"predict", "--run", run_dir.string(), "--batch", big.string(), "--out",
           (dir_ / "big.jsonl").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "big.pgm: image of 56x40 pixels")) << r.err;
  EXPECT_TRUE(contains(r.err, "--resize")) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "big.jsonl"));
  r = run({"predict", "--run", run_dir.string(), "--batch", big.string(), "--out",
           (dir_ / "big.jsonl").string(), "--resize"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json_lines(dir_ / "big.jsonl").size(), 1u);
}

TEST_F(BatchPredictTraining, BadInputsAreNamedAndLeaveNoOutput) {
  const fs::path run_dir = train_image_run();
  const fs::path out = dir_ / "out.jsonl";
  auto batch = [&](const fs::path& inputs) {
    return run({"predict", "--run", run_dir.string(), "--batch", inputs.string(), "--out",
                out.string(), "--batch-size", "2"});
  };

  Result r = batch(dir_ / "missing");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "missing does not exist")) << r.err;

  fs::create_directories(dir_ / "empty");
  r = batch(dir_ / "empty");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "holds no files")) << r.err;

  // A file that is not an image, after two good batches: named, and nothing written.
  const fs::path mixed = dir_ / "mixed";
  fs::create_directories(mixed);
  for (int i = 0; i < 4; ++i) write_pgm(mixed / ("a" + std::to_string(i) + ".pgm"), 28, 28, i);
  std::ofstream(mixed / "notes.txt") << "GIF89a, not really";
  r = batch(mixed);
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "notes.txt")) << r.err;
  EXPECT_TRUE(contains(r.err, "not a PNG or PGM")) << r.err;
  EXPECT_FALSE(fs::exists(out));

  // A failure leaves an existing output as it was.
  std::ofstream(out) << "old\n";
  r = batch(mixed);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(read(out), "old\n");
  fs::remove(out);

  // An image model given a text file, or an IDX file of labels.
  std::ofstream(dir_ / "texts.txt") << "hello\nworld\n";
  r = batch(dir_ / "texts.txt");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "classifies images")) << r.err;
  EXPECT_TRUE(contains(r.err, "texts.txt is a text file")) << r.err;
  write_idx(dir_ / "labels-idx1-ubyte", {6});
  r = batch(dir_ / "labels-idx1-ubyte");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "IDX array of shape [6]; expected grayscale images")) << r.err;
  std::ofstream(dir_ / "short-idx", std::ios::binary) << std::string("\x00\x00\x08\x03\x00", 5);
  r = batch(dir_ / "short-idx");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "short-idx")) << r.err;
  EXPECT_FALSE(fs::exists(out));

  // An output in a directory that does not exist is refused before any work.
  r = run({"predict", "--run", run_dir.string(), "--batch", mixed.string(), "--out",
           (dir_ / "nowhere" / "out.jsonl").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "does not exist")) << r.err;
}

TEST_F(BatchPredictTraining, TextLinesGiveWhatPredictTextGives) {
  const fs::path run_dir = dir_ / "spam";
  Result r = run({"train", "--task", "spam", "--train-samples", "400", "--epochs", "1",
                  "--max-length", "32", "--embedding-dim", "8", "--run-dir", run_dir.string()});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  const fs::path inputs = dir_ / "mails.txt";
  // Line 3 is blank and skipped; line 4 ends in "\r\n".
  std::ofstream(inputs, std::ios::binary)
      << "Subject: FREE money!!! Click here to claim your prize\n"
      << "Subject: meeting notes see you at ten\n"
      << "   \n"
      << "cheap meds online, no prescription\r\n";
  const fs::path out = dir_ / "mails.jsonl";
  r = run(
      {"predict", "--run", run_dir.string(), "--batch", inputs.string(), "--out", out.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<json> lines = json_lines(out);
  ASSERT_EQ(lines.size(), 3u);
  const std::vector<int> numbers{1, 2, 4};
  const std::vector<std::string> line_texts{"Subject: FREE money!!! Click here to claim your prize",
                                            "Subject: meeting notes see you at ten",
                                            "cheap meds online, no prescription"};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(lines[i]["input"], numbers[i]);
    r = run({"predict", "--run", run_dir.string(), "--text", line_texts[i], "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(lines[i]["predictions"], json::parse(r.out)[0]["predictions"]) << i;
  }

  fs::create_directories(dir_ / "dir");
  r = run({"predict", "--run", run_dir.string(), "--batch", (dir_ / "dir").string(), "--out",
           out.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "classifies text; --batch takes a text file")) << r.err;
  std::ofstream(dir_ / "blank.txt") << "\n  \n";
  r = run({"predict", "--run", run_dir.string(), "--batch", (dir_ / "blank.txt").string(), "--out",
           out.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "has no line to classify")) << r.err;
}

TEST_F(BatchPredictTraining, PointLinesOfA2dRun) {
  const fs::path run_dir = dir_ / "xor";
  ASSERT_EQ(run({"train", "--task", "2d", "--epochs", "20", "--run-dir", run_dir.string()}).code,
            0);
  std::ofstream(dir_ / "points.txt") << "0.1,0.9\n0.5,0.5\n";
  const fs::path out = dir_ / "points.jsonl";
  Result r = run({"predict", "--run", run_dir.string(), "--batch", (dir_ / "points.txt").string(),
                  "--out", out.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<json> lines = json_lines(out);
  ASSERT_EQ(lines.size(), 2u);
  r = run(
      {"predict", "--run", run_dir.string(), "--point", "0.1,0.9", "--point", "0.5,0.5", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json single = json::parse(r.out);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(lines[i]["input"], i + 1);
    EXPECT_EQ(lines[i]["predictions"], single[i]["predictions"]) << i;
  }
  std::ofstream(dir_ / "bad.txt") << "0.1,0.9\n0.5 0.5\n";
  r = run({"predict", "--run", run_dir.string(), "--batch", (dir_ / "bad.txt").string(), "--out",
           out.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "bad.txt:2: '0.5 0.5' is not a point")) << r.err;
}

TEST_F(BatchPredictUsage, BatchFlagsThatDoNotGoTogetherAreExitCodeTwo) {
  const std::string run_dir = dir_.string();
  const std::string out = (dir_ / "out.jsonl").string();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--batch", run_dir, "--out", out, "a.png"}, "give no image files"},
      {{"--batch", run_dir, "--out", out, "--text", "x"}, "give no image files"},
      {{"--batch", run_dir, "--out", out, "--point", "1,2"}, "give no image files"},
      {{"--batch", run_dir, "--out", out, "--json"}, "give no image files"},
      {{"--batch", run_dir}, "needs --out FILE"},
      {{"--out", out, "a.png"}, "--out: applies to --batch only"},
      {{"--batch-size", "4", "a.png"}, "--batch-size: applies to --batch only"},
      {{"--batch", run_dir, "--out", out, "--batch-size", "0"}, "--batch-size"},
  };
  for (const auto& [flags, message] : cases) {
    std::vector<std::string> args{"predict", "--run", run_dir};
    args.insert(args.end(), flags.begin(), flags.end());
    const Result r = run(args);
    EXPECT_EQ(r.code, 2) << message << "\n" << r.err;
    EXPECT_TRUE(contains(r.err, message)) << r.err;
    EXPECT_FALSE(fs::exists(out));
  }
}
