#include "error_helpers.h"
#include "minitorch/data/idx.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "minitorch/core/error.h"
#include "minitorch/data/image_dataset.h"
#include "minitorch/tensor/creation.h"
#include "temp_dir.h"

namespace data = minitorch::data;
namespace fs = std::filesystem;
using minitorch::testing::TempDir;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes idx_bytes(const std::vector<std::uint32_t>& shape, const Bytes& values,
                std::uint8_t type = 0x08) {
  Bytes bytes{0, 0, type, static_cast<std::uint8_t>(shape.size())};
  for (const std::uint32_t size : shape) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back((size >> shift) & 0xff);
  }
  bytes.insert(bytes.end(), values.begin(), values.end());
  return bytes;
}

Bytes counting(std::size_t n) {
  Bytes values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = static_cast<std::uint8_t>(i * 7);
  return values;
}

void write_plain(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

void write_gzip(const fs::path& path, const Bytes& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr) << path;
  EXPECT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  EXPECT_EQ(gzclose(file), Z_OK);
}

Bytes read_plain(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

using minitorch::testing::error_of;

std::string read_error(const fs::path& path) {
  return error_of([&] { data::read_idx(path); });
}

}  // namespace

TEST(Idx, RoundTripsShapesAndValues) {
  TempDir dir;
  const std::vector<std::vector<std::uint32_t>> shapes{{5}, {2, 3, 4}, {1, 2, 1, 3}, {70000}};
  for (const auto& shape : shapes) {
    std::size_t n = 1;
    for (const auto size : shape) n *= size;
    const Bytes values = counting(n);
    write_plain(dir / "a.idx", idx_bytes(shape, values));
    const data::IdxArray array = data::read_idx(dir / "a.idx");
    EXPECT_EQ(array.shape, std::vector<std::int64_t>(shape.begin(), shape.end()));
    EXPECT_EQ(array.values, values);
  }
}

TEST(Idx, ReadsGzipLikePlain) {
  TempDir dir;
  const Bytes bytes = idx_bytes({3, 28, 28}, counting(3 * 28 * 28));
  write_plain(dir / "plain", bytes);
  write_gzip(dir / "packed.gz", bytes);
  ASSERT_EQ(read_plain(dir / "packed.gz").at(0), 0x1f);
  const data::IdxArray plain = data::read_idx(dir / "plain");
  const data::IdxArray packed = data::read_idx(dir / "packed.gz");
  EXPECT_EQ(packed.shape, (std::vector<std::int64_t>{3, 28, 28}));
  EXPECT_EQ(packed.shape, plain.shape);
  EXPECT_EQ(packed.values, plain.values);
}

TEST(Idx, RejectsBadMagic) {
  TempDir dir;
  Bytes bytes = idx_bytes({2}, {1, 2});
  bytes[0] = 0x01;
  write_plain(dir / "bad", bytes);
  const std::string message = read_error(dir / "bad");
  EXPECT_CONTAINS(message, (dir / "bad").string());
  EXPECT_CONTAINS(message, "bad magic number: first bytes 0x01 0x00; expected 0x00 0x00");
}

TEST(Idx, RejectsOtherElementTypes) {
  TempDir dir;
  write_plain(dir / "floats", idx_bytes({1}, {0, 0, 0, 0}, 0x0D));
  EXPECT_CONTAINS(read_error(dir / "floats"),
                  "unsupported IDX element type 0x0D; expected 0x08 (unsigned byte)");
}

TEST(Idx, RejectsDimensionCountsOutsideOneToFour) {
  TempDir dir;
  write_plain(dir / "none", idx_bytes({}, {}));
  EXPECT_CONTAINS(read_error(dir / "none"), "0 dimensions; expected 1 to 4");
  write_plain(dir / "five", idx_bytes({1, 1, 1, 1, 1}, {7}));
  EXPECT_CONTAINS(read_error(dir / "five"), "5 dimensions; expected 1 to 4");
}

TEST(Idx, RejectsZeroDimension) {
  TempDir dir;
  write_plain(dir / "zero", idx_bytes({3, 0, 2}, {}));
  EXPECT_CONTAINS(read_error(dir / "zero"),
                  "dimension 1 of shape [3, 0, 2] is 0; expected every size > 0");
}

TEST(Idx, RejectsMoreThanTwoToThe31Values) {
  TempDir dir;
  write_plain(dir / "huge", idx_bytes({65536, 65536}, {}));
  EXPECT_CONTAINS(read_error(dir / "huge"), "more than 2^31 values; expected at most 2147483648");
}

