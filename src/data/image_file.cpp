#include "minitorch/data/image_file.h"

#include <fcntl.h>
#include <png.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#include "core/file_descriptor.h"
#include "deflate_limit.h"
#include "minitorch/core/error.h"
#include "minitorch/storage/tensor_data.h"

namespace minitorch::data {
namespace fs = std::filesystem;
namespace {

constexpr std::uint64_t kMaxFileBytes = std::uint64_t(1) << 30;
constexpr unsigned char kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
// A PNG whose pixels need more bytes than deflate's best ratio allows is truncated or lies in its
// header (checked before any pixel buffer is allocated).
using detail::kMaxDeflateRatio;

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
  throw Error("read_image: " + path.string() + ": " + what);
}

std::string size_text(std::uint64_t width, std::uint64_t height) {
  return std::to_string(width) + "x" + std::to_string(height);
}

bool size_within_limits(std::uint64_t width, std::uint64_t height) {
  return width >= 1 && height >= 1 && width <= kMaxImageSide && height <= kMaxImageSide &&
         width * height <= kMaxImagePixels;
}

// Called with the header's size, before any pixel buffer exists: a header of a few bytes can
// declare any size, so what it may make us allocate is bounded here.
void check_size(const fs::path& path, std::uint64_t width, std::uint64_t height) {
  if (width == 0 || height == 0) {
    fail(path, "zero size (" + size_text(width, height) + "); expected at least 1x1 pixels");
  }
  if (width > kMaxImageSide || height > kMaxImageSide) {
    fail(path, "absurd size " + size_text(width, height) +
                   "; expected width and height of at most " + std::to_string(kMaxImageSide));
  }
  if (width * height > kMaxImagePixels) {
    fail(path, "size " + size_text(width, height) + " is " + std::to_string(width * height) +
                   " pixels; expected at most " + std::to_string(kMaxImagePixels) +
                   " (data::kMaxImagePixels, 64 megapixels)");
  }
}

std::string read_file(const fs::path& path) {
  detail::FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0)
    fail(path, std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(info.st_mode)) fail(path, "not a regular file; expected a PNG or PGM image file");
  const auto size = static_cast<std::uint64_t>(info.st_size);
  if (size > kMaxFileBytes) {
    fail(path, "the file is " + std::to_string(size) + " bytes; expected at most " +
                   std::to_string(kMaxFileBytes) + " for an image");
  }
  std::string bytes(size, '\0');
  std::size_t total = 0;
  while (total < bytes.size()) {
    const ssize_t got = ::read(fd.get(), bytes.data() + total, bytes.size() - total);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail(path, std::string("cannot read: ") + std::strerror(errno));
    if (got == 0) break;
    total += static_cast<std::size_t>(got);
  }
  bytes.resize(total);
  return bytes;
}

// The first bytes of a file as text: printable ASCII as is, others as \xNN.
std::string magic_text(const std::string& bytes) {
  std::string out;
  for (std::size_t i = 0; i < std::min<std::size_t>(bytes.size(), 4); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\x%02X", c);
      out += escape;
    }
  }
  return out;
}

std::uint8_t scale_to_byte(std::uint32_t value, std::uint32_t maxval) {
  return static_cast<std::uint8_t>((value * 255 + maxval / 2) / maxval);
}

// ---- PGM ---------------------------------------------------------------------------------------

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

class PgmReader {
 public:
  PgmReader(const std::string& bytes, const fs::path& path) : bytes_(bytes), path_(path) {}

  GrayImage read() {
    const bool binary = bytes_[1] == '5';
    position_ = 2;
    if (position_ < bytes_.size() && !is_space(bytes_[position_]) && bytes_[position_] != '#') {
      malformed("expected whitespace after the magic number P" + std::string(1, bytes_[1]));
    }
    const std::uint64_t width = header_number("width");
    const std::uint64_t height = header_number("height");
    const std::uint64_t maxval = header_number("maxval");
    check_size(path_, width, height);
    if (maxval == 0 || maxval > 65535) {
      malformed("maxval " + std::to_string(maxval) + "; expected 1 to 65535");
    }
    GrayImage image;
    image.width = static_cast<std::int64_t>(width);
    image.height = static_cast<std::int64_t>(height);
    const auto max = static_cast<std::uint32_t>(maxval);
    if (binary) {
      read_binary(image, max);
    } else {
      read_ascii(image, max);
    }
    return image;
  }

