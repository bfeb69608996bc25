#include "minitorch/data/image_file.h"

#include <gtest/gtest.h>
#include <png.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "error_helpers.h"
#include "minitorch/core/error.h"
#include "temp_dir.h"

namespace data = minitorch::data;
namespace fs = std::filesystem;
using minitorch::testing::error_of;
using minitorch::testing::TempDir;
using Pixels = std::vector<std::uint8_t>;

namespace {

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  ASSERT_TRUE(out.good()) << path;
}

// What a test PNG holds: rows of raw samples as PNG packs them (bit depths below 8 packed
// most significant bit first, 16-bit samples big-endian).
struct PngSpec {
  int width = 0;
  int height = 0;
  int color_type = PNG_COLOR_TYPE_GRAY;
  int bit_depth = 8;
  bool interlaced = false;
  std::vector<std::vector<std::uint8_t>> rows = {};
  std::vector<png_color> palette = {};
  std::vector<png_byte> transparency = {};  // tRNS alphas for palette entries
};

void append_to_string(png_structp png, png_bytep bytes, std::size_t count) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<char*>(bytes), count);
}

// The PNG file of spec, written with libpng (its defaults abort on misuse, a bug in the test).
std::string png_bytes(const PngSpec& spec) {
  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_set_write_fn(png, &out, append_to_string, nullptr);
  png_set_IHDR(png, info, spec.width, spec.height, spec.bit_depth, spec.color_type,
               spec.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (!spec.palette.empty()) {
    png_set_PLTE(png, info, spec.palette.data(), static_cast<int>(spec.palette.size()));
  }
  if (!spec.transparency.empty()) {
    png_set_tRNS(png, info, spec.transparency.data(), static_cast<int>(spec.transparency.size()),
                 nullptr);
  }
  std::vector<std::vector<std::uint8_t>> rows = spec.rows;
  std::vector<png_bytep> pointers;
  for (auto& row : rows) pointers.push_back(row.data());
  png_set_rows(png, info, pointers.data());
  png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

std::vector<std::uint8_t> be16(std::initializer_list<unsigned> values) {
  std::vector<std::uint8_t> out;
  for (const unsigned v : values) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xff));
  }
  return out;
}

// A 28x28 8-bit gray PNG with varied pixels (for the corruption tests).
std::string sample_png() {
  PngSpec spec{.width = 28, .height = 28};
  for (int y = 0; y < 28; ++y) {
    std::vector<std::uint8_t> row;
    for (int x = 0; x < 28; ++x) row.push_back(static_cast<std::uint8_t>((x * 37 + y * 11) % 256));
    spec.rows.push_back(row);
  }
  return png_bytes(spec);
}

std::uint32_t read_be32(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (int k = 0; k < 4; ++k) v = (v << 8) | static_cast<unsigned char>(bytes[at + k]);
  return v;
}

void put_be32(std::string& bytes, std::size_t at, std::uint32_t v) {
  for (int k = 0; k < 4; ++k) bytes[at + k] = static_cast<char>((v >> (24 - 8 * k)) & 0xff);
}

// png with IHDR's width and height replaced (and its CRC recomputed, so only the size is wrong).
std::string with_size(std::string png, std::uint32_t width, std::uint32_t height) {
  put_be32(png, 16, width);
  put_be32(png, 20, height);
  const auto* chunk = reinterpret_cast<const Bytef*>(png.data() + 12);  // "IHDR" + 13 data bytes
  put_be32(png, 29, static_cast<std::uint32_t>(crc32(crc32(0, nullptr, 0), chunk, 17)));
  return png;
}

class ImageFile : public ::testing::Test {
 protected:
  data::GrayImage read(const std::string& bytes, const std::string& name = "image") {
    write_bytes(dir_ / name, bytes);
    return data::read_image(dir_ / name);
  }
  // The Error reading a file of `bytes` throws; the message must name the file.
  std::string error_reading(const std::string& bytes) {
    const fs::path path = dir_ / "bad";
    write_bytes(path, bytes);
    const std::string message = error_of([&] { data::read_image(path); });
    EXPECT_CONTAINS(message, path.string());
    return message;
  }
  TempDir dir_;
};

}  // namespace

// ---- PNG ---------------------------------------------------------------------------------------

TEST_F(ImageFile, ReadsGray8BitPng) {
  const auto image =
      read(png_bytes({.width = 3, .height = 2, .rows = {{0, 1, 2}, {128, 254, 255}}}));
  EXPECT_EQ(image.width, 3);
  EXPECT_EQ(image.height, 2);
  EXPECT_EQ(image.pixels, (Pixels{0, 1, 2, 128, 254, 255}));
  EXPECT_EQ(image.at(1, 1), 254);
}

