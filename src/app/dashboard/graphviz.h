// Laying out a DOT graph as SVG with Graphviz's `dot -Tsvg`, run as a child process.
//
// render_svg(dot, timeout) runs /usr/bin/dot (posix_spawn, stdin and stdout on pipes), feeds it the
// graph and returns its SVG. When dot is not installed, fails, or runs past `timeout` (it is then
// killed and reaped), the answer has no svg and a note saying why. Never throws for those.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace minitorch::app::dashboard {

struct SvgLayout {
  std::optional<std::string> svg;
  std::string note;  // why svg is missing; empty when it is there
};

inline constexpr const char* kDotProgram = "/usr/bin/dot";

SvgLayout render_svg(const std::string& dot,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(5000),
                     const std::string& program = kDotProgram);

}  // namespace minitorch::app::dashboard
