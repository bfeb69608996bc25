// minitorch::Error — the one exception type the library throws.
//
// Every failure a user can cause (bad shapes, bad names, bad files) is reported as an Error whose
// message says what was wrong and what was expected, e.g.
//   "zip_with: lengths 3 and 4 differ; expected equal lengths".
// Catching std::runtime_error catches it too.
#pragma once

#include <stdexcept>
#include <string>

namespace minitorch {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace minitorch
