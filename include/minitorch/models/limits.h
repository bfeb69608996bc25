// The largest sizes a model accepts. A model's sizes often come from a file (a checkpoint's
// metadata names its input shape, vocabulary and classes), so every constructor checks them
// before it multiplies or allocates anything, and reports a size past its limit as an Error that
// names the model, the size and the limit, never as an overflow or std::bad_alloc.
//   kMaxInputSide       image height and width: data::kMaxImageSide, the largest side
//                       data::read_image reads, so every image a user can feed fits.
//   kMaxInputChannels   image channels: far above RGBA or multispectral stacks of a few dozen.
//   kMaxVocabSize       a text model's vocabulary: 10 million words, above the largest
//                       word-level vocabularies in use (fastText ships 2 million).
//   kMaxParameterBytes  all of a model's parameters together, 4 GiB (a billion float32 values):
//                       a CPU-trained model this size already needs 16 GiB with its gradients
//                       and Adam's two moments.
#pragma once

#include <cstdint>

namespace minitorch::models {

inline constexpr std::int64_t kMaxInputSide = 16384;
inline constexpr std::int64_t kMaxInputChannels = 1024;
inline constexpr std::int64_t kMaxVocabSize = 10'000'000;
inline constexpr std::int64_t kMaxParameterBytes = std::int64_t(1) << 32;

}  // namespace minitorch::models
