// MedianPruner — stops a trial of a sweep whose metric falls behind the median of the trials
// before it (Optuna's MedianPruner: n_startup_trials = warmup_trials, n_warmup_steps =
// warmup_epochs).
//
// should_prune(epoch, value, earlier): `value` is the trial's metric after epoch `epoch` (1, 2,
// ...); `earlier` holds, for each earlier finished trial (complete or pruned), its metric per
// epoch (earlier[t][e - 1] for epoch e). The trial is pruned when all of these hold:
//   - epoch > warmup_epochs (the first epochs of a trial say little about where it ends);
//   - at least max(warmup_trials, 1) earlier trials reached this epoch;
//   - value is worse than the median of their values at this epoch (strictly: a tie is kept;
//     worse = lower when maximizing, higher when minimizing). A NaN value is always worse.
// Unlike Optuna, which compares a trial's best value so far with completed trials only, the
// value at this epoch is compared, and pruned trials count among the earlier ones: a pruned
// trial's epochs are as real as a complete one's, and with them the median stays defined at
// the early epochs where pruning saves the most.
#pragma once

#include <string>
#include <vector>

namespace minitorch::app {

enum class Direction { Maximize, Minimize };

// "maximize" / "minimize"
std::string direction_name(Direction direction);

struct MedianPrunerOptions {
  int warmup_trials = 3;
  int warmup_epochs = 1;
};

class MedianPruner {
 public:
  MedianPruner(MedianPrunerOptions options, Direction direction)
      : options_(options), direction_(direction) {}

  bool should_prune(int epoch, double value, const std::vector<std::vector<double>>& earlier) const;

 private:
  MedianPrunerOptions options_;
  Direction direction_;
};

}  // namespace minitorch::app