 private:
  [[noreturn]] void malformed(const std::string& what) const {
    fail(path_, "malformed PGM header: " + what);
  }

  std::string found() const {
    if (position_ >= bytes_.size()) return "the end of the file";
    return "'" + magic_text(bytes_.substr(position_, 1)) + "'";
  }

  void skip_space_and_comments() {
    while (position_ < bytes_.size()) {
      if (is_space(bytes_[position_])) {
        ++position_;
      } else if (bytes_[position_] == '#') {
        while (position_ < bytes_.size() && bytes_[position_] != '\n' &&
               bytes_[position_] != '\r') {
          ++position_;
        }
      } else {
        break;
      }
    }
  }

  // Digits at the current position; nullopt-like false when there are none. Values above
  // 999,999,999 are clamped (every check rejects them anyway).
  bool digits(std::uint64_t& value) {
    const std::size_t start = position_;
    value = 0;
    while (position_ < bytes_.size() && bytes_[position_] >= '0' && bytes_[position_] <= '9') {
      value = std::min<std::uint64_t>(
          value * 10 + static_cast<std::uint64_t>(bytes_[position_] - '0'), 999'999'999);
      ++position_;
    }
    return position_ > start;
  }

  std::uint64_t header_number(const char* what) {
    skip_space_and_comments();
    std::uint64_t value = 0;
    if (!digits(value)) {
      malformed(std::string("expected the ") + what + " (a decimal number), found " + found());
    }
    if (position_ < bytes_.size() && !is_space(bytes_[position_]) && bytes_[position_] != '#') {
      malformed(std::string("expected whitespace after the ") + what + ", found " + found());
    }
    return value;
  }

  void read_binary(GrayImage& image, std::uint32_t maxval) {
    // Exactly one whitespace byte separates maxval from the samples.
    if (position_ >= bytes_.size() || !is_space(bytes_[position_])) {
      malformed("expected one whitespace byte after maxval, found " + found());
    }
    ++position_;
    const std::size_t sample_bytes = maxval < 256 ? 1 : 2;
    const std::size_t count = pixel_count(image);
    const std::size_t available = bytes_.size() - position_;
    if (available < count * sample_bytes) {
      fail(path_, "too few pixel bytes: " + std::to_string(available) + "; expected " +
                      std::to_string(count * sample_bytes) + " for " +
                      size_text(static_cast<std::uint64_t>(image.width),
                                static_cast<std::uint64_t>(image.height)) +
                      " samples of " + std::to_string(sample_bytes) + " byte(s) (maxval " +
                      std::to_string(maxval) + ")");
    }
    image.pixels.resize(count);  // only now that the file is known to hold them
    const auto* data = reinterpret_cast<const unsigned char*>(bytes_.data()) + position_;
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint32_t value =
          sample_bytes == 1 ? data[i] : (std::uint32_t(data[2 * i]) << 8) | data[2 * i + 1];
      image.pixels[i] = checked_sample(value, maxval, i, image.width);
    }
  }

  // Pixels are appended as they are parsed, so a header that promises more than the file holds
  // costs only what is really there.
  void read_ascii(GrayImage& image, std::uint32_t maxval) {
    const std::size_t count = pixel_count(image);
    for (std::size_t i = 0; i < count; ++i) {
      skip_space_and_comments();
      if (position_ >= bytes_.size()) {
        fail(path_, "too few pixel values: " + std::to_string(i) + "; expected " +
                        std::to_string(count) + " for " +
                        size_text(static_cast<std::uint64_t>(image.width),
                                  static_cast<std::uint64_t>(image.height)));
      }
      std::uint64_t value = 0;
      if (!digits(value) ||
          (position_ < bytes_.size() && !is_space(bytes_[position_]) && bytes_[position_] != '#')) {
        fail(path_, "malformed P2 pixel value at byte " + std::to_string(position_) + ": found " +
                        found() + "; expected a decimal number");
      }
      image.pixels.push_back(
          checked_sample(static_cast<std::uint32_t>(std::min<std::uint64_t>(value, UINT32_MAX)),
                         maxval, i, image.width));
    }
  }

  static std::size_t pixel_count(const GrayImage& image) {
    return static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height);
  }

  std::uint8_t checked_sample(std::uint32_t value, std::uint32_t maxval, std::size_t i,
                              std::int64_t width) const {
    if (value > maxval) {
      const auto w = static_cast<std::size_t>(width);
      fail(path_, "sample " + std::to_string(value) + " at pixel (x " + std::to_string(i % w) +
                      ", y " + std::to_string(i / w) + ") exceeds maxval " +
                      std::to_string(maxval));
    }
    return scale_to_byte(value, maxval);
  }

  const std::string& bytes_;
  const fs::path& path_;
  std::size_t position_ = 0;
};

