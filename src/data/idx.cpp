#include "minitorch/data/idx.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "core/file_descriptor.h"
#include "deflate_limit.h"
#include "minitorch/core/error.h"
#include "minitorch/storage/shape.h"

namespace minitorch::data {
namespace {

constexpr std::uint8_t kUnsignedByte = 0x08;
constexpr int kMaxDimensions = 4;
constexpr std::size_t kChunk = std::size_t(1) << 20;

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw Error("read_idx: " + path.string() + ": " + what);
}

std::string hex_byte(unsigned value) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02X", value);
  return text;
}

struct GzipCloser {
  void operator()(gzFile file) const { gzclose(file); }
};

// The bytes of a file, decompressed when it is gzip. read() returns fewer bytes than asked only at
// the end of the data; I/O errors and corrupt compressed data throw.
class ByteSource {
 public:
  explicit ByteSource(const std::filesystem::path& path)
      : path_(path), plain_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (plain_.get() < 0) fail(path_, std::string("cannot open: ") + std::strerror(errno));
    struct stat info {};
    if (::fstat(plain_.get(), &info) != 0) {
      fail(path_, std::string("cannot stat: ") + std::strerror(errno));
    }
    // A pipe or device has no size to compare a header with; only a regular file is bounded.
    file_bytes_ = S_ISREG(info.st_mode) ? static_cast<std::uint64_t>(info.st_size) : UINT64_MAX;
    // pread leaves the file offset at 0, so a plain file is then read from its first byte.
    std::uint8_t magic[2] = {};
    const ssize_t got = ::pread(plain_.get(), magic, sizeof magic, 0);
    if (got < 0) fail(path_, std::string("cannot read: ") + std::strerror(errno));
    if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) open_gzip();
  }

  std::size_t read(std::uint8_t* out, std::size_t count) {
    const std::size_t got = gzip_ ? read_gzip(out, count) : read_plain(out, count);
    delivered_ += got;
    return got;
  }

  bool is_gzip() const { return gzip_ != nullptr; }
  std::uint64_t file_bytes() const { return file_bytes_; }

  // The most bytes that can still follow: the rest of a plain file; for gzip, what the whole
  // compressed file inflates to at deflate's best ratio, less what has been delivered.
  std::uint64_t most_bytes_left() const {
    if (file_bytes_ == UINT64_MAX) return UINT64_MAX;
    const std::uint64_t total = !gzip_ ? file_bytes_
                                : file_bytes_ > UINT64_MAX / detail::kMaxDeflateRatio
                                    ? UINT64_MAX
                                    : file_bytes_ * detail::kMaxDeflateRatio;
    return total > delivered_ ? total - delivered_ : 0;
  }

 private:
  void open_gzip() {
    gzip_.reset(gzdopen(plain_.get(), "rb"));
    if (!gzip_) fail(path_, "cannot open as gzip (out of memory)");
    plain_.release();  // gzclose closes it now
    gzbuffer(gzip_.get(), 1 << 17);
  }

  std::size_t read_plain(std::uint8_t* out, std::size_t count) {
    std::size_t total = 0;
    while (total < count) {
      const ssize_t got = ::read(plain_.get(), out + total, count - total);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) fail(path_, std::string("cannot read: ") + std::strerror(errno));
      if (got == 0) break;
      total += static_cast<std::size_t>(got);
    }
    return total;
  }

  std::size_t read_gzip(std::uint8_t* out, std::size_t count) {
    std::size_t total = 0;
    while (total < count) {
      // gzread counts in unsigned and answers in int.
      const auto ask = static_cast<unsigned>(std::min<std::size_t>(count - total, INT_MAX));
      const int got = gzread(gzip_.get(), out + total, ask);
      check_gzip();
      if (got <= 0) break;
      total += static_cast<std::size_t>(got);
    }
    return total;
  }

  // A gzip stream cut short still hands over what it decoded, so the error state is checked
  // after every call, not only when gzread fails.
  void check_gzip() {
    int code = Z_OK;
    const char* message = gzerror(gzip_.get(), &code);
    if (code == Z_ERRNO) fail(path_, std::string("cannot read: ") + std::strerror(errno));
    if (code != Z_OK) fail(path_, "corrupt gzip data: " + without_fd_prefix(message));
  }

  // zlib prefixes its messages with "<fd:3>: " for a stream opened by gzdopen; the path says more.
  static std::string without_fd_prefix(std::string message) {
    const std::size_t colon = message.find(": ");
    if (message.starts_with("<fd:") && colon != std::string::npos) message.erase(0, colon + 2);
    return message;
  }

  std::filesystem::path path_;
  std::uint64_t file_bytes_ = 0;
  std::uint64_t delivered_ = 0;  // bytes handed out by read()
  detail::FileDescriptor plain_;
  std::unique_ptr<gzFile_s, GzipCloser> gzip_;
};

