// serve::Metrics — the server's counters, gauges and histograms, written in the Prometheus text
// exposition format (version 0.0.4) by text().
//
//   minitorch_requests_total{model, endpoint, code}        counter: answered requests
//   minitorch_request_duration_seconds{model}               histogram: request latency
//   minitorch_inference_duration_seconds{model}             histogram: one forward pass
//   minitorch_batch_size{model}                             histogram: rows per forward pass
//   minitorch_queue_rows{model}                             gauge: rows waiting for inference
//   minitorch_model_ready{model}                            gauge: 1 when loaded
//   process_resident_memory_bytes                           gauge: read when text() is called
// Label values are escaped as the format requires (backslash, double quote, line feed). Every
// method may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace minitorch::serve {

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value);
  // Lines name_bucket{labels,le="..."}, name_sum{labels}, name_count{labels}.
  std::string text(const std::string& name, const std::string& labels) const;

 private:
  std::vector<double> upper_bounds_;
  std::vector<std::uint64_t> counts_;  // per bucket, not cumulative
  double sum_ = 0.0;
  std::uint64_t count_ = 0;
};

class Metrics {
 public:
  void count_request(const std::string& model, const std::string& endpoint, int code,
                     double seconds);
  void observe_batch(const std::string& model, std::int64_t rows, double seconds);
  void set_queue_rows(const std::string& model, std::int64_t rows);
  void set_model_ready(const std::string& model, bool ready);

  std::string text() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram> request_seconds_;
  std::map<std::string, Histogram> inference_seconds_;
  std::map<std::string, Histogram> batch_sizes_;
  std::map<std::string, std::int64_t> queue_rows_;
  std::map<std::string, bool> model_ready_;
};

// The resident set size of this process in bytes (0 where /proc is not there).
std::int64_t resident_memory_bytes();

}  // namespace minitorch::serve
