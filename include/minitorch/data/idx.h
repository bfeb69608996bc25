// IDX files — the array format of MNIST and Fashion-MNIST, plain or gzip-compressed.
//
// An IDX file is a magic number (two zero bytes, an element type code, the number of dimensions),
// one big-endian uint32 per dimension, then the values in row-major order. Only unsigned bytes
// (type 0x08, what every MNIST-format image and label file holds) are supported.
//   Requires: a readable file, compressed or not (gzip is recognised by its magic bytes 1f 8b),
//             with 1 to 4 dimensions, each > 0, at most kMaxIdxValues (2^31) values, and exactly
//             that many bytes after the header. The declared count is checked against what the
//             file can hold before anything is allocated or inflated (the rest of a plain file;
//             1032 times a gzip file's size, deflate's best ratio), and the values buffer grows
//             only with data actually read, so a short file fails at the cost of its real data.
//   Ensures:  shape holds the dimensions and values their product of bytes, in file order.
// Any violation (missing file, bad magic, other type code, truncated or trailing data, corrupt
// gzip) throws minitorch::Error naming the path, what was found and what was expected.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace minitorch::data {

// The most values read_idx accepts in one file: 2 GiB of bytes, three times the largest
// MNIST-format set in use (EMNIST ByClass, 814,255 images of 28x28).
inline constexpr std::int64_t kMaxIdxValues = std::int64_t(1) << 31;

struct IdxArray {
  std::vector<std::int64_t> shape;
  std::vector<std::uint8_t> values;
};

IdxArray read_idx(const std::filesystem::path& path);

}  // namespace minitorch::data
