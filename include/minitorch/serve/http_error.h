// HttpError — a request a server refuses, with the HTTP status to answer and a message naming
// what was wrong and what was expected (sent as {"error": message}).
#pragma once

#include <string>

#include "minitorch/core/error.h"

namespace minitorch::serve {

class HttpError : public Error {
 public:
  HttpError(int status, const std::string& message) : Error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

}  // namespace minitorch::serve
