#include "app/fault_injection.h"

#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <string>

namespace minitorch::app {

void fault_point(std::string_view step, int epoch) {
  static const std::string requested = [] {
    const char* text = std::getenv("MINITORCH_FAULT_AT");
    return std::string(text ? text : "");
  }();
  if (requested.empty() || requested != std::string(step) + ":" + std::to_string(epoch)) return;
  std::cout.flush();
  std::cerr.flush();
  ::raise(SIGKILL);
}

}  // namespace minitorch::app
