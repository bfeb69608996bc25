// Image files to classify — one PNG or PGM picture as an 8-bit grayscale image.
//
// read_image(path) detects the format by its magic bytes, never by the file name:
//   PNG ("\x89PNG\r\n\x1a\n"), read with libpng: gray, gray+alpha, RGB, RGBA and palette images at
//       every bit depth (1, 2, 4, 8, 16), interlaced or not. 16-bit samples are scaled to 8 bits
//       with rounding; colour becomes gray with the ITU-R 601 luma weights as Pillow's
//       convert("L") computes them, (19595 R + 38470 G + 7471 B + 32768) >> 16; transparency
//       (an alpha channel or tRNS) is composited over black, the background of Fashion-MNIST,
//       so a transparent pixel reads 0. No gamma correction is applied (values as stored).
//   PGM "P5" (binary; maxval up to 255 one byte per sample, up to 65535 two bytes big-endian) and
//       "P2" (ASCII), with '#' comments in the header; samples scaled to 0..255 by
//       round(v · 255 / maxval). Only the first image of a multi-image file is read.
//   Requires: a readable file of at most 1 GiB; width and height in 1..16384 and at most
//             kMaxImagePixels pixels in all (64 megapixels, checked from the header before any
//             pixel is decoded); sample values within maxval; enough pixel data; a PNG that libpng
//             decodes without error (CRCs of critical chunks included). Every violation throws
//             minitorch::Error naming the path, what was found and what was expected, e.g.
//             "read_image: cat.gif: not a PNG or PGM file (magic bytes 'GIF8'); expected PNG or
//             PGM". A corrupt PNG never makes libpng abort or leak: its errors become Errors.
//   Ensures:  pixels in row-major order, 0 = black, 255 = white, exactly as stored (no inversion:
//             Fashion-MNIST draws a white garment on black, so a photo of a dark garment on white
//             paper needs inverting by the caller).
// resize(image, width, height) resamples each axis separately: area averaging (each output pixel
// is the mean of the source area it covers, partial pixels weighted by coverage) when the axis
// shrinks or keeps its size, bilinear interpolation (pixel centres aligned, edges clamped) when it
// grows; results are rounded to the nearest integer. Aspect ratio is not preserved.
//   Requires: a non-empty image with width · height pixels; width and height in 1..16384 and at
//             most kMaxImagePixels pixels in all.
// image_to_tensor(image) is the image as Fashion-MNIST is loaded (image_dataset.h): float32 of
// shape [1, 1, height, width], each byte / 255.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "minitorch/tensor/tensor.h"

namespace minitorch::data {

struct GrayImage {
  std::int64_t width = 0;
  std::int64_t height = 0;
  std::vector<std::uint8_t> pixels;  // height · width, row-major

  std::uint8_t at(std::int64_t x, std::int64_t y) const {
    return pixels[static_cast<std::size_t>(y * width + x)];
  }
};

// The largest width or height read_image and resize accept.
inline constexpr std::int64_t kMaxImageSide = 16384;
// The most pixels read_image and resize accept: 64 megapixels (8192 x 8192), above any camera a
// classifier is fed from, and a bound on the decoder's buffers (at most 256 MiB of RGBA rows) that
// a small, highly compressed file cannot lift.
inline constexpr std::int64_t kMaxImagePixels = std::int64_t(1) << 26;

GrayImage read_image(const std::filesystem::path& path);
// The same for an image already in memory (an upload); `name` stands for the path in messages.
GrayImage decode_image(const std::string& bytes, const std::string& name);

GrayImage resize(const GrayImage& image, std::int64_t width, std::int64_t height);

Tensor image_to_tensor(const GrayImage& image);

}  // namespace minitorch::data
