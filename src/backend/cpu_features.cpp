#include "minitorch/backend/cpu_features.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "minitorch/core/error.h"

namespace minitorch {
namespace {

CpuIsa detect() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq")) {
    return CpuIsa::Avx512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return CpuIsa::Avx2;
#endif
  return CpuIsa::Generic;
}

CpuIsa from_environment(CpuIsa best) {
  const char* text = std::getenv("MINITORCH_ISA");
  if (text == nullptr) return best;
  CpuIsa wanted = best;
  if (std::strcmp(text, "generic") == 0) wanted = CpuIsa::Generic;
  if (std::strcmp(text, "avx2") == 0) wanted = CpuIsa::Avx2;
  if (std::strcmp(text, "avx512") == 0) wanted = CpuIsa::Avx512;
  return wanted < best ? wanted : best;
}

std::atomic<CpuIsa>& current() {
  static std::atomic<CpuIsa> isa{from_environment(best_supported_isa())};
  return isa;
}

}  // namespace

CpuIsa best_supported_isa() {
  static const CpuIsa best = detect();
  return best;
}

CpuIsa cpu_isa() {
  return current().load(std::memory_order_relaxed);
}

void set_cpu_isa(CpuIsa isa) {
  if (isa > best_supported_isa()) {
    throw Error("set_cpu_isa: " + isa_name(isa) + " is not supported by this processor (best: " +
                isa_name(best_supported_isa()) + ")");
  }
  current().store(isa, std::memory_order_relaxed);
}

std::string isa_name(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::Avx512:
      return "avx512";
    case CpuIsa::Avx2:
      return "avx2";
    case CpuIsa::Generic:
      break;
  }
  return "generic";
}

}  // namespace minitorch
