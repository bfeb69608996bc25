// safetensors files (io/safetensors.h) from a scratch file: a file load accepts is one
// save_safetensors writes back and load reads again with the same tensors, bit for bit, and the
// same metadata (tensors may come back in another order: save puts float64 first).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "fuzz_support.h"
#include "minitorch/io/safetensors.h"
#include "minitorch/storage/tensor_data.h"

namespace {

namespace io = minitorch::io;
const minitorch::fuzz::ScratchDirectory scratch("safetensors");

// The bytes of a tensor load returned (contiguous, in its own storage).
std::string_view bytes_of(const minitorch::Tensor& tensor) {
  const minitorch::TensorData& data = tensor.tensor_data();
  const char* first = tensor.dtype() == minitorch::kFloat64
                          ? reinterpret_cast<const char*>(data.data<double>() + data.offset())
                          : reinterpret_cast<const char*>(data.data<float>() + data.offset());
  return {first, static_cast<std::size_t>(tensor.numel()) * minitorch::dtype_size(tensor.dtype())};
}

bool same_tensor(const minitorch::Tensor& a, const minitorch::Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && bytes_of(a) == bytes_of(b);
}

bool same_tensors(io::NamedTensors a, io::NamedTensors b) {
  const auto by_name = [](const auto& x, const auto& y) { return x.first < y.first; };
  std::sort(a.begin(), a.end(), by_name);
  std::sort(b.begin(), b.end(), by_name);
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.first == y.first && same_tensor(x.second, y.second);
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  namespace fuzz = minitorch::fuzz;
  const auto path = scratch.write("input.safetensors", fuzz::as_text(bytes, size));
  std::optional<io::SafetensorsFile> loaded;
  if (!fuzz::expect_only_errors([&] { loaded = io::load_safetensors(path); })) return 0;
  // save refuses "format" and "minitorch_format_version" other than its own: not a round trip.
  const auto copy = scratch.file("copy.safetensors");
  if (!fuzz::expect_only_errors(
          [&] { io::save_safetensors(copy, loaded->tensors, loaded->metadata); }))
    return 0;
  const io::SafetensorsFile again = io::load_safetensors(copy);
  fuzz::require(same_tensors(loaded->tensors, again.tensors),
                "a loaded file saved and loaded again has other tensors");
  io::Metadata expected = loaded->metadata;
  expected.emplace("format", "pt");
  expected.emplace("minitorch_format_version", "1");
  fuzz::require(again.metadata == expected,
                "a loaded file saved and loaded again has other metadata");
  return 0;
}