TEST(Idx, RejectsTruncatedHeaderAndData) {
  TempDir dir;
  write_plain(dir / "short", {0, 0, 8});
  EXPECT_CONTAINS(read_error(dir / "short"), "truncated header");
  const Bytes sizes = idx_bytes({4, 5}, {});
  write_plain(dir / "short_sizes", Bytes(sizes.begin(), sizes.end() - 2));
  EXPECT_CONTAINS(read_error(dir / "short_sizes"), "truncated header: it ends 2 bytes early");

  const Bytes truncated = idx_bytes({4, 5}, counting(17));
  write_plain(dir / "truncated", truncated);
  EXPECT_CONTAINS(read_error(dir / "truncated"),
                  "truncated data: 17 bytes of values; expected 20 for shape [4, 5]");
  // A well-formed gzip stream whose content is short is a truncated IDX file, not corrupt gzip.
  write_gzip(dir / "truncated.gz", truncated);
  EXPECT_CONTAINS(read_error(dir / "truncated.gz"), "truncated data: 17 bytes of values");
}

// A header is compared with the data that can follow it before anything is allocated or
// decompressed: the bytes left in a plain file; for gzip, what its compressed bytes can expand to
// at deflate's best ratio (1032:1), so a small file cannot make the reader inflate and keep
// hundreds of megabytes before it finds the data short.
TEST(Idx, RejectsDeclaredCountsTheFileCannotHoldBeforeReading) {
  TempDir dir;
  const Bytes bytes = idx_bytes({60000, 28, 28}, counting(100));
  write_plain(dir / "plain", bytes);
  EXPECT_CONTAINS(
      read_error(dir / "plain"),
      "truncated data: 100 bytes of values; expected 47040000 for shape [60000, 28, 28]");
  write_gzip(dir / "packed.gz", bytes);
  const std::string message = read_error(dir / "packed.gz");
  EXPECT_CONTAINS(message, "47040000 values of shape [60000, 28, 28]");
  EXPECT_CONTAINS(message, "bytes of gzip data expand to at most");
}

TEST(Idx, TheValueLimitIsPublic) {
  EXPECT_EQ(data::kMaxIdxValues, std::int64_t(1) << 31);
}

TEST(Idx, RejectsTrailingBytes) {
  TempDir dir;
  const Bytes bytes = idx_bytes({4, 5}, counting(22));
  write_plain(dir / "long", bytes);
  EXPECT_CONTAINS(read_error(dir / "long"),
                  "2 trailing bytes after the 20 values of shape [4, 5]; expected the file to end");
  write_gzip(dir / "long.gz", bytes);
  EXPECT_CONTAINS(read_error(dir / "long.gz"), "2 trailing bytes");
}

TEST(Idx, ReportsMissingFileWithReason) {
  TempDir dir;
  const std::string message = read_error(dir / "absent-idx3-ubyte");
  EXPECT_CONTAINS(message, (dir / "absent-idx3-ubyte").string());
  EXPECT_CONTAINS(message, "cannot open: No such file or directory");
  EXPECT_CONTAINS(read_error(dir.path()), "Is a directory");
}

TEST(Idx, RejectsCorruptGzip) {
  TempDir dir;
  write_plain(dir / "garbage.gz", {0x1f, 0x8b, 0x42, 0x00, 0x13, 0x37, 0x00, 0x00, 0x00, 0x00});
  EXPECT_CONTAINS(read_error(dir / "garbage.gz"), "corrupt gzip data");

  write_gzip(dir / "good.gz", idx_bytes({50, 40}, counting(2000)));
  const Bytes good = read_plain(dir / "good.gz");
  ASSERT_GT(good.size(), 16u);
  write_plain(dir / "cut.gz", Bytes(good.begin(), good.begin() + good.size() / 2));
  EXPECT_CONTAINS(read_error(dir / "cut.gz"), "corrupt gzip data");
  Bytes bad_check = good;
  bad_check[bad_check.size() - 8] ^= 0xff;  // the CRC-32 of the trailer
  write_plain(dir / "bad_check.gz", bad_check);
  EXPECT_CONTAINS(read_error(dir / "bad_check.gz"), "corrupt gzip data: incorrect data check");
}