TEST_F(ImageFile, ConvertsRgbWithPillowsLumaWeights) {
  const auto image =
      read(png_bytes({.width = 5,
                      .height = 1,
                      .color_type = PNG_COLOR_TYPE_RGB,
                      .rows = {{255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 10, 20, 30}}}));
  // Pillow's Image.convert("L"): red 76, green 150, blue 29, white 255, (10, 20, 30) -> 18.
  EXPECT_EQ(image.pixels, (Pixels{76, 150, 29, 255, 18}));
}

TEST_F(ImageFile, CompositesAlphaOverBlack) {
  const auto rgba =
      read(png_bytes({.width = 3,
                      .height = 1,
                      .color_type = PNG_COLOR_TYPE_RGBA,
                      .rows = {{255, 255, 255, 128, 100, 100, 100, 0, 200, 200, 200, 255}}}));
  EXPECT_EQ(rgba.pixels, (Pixels{128, 0, 200}));
  const auto gray_alpha = read(png_bytes({.width = 2,
                                          .height = 1,
                                          .color_type = PNG_COLOR_TYPE_GRAY_ALPHA,
                                          .rows = {{200, 51, 9, 255}}}));
  EXPECT_EQ(gray_alpha.pixels, (Pixels{40, 9}));
}

TEST_F(ImageFile, ReadsPalettePngWithTransparencyAtTwoBits) {
  // Indices 0 1 2 3 1 packed two bits each: 00 01 10 11 | 01 00 00 00.
  const auto image =
      read(png_bytes({.width = 5,
                      .height = 1,
                      .color_type = PNG_COLOR_TYPE_PALETTE,
                      .bit_depth = 2,
                      .rows = {{0b00011011, 0b01000000}},
                      .palette = {{0, 0, 0}, {255, 255, 255}, {255, 0, 0}, {128, 128, 128}},
                      .transparency = {255, 255, 255, 64}}));
  EXPECT_EQ(image.pixels, (Pixels{0, 255, 76, 32, 255}));  // 128 at alpha 64 -> 32
}

TEST_F(ImageFile, Scales16BitSamplesToEightBits) {
  const auto gray = read(png_bytes(
      {.width = 4, .height = 1, .bit_depth = 16, .rows = {be16({0, 65535, 0x1234, 0x8080})}}));
  EXPECT_EQ(gray.pixels, (Pixels{0, 255, 18, 128}));  // round(v * 255 / 65535)
  const auto rgb = read(png_bytes({.width = 1,
                                   .height = 1,
                                   .color_type = PNG_COLOR_TYPE_RGB,
                                   .bit_depth = 16,
                                   .rows = {be16({65535, 0, 0})}}));
  EXPECT_EQ(rgb.pixels, (Pixels{76}));
}

TEST_F(ImageFile, ExpandsOneBitGray) {
  const auto image = read(
      png_bytes({.width = 10, .height = 1, .bit_depth = 1, .rows = {{0b10110000, 0b01000000}}}));
  EXPECT_EQ(image.pixels, (Pixels{255, 0, 255, 255, 0, 0, 0, 0, 0, 255}));
}

TEST_F(ImageFile, ReadsInterlacedPng) {
  PngSpec spec{.width = 9, .height = 7, .interlaced = true};
  Pixels expected;
  for (int y = 0; y < 7; ++y) {
    std::vector<std::uint8_t> row;
    for (int x = 0; x < 9; ++x) row.push_back(static_cast<std::uint8_t>(y * 9 + x));
    expected.insert(expected.end(), row.begin(), row.end());
    spec.rows.push_back(row);
  }
  EXPECT_EQ(read(png_bytes(spec)).pixels, expected);
}

TEST_F(ImageFile, DetectsTheFormatByMagicBytesNotTheName) {
  const auto image = read(png_bytes({.width = 1, .height = 1, .rows = {{7}}}), "looks-like.pgm");
  EXPECT_EQ(image.pixels, Pixels{7});
  EXPECT_EQ(read("P2 1 1 255 9\n", "looks-like.png").pixels, Pixels{9});
}

// ---- PGM ---------------------------------------------------------------------------------------

