// What the libFuzzer harnesses share: scratch files for readers that take only a path, the one
// rejection a reader may answer bad bytes with, and checks whose failure is a finding.
//
// A harness calls a reader on the fuzzer's bytes. minitorch::Error is the documented rejection of
// bad input, so expect_only_errors() swallows it; anything else (another exception type, a crash,
// a sanitizer report, a leak, a failed require()) stops the fuzzer, which saves the input.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include "minitorch/core/error.h"

namespace minitorch::fuzz {

// The fuzzer's input as the bytes a reader sees.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A failed check is a finding: say what broke and abort, so that libFuzzer keeps the input.
inline void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz: %s\n", what);
  std::abort();
}

// A directory of this process's own (libFuzzer's -jobs and -fork run several processes at once),
// in $TMPDIR or else /dev/shm, so that writing every input costs memory, not disk. Removed at exit.
class ScratchDirectory {
 public:
  explicit ScratchDirectory(std::string_view harness) {
    const char* tmpdir = std::getenv("TMPDIR");
    const std::filesystem::path parent = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir
                                         : std::filesystem::is_directory("/dev/shm")
                                             ? "/dev/shm"
                                             : std::filesystem::temp_directory_path();
    path_ = parent / ("minitorch-fuzz-" + std::string(harness) + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;

  std::filesystem::path file(std::string_view name) const { return path_ / name; }

  // name holding exactly bytes; the path to hand to a reader.
  std::filesystem::path write(std::string_view name, std::string_view bytes) const {
    const std::filesystem::path path = file(name);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    require(static_cast<bool>(out), "the scratch file could not be written");
    return path;
  }

 private:
  std::filesystem::path path_;
};

// body(); true when it returned, false when it rejected its input with minitorch::Error.
template <class Body>
bool expect_only_errors(Body&& body) {
  try {
    body();
    return true;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace minitorch::fuzz
