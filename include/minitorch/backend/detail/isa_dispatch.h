// Compiling one loop for every instruction set and choosing at run time (internal to backends).
//
// A Loop is a struct with a static, always-inlined run(...) written in plain C++. run_on_cpu<Loop>
// calls it through a wrapper compiled for AVX-512 (x86-64-v4), AVX2 + FMA (x86-64-v3) or the
// baseline, as cpu_isa() says, so the compiler auto-vectorises the same source for each. The
// operator functors inlined into run() are thereby instantiated per instruction set too.
#pragma once

#include "minitorch/backend/cpu_features.h"

#define MT_ALWAYS_INLINE __attribute__((always_inline)) inline

namespace minitorch::detail {

template <class Loop, class... Args>
__attribute__((target("arch=x86-64-v4"))) void run_avx512(Args... args) {
  Loop::run(args...);
}

template <class Loop, class... Args>
__attribute__((target("arch=x86-64-v3"))) void run_avx2(Args... args) {
  Loop::run(args...);
}

template <class Loop, class... Args>
void run_generic(Args... args) {
  Loop::run(args...);
}

template <class Loop, class... Args>
void run_on_cpu(Args... args) {
  switch (cpu_isa()) {
    case CpuIsa::Avx512:
      return run_avx512<Loop>(args...);
    case CpuIsa::Avx2:
      return run_avx2<Loop>(args...);
    case CpuIsa::Generic:
      break;
  }
  run_generic<Loop>(args...);
}

}  // namespace minitorch::detail
