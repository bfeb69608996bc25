// What the server learns about the request a thread is answering, for its metrics and its log
// line: cpp-httplib answers a request on one thread from reading it to logging it, so the record
// is thread-local, set when routing starts and cleared when the request is logged.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace minitorch::serve {

struct RequestContext {
  bool started = false;
  std::chrono::steady_clock::time_point start;

  double seconds() const {
    return started ? std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
                   : 0.0;
  }
  std::string id;
  std::string endpoint = "other";  // the route's name in metrics
  std::string model;
  std::int64_t batch_rows = 0;  // rows of the forward pass the request ran in
  bool counted = false;         // in the metrics already (a routed request, before its answer)
};

RequestContext& current_request();

}  // namespace minitorch::serve