TEST_F(ImageFile, ReadsBinaryPgm) {
  const auto image =
      read(std::string("P5\n3 2\n255\n") + std::string("\x00\x01\x7f\x80\xfe\xff", 6));
  EXPECT_EQ(image.width, 3);
  EXPECT_EQ(image.height, 2);
  EXPECT_EQ(image.pixels, (Pixels{0, 1, 127, 128, 254, 255}));
}

TEST_F(ImageFile, ReadsBinaryPgmWithCommentsAndSmallOrWideMaxval) {
  EXPECT_EQ(
      read(std::string("P5 # a comment\n# another\n2 # w\n1\n15\n") + std::string("\x00\x0f", 2))
          .pixels,
      (Pixels{0, 255}));
  const auto wide =
      read(std::string("P5\n3 1\n65535\n") + std::string("\x00\x00\xff\xff\x12\x34", 6));
  EXPECT_EQ(wide.pixels, (Pixels{0, 255, 18}));
  const auto tenbit = read(std::string("P5\n1 1\n1023\n") + std::string("\x02\x00", 2));
  EXPECT_EQ(tenbit.pixels, Pixels{128});  // round(512 * 255 / 1023) = 128
}

TEST_F(ImageFile, ReadsAsciiPgmWithComments) {
  const auto image =
      read("P2\n# made by hand\n3 2 # size\n# maxval next\n10\n0 5 10\n# row 2\n10 2 0\n");
  EXPECT_EQ(image.pixels, (Pixels{0, 128, 255, 255, 51, 0}));
}

// ---- errors ------------------------------------------------------------------------------------

TEST_F(ImageFile, MissingEmptyOrUnknownFiles) {
  const std::string missing = error_of([&] { data::read_image(dir_ / "nope.png"); });
  EXPECT_CONTAINS(missing, "nope.png");
  EXPECT_CONTAINS(missing, "No such file or directory");
  EXPECT_CONTAINS(error_reading(""), "empty file; expected a PNG or PGM image");
  EXPECT_CONTAINS(error_reading("GIF89a\x01\x00"),
                  "not a PNG or PGM file (magic bytes 'GIF8'); expected PNG or PGM");
  EXPECT_CONTAINS(error_reading(std::string("\x00\x01\xff\x7f", 4)),
                  "(magic bytes '\\x00\\x01\\xFF\\x7F')");
  EXPECT_CONTAINS(error_reading("P6\n1 1\n255\nabc"), "magic bytes 'P6");
}

TEST_F(ImageFile, TruncatedPngAtManyPoints) {
  const std::string png = sample_png();
  ASSERT_GT(png.size(), 60u);
  for (const std::size_t cut :
       {std::size_t(1), std::size_t(5), std::size_t(8), std::size_t(16), std::size_t(33),
        std::size_t(41), png.size() / 2, png.size() - 12, png.size() - 1}) {
    const std::string message = error_reading(png.substr(0, cut));
    EXPECT_CONTAINS(message, "corrupt PNG") << "cut at " << cut;
  }
  EXPECT_CONTAINS(error_reading(png.substr(0, png.size() / 2)), "truncated");
}

TEST_F(ImageFile, EveryTruncationOfAPngIsAnError) {
  const std::string png = sample_png();
  for (std::size_t cut = 1; cut < png.size(); ++cut) {
    write_bytes(dir_ / "cut", png.substr(0, cut));
    try {
      data::read_image(dir_ / "cut");
      ADD_FAILURE() << "a PNG cut at " << cut << " of " << png.size() << " bytes was read";
    } catch (const minitorch::Error&) {
    }
  }
}

TEST_F(ImageFile, CorruptPngChunks) {
  std::string bad_crc = sample_png();
  bad_crc[30] = static_cast<char>(bad_crc[30] ^ 0x55);  // inside IHDR's CRC (bytes 29..32)
  const std::string crc_message = error_reading(bad_crc);
  EXPECT_CONTAINS(crc_message, "corrupt PNG");
  EXPECT_CONTAINS(crc_message, "CRC");

  std::string bad_data = sample_png();
  ASSERT_EQ(bad_data.substr(37, 4), "IDAT");
  for (std::size_t i = 43; i < 60; ++i) bad_data[i] = static_cast<char>(bad_data[i] ^ 0xA5);
  // Fix the IDAT CRC so that the damage reaches the decompressor.
  const std::uint32_t length = read_be32(bad_data, 33);
  put_be32(
      bad_data, 41 + length,
      static_cast<std::uint32_t>(crc32(
          crc32(0, nullptr, 0), reinterpret_cast<const Bytef*>(bad_data.data() + 37), length + 4)));
  EXPECT_CONTAINS(error_reading(bad_data), "corrupt PNG");
}

