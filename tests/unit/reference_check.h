// Checking the fast backend against the reference backend on the same inputs (tests only).
//   check_against_reference(inputs, fn, what, tolerance)
//     runs fn on the inputs placed on the reference backend, then on the fast backend under every
//     instruction set this processor has and 1 and 2 threads, and expects every result element
//     within tolerance · (1 + |reference|); failures name `what`, the ISA and the thread count.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "minitorch/backend/cpu_features.h"
#include "minitorch/parallel/parallel.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::testing {

inline Tensor on(const Tensor& t, const Backend& backend) {
  return Tensor(t.tensor_data(), &backend);
}

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

inline void check_against_reference(const std::vector<Tensor>& inputs,
                                    const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                                    const std::string& what, double tolerance = 1e-5) {
  std::vector<Tensor> reference_inputs;
  for (const auto& x : inputs) reference_inputs.push_back(on(x, reference_backend()));
  const Tensor want = fn(reference_inputs);
  for (auto isa : {CpuIsa::Generic, CpuIsa::Avx2, CpuIsa::Avx512}) {
    if (isa > best_supported_isa()) continue;
    set_cpu_isa(isa);
    for (int threads : {1, 2}) {
      set_num_threads(threads);
      std::vector<Tensor> fast_inputs;
      for (const auto& x : inputs) fast_inputs.push_back(on(x, fast_backend()));
      expect_close(fn(fast_inputs), want, tolerance,
                   what + " [" + isa_name(isa) + ", " + std::to_string(threads) + " threads]");
    }
  }
  set_cpu_isa(best_supported_isa());
  set_num_threads(2);
}

}  // namespace minitorch::testing
