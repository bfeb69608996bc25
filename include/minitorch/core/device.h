// Device — where a tensor's storage lives: the host (CPU) or one CUDA GPU, by index.
//
//   Device() / kCPU / Device::cpu()   the host
//   Device::cuda(i)                   CUDA device i; requires i >= 0 (Error otherwise)
//   Device::parse(text)               "cpu", "cuda" (device 0) or "cuda:N"; Error naming the text
//                                     and the accepted forms otherwise
//   str() / operator<<                "cpu", "cuda:0": PyTorch's spelling
// A Device is only a name: naming a GPU that is absent, or CUDA in a build without it, fails where
// memory is first asked of it (Storage), with an Error naming the device.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

namespace minitorch {

enum class DeviceType : std::uint8_t { CPU, CUDA };

class Device {
 public:
  constexpr Device() = default;
  static constexpr Device cpu() { return Device(); }
  static Device cuda(int index = 0);
  static Device parse(std::string_view text);

  constexpr DeviceType type() const { return type_; }
  // The GPU's index; 0 for the CPU.
  constexpr int index() const { return index_; }
  constexpr bool is_cpu() const { return type_ == DeviceType::CPU; }
  constexpr bool is_cuda() const { return type_ == DeviceType::CUDA; }
  std::string str() const;

  friend constexpr bool operator==(Device, Device) = default;

 private:
  constexpr Device(DeviceType type, int index) : type_(type), index_(index) {}

  DeviceType type_ = DeviceType::CPU;
  int index_ = 0;
};

inline constexpr Device kCPU{};

std::ostream& operator<<(std::ostream& os, Device device);

}  // namespace minitorch