TEST_F(ImageFile, PngOfZeroOrAbsurdSize) {
  const std::string png = sample_png();
  EXPECT_CONTAINS(error_reading(with_size(png, 20000, 28)),
                  "absurd size 20000x28; expected width and height of at most 16384");
  EXPECT_CONTAINS(error_reading(with_size(png, 0, 28)), "corrupt PNG");  // libpng refuses 0
  EXPECT_CONTAINS(error_reading(with_size(png, 8000, 8000)),
                  "corrupt PNG: its header says 8000x8000 pixels, more than a file of");
}

// A palette PNG packs 8 pixels per stored byte and deflate shrinks blank rows 1000-fold, so a few
// kilobytes can declare an image whose decoded RGB rows need gigabytes: the pixel count is
// checked against its limit from the header, before anything is decoded.
TEST_F(ImageFile, PngAbovePixelLimitIsRejectedFromItsHeader) {
  const int width = 16384;
  const int height = static_cast<int>(data::kMaxImagePixels / width) + 1;
  PngSpec spec{.width = width,
               .height = height,
               .color_type = PNG_COLOR_TYPE_PALETTE,
               .bit_depth = 1,
               .palette = {{0, 0, 0}, {255, 255, 255}}};
  spec.rows.assign(static_cast<std::size_t>(height), std::vector<std::uint8_t>(width / 8));
  const std::string png = png_bytes(spec);
  ASSERT_LT(png.size(), 64u * 1024);
  const std::string message = error_reading(png);
  EXPECT_CONTAINS(message, "16384x4097");
  EXPECT_CONTAINS(message, std::to_string(data::kMaxImagePixels));
}

TEST_F(ImageFile, PgmAbovePixelLimitIsRejectedFromItsHeader) {
  const std::string message = error_reading("P5 16384 4097 255\n");
  EXPECT_CONTAINS(message, "16384x4097");
  EXPECT_CONTAINS(message, std::to_string(data::kMaxImagePixels));
  // At the limit, the pixel bytes the header promises must be in the file.
  EXPECT_CONTAINS(error_reading("P5 16384 4096 255\nabc"),
                  "too few pixel bytes: 3; expected 67108864");
  EXPECT_CONTAINS(error_reading("P2 16384 4096 255\n1 2 3"), "too few pixel values");
}

TEST_F(ImageFile, MalformedPgm) {
  EXPECT_CONTAINS(error_reading("P5\nabc"),
                  "malformed PGM header: expected the width (a decimal number), found 'a'");
  EXPECT_CONTAINS(error_reading("P5"), "expected the width (a decimal number), found the end");
  EXPECT_CONTAINS(error_reading("P53 3 255\n"), "malformed PGM header: expected whitespace after");
  EXPECT_CONTAINS(error_reading("P5 2 2x 255\n"), "expected whitespace after the height");
  EXPECT_CONTAINS(error_reading("P5 1 1 0\n\x00"), "maxval 0; expected 1 to 65535");
  EXPECT_CONTAINS(error_reading("P5 1 1 70000\n\x00"), "maxval 70000; expected 1 to 65535");
  EXPECT_CONTAINS(error_reading("P5 1 1 255"), "expected one whitespace byte after maxval");
}

TEST_F(ImageFile, PgmWithTooFewPixelsOrBadSamples) {
  EXPECT_CONTAINS(error_reading("P5 3 2 255\nabcde"),
                  "too few pixel bytes: 5; expected 6 for 3x2 samples of 1 byte(s) (maxval 255)");
  EXPECT_CONTAINS(error_reading("P5 2 1 65535\nabc"), "too few pixel bytes: 3; expected 4");
  EXPECT_CONTAINS(error_reading("P2 2 2 255\n1 2 3"),
                  "too few pixel values: 3; expected 4 for 2x2");
  EXPECT_CONTAINS(error_reading("P2 2 1 255\n1 x"), "malformed P2 pixel value");
  EXPECT_CONTAINS(error_reading("P2 2 1 100\n1 101"),
                  "sample 101 at pixel (x 1, y 0) exceeds maxval 100");
  EXPECT_CONTAINS(error_reading(std::string("P5 2 1 1000\n\x00\x01\x03\xe9", 16)),
                  "sample 1001 at pixel (x 1, y 0) exceeds maxval 1000");
}