TEST(MnistFormat, LoadsTinySetFromPlainAndGzipFiles) {
  TempDir dir;
  const Bytes pixels{0, 255, 51, 102, 1, 2, 3, 4, 255, 255, 0, 0};
  write_plain(dir / "t10k-images-idx3-ubyte", idx_bytes({3, 2, 2}, pixels));
  write_gzip(dir / "t10k-labels-idx1-ubyte.gz", idx_bytes({3}, {2, 0, 1}));
  const data::ImageDataset set = data::load_mnist_format(dir.path(), "t10k", {"a", "b", "c"});
  EXPECT_EQ(set.images.shape(), (minitorch::Shape{3, 1, 2, 2}));
  EXPECT_EQ(set.images.dtype(), minitorch::kFloat32);
  const std::vector<double> images = set.images.to_vector();
  ASSERT_EQ(images.size(), pixels.size());
  for (std::size_t i = 0; i < pixels.size(); ++i) {
    EXPECT_FLOAT_EQ(images[i], pixels[i] / 255.0f) << "pixel " << i;
  }
  EXPECT_EQ(set.labels.shape(), (minitorch::Shape{3}));
  EXPECT_EQ(set.labels.dtype(), minitorch::kFloat32);
  EXPECT_EQ(set.labels.to_vector(), (std::vector<double>{2, 0, 1}));
  EXPECT_EQ(set.class_names, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(MnistFormat, RejectsMismatchedCounts) {
  TempDir dir;
  write_plain(dir / "train-images-idx3-ubyte", idx_bytes({3, 2, 2}, counting(12)));
  write_plain(dir / "train-labels-idx1-ubyte", idx_bytes({2}, {0, 1}));
  const std::string message = error_of([&] { data::load_mnist_format(dir.path(), "train", {}); });
  EXPECT_CONTAINS(message, "3 images in");
  EXPECT_CONTAINS(message, "but 2 labels in");
  EXPECT_CONTAINS(message, "expected one label per image");
}

TEST(MnistFormat, RejectsLabelsBeyondTheClassNames) {
  TempDir dir;
  write_plain(dir / "train-images-idx3-ubyte", idx_bytes({2, 1, 1}, {0, 1}));
  write_plain(dir / "train-labels-idx1-ubyte", idx_bytes({2}, {1, 3}));
  EXPECT_CONTAINS(error_of([&] {
                    data::load_mnist_format(dir.path(), "train", {"x", "y", "z"});
                  }),
                  "label 3 of sample 1");
  // Without class names any byte is a class index.
  EXPECT_EQ(data::load_mnist_format(dir.path(), "train", {}).labels.to_vector(),
            (std::vector<double>{1, 3}));
}

TEST(MnistFormat, RejectsWrongRanks) {
  TempDir dir;
  write_plain(dir / "train-images-idx3-ubyte", idx_bytes({2, 4}, counting(8)));
  write_plain(dir / "train-labels-idx1-ubyte", idx_bytes({2}, {0, 1}));
  EXPECT_CONTAINS(error_of([&] { data::load_mnist_format(dir.path(), "train", {}); }),
                  "has shape [2, 4]; expected 3 dimensions [N, H, W]");
}

TEST(MnistFormat, ListsTheFilesItLookedFor) {
  TempDir dir;
  const std::string message = error_of([&] { data::load_mnist_format(dir.path(), "train", {}); });
  EXPECT_CONTAINS(message, (dir / "train-images-idx3-ubyte").string() + " and " +
                               (dir / "train-images-idx3-ubyte.gz").string());
  EXPECT_CONTAINS(error_of([&] { data::load_mnist_format(dir.path(), "test", {}); }),
                  "unknown split 'test'; expected 'train' or 't10k'");
}

TEST(MnistFormat, KnowsFashionMnist) {
  const auto& names = data::fashion_mnist_classes();
  ASSERT_EQ(names.size(), 10u);
  EXPECT_EQ(names.front(), "T-shirt/top");
  EXPECT_EQ(names[5], "Sandal");
  EXPECT_EQ(names.back(), "Ankle boot");
  EXPECT_EQ(data::default_fashion_mnist_dir(), fs::path("/usr/share/datasets/fashion-mnist"));
}

TEST(MnistFormat, MeanAndStdMatchHandComputation) {
  // mean (0 + 0.5 + 1 + 0.5) / 4 = 0.5; variance (0.25 + 0 + 0.25 + 0) / 4 = 0.125.
  const auto images = minitorch::from_vector({0.0, 0.5, 1.0, 0.5}, {2, 1, 1, 2});
  const auto [mean, std] = data::mean_and_std(images);
  EXPECT_DOUBLE_EQ(mean, 0.5);
  EXPECT_DOUBLE_EQ(std, std::sqrt(0.125));
  const auto wide =
      minitorch::from_vector({1, 2, 3, 4, 5, 6}, {3, 2}, {.dtype = minitorch::kFloat64});
  const auto [wide_mean, wide_std] = data::mean_and_std(wide.transpose(0, 1));
  EXPECT_DOUBLE_EQ(wide_mean, 3.5);
  EXPECT_DOUBLE_EQ(wide_std, std::sqrt(17.5 / 6.0));
  EXPECT_CONTAINS(error_of([] {
                    data::mean_and_std(minitorch::zeros({2, 3, 4, 4}));
                  }),
                  "have 3 channels; expected 1");
  EXPECT_CONTAINS(error_of([] { data::mean_and_std(minitorch::zeros({0, 1, 2, 2})); }), "empty");
}

TEST(MnistFormat, LoadsFashionMnistTestSetWhenInstalled) {
  const fs::path dir = data::default_fashion_mnist_dir();
  if (!fs::exists(dir)) GTEST_SKIP() << dir << " is absent (Debian package dataset-fashion-mnist)";
  const data::ImageDataset set =
      data::load_mnist_format(dir, "t10k", data::fashion_mnist_classes());
  EXPECT_EQ(set.images.shape(), (minitorch::Shape{10000, 1, 28, 28}));
  EXPECT_EQ(set.labels.shape(), (minitorch::Shape{10000}));
  EXPECT_EQ(set.class_names.size(), 10u);
  const auto [mean, std] = data::mean_and_std(set.images);
  EXPECT_NEAR(mean, 0.2868, 0.01);  // Fashion-MNIST's well-known statistics
  EXPECT_NEAR(std, 0.3524, 0.01);
}
