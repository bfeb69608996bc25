// Helpers for tests of error messages.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "minitorch/core/error.h"

namespace minitorch::testing {

// The message of the minitorch::Error that f throws ("" and a test failure when it throws none).
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const minitorch::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a minitorch::Error";
  return "";
}

}  // namespace minitorch::testing

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "message: " << (text)
