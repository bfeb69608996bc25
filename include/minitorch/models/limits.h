// The largest sizes the models accept.
#pragma once

#include <cstdint>

namespace minitorch::models {

inline constexpr std::int64_t kMaxInputSide = 16384;
inline constexpr std::int64_t kMaxInputChannels = 1024;
inline constexpr std::int64_t kMaxVocabSize = 10'000'000;
inline constexpr std::int64_t kMaxParameterBytes = std::int64_t(1) << 32;

}  // namespace minitorch::models
