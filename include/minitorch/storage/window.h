// Window2d — the geometry of a 2-D sliding window over the last two dimensions [H, W] of an
// input: what convolutions, unfold / fold and pooling share.
//
// Window (oh, ow) covers the rows oh·sh + i·dh − ph for i in [0, kh) and the columns
// ow·sw + j·dw − pw for j in [0, kw); coordinates outside [0, H) × [0, W) are padding. There are
//   out_h(H) = (H + 2·ph − dh·(kh − 1) − 1) / sh + 1   windows down (floor; likewise out_w(W)),
// PyTorch's rule (ceil_mode = false). Plain data: validation (positive kernel, stride and
// dilation, padding >= 0, at least one window) is the job of the operation that takes it.
#pragma once

#include <cstdint>

namespace minitorch {

struct Window2d {
  std::int64_t kh, kw;
  std::int64_t sh = 1, sw = 1;
  std::int64_t ph = 0, pw = 0;
  std::int64_t dh = 1, dw = 1;

  std::int64_t out_h(std::int64_t h) const { return (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1; }
  std::int64_t out_w(std::int64_t w) const { return (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1; }
};

}  // namespace minitorch