// ---- PNG ---------------------------------------------------------------------------------------

// What libpng's callbacks share with us: the bytes being read and the last error message.
struct PngInput {
  const unsigned char* data = nullptr;
  std::size_t size = 0;
  std::size_t position = 0;
  char message[256] = {};
};

void read_png_bytes(png_structp png, png_bytep out, std::size_t count) {
  auto* input = static_cast<PngInput*>(png_get_io_ptr(png));
  if (count > input->size - input->position) png_error(png, "the file ends early (truncated)");
  std::memcpy(out, input->data + input->position, count);
  input->position += count;
}

// libpng calls this on any error and expects it not to return: the message is kept and control
// jumps back to decode_png's setjmp.
[[noreturn]] void on_png_error(png_structp png, png_const_charp message) {
  auto* input = static_cast<PngInput*>(png_get_error_ptr(png));
  std::snprintf(input->message, sizeof input->message, "%s", message);
  png_longjmp(png, 1);
}

void on_png_warning(png_structp, png_const_charp) {}

// libpng's read and info structures, destroyed together.
class PngReadHandle {
 public:
  explicit PngReadHandle(PngInput& input, const fs::path& path) {
    png_ = png_create_read_struct(PNG_LIBPNG_VER_STRING, &input, on_png_error, on_png_warning);
    if (png_ == nullptr) fail(path, "cannot create a PNG reader (out of memory)");
    info_ = png_create_info_struct(png_);
    if (info_ == nullptr) {
      png_destroy_read_struct(&png_, nullptr, nullptr);
      fail(path, "cannot create a PNG reader (out of memory)");
    }
    png_set_read_fn(png_, &input, read_png_bytes);
  }
  ~PngReadHandle() { png_destroy_read_struct(&png_, &info_, nullptr); }
  PngReadHandle(const PngReadHandle&) = delete;
  PngReadHandle& operator=(const PngReadHandle&) = delete;

  png_structp png() const { return png_; }
  png_infop info() const { return info_; }

