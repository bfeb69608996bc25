#include "program_runner.h"

#include <algorithm>
#include <functional>
#include <map>

#include "minitorch/core/error.h"
#include "minitorch/nn/functional.h"
#include "minitorch/nn/losses.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::difftest {
namespace {

namespace F = nn::functional;
using Args = std::vector<Tensor>;
using Attrs = nlohmann::json;
using OpRunner = std::function<Tensor(const Args&, const Attrs&)>;

Shape shape_attr(const Attrs& a, const char* key) {
  return a.at(key).get<Shape>();
}

std::int64_t int_attr(const Attrs& a, const char* key) {
  return a.at(key).get<std::int64_t>();
}

const std::map<std::string, OpRunner>& op_runners() {
  static const std::map<std::string, OpRunner> runners{
      {"neg", [](const Args& x, const Attrs&) { return x[0].neg(); }},
      {"inv", [](const Args& x, const Attrs&) { return x[0].inv(); }},
      {"log", [](const Args& x, const Attrs&) { return x[0].log(); }},
      {"exp", [](const Args& x, const Attrs&) { return x[0].exp(); }},
      {"sigmoid", [](const Args& x, const Attrs&) { return x[0].sigmoid(); }},
      {"relu", [](const Args& x, const Attrs&) { return x[0].relu(); }},
      {"tanh", [](const Args& x, const Attrs&) { return x[0].tanh(); }},
      {"sqrt", [](const Args& x, const Attrs&) { return x[0].sqrt(); }},
      {"pow",
       [](const Args& x, const Attrs& a) { return x[0].pow(a.at("exponent").get<double>()); }},
      {"add", [](const Args& x, const Attrs&) { return x[0].add(x[1]); }},
      {"sub", [](const Args& x, const Attrs&) { return x[0].sub(x[1]); }},
      {"mul", [](const Args& x, const Attrs&) { return x[0].mul(x[1]); }},
      {"div", [](const Args& x, const Attrs&) { return x[0].div(x[1]); }},
      {"maximum", [](const Args& x, const Attrs&) { return x[0].maximum(x[1]); }},
      {"lt", [](const Args& x, const Attrs&) { return x[0].lt(x[1]); }},
      {"gt", [](const Args& x, const Attrs&) { return x[0].gt(x[1]); }},
      {"eq", [](const Args& x, const Attrs&) { return x[0].eq(x[1]); }},
      {"where", [](const Args& x, const Attrs&) { return where(x[0], x[1], x[2]); }},
      {"sum",
       [](const Args& x, const Attrs& a) {
         return x[0].sum(int_attr(a, "dim"), a.at("keepdim").get<bool>());
       }},
      {"sum_all", [](const Args& x, const Attrs&) { return x[0].sum(); }},
      {"mean",
       [](const Args& x, const Attrs& a) {
         return x[0].mean(int_attr(a, "dim"), a.at("keepdim").get<bool>());
       }},
      {"mean_all", [](const Args& x, const Attrs&) { return x[0].mean(); }},
      {"max",
       [](const Args& x, const Attrs& a) {
         return x[0].max(int_attr(a, "dim"), a.at("keepdim").get<bool>()).first;
       }},
      {"max_all", [](const Args& x, const Attrs&) { return x[0].max(); }},
      {"argmax",
       [](const Args& x, const Attrs& a) {
         return x[0].argmax(int_attr(a, "dim"), a.at("keepdim").get<bool>());
       }},
      {"permute",
       [](const Args& x, const Attrs& a) {
         return x[0].permute(a.at("order").get<std::vector<std::int64_t>>());
       }},
      {"transpose",
       [](const Args& x, const Attrs& a) {
         return x[0].transpose(int_attr(a, "dim0"), int_attr(a, "dim1"));
       }},
      {"view", [](const Args& x, const Attrs& a) { return x[0].view(shape_attr(a, "shape")); }},
      {"reshape",
       [](const Args& x, const Attrs& a) { return x[0].reshape(shape_attr(a, "shape")); }},
      {"contiguous", [](const Args& x, const Attrs&) { return x[0].contiguous(); }},
      {"expand", [](const Args& x, const Attrs& a) { return x[0].expand(shape_attr(a, "shape")); }},
      {"narrow",
       [](const Args& x, const Attrs& a) {
         return x[0].narrow(int_attr(a, "dim"), int_attr(a, "start"), int_attr(a, "length"));
       }},
      {"select",
       [](const Args& x, const Attrs& a) {
         return x[0].select(int_attr(a, "dim"), int_attr(a, "index"));
       }},
      {"unsqueeze",
       [](const Args& x, const Attrs& a) { return x[0].unsqueeze(int_attr(a, "dim")); }},
      {"squeeze", [](const Args& x, const Attrs& a) { return x[0].squeeze(int_attr(a, "dim")); }},
      {"flatten", [](const Args& x, const Attrs&) { return x[0].flatten(); }},
      {"matmul", [](const Args& x, const Attrs&) { return x[0].matmul(x[1]); }},
      {"clone", [](const Args& x, const Attrs&) { return x[0].clone(); }},
      {"cat",
       [](const Args& x, const Attrs& a) {
         return cat({x[0], x[1]}, int_attr(a, "dim"));
       }},
      {"softmax",
       [](const Args& x, const Attrs& a) { return F::softmax(x[0], int_attr(a, "dim")); }},
      {"log_softmax",
       [](const Args& x, const Attrs& a) { return F::log_softmax(x[0], int_attr(a, "dim")); }},
      {"mse_loss", [](const Args& x, const Attrs&) { return F::mse_loss(x[0], x[1]); }},
      {"binary_cross_entropy_with_logits",
       [](const Args& x, const Attrs&) { return F::binary_cross_entropy_with_logits(x[0], x[1]); }},
      {"cross_entropy", [](const Args& x, const Attrs&) { return F::cross_entropy(x[0], x[1]); }},
      {"nll_loss", [](const Args& x, const Attrs&) { return F::nll_loss(x[0], x[1]); }},
      {"embedding", [](const Args& x, const Attrs&) { return embedding(x[0], x[1]); }},
  };
  return runners;
}

std::vector<Tensor> make_leaves(const Program& program, const Backend& backend, Dtype dtype) {
  std::vector<Tensor> leaves;
  for (const auto& input : program.inputs) {
    leaves.push_back(
        from_vector(input.values, input.shape,
                    {.dtype = dtype, .requires_grad = input.requires_grad, .backend = &backend}));
  }
  return leaves;
}

// The program's upstream values repeated to fill the output's shape.
Tensor upstream_for(const Program& program, const Tensor& out) {
  std::vector<double> values(static_cast<std::size_t>(out.numel()));
  for (std::size_t i = 0; i < values.size(); ++i) {
    values[i] = program.upstream[i % program.upstream.size()];
  }
  return from_vector(values, out.shape(), options_like(out));
}

}  // namespace

bool is_known_op(const std::string& op) {
  return op_runners().contains(op);
}

RunResult run_program(const Program& program, const Backend& backend, Dtype dtype) {
  RunResult result;
  try {
    const std::vector<Tensor> leaves = make_leaves(program, backend, dtype);
    for (const Tensor& leaf : leaves) {
      result.largest_numel = std::max(result.largest_numel, leaf.numel());
    }
    std::vector<Tensor> values = leaves;
    for (const Step& step : program.steps) {
      Args args;
      for (auto i : step.args) args.push_back(values.at(i));
      values.push_back(op_runners().at(step.op)(args, step.attrs));
      result.largest_numel = std::max(result.largest_numel, values.back().numel());
    }
    const Tensor& out = values.back();
    result.shape = out.shape();
    result.values = out.to_vector();
    if (out.requires_grad()) out.backward(upstream_for(program, out));
    for (const Tensor& leaf : leaves) {
      if (leaf.has_grad()) {
        result.grads.emplace_back(leaf.grad().to_vector());
      } else {
        result.grads.emplace_back(std::nullopt);
      }
    }
  } catch (const Error& error) {
    result.error = error.what();
  }
  return result;
}

}  // namespace minitorch::difftest
