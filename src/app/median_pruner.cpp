#include "app/median_pruner.h"

#include <cmath>

#include "minitorch/train/metrics.h"

namespace minitorch::app {

std::string direction_name(Direction direction) {
  return direction == Direction::Maximize ? "maximize" : "minimize";
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
  const double middle = train::median(std::move(at_epoch));
  return direction_ == Direction::Maximize ? value < middle : value > middle;
}

}  // namespace minitorch::app