TEST_F(ImageFile, PgmOfZeroOrAbsurdSize) {
  EXPECT_CONTAINS(error_reading("P5 0 5 255\n"), "zero size (0x5); expected at least 1x1");
  EXPECT_CONTAINS(error_reading("P5 20000 20000 255\n"),
                  "absurd size 20000x20000; expected width and height of at most 16384");
  EXPECT_CONTAINS(error_reading("P2 99999999999999999999 1 255\n"), "absurd size");
}

// Random damage to a valid PNG is decoded or reported as an Error; libpng never aborts.
RC_GTEST_PROP(ImageFileProperty, DamagedPngsReadOrThrowError,
              (const std::vector<std::pair<std::uint16_t, std::uint8_t>>& flips)) {
  static const std::string png = sample_png();
  std::string bytes = png;
  for (const auto& [position, value] : flips) {
    bytes[position % bytes.size()] = static_cast<char>(value);
  }
  TempDir dir;
  write_bytes(dir / "m.png", bytes);
  try {
    const auto image = data::read_image(dir / "m.png");
    RC_ASSERT(image.pixels.size() == static_cast<std::size_t>(image.width * image.height));
  } catch (const minitorch::Error&) {
  }
}

// ---- resizing ----------------------------------------------------------------------------------

data::GrayImage filled(std::int64_t width, std::int64_t height, std::uint8_t value) {
  return {width, height, Pixels(static_cast<std::size_t>(width * height), value)};
}

TEST(Resize, AConstantImageStaysConstant) {
  for (const auto& [w, h] :
       std::vector<std::pair<int, int>>{{100, 37}, {10, 10}, {28, 28}, {29, 83}, {1, 1}}) {
    const auto out = data::resize(filled(w, h, 173), 28, 28);
    EXPECT_EQ(out.width, 28);
    EXPECT_EQ(out.height, 28);
    EXPECT_EQ(out.pixels, Pixels(28 * 28, 173)) << w << "x" << h;
  }
}

TEST(Resize, HalvingAveragesTwoByTwoBlocksExactly) {
  data::GrayImage image = filled(56, 56, 0);
  Pixels expected;
  for (int y = 0; y < 28; ++y) {
    for (int x = 0; x < 28; ++x) {
      const auto v = static_cast<std::uint8_t>((x * 9 + y * 5) % 256);
      expected.push_back(v);
      for (int dy = 0; dy < 2; ++dy) {
        for (int dx = 0; dx < 2; ++dx) image.pixels[(2 * y + dy) * 56 + 2 * x + dx] = v;
      }
    }
  }
  EXPECT_EQ(data::resize(image, 28, 28).pixels, expected);
  // A block of 0, 10, 20, 30 becomes its mean.
  const data::GrayImage block{2, 2, {0, 10, 20, 30}};
  EXPECT_EQ(data::resize(block, 1, 1).pixels, Pixels{15});
}

TEST(Resize, AreaAveragingWeighsPartialPixels) {
  // 3 -> 2: output 0 covers source [0, 1.5), output 1 covers [1.5, 3).
  const data::GrayImage row{3, 1, {0, 90, 180}};
  EXPECT_EQ(data::resize(row, 2, 1).pixels, (Pixels{30, 150}));
}

TEST(Resize, EnlargingIsBilinearWithAlignedCentres) {
  const data::GrayImage row{2, 1, {0, 100}};
  EXPECT_EQ(data::resize(row, 4, 1).pixels, (Pixels{0, 25, 75, 100}));
  EXPECT_EQ(data::resize(row, 2, 3).pixels, (Pixels{0, 100, 0, 100, 0, 100}));
}

TEST(Resize, RejectsBadSizes) {
  EXPECT_CONTAINS(error_of([] { data::resize(filled(2, 2, 0), 0, 28); }),
                  "target size 0x28; expected width and height in 1..16384");
  EXPECT_CONTAINS(error_of([] {
                    data::resize(data::GrayImage{3, 3, Pixels(4)}, 28, 28);
                  }),
                  "the image is 3x3 with 4 pixels");
  EXPECT_CONTAINS(error_of([] { data::resize(filled(2, 2, 0), 16384, 4097); }),
                  "target size 16384x4097 has more than " + std::to_string(data::kMaxImagePixels));
}

TEST(ImageToTensor, ScalesBytesLikeTheDataSet) {
  const auto t = data::image_to_tensor(data::GrayImage{2, 1, {0, 255}});
  EXPECT_EQ(t.shape(), (minitorch::Shape{1, 1, 1, 2}));
  EXPECT_EQ(t.dtype(), minitorch::kFloat32);
  EXPECT_EQ(t.to_vector(), (std::vector<double>{0.0, 1.0}));
}