 private:
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

// decode_png's results; owned by its caller so that a longjmp out of libpng destroys nothing.
struct PngPixels {
  enum class Status { Decoded, LibpngError, BadSize, TooLittleData } status = Status::Decoded;
  png_uint_32 width = 0;
  png_uint_32 height = 0;
  int channels = 0;  // after the transforms: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA; 8 bits each
  std::size_t row_bytes = 0;
  std::vector<unsigned char> buffer;
  std::vector<png_bytep> rows;
};

// The one function that calls setjmp. No object with a destructor lives in its frame (C++ makes a
// longjmp over one undefined), so everything it fills belongs to the caller. The transforms turn
// every PNG into 8-bit samples: palettes and tRNS expanded, low bit depths widened, 16 bits scaled.
bool decode_png(png_structp png, png_infop info, std::size_t file_size, PngPixels* out) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_info(png, info);
  out->width = png_get_image_width(png, info);
  out->height = png_get_image_height(png, info);
  if (!size_within_limits(out->width, out->height)) {
    out->status = PngPixels::Status::BadSize;
    return true;
  }
  const int bit_depth = png_get_bit_depth(png, info);
  const int color_type = png_get_color_type(png, info);
  const std::uint64_t stored_row_bytes =
      (std::uint64_t(out->width) * png_get_channels(png, info) * bit_depth + 7) / 8 + 1;
  if (stored_row_bytes * out->height > kMaxDeflateRatio * file_size + 4096) {
    out->status = PngPixels::Status::TooLittleData;
    return true;
  }
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (bit_depth == 16) png_set_scale_16(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  out->channels = png_get_channels(png, info);
  out->row_bytes = png_get_rowbytes(png, info);
  out->buffer.resize(out->row_bytes * out->height);
  out->rows.resize(out->height);
  for (png_uint_32 y = 0; y < out->height; ++y) {
    out->rows[y] = out->buffer.data() + y * out->row_bytes;
  }
  png_read_image(png, out->rows.data());
  png_read_end(png, nullptr);
  return true;
}

// ITU-R 601 luma in 16-bit fixed point, rounded, as Pillow's convert("L").
std::uint8_t luma(unsigned r, unsigned g, unsigned b) {
  return static_cast<std::uint8_t>((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
}

// value composited over black with opacity alpha (both 0..255), rounded.
std::uint8_t over_black(unsigned value, unsigned alpha) {
  return static_cast<std::uint8_t>((value * alpha + 127) / 255);
}

GrayImage read_png(const std::string& bytes, const fs::path& path) {
  PngInput input;
  input.data = reinterpret_cast<const unsigned char*>(bytes.data());
  input.size = bytes.size();
  PngReadHandle handle(input, path);
  PngPixels pixels;
  if (!decode_png(handle.png(), handle.info(), bytes.size(), &pixels)) {
    fail(path, std::string("corrupt PNG: ") + input.message + "; expected a valid PNG file");
  }
  if (pixels.status == PngPixels::Status::BadSize) check_size(path, pixels.width, pixels.height);
  if (pixels.status == PngPixels::Status::TooLittleData) {
    fail(path, "corrupt PNG: its header says " + size_text(pixels.width, pixels.height) +
                   " pixels, more than a file of " + std::to_string(bytes.size()) +
                   " bytes can hold at any compression (truncated?)");
  }

  GrayImage image;
  image.width = pixels.width;
  image.height = pixels.height;
  image.pixels.resize(std::size_t(pixels.width) * pixels.height);
  std::uint8_t* out = image.pixels.data();
  for (png_uint_32 y = 0; y < pixels.height; ++y) {
    const unsigned char* row = pixels.rows[y];
    for (png_uint_32 x = 0; x < pixels.width; ++x) {
      const unsigned char* p = row + std::size_t(x) * pixels.channels;
      switch (pixels.channels) {
        case 1:
          *out++ = p[0];
          break;
        case 2:
          *out++ = over_black(p[0], p[1]);
          break;
        case 3:
          *out++ = luma(p[0], p[1], p[2]);
          break;
        default:
          *out++ = over_black(luma(p[0], p[1], p[2]), p[3]);
      }
    }
  }
  return image;
}

// ---- resizing ----------------------------------------------------------------------------------

struct Tap {
  std::int64_t index;
  double weight;
};

// For each output position along an axis of `in` samples resampled to `out`: the source samples
// it reads and their weights (summing to 1).
std::vector<std::vector<Tap>> axis_taps(std::int64_t in, std::int64_t out) {
  std::vector<std::vector<Tap>> taps(static_cast<std::size_t>(out));
  const double scale = static_cast<double>(in) / static_cast<double>(out);
  for (std::int64_t i = 0; i < out; ++i) {
    auto& list = taps[static_cast<std::size_t>(i)];
    if (out <= in) {
      // Area: output i covers source [i·scale, (i+1)·scale).
      const double low = static_cast<double>(i) * scale;
      const double high = std::min(static_cast<double>(i + 1) * scale, static_cast<double>(in));
      for (auto j = static_cast<std::int64_t>(std::floor(low)); static_cast<double>(j) < high;
           ++j) {
        const double overlap =
            std::min(high, static_cast<double>(j + 1)) - std::max(low, static_cast<double>(j));
        if (overlap > 1e-12) list.push_back({j, overlap / scale});
      }
    } else {
      // Bilinear: output i's centre, (i + 0.5)·scale − 0.5 in source coordinates, clamped.
      const double source = std::clamp((static_cast<double>(i) + 0.5) * scale - 0.5, 0.0,
                                       static_cast<double>(in - 1));
      const auto j = static_cast<std::int64_t>(std::floor(source));
      const double fraction = source - static_cast<double>(j);
      list.push_back({j, 1.0 - fraction});
      if (fraction > 0) list.push_back({std::min(j + 1, in - 1), fraction});
    }
  }
  return taps;
}

}  // namespace

GrayImage read_image(const fs::path& path) {
  return decode_image(read_file(path), path.string());
}

GrayImage decode_image(const std::string& bytes, const std::string& name) {
  const fs::path path(name);
  if (bytes.size() > kMaxFileBytes) {
    fail(path, std::to_string(bytes.size()) + " bytes; expected at most " +
                   std::to_string(kMaxFileBytes) + " bytes");
  }
  if (bytes.empty()) fail(path, "empty file; expected a PNG or PGM image");
  if (bytes.size() >= sizeof kPngSignature &&
      std::memcmp(bytes.data(), kPngSignature, sizeof kPngSignature) == 0) {
    return read_png(bytes, path);
  }
  if (bytes.size() < sizeof kPngSignature &&
      std::memcmp(bytes.data(), kPngSignature, bytes.size()) == 0) {
    fail(path, "corrupt PNG: the file ends after " + std::to_string(bytes.size()) +
                   " bytes, inside the PNG signature (truncated)");
  }
  if (bytes.size() >= 2 && bytes[0] == 'P' && (bytes[1] == '5' || bytes[1] == '2')) {
    return PgmReader(bytes, path).read();
  }
  fail(path, "not a PNG or PGM file (magic bytes '" + magic_text(bytes) +
                 "'); expected PNG or PGM (P5 or P2)");
}

GrayImage resize(const GrayImage& image, std::int64_t width, std::int64_t height) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<std::size_t>(image.width * image.height)) {
    throw Error("resize: the image is " + std::to_string(image.width) + "x" +
                std::to_string(image.height) + " with " + std::to_string(image.pixels.size()) +
                " pixels; expected a non-empty image with width * height pixels");
  }
  if (width < 1 || height < 1 || width > kMaxImageSide || height > kMaxImageSide) {
    throw Error("resize: target size " + std::to_string(width) + "x" + std::to_string(height) +
                "; expected width and height in 1.." + std::to_string(kMaxImageSide));
  }
  if (width * height > kMaxImagePixels) {
    throw Error("resize: target size " + std::to_string(width) + "x" + std::to_string(height) +
                " has more than " + std::to_string(kMaxImagePixels) + " pixels; expected at most " +
                std::to_string(kMaxImagePixels) + " (data::kMaxImagePixels)");
  }
  const auto columns = axis_taps(image.width, width);
  const auto rows = axis_taps(image.height, height);
  // Horizontal pass: image.height x width.
  std::vector<double> across(static_cast<std::size_t>(image.height * width));
  for (std::int64_t y = 0; y < image.height; ++y) {
    for (std::int64_t x = 0; x < width; ++x) {
      double sum = 0;
      for (const Tap& tap : columns[static_cast<std::size_t>(x)]) {
        sum += tap.weight * image.at(tap.index, y);
      }
      across[static_cast<std::size_t>(y * width + x)] = sum;
    }
  }
  GrayImage out;
  out.width = width;
  out.height = height;
  out.pixels.resize(static_cast<std::size_t>(width * height));
  for (std::int64_t y = 0; y < height; ++y) {
    for (std::int64_t x = 0; x < width; ++x) {
      double sum = 0;
      for (const Tap& tap : rows[static_cast<std::size_t>(y)]) {
        sum += tap.weight * across[static_cast<std::size_t>(tap.index * width + x)];
      }
      out.pixels[static_cast<std::size_t>(y * width + x)] =
          static_cast<std::uint8_t>(std::clamp(std::lround(sum), 0L, 255L));
    }
  }
  return out;
}

Tensor image_to_tensor(const GrayImage& image) {
  if (image.pixels.size() != static_cast<std::size_t>(image.width * image.height) ||
      image.pixels.empty()) {
    throw Error("image_to_tensor: the image is " + std::to_string(image.width) + "x" +
                std::to_string(image.height) + " with " + std::to_string(image.pixels.size()) +
                " pixels; expected a non-empty image with width * height pixels");
  }
  const TensorData data = TensorData::uninitialized({1, 1, image.height, image.width}, kFloat32);
  float* out = data.data<float>();
  for (std::size_t i = 0; i < image.pixels.size(); ++i) {
    out[i] = static_cast<float>(image.pixels[i]) * (1.0f / 255.0f);
  }
  return Tensor(data);
}

}  // namespace minitorch::data
