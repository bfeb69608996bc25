// The search space of `minitorch sweep`: one ParamSpec per --param NAME=SPEC, and the two
// samplers that turn trial numbers into parameter values.
//
// NAME is a flag of `minitorch train` that a sweep may vary (sweepable_params(): lr, batch-size,
// weight-decay, momentum, optimizer, schedule, step-size, gamma, hidden, embedding-dim, ...; the
// TrainConfig field name, e.g. batch_size, is accepted too). SPEC is one of
//   log:LOW:HIGH      a real number, log-uniform in [LOW, HIGH] (0 < LOW <= HIGH)
//   uniform:LOW:HIGH  a real number, uniform in [LOW, HIGH]
//   int:LOW:HIGH      an integer, uniform in {LOW, ..., HIGH}
//   choice:A,B,C      one of the listed values (numbers or names, as the flag takes)
// Real flags take log, uniform and choice; integer flags int and choice; named ones (optimizer,
// schedule) choice only. parse_param throws UsageError naming the --param and what is accepted.
// It checks the form of the spec only; whether each value is one the flag accepts is checked by
// the command (against the flag's own validator).
//
// A trial's parameters are a JSON object {field name: value} (e.g. {"batch_size": 64, "lr":
// 0.001}), reals rounded to 12 significant digits so they print and compare as written.
// random_params depends only on (seed, trial): the same sweep draws the same trial again, however
// it was interrupted. The grid enumerates every combination, the last --param varying fastest:
// choice params their values, numeric ranges grid_points values from LOW to HIGH (log-spaced for
// log, rounded and deduplicated for int).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/train_config.h"

namespace minitorch::app {

enum class ValueType { Real, Integer, Name };

struct SweepableParam {
  std::string flag;   // "batch-size", as train takes it (without "--")
  std::string field;  // "batch_size", as config.json and sweep.json name it
  ValueType type;
};

const std::vector<SweepableParam>& sweepable_params();

struct ParamSpec {
  enum class Kind { Log, Uniform, Int, Choice };
  SweepableParam param;
  std::string spec;  // as given: "log:1e-4:1e-2"
  Kind kind = Kind::Choice;
  double low = 0.0, high = 0.0;         // log, uniform, int
  std::vector<nlohmann::json> choices;  // choice: numbers (Real, Integer) or strings (Name)
};

// "lr=log:1e-4:1e-2" → the spec; UsageError for an unknown name or a malformed spec.
ParamSpec parse_param(const std::string& text);

// The values a spec can take as strings, as they would be given to the flag: for a range its two
// ends, for a choice every value (for checking them against the flag).
std::vector<std::string> values_to_check(const ParamSpec& spec);

nlohmann::json random_params(const std::vector<ParamSpec>& specs, std::uint64_t seed, int trial);

// Every value a spec takes in the grid.
std::vector<nlohmann::json> grid_values(const ParamSpec& spec, int grid_points);
// The number of combinations (saturates at INT32_MAX).
int grid_size(const std::vector<ParamSpec>& specs, int grid_points);
// Combination number `trial` (0 <= trial < grid_size).
nlohmann::json grid_params(const std::vector<ParamSpec>& specs, int grid_points, int trial);

// `config` with the trial's parameters set (field names as sweepable_params() names them).
TrainConfig with_params(TrainConfig config, const nlohmann::json& params);

// "lr=0.001 batch_size=64"
std::string params_text(const nlohmann::json& params);

}  // namespace minitorch::app
