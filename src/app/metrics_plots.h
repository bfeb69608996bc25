// The curves of a run's metrics records (train/metrics.h), as every task plots them. The x axis
// counts epochs: an epoch record sits at its epoch, a step record at its step's position within
// its epoch (step / steps per epoch), so a run that logs every N steps draws its curve between the
// whole epochs.
#pragma once

#include <string>
#include <vector>

#include "app/svg_plot.h"
#include "minitorch/train/metrics.h"

namespace minitorch::app {

// The training loss: every step record if the run logged steps, else every epoch record.
LineSeries loss_curve(const std::vector<train::MetricsRecord>& records, const std::string& name);
// Accuracy per epoch: "train", then one series per evaluation metric named "<split>_accuracy"
// ("validation" for val), in the order the records hold them.
std::vector<LineSeries> accuracy_curves(const std::vector<train::MetricsRecord>& records);
// loss.svg's chart: the loss curve over epochs (whole-number ticks).
LineChart loss_chart(const std::vector<train::MetricsRecord>& records, const std::string& title,
                     const std::string& y_label);

}  // namespace minitorch::app
