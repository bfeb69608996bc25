// What a compressed file can hold, for readers that check a header's sizes before inflating.
#pragma once

#include <cstdint>

namespace minitorch::detail {

// Deflate (zlib, gzip, PNG) cannot compress better than 1032:1, so N compressed bytes never
// inflate to more than 1032·N.
inline constexpr std::uint64_t kMaxDeflateRatio = 1032;

}  // namespace minitorch::detail
