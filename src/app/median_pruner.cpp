#include "app/median_pruner.h"

#include <algorithm>
#include <cmath>

#include "minitorch/core/error.h"

namespace minitorch::app {

std::string direction_name(Direction direction) {
  return direction == Direction::Maximize ? "maximize" : "minimize";
}

double median(std::vector<double> values) {
  if (values.empty()) throw Error("median: no values; expected at least one");
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  if (values.size() % 2 == 1) return values[middle];
  return (values[middle - 1] + values[middle]) / 2.0;
}

bool MedianPruner::should_prune(int epoch, double value,
                                const std::vector<std::vector<double>>& earlier) const {
  if (epoch <= options_.warmup_epochs) return false;
  std::vector<double> at_epoch;
  for (const auto& curve : earlier) {
    const auto index = static_cast<std::size_t>(epoch - 1);
    if (curve.size() > index && !std::isnan(curve[index])) at_epoch.push_back(curve[index]);
  }
  if (at_epoch.empty() || int(at_epoch.size()) < options_.warmup_trials) return false;
  if (std::isnan(value)) return true;
  const double middle = median(std::move(at_epoch));
  return direction_ == Direction::Maximize ? value < middle : value > middle;
}

}  // namespace minitorch::app
