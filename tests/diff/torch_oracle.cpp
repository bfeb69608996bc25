#include "torch_oracle.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "minitorch/core/error.h"

namespace minitorch::difftest {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

// A scratch directory of this process, removed at exit.
class Scratch {
 public:
  Scratch()
      : path_(std::filesystem::temp_directory_path() /
              ("minitorch_diff_" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path_);
  }
  ~Scratch() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::filesystem::path file(const char* name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

const Scratch& scratch() {
  static const Scratch dir;
  return dir;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs the driver with `arguments` on the programs; returns its standard output.
std::string run_driver(const std::vector<Program>& programs, const std::string& arguments) {
  nlohmann::json request{{"programs", nlohmann::json::array()}};
  for (const auto& p : programs) request["programs"].push_back(to_json(p));
  const auto in = scratch().file("request.json"), out = scratch().file("response.json"),
             err = scratch().file("stderr.txt");
  std::ofstream(in) << request.dump();
  const std::string command = std::string(kPython) + " " + MINITORCH_DIFF_DRIVER + " " + arguments +
                              " < " + in.string() + " > " + out.string() + " 2> " + err.string();
  if (std::system(command.c_str()) != 0) {
    throw Error("torch_driver.py failed: " + read_file(err));
  }
  return read_file(out);
}

std::optional<std::vector<double>> optional_values(const nlohmann::json& j) {
  if (j.is_null()) return std::nullopt;
  return j.get<std::vector<double>>();
}

TorchResult parse_result(const nlohmann::json& j) {
  TorchResult r;
  if (j.contains("error")) {
    r.error = j["error"].get<std::string>();
    return r;
  }
  r.shape = j["shape"].get<Shape>();
  r.values = j["values"].get<std::vector<double>>();
  for (const auto& g : j["grads"]) r.grads.push_back(optional_values(g));
  r.value_scale = j["value_scale"].get<double>();
  r.grad_scale = j["grad_scale"].get<double>();
  r.nonfinite = j.value("nonfinite", false);
  return r;
}

}  // namespace

std::string torch_unavailable_reason() {
  const std::string command = std::string(kPython) + " -c 'import torch' > /dev/null 2>&1";
  if (std::system(command.c_str()) == 0) return "";
  return std::string(kPython) + " cannot import torch (install python3-torch)";
}

std::vector<TorchResult> run_torch(const std::vector<Program>& programs) {
  const auto response = nlohmann::json::parse(run_driver(programs, ""));
  std::vector<TorchResult> results;
  for (const auto& j : response.at("results")) results.push_back(parse_result(j));
  if (results.size() != programs.size()) throw Error("torch_driver.py: result count differs");
  return results;
}

std::string torch_script(const Program& program) {
  return run_driver({program}, "--script");
}

}  // namespace minitorch::difftest