void read_header(ByteSource& source, std::uint8_t* out, std::size_t count,
                 const std::filesystem::path& path) {
  const std::size_t got = source.read(out, count);
  if (got < count) {
    fail(path, "truncated header: it ends " + std::to_string(count - got) +
                   " bytes early; expected the IDX magic number and one 4-byte size per dimension");
  }
}

std::vector<std::int64_t> read_shape(ByteSource& source, const std::filesystem::path& path) {
  std::uint8_t magic[4];
  read_header(source, magic, sizeof magic, path);
  if (magic[0] != 0 || magic[1] != 0) {
    fail(path, "bad magic number: first bytes " + hex_byte(magic[0]) + " " + hex_byte(magic[1]) +
                   "; expected 0x00 0x00 (an IDX file)");
  }
  if (magic[2] != kUnsignedByte) {
    fail(path, "unsupported IDX element type " + hex_byte(magic[2]) + "; expected " +
                   hex_byte(kUnsignedByte) + " (unsigned byte)");
  }
  const int ndim = magic[3];
  if (ndim < 1 || ndim > kMaxDimensions) {
    fail(path,
         std::to_string(ndim) + " dimensions; expected 1 to " + std::to_string(kMaxDimensions));
  }
  std::uint8_t sizes[4 * kMaxDimensions];
  read_header(source, sizes, 4 * static_cast<std::size_t>(ndim), path);
  std::vector<std::int64_t> shape;
  for (int k = 0; k < ndim; ++k) {
    const std::uint8_t* b = sizes + 4 * k;
    shape.push_back((std::int64_t(b[0]) << 24) | (b[1] << 16) | (b[2] << 8) | b[3]);
  }
  std::int64_t count = 1;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    if (shape[k] == 0) {
      fail(path, "dimension " + std::to_string(k) + " of shape " + shape_to_string(shape) +
                     " is 0; expected every size > 0");
    }
    // Checked after each factor: each is below 2^32, so the product cannot overflow first.
    count *= shape[k];
    if (count > kMaxIdxValues) {
      fail(path, "shape " + shape_to_string(shape) +
                     " has more than 2^31 values; expected at most " +
                     std::to_string(kMaxIdxValues));
    }
  }
  return shape;
}

std::string truncated_data(std::uint64_t got, std::size_t expected,
                           const std::vector<std::int64_t>& shape) {
  return "truncated data: " + std::to_string(got) + " bytes of values; expected " +
         std::to_string(expected) + " for shape " + shape_to_string(shape);
}

// Before anything is allocated or inflated: the values the header declares must fit in what the
// file can still hold.
void check_room_for(std::size_t expected, const std::vector<std::int64_t>& shape,
                    const ByteSource& source, const std::filesystem::path& path) {
  const std::uint64_t room = source.most_bytes_left();
  if (expected <= room) return;
  if (!source.is_gzip()) fail(path, truncated_data(room, expected, shape));
  fail(path, std::to_string(expected) + " values of shape " + shape_to_string(shape) +
                 " cannot be in this file: its " + std::to_string(source.file_bytes()) +
                 " bytes of gzip data expand to at most " + std::to_string(room) +
                 " more bytes (deflate's best ratio is " +
                 std::to_string(detail::kMaxDeflateRatio) +
                 ":1); expected a complete file (truncated or a lying header?)");
}

// Grows the buffer as data arrives, so a header that promises far more than the file holds
// costs only what is really there.
std::vector<std::uint8_t> read_values(ByteSource& source, std::size_t count) {
  std::vector<std::uint8_t> values;
  while (values.size() < count) {
    const std::size_t old = values.size();
    const std::size_t step = std::min(std::max(kChunk, old), count - old);
    values.resize(old + step);
    const std::size_t got = source.read(values.data() + old, step);
    if (got < step) {
      values.resize(old + got);
      break;
    }
  }
  return values;
}

std::size_t count_remaining(ByteSource& source) {
  std::vector<std::uint8_t> scratch(kChunk);
  std::size_t total = 0;
  while (const std::size_t got = source.read(scratch.data(), scratch.size())) total += got;
  return total;
}

}  // namespace

IdxArray read_idx(const std::filesystem::path& path) {
  ByteSource source(path);
  IdxArray array;
  array.shape = read_shape(source, path);
  const auto expected = static_cast<std::size_t>(numel(array.shape));
  check_room_for(expected, array.shape, source, path);
  array.values = read_values(source, expected);
  if (array.values.size() < expected) {
    fail(path, truncated_data(array.values.size(), expected, array.shape));
  }
  if (const std::size_t extra = count_remaining(source); extra > 0) {
    fail(path, std::to_string(extra) + " trailing bytes after the " + std::to_string(expected) +
                   " values of shape " + shape_to_string(array.shape) +
                   "; expected the file to end there");
  }
  return array;
}

}  // namespace minitorch::data
