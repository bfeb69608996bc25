// Comparing two tensors element by element (tests only).
//   expect_close(got, want, tolerance, what)
//     expects equal shapes and every element of got within tolerance · (1 + |want|) of want's (a
//     NaN where want has one counts as equal); reports the first element that is not, and how
//     many are not, naming `what`.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <string>

#include "minitorch/tensor/tensor.h"

namespace minitorch::testing {

inline void expect_close(const Tensor& got, const Tensor& want, double tolerance,
                         const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  const auto a = got.to_vector();
  const auto b = want.to_vector();
  std::size_t bad = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const bool both_nan = std::isnan(a[i]) && std::isnan(b[i]);
    if (!both_nan && !(std::abs(a[i] - b[i]) <= tolerance * (1 + std::abs(b[i])))) {
      if (bad++ == 0)
        ADD_FAILURE() << what << ": element " << i << " is " << a[i] << ", expected " << b[i];
    }
  }
  EXPECT_EQ(bad, 0u) << what;
}

}  // namespace minitorch::testing
