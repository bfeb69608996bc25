#include "minitorch/core/device.h"

#include <charconv>
#include <ostream>

#include "minitorch/core/error.h"

namespace minitorch {

Device Device::cuda(int index) {
  if (index < 0) {
    throw Error("Device::cuda: index " + std::to_string(index) + "; expected an index >= 0");
  }
  return Device(DeviceType::CUDA, index);
}

Device Device::parse(std::string_view text) {
  if (text == "cpu") return cpu();
  if (text == "cuda") return cuda(0);
  constexpr std::string_view prefix = "cuda:";
  if (text.starts_with(prefix)) {
    const std::string_view digits = text.substr(prefix.size());
    int index = -1;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (error == std::errc() && end == digits.data() + digits.size() && !digits.empty() &&
        index >= 0) {
      return cuda(index);
    }
  }
  throw Error("Device: '" + std::string(text) + "' is not a device; expected cpu, cuda or cuda:N");
}

std::string Device::str() const {
  return is_cpu() ? std::string("cpu") : "cuda:" + std::to_string(index_);
}

std::ostream& operator<<(std::ostream& os, Device device) {
  return os << device.str();
}

}  // namespace minitorch
