#include "app/progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

using minitorch::app::EpochReport;
using minitorch::app::ProgressReporter;

TEST(Progress, LineShowsEveryFigure) {
  const EpochReport r{120, 500, 0.23456, 48, 50, 0.0125, 4000.0};
  const std::string line = ProgressReporter::format_line(r, 4.75);
  EXPECT_NE(line.find("epoch 120/500"), std::string::npos) << line;
  EXPECT_NE(line.find("loss 0.2346"), std::string::npos) << line;
  EXPECT_NE(line.find("correct 48/50"), std::string::npos) << line;
  EXPECT_NE(line.find("0.013 s/epoch"), std::string::npos) << line;
  EXPECT_NE(line.find("4000 samples/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 4.8s"), std::string::npos) << line;
  EXPECT_NE(line.find("[====>"), std::string::npos) << line;
}

TEST(Progress, Durations) {
  EXPECT_EQ(ProgressReporter::format_duration(3.21), "3.2s");
  EXPECT_EQ(ProgressReporter::format_duration(125), "2m05s");
  EXPECT_EQ(ProgressReporter::format_duration(7260), "2h01m");
  EXPECT_EQ(ProgressReporter::format_duration(-1), "?");
}

TEST(Progress, PlainOutputPrintsATenthOfTheEpochs) {
  std::ostringstream out;
  ProgressReporter progress(out, /*interactive=*/false);
  for (int epoch = 1; epoch <= 500; ++epoch) progress.report({epoch, 500, 1.0, 1, 2, 0.01, 200});
  progress.finish();
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 11);  // epoch 1, every 50th (incl. 500)
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_NE(text.find("epoch 500/500"), std::string::npos);
  EXPECT_NE(text.find("ETA 0.0s"), std::string::npos);
}

TEST(Progress, InteractiveOutputRedrawsOneLine) {
  std::ostringstream out;
  ProgressReporter progress(out, /*interactive=*/true);
  for (int epoch = 1; epoch <= 3; ++epoch) progress.report({epoch, 3, 1.0, 1, 2, 0.01, 200});
  progress.finish();
  const std::string text = out.str();
  EXPECT_EQ(text.front(), '\r');
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_NE(text.find("epoch 3/3"), std::string::npos);  // the last epoch is always drawn
}
