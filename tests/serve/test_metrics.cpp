// The Prometheus text of the server's metrics: cumulative buckets, sums and counts, escaped labels.
#include <gtest/gtest.h>

#include "minitorch/serve/metrics.h"

namespace minitorch::serve {
namespace {

TEST(Metrics, HistogramBucketsAreCumulativeWithSumAndCount) {
  Histogram histogram({1, 2, 4});
  for (const double v : {0.5, 1.0, 1.5, 3.0, 9.0}) histogram.observe(v);
  EXPECT_EQ(histogram.text("x", "model=\"m\""),
            "x_bucket{model=\"m\",le=\"1\"} 2\n"
            "x_bucket{model=\"m\",le=\"2\"} 3\n"
            "x_bucket{model=\"m\",le=\"4\"} 4\n"
            "x_bucket{model=\"m\",le=\"+Inf\"} 5\n"
            "x_sum{model=\"m\"} 15\n"
            "x_count{model=\"m\"} 5\n");
}

TEST(Metrics, CountsRequestsByModelEndpointAndCodeWithEscapedLabels) {
  Metrics metrics;
  metrics.count_request("a\"b\\c\nd", "infer", 200, 0.001);
  metrics.count_request("a\"b\\c\nd", "infer", 200, 0.002);
  metrics.count_request("", "live", 200, 0.0);
  metrics.set_queue_rows("m", 3);
  metrics.set_model_ready("m", false);
  metrics.observe_batch("m", 5, 0.01);
  const std::string text = metrics.text();
  for (const char* line :
       {"minitorch_requests_total{model=\"a\\\"b\\\\c\\nd\",endpoint=\"infer\",code=\"200\"} 2\n",
        "minitorch_requests_total{model=\"\",endpoint=\"live\",code=\"200\"} 1\n",
        "minitorch_request_duration_seconds_count{model=\"a\\\"b\\\\c\\nd\"} 2\n",
        "minitorch_queue_rows{model=\"m\"} 3\n", "minitorch_model_ready{model=\"m\"} 0\n",
        "minitorch_batch_size_bucket{model=\"m\",le=\"4\"} 0\n",
        "minitorch_batch_size_bucket{model=\"m\",le=\"8\"} 1\n",
        "# TYPE minitorch_requests_total counter\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << " not in\n" << text;
  }
  // Requests of no model have no latency series of their own.
  EXPECT_EQ(text.find("minitorch_request_duration_seconds_count{model=\"\"}"), std::string::npos);
  EXPECT_GT(resident_memory_bytes(), 0);
}

}  // namespace
}  // namespace minitorch::serve
