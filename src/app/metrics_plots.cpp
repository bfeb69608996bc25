#include "app/metrics_plots.h"

#include <algorithm>

namespace minitorch::app {
namespace {

// The fraction of epochs a record's step stands for (steps per epoch are the same every epoch).
double steps_per_epoch(const std::vector<train::MetricsRecord>& records) {
  for (const auto& r : records) {
    if (r.is_epoch() && r.step > 0) return double(r.step) / double(r.epoch);
  }
  return 0.0;
}

double position(const train::MetricsRecord& r, double per_epoch) {
  if (r.is_epoch() || per_epoch <= 0) return r.epoch;
  return double(r.step) / per_epoch;
}

std::string series_name(const std::string& metric) {
  const std::string split = metric.substr(0, metric.size() - std::string("_accuracy").size());
  return split == "val" ? "validation" : split;
}

bool is_accuracy(const std::string& name) {
  const std::string suffix = "_accuracy";
  return name.size() > suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

LineSeries loss_curve(const std::vector<train::MetricsRecord>& records, const std::string& name) {
  bool steps = false;
  for (const auto& r : records) steps = steps || !r.is_epoch();
  const double per_epoch = steps_per_epoch(records);
  LineSeries series{name, {}, {}};
  for (const auto& r : records) {
    if (steps != !r.is_epoch()) continue;
    series.x.push_back(position(r, per_epoch));
    series.y.push_back(r.loss);
  }
  return series;
}

std::vector<LineSeries> accuracy_curves(const std::vector<train::MetricsRecord>& records) {
  std::vector<LineSeries> out{{"train", {}, {}}};
  for (const auto& r : train::epoch_records(records)) {
    out[0].x.push_back(r.epoch);
    out[0].y.push_back(r.train_accuracy);
    for (const auto& [metric, value] : r.evaluation) {
      if (!is_accuracy(metric)) continue;
      const std::string name = series_name(metric);
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const LineSeries& s) { return s.label == name; });
      if (it == out.end()) it = out.insert(out.end(), LineSeries{name, {}, {}});
      it->x.push_back(r.epoch);
      it->y.push_back(value);
    }
  }
  return out;
}

LineChart loss_chart(const std::vector<train::MetricsRecord>& records, const std::string& title,
                     const std::string& y_label) {
  LineChart chart{title, "epoch", y_label, {loss_curve(records, "train loss")}};
  chart.whole_x = true;
  return chart;
}

}  // namespace minitorch::app
