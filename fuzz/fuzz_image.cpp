// PNG and PGM images (data/image_file.h) from a scratch file, then what `predict --resize` does
// with an image it read: resized to the 28x28 of Fashion-MNIST and made a tensor.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "minitorch/data/image_file.h"

namespace {
const minitorch::fuzz::ScratchDirectory scratch("image");
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  namespace fuzz = minitorch::fuzz;
  namespace data = minitorch::data;
  const auto path = scratch.write("input.image", fuzz::as_text(bytes, size));
  data::GrayImage image;
  if (!fuzz::expect_only_errors([&] { image = data::read_image(path); })) return 0;
  fuzz::require(image.width >= 1 && image.height >= 1 && image.width <= data::kMaxImageSide &&
                    image.height <= data::kMaxImageSide &&
                    image.pixels.size() == static_cast<std::size_t>(image.width * image.height),
                "read_image returned an image whose size breaks its contract");
  // An image read_image returns is one resize and image_to_tensor take.
  (void)data::image_to_tensor(data::resize(image, 28, 28));
  return 0;
}
