# Sourced by the benchmark scripts: cpu_line prints the CPU model, family, CPU count and the
# widest instruction set the kernels can dispatch to, the first line of every benchmark's output.
cpu_line() {
  local model flags isa
  model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
  flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  if [[ "$flags" == *" avx512f "* ]]; then
    local parts=() f
    for f in f bw dq vl _vnni _bf16; do
      if [[ "$flags" == *" avx512$f "* ]]; then parts+=("${f#_}"); fi
    done
    isa="AVX-512 ($(IFS=/; echo "${parts[*]^^}"))"
  elif [[ "$flags" == *" avx2 "* ]]; then
    isa="AVX2$([[ "$flags" == *" fma "* ]] && echo " + FMA")"
  else
    isa="SSE only (no AVX2)"
  fi
  echo "CPU: $model (family $(lscpu | sed -n 's/^CPU family: *//p' | head -1)), $(nproc) CPUs; ISA: $isa"
}
