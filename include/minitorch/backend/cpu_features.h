// The instruction sets the fast CPU kernels can use, detected at run time.
//
// cpu_isa() is the best of AVX-512 (x86-64-v4), AVX2 + FMA (x86-64-v3) and the portable baseline
// that this processor supports. The environment variable MINITORCH_ISA=avx512|avx2|generic lowers
// it (never raises it), so every kernel variant can be tested and benchmarked on one machine;
// set_cpu_isa() does the same from code.
#pragma once

#include <string>

namespace minitorch {

enum class CpuIsa { Generic, Avx2, Avx512 };

CpuIsa cpu_isa();
CpuIsa best_supported_isa();
// Lowers the ISA used from now on; Error when `isa` is not supported here.
void set_cpu_isa(CpuIsa isa);
std::string isa_name(CpuIsa isa);

}  // namespace minitorch
