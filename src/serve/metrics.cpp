#include "minitorch/serve/metrics.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

namespace minitorch::serve {
namespace {

const std::vector<double> kSecondsBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                          0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                          1.0,    2.5,     5.0,    10.0};
const std::vector<double> kBatchBuckets{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

// A bucket's bound as written in the code (0.00025, not 0.00025000000000000001).
std::string bound(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

std::string escaped(const std::string& value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string model_label(const std::string& model) {
  return "model=\"" + escaped(model) + "\"";
}

Histogram& histogram_for(std::map<std::string, Histogram>& histograms, const std::string& model,
                         const std::vector<double>& buckets) {
  auto it = histograms.find(model);
  if (it == histograms.end()) it = histograms.emplace(model, Histogram(buckets)).first;
  return it->second;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void histograms_text(std::string& out, const char* name, const char* help,
                     const std::map<std::string, Histogram>& histograms) {
  header(out, name, "histogram", help);
  for (const auto& [model, histogram] : histograms) out += histogram.text(name, model_label(model));
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)), counts_(upper_bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
  const auto bucket =
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin();
  ++counts_[std::size_t(bucket)];
  sum_ += value;
  ++count_;
}

std::string Histogram::text(const std::string& name, const std::string& labels) const {
  std::string out;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) {
    cumulative += counts_[i];
    const std::string le = i < upper_bounds_.size() ? bound(upper_bounds_[i]) : "+Inf";
    out += name + "_bucket{" + labels + ",le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += name + "_sum{" + labels + "} " + number(sum_) + "\n";
  out += name + "_count{" + labels + "} " + std::to_string(count_) + "\n";
  return out;
}

void Metrics::count_request(const std::string& model, const std::string& endpoint, int code,
                            double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{model, endpoint, code}];
  if (!model.empty()) histogram_for(request_seconds_, model, kSecondsBuckets).observe(seconds);
}

void Metrics::observe_batch(const std::string& model, std::int64_t rows, double seconds) {
  std::lock_guard lock(mutex_);
  histogram_for(inference_seconds_, model, kSecondsBuckets).observe(seconds);
  histogram_for(batch_sizes_, model, kBatchBuckets).observe(double(rows));
}

void Metrics::set_queue_rows(const std::string& model, std::int64_t rows) {
  std::lock_guard lock(mutex_);
  queue_rows_[model] = rows;
}

void Metrics::set_model_ready(const std::string& model, bool ready) {
  std::lock_guard lock(mutex_);
  model_ready_[model] = ready;
}

std::string Metrics::text() const {
  std::lock_guard lock(mutex_);
  std::string out;
  header(out, "minitorch_requests_total", "counter",
         "HTTP requests answered, by model (empty when none), endpoint and status code.");
  for (const auto& [key, count] : requests_) {
    const auto& [model, endpoint, code] = key;
    out += "minitorch_requests_total{" + model_label(model) + ",endpoint=\"" + escaped(endpoint) +
           "\",code=\"" + std::to_string(code) + "\"} " + std::to_string(count) + "\n";
  }
  histograms_text(out, "minitorch_request_duration_seconds",
                  "Time from reading a request to answering it, by model.", request_seconds_);
  histograms_text(out, "minitorch_inference_duration_seconds",
                  "Time of one batched forward pass, by model.", inference_seconds_);
  histograms_text(out, "minitorch_batch_size", "Rows in one batched forward pass, by model.",
                  batch_sizes_);
  header(out, "minitorch_queue_rows", "gauge", "Rows waiting for an inference thread, by model.");
  for (const auto& [model, rows] : queue_rows_) {
    out += "minitorch_queue_rows{" + model_label(model) + "} " + std::to_string(rows) + "\n";
  }
  header(out, "minitorch_model_ready", "gauge", "1 when the model is loaded and serving.");
  for (const auto& [model, ready] : model_ready_) {
    out += "minitorch_model_ready{" + model_label(model) + "} " + (ready ? "1" : "0") + "\n";
  }
  header(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  out += "process_resident_memory_bytes " + std::to_string(resident_memory_bytes()) + "\n";
  return out;
}

std::int64_t resident_memory_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t pages_total = 0, pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident)) return 0;
  return pages_resident * std::int64_t(::sysconf(_SC_PAGESIZE));
}

}  // namespace minitorch::serve
