// Checking the fast backend against the reference backend on the same inputs (tests only).
//   check_against_reference(inputs, fn, what, tolerance)
//     runs fn on the inputs placed on the reference backend, then on the fast backend under every
//     instruction set this processor has and 1 and 2 threads, and expects every result element
//     within tolerance · (1 + |reference|) (expect_close.h); failures name `what`, the ISA and the
//     thread count.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "expect_close.h"
#include "minitorch/backend/cpu_features.h"
#include "minitorch/parallel/parallel.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::testing {

inline Tensor on(const Tensor& t, const Backend& backend) {
  return Tensor(t.tensor_data(), &backend);
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
