// UsageError — a command line's values that parse but cannot work together with the data, found
// only once the data is loaded (e.g. a --min-frequency no token reaches). The command line reports
// it as bad usage (exit code 2), not as a runtime failure.
#pragma once

#include "minitorch/core/error.h"

namespace minitorch::app {

class UsageError : public Error {
 public:
  using Error::Error;
};

}  // namespace minitorch::app
