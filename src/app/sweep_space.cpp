#include "app/sweep_space.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <optional>

#include "app/usage_error.h"
#include "minitorch/core/generator.h"

namespace minitorch::app {
namespace {

const char* const kSpecForms = "log:LOW:HIGH, uniform:LOW:HIGH, int:LOW:HIGH or choice:A,B,...";

std::string accepted_names() {
  std::string out;
  for (const auto& p : sweepable_params()) out += (out.empty() ? "" : ", ") + p.flag;
  return out;
}

std::optional<double> parse_real(const std::string& text) {
  double value = 0.0;
  const char* end = text.data() + text.size();
  const auto [last, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || last != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<long> parse_integer(const std::string& text) {
  long value = 0;
  const char* end = text.data() + text.size();
  const auto [last, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || last != end) return std::nullopt;
  return value;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = text.find(separator, start);
    parts.push_back(text.substr(start, at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

// Reals as 12 significant digits: 10^-3 drawn as exp(log(...)) prints as 0.001, not 0.000999...
double rounded(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.12g", x);
  return std::strtod(text, nullptr);
}

std::string number_text(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.12g", x);
  return text;
}

const SweepableParam& find_param(const std::string& name, const std::string& given) {
  for (const auto& p : sweepable_params()) {
    if (p.flag == name || p.field == name) return p;
  }
  throw UsageError("--param " + given + ": unknown parameter '" + name +
                   "'; expected one of: " + accepted_names());
}

[[noreturn]] void bad_spec(const std::string& given, const std::string& why) {
  throw UsageError("--param " + given + ": " + why);
}

std::string kinds_for(ValueType type) {
  switch (type) {
    case ValueType::Real:
      return "log:LOW:HIGH, uniform:LOW:HIGH or choice:A,B,...";
    case ValueType::Integer:
      return "int:LOW:HIGH or choice:A,B,...";
    case ValueType::Name:
      return "choice:A,B,...";
  }
  return kSpecForms;
}

void parse_range(ParamSpec& spec, const std::string& body, const std::string& given) {
  const std::vector<std::string> ends = split(body, ':');
  if (ends.size() != 2)
    bad_spec(given, "expected LOW:HIGH after '" + split(spec.spec, ':')[0] + ":'");
  const bool integer = spec.kind == ParamSpec::Kind::Int;
  for (std::size_t i = 0; i < 2; ++i) {
    std::optional<double> value = parse_real(ends[i]);
    if (integer) {
      const std::optional<long> whole = parse_integer(ends[i]);
      value = whole ? std::optional<double>(double(*whole)) : std::nullopt;
    }
    if (!value) {
      bad_spec(given, std::string(i == 0 ? "LOW" : "HIGH") + " is '" + ends[i] + "'; expected " +
                          (integer ? "an integer" : "a finite number"));
    }
    (i == 0 ? spec.low : spec.high) = *value;
  }
  if (spec.low > spec.high) bad_spec(given, "LOW must not exceed HIGH");
  if (spec.kind == ParamSpec::Kind::Log && spec.low <= 0) {
    bad_spec(given, "a log range needs 0 < LOW; got " + ends[0]);
  }
}

void parse_choices(ParamSpec& spec, const std::string& body, const std::string& given) {
  for (const std::string& item : split(body, ',')) {
    if (item.empty()) bad_spec(given, "an empty value in the choice list; expected choice:A,B,...");
    switch (spec.param.type) {
      case ValueType::Real: {
        const auto value = parse_real(item);
        if (!value)
          bad_spec(given, "'" + item + "' is not a number; " + spec.param.flag + " takes numbers");
        spec.choices.emplace_back(*value);
        break;
      }
      case ValueType::Integer: {
        const auto value = parse_integer(item);
        if (!value)
          bad_spec(given,
                   "'" + item + "' is not an integer; " + spec.param.flag + " takes integers");
        spec.choices.emplace_back(*value);
        break;
      }
      case ValueType::Name:
        spec.choices.emplace_back(item);
        break;
    }
  }
}

nlohmann::json value_at(const ParamSpec& spec, double fraction) {
  // fraction in [0, 1]: where in the range the value lies.
  switch (spec.kind) {
    case ParamSpec::Kind::Log:
      return rounded(
          std::exp(std::log(spec.low) + fraction * (std::log(spec.high) - std::log(spec.low))));
    case ParamSpec::Kind::Uniform:
      return rounded(spec.low + fraction * (spec.high - spec.low));
    case ParamSpec::Kind::Int:
      return std::lround(spec.low + fraction * (spec.high - spec.low));
    case ParamSpec::Kind::Choice:
      break;
  }
  return nullptr;
}

// A generator of its own for each trial, seeded from (seed, trial) by splitmix64's finaliser.
std::uint64_t trial_seed(std::uint64_t seed, int trial) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (std::uint64_t(trial) + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

using Setter = std::function<void(TrainConfig&, const nlohmann::json&)>;

template <class T>
Setter set(T TrainConfig::*field) {
  return [field](TrainConfig& c, const nlohmann::json& v) { c.*field = v.get<T>(); };
}

const std::map<std::string, Setter>& setters() {
  static const std::map<std::string, Setter> table{
      {"lr", set(&TrainConfig::lr)},
      {"batch_size", set(&TrainConfig::batch_size)},
      {"weight_decay", set(&TrainConfig::weight_decay)},
      {"momentum", set(&TrainConfig::momentum)},
      {"optimizer", set(&TrainConfig::optimizer)},
      {"schedule", set(&TrainConfig::schedule)},
      {"step_size", set(&TrainConfig::step_size)},
      {"gamma", set(&TrainConfig::gamma)},
      {"hidden", set(&TrainConfig::hidden)},
      {"embedding_dim", set(&TrainConfig::embedding_dim)},
      {"max_length", set(&TrainConfig::max_length)},
      {"vocab_size", set(&TrainConfig::vocab_size)},
      {"min_frequency", set(&TrainConfig::min_frequency)},
      {"points", set(&TrainConfig::points)},
  };
  return table;
}

}  // namespace

const std::vector<SweepableParam>& sweepable_params() {
  static const std::vector<SweepableParam> params{
      {"lr", "lr", ValueType::Real},
      {"batch-size", "batch_size", ValueType::Integer},
      {"weight-decay", "weight_decay", ValueType::Real},
      {"momentum", "momentum", ValueType::Real},
      {"optimizer", "optimizer", ValueType::Name},
      {"schedule", "schedule", ValueType::Name},
      {"step-size", "step_size", ValueType::Integer},
      {"gamma", "gamma", ValueType::Real},
      {"hidden", "hidden", ValueType::Integer},
      {"embedding-dim", "embedding_dim", ValueType::Integer},
      {"max-length", "max_length", ValueType::Integer},
      {"vocab-size", "vocab_size", ValueType::Integer},
      {"min-frequency", "min_frequency", ValueType::Integer},
      {"points", "points", ValueType::Integer},
  };
  return params;
}

ParamSpec parse_param(const std::string& text) {
  const std::size_t equals = text.find('=');
  if (equals == std::string::npos) {
    throw UsageError("--param " + text + ": expected NAME=SPEC with SPEC " + kSpecForms);
  }
  ParamSpec spec;
  spec.param = find_param(text.substr(0, equals), text);
  spec.spec = text.substr(equals + 1);
  const std::size_t colon = spec.spec.find(':');
  const std::string kind = spec.spec.substr(0, colon);
  const std::string body = colon == std::string::npos ? "" : spec.spec.substr(colon + 1);
  static const std::map<std::string, ParamSpec::Kind> kinds{{"log", ParamSpec::Kind::Log},
                                                            {"uniform", ParamSpec::Kind::Uniform},
                                                            {"int", ParamSpec::Kind::Int},
                                                            {"choice", ParamSpec::Kind::Choice}};
  const auto found = kinds.find(kind);
  if (colon == std::string::npos || found == kinds.end()) {
    bad_spec(text, "unknown spec '" + spec.spec + "'; expected " + kSpecForms);
  }
  spec.kind = found->second;
  const ValueType type = spec.param.type;
  const bool fits = spec.kind == ParamSpec::Kind::Choice ||
                    (type == ValueType::Real && spec.kind != ParamSpec::Kind::Int) ||
                    (type == ValueType::Integer && spec.kind == ParamSpec::Kind::Int);
  if (!fits) {
    bad_spec(text, spec.param.flag + " takes " + kinds_for(type) + "; got '" + kind + ":'");
  }
  if (spec.kind == ParamSpec::Kind::Choice) {
    parse_choices(spec, body, text);
  } else {
    parse_range(spec, body, text);
  }
  return spec;
}

std::vector<std::string> values_to_check(const ParamSpec& spec) {
  std::vector<std::string> out;
  if (spec.kind != ParamSpec::Kind::Choice) {
    const bool integer = spec.kind == ParamSpec::Kind::Int;
    for (double end : {spec.low, spec.high}) {
      out.push_back(integer ? std::to_string(std::lround(end)) : number_text(end));
    }
    return out;
  }
  for (const auto& choice : spec.choices) {
    if (choice.is_string()) {
      out.push_back(choice.get<std::string>());
    } else if (choice.is_number_integer()) {
      out.push_back(std::to_string(choice.get<long>()));
    } else {
      out.push_back(number_text(choice.get<double>()));
    }
  }
  return out;
}

namespace {

// An int: end as a long; the ends were parsed as longs, but held as doubles they may round to
// one past the largest long.
long integer_end(double end) {
  constexpr double two_to_63 = 9223372036854775808.0;
  if (end >= two_to_63) return std::numeric_limits<long>::max();
  if (end <= -two_to_63) return std::numeric_limits<long>::min();
  return std::lround(end);
}

// Uniform over [low, high] in unsigned arithmetic: high - low overflows a long for wide ranges,
// and the count of the whole long range wraps to 0.
long random_integer(const ParamSpec& spec, Generator& generator) {
  const auto low = std::uint64_t(integer_end(spec.low));
  const std::uint64_t count = std::uint64_t(integer_end(spec.high)) - low + 1;
  const std::uint64_t draw = generator.next_u64();
  return long(low + (count == 0 ? draw : draw % count));
}

}  // namespace

nlohmann::json random_params(const std::vector<ParamSpec>& specs, std::uint64_t seed, int trial) {
  Generator generator(trial_seed(seed, trial));
  nlohmann::json params = nlohmann::json::object();
  for (const ParamSpec& spec : specs) {
    nlohmann::json value;
    switch (spec.kind) {
      case ParamSpec::Kind::Choice:
        value = spec.choices[generator.next_u64() % spec.choices.size()];
        break;
      case ParamSpec::Kind::Int:
        value = random_integer(spec, generator);
        break;
      default:
        value = value_at(spec, generator.uniform());
        break;
    }
    params[spec.param.field] = value;
  }
  return params;
}

std::vector<nlohmann::json> grid_values(const ParamSpec& spec, int grid_points) {
  if (spec.kind == ParamSpec::Kind::Choice) return spec.choices;
  std::vector<nlohmann::json> values;
  for (int i = 0; i < grid_points; ++i) {
    const double fraction = grid_points == 1 ? 0.5 : double(i) / double(grid_points - 1);
    nlohmann::json value = value_at(spec, fraction);
    if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
  }
  return values;
}

int grid_size(const std::vector<ParamSpec>& specs, int grid_points) {
  long long size = 1;
  for (const ParamSpec& spec : specs) {
    size *= static_cast<long long>(grid_values(spec, grid_points).size());
    if (size > INT_MAX) return INT_MAX;
  }
  return static_cast<int>(size);
}

nlohmann::json grid_params(const std::vector<ParamSpec>& specs, int grid_points, int trial) {
  nlohmann::json params = nlohmann::json::object();
  long long rest = trial;
  for (auto spec = specs.rbegin(); spec != specs.rend(); ++spec) {
    const std::vector<nlohmann::json> values = grid_values(*spec, grid_points);
    const auto count = static_cast<long long>(values.size());
    params[spec->param.field] = values[std::size_t(rest % count)];
    rest /= count;
  }
  return params;
}

TrainConfig with_params(TrainConfig config, const nlohmann::json& params) {
  for (const auto& [field, value] : params.items()) {
    const auto setter = setters().find(field);
    if (setter == setters().end()) {
      throw Error("sweep: unknown parameter '" + field + "'; expected one of: " + accepted_names());
    }
    setter->second(config, value);
  }
  return config;
}

std::string params_text(const nlohmann::json& params) {
  std::string out;
  for (const auto& [field, value] : params.items()) {
    out += (out.empty() ? "" : " ") + field + "=" +
           (value.is_string()           ? value.get<std::string>()
            : value.is_number_integer() ? std::to_string(value.get<long>())
                                        : number_text(value.get<double>()));
  }
  return out;
}

}  // namespace minitorch::app
