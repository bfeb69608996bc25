// Reading a number of a JSON document into a C++ integer without undefined behaviour: nlohmann's
// get<int> casts a float to the integer (undefined when it does not fit) and narrows wider
// integers silently. json_integer<T> takes only a JSON integer that fits in T.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>

#include <nlohmann/json.hpp>

namespace minitorch::app {

// The value when `json` is an integer (no fraction, no exponent) within T's range, else nullopt.
template <class T>
std::optional<T> json_integer(const nlohmann::json& json) {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
  if (json.is_number_unsigned()) {
    const auto value = json.get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) return std::nullopt;
    return static_cast<T>(value);
  }
  if (json.is_number_integer()) {
    const auto value = json.get<std::int64_t>();
    if constexpr (std::is_unsigned_v<T>) {
      if (value < 0) return std::nullopt;
    } else if (value < std::numeric_limits<T>::min() || value > std::numeric_limits<T>::max()) {
      return std::nullopt;
    }
    return static_cast<T>(value);
  }
  return std::nullopt;
}

}  // namespace minitorch::app
