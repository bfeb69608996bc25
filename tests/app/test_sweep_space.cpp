#include "app/sweep_space.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "app/usage_error.h"

namespace {

using minitorch::app::grid_params;
using minitorch::app::grid_size;
using minitorch::app::grid_values;
using minitorch::app::ParamSpec;
using minitorch::app::parse_param;
using minitorch::app::random_params;
using minitorch::app::UsageError;
using nlohmann::json;

std::string usage_error_of(const std::string& text) {
  try {
    parse_param(text);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(SweepSpace, ParsesEachKindOfSpec) {
  const ParamSpec lr = parse_param("lr=log:1e-4:1e-2");
  EXPECT_EQ(lr.param.field, "lr");
  EXPECT_EQ(lr.kind, ParamSpec::Kind::Log);
  EXPECT_DOUBLE_EQ(lr.low, 1e-4);
  EXPECT_DOUBLE_EQ(lr.high, 1e-2);
  EXPECT_EQ(lr.spec, "log:1e-4:1e-2");

  const ParamSpec batch = parse_param("batch-size=choice:32,64,128");
  EXPECT_EQ(batch.param.field, "batch_size");
  EXPECT_EQ(batch.choices, (std::vector<json>{32, 64, 128}));
  EXPECT_TRUE(batch.choices[0].is_number_integer());

  const ParamSpec optimizer = parse_param("optimizer=choice:sgd,adam");
  EXPECT_EQ(optimizer.choices, (std::vector<json>{"sgd", "adam"}));

  const ParamSpec hidden = parse_param("hidden=int:2:8");
  EXPECT_EQ(hidden.kind, ParamSpec::Kind::Int);
  EXPECT_EQ(parse_param("weight_decay=uniform:0:0.1").param.flag, "weight-decay");
  EXPECT_EQ(parse_param("momentum=choice:0.5,0.9").choices, (std::vector<json>{0.5, 0.9}));
}

TEST(SweepSpace, BadSpecsNameWhatWasWrongAndWhatIsAccepted) {
  EXPECT_TRUE(contains(usage_error_of("colour=choice:red"), "unknown parameter 'colour'"));
  EXPECT_TRUE(contains(usage_error_of("colour=choice:red"), "lr, batch-size"));
  EXPECT_TRUE(contains(usage_error_of("lr"), "expected NAME=SPEC"));
  EXPECT_TRUE(contains(usage_error_of("lr=gauss:0:1"), "unknown spec 'gauss:0:1'"));
  EXPECT_TRUE(contains(usage_error_of("lr=log:1e-2"), "expected LOW:HIGH"));
  EXPECT_TRUE(contains(usage_error_of("lr=log:0:1"), "0 < LOW"));
  EXPECT_TRUE(contains(usage_error_of("lr=uniform:1:0.5"), "LOW must not exceed HIGH"));
  EXPECT_TRUE(contains(usage_error_of("lr=uniform:a:1"), "LOW is 'a'"));
  EXPECT_TRUE(contains(usage_error_of("lr=int:1:3"), "lr takes log:LOW:HIGH, uniform"));
  EXPECT_TRUE(contains(usage_error_of("batch-size=log:1:64"), "int:LOW:HIGH or choice"));
  EXPECT_TRUE(contains(usage_error_of("batch-size=int:1.5:4"), "LOW is '1.5'"));
  EXPECT_TRUE(contains(usage_error_of("batch-size=choice:32,big"), "'big' is not an integer"));
  EXPECT_TRUE(contains(usage_error_of("optimizer=uniform:0:1"), "takes choice:A,B,..."));
  EXPECT_TRUE(contains(usage_error_of("lr=choice:0.1,,0.2"), "an empty value"));
  EXPECT_TRUE(contains(usage_error_of("lr=choice:0.1,nan"), "'nan' is not a number"));
}

TEST(SweepSpace, RandomValuesStayInTheirRanges) {
  const std::vector<ParamSpec> specs{
      parse_param("lr=log:1e-4:1e-2"), parse_param("weight-decay=uniform:0.1:0.2"),
      parse_param("hidden=int:3:5"), parse_param("optimizer=choice:sgd,adam,adamw")};
  std::set<long> hidden_seen;
  std::set<std::string> optimizers_seen;
  int below_1e3 = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const json p = random_params(specs, 7, trial);
    ASSERT_EQ(p.size(), 4u);
    EXPECT_GE(p["lr"].get<double>(), 1e-4);
    EXPECT_LE(p["lr"].get<double>(), 1e-2);
    below_1e3 += p["lr"].get<double>() < 1e-3;
    EXPECT_GE(p["weight_decay"].get<double>(), 0.1);
    EXPECT_LE(p["weight_decay"].get<double>(), 0.2);
    ASSERT_TRUE(p["hidden"].is_number_integer());
    hidden_seen.insert(p["hidden"].get<long>());
    optimizers_seen.insert(p["optimizer"].get<std::string>());
  }
  EXPECT_EQ(hidden_seen, (std::set<long>{3, 4, 5}));
  EXPECT_EQ(optimizers_seen, (std::set<std::string>{"sgd", "adam", "adamw"}));
  // Log-uniform: half the draws below the geometric middle (1e-3), not a tenth as uniform gives.
  EXPECT_GT(below_1e3, 140);
  EXPECT_LT(below_1e3, 260);
}

TEST(SweepSpace, RandomIntegersCoverRangesWiderThanHalfTheLongs) {
  for (const char* text : {"hidden=int:-9000000000000000000:9000000000000000000",
                           "hidden=int:-9223372036854775808:9223372036854775807"}) {
    const std::vector<ParamSpec> specs{parse_param(text)};
    int above = 0;
    int below = 0;
    for (int trial = 0; trial < 200; ++trial) {
      const long value = random_params(specs, 3, trial)["hidden"].get<long>();
      if (std::string(text).find("9000") != std::string::npos) {
        EXPECT_GE(value, -9000000000000000000L);
        EXPECT_LE(value, 9000000000000000000L);
      }
      above += value > 1000000000000000000L;
      below += value < -1000000000000000000L;
    }
    EXPECT_GT(above, 40) << text;
    EXPECT_GT(below, 40) << text;
  }
}

TEST(SweepSpace, RandomTrialsDependOnlyOnSeedAndNumber) {
  const std::vector<ParamSpec> specs{parse_param("lr=log:1e-4:1e-2"),
                                     parse_param("batch-size=choice:32,64,128")};
  EXPECT_EQ(random_params(specs, 3, 5), random_params(specs, 3, 5));
  EXPECT_NE(random_params(specs, 3, 5)["lr"], random_params(specs, 3, 6)["lr"]);
  EXPECT_NE(random_params(specs, 3, 5)["lr"], random_params(specs, 4, 5)["lr"]);
  // Reals are kept to 12 significant digits, so they print as they compare.
  const double lr = random_params(specs, 3, 5)["lr"].get<double>();
  char text[32];
  std::snprintf(text, sizeof text, "%.12g", lr);
  EXPECT_EQ(std::strtod(text, nullptr), lr);
}

TEST(SweepSpace, GridEnumeratesEveryCombinationLastParamFastest) {
  const std::vector<ParamSpec> specs{parse_param("lr=log:1e-4:1e-2"),
                                     parse_param("batch-size=choice:32,64")};
  EXPECT_EQ(grid_values(specs[0], 3), (std::vector<json>{1e-4, 1e-3, 1e-2}));
  EXPECT_EQ(grid_size(specs, 3), 6);
  EXPECT_EQ(grid_params(specs, 3, 0), (json{{"lr", 1e-4}, {"batch_size", 32}}));
  EXPECT_EQ(grid_params(specs, 3, 1), (json{{"lr", 1e-4}, {"batch_size", 64}}));
  EXPECT_EQ(grid_params(specs, 3, 2), (json{{"lr", 1e-3}, {"batch_size", 32}}));
  EXPECT_EQ(grid_params(specs, 3, 5), (json{{"lr", 1e-2}, {"batch_size", 64}}));
  std::set<std::string> all;
  for (int k = 0; k < 6; ++k) all.insert(grid_params(specs, 3, k).dump());
  EXPECT_EQ(all.size(), 6u);
}

TEST(SweepSpace, GridPointsOfUniformAndIntRanges) {
  EXPECT_EQ(grid_values(parse_param("momentum=uniform:0:1"), 5),
            (std::vector<json>{0.0, 0.25, 0.5, 0.75, 1.0}));
  // Integers: evenly spaced, rounded, each once.
  EXPECT_EQ(grid_values(parse_param("hidden=int:2:4"), 5), (std::vector<json>{2, 3, 4}));
  EXPECT_EQ(grid_values(parse_param("hidden=int:0:10"), 3), (std::vector<json>{0, 5, 10}));
  EXPECT_EQ(grid_values(parse_param("lr=uniform:0:1"), 1), (std::vector<json>{0.5}));
}

TEST(SweepSpace, ParamsSetTheirTrainConfigFields) {
  minitorch::app::TrainConfig base;
  const auto config = minitorch::app::with_params(
      base, json{{"lr", 0.02}, {"batch_size", 16}, {"optimizer", "sgd"}, {"hidden", 7}});
  EXPECT_DOUBLE_EQ(config.lr, 0.02);
  EXPECT_EQ(config.batch_size, 16);
  EXPECT_EQ(config.optimizer, "sgd");
  EXPECT_EQ(config.hidden, 7);
  EXPECT_EQ(config.epochs, base.epochs);
  EXPECT_EQ(minitorch::app::params_text(json{{"batch_size", 16}, {"lr", 0.02}}),
            "batch_size=16 lr=0.02");
}

TEST(SweepSpace, ValuesToCheckAreTheRangeEndsOrEveryChoice) {
  EXPECT_EQ(minitorch::app::values_to_check(parse_param("lr=log:1e-4:0.5")),
            (std::vector<std::string>{"0.0001", "0.5"}));
  EXPECT_EQ(minitorch::app::values_to_check(parse_param("batch-size=int:0:8")),
            (std::vector<std::string>{"0", "8"}));
  EXPECT_EQ(minitorch::app::values_to_check(parse_param("schedule=choice:none,cosine")),
            (std::vector<std::string>{"none", "cosine"}));
}

}  // namespace
