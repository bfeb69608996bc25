#include "program.h"

namespace minitorch::difftest {

nlohmann::json to_json(const Program& program) {
  nlohmann::json inputs = nlohmann::json::array();
  for (const auto& input : program.inputs) {
    inputs.push_back(
        {{"shape", input.shape}, {"values", input.values}, {"grad", input.requires_grad}});
  }
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& step : program.steps) {
    steps.push_back({{"op", step.op}, {"args", step.args}, {"attrs", step.attrs}});
  }
  return {{"inputs", inputs}, {"steps", steps}, {"upstream", program.upstream}};
}

std::string describe(const Program& program) {
  std::string out;
  for (std::size_t i = 0; i < program.inputs.size(); ++i) {
    out += "v" + std::to_string(i) + " = input " + shape_to_string(program.inputs[i].shape) + "\n";
  }
  for (std::size_t k = 0; k < program.steps.size(); ++k) {
    const Step& step = program.steps[k];
    out += "v" + std::to_string(program.inputs.size() + k) + " = " + step.op + "(";
    for (std::size_t a = 0; a < step.args.size(); ++a) {
      out += (a ? ", v" : "v") + std::to_string(step.args[a]);
    }
    out += ") " + step.attrs.dump() + "\n";
  }
  return out;
}

Program without_dead_code(const Program& program) {
  const std::size_t n_in = program.inputs.size();
  std::vector<bool> live(n_in + program.steps.size(), false);
  live.back() = true;
  for (std::size_t k = program.steps.size(); k-- > 0;) {
    if (!live[n_in + k]) continue;
    for (auto a : program.steps[k].args) live[a] = true;
  }
  std::vector<std::size_t> number(live.size());
  Program out;
  out.upstream = program.upstream;
  for (std::size_t i = 0; i < n_in; ++i) {
    if (!live[i]) continue;
    number[i] = out.inputs.size();
    out.inputs.push_back(program.inputs[i]);
  }
  std::size_t next = out.inputs.size();
  for (std::size_t k = 0; k < program.steps.size(); ++k) {
    if (!live[n_in + k]) continue;
    number[n_in + k] = next++;
    Step step = program.steps[k];
    for (auto& a : step.args) a = number[a];
    out.steps.push_back(std::move(step));
  }
  return out;
}

}  // namespace minitorch::difftest
