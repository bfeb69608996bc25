// Golden-value tests: minitorch against fixtures that PyTorch computed.
//
// tests/fixtures/golden_tensor.json is written by scripts/make_golden_fixtures.py (PyTorch,
// float64) and checked in; this test needs no Python. For each case it builds the inputs as
// float64 leaves that require grad (except those the fixture marks "requires_grad": false: what
// PyTorch drew at random, such as a dropout mask, or a parameter), evaluates the case's
// expression (kCases below), compares the forward output, reduces it exactly as the script did
// (out.sum(), or (out * g).sum() with the fixture's upstream gradient g) and calls backward(),
// then compares the grad() of every input that requires grad.
// Tolerance: |got - expected| <= 1e-10 * |expected| + 1e-12.
//
// The expressions live twice, in the script's CASES and in kCases here, keyed by the case name;
// GoldenFixtures.CaseTablesMatch fails when the two tables do not list the same cases.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <minitorch/minitorch.h>
#include <nlohmann/json.hpp>

#ifndef MINITORCH_FIXTURES_DIR
#error "MINITORCH_FIXTURES_DIR must name the tests/fixtures directory"
#endif

namespace {

using minitorch::Shape;
using minitorch::Tensor;
using nlohmann::json;

constexpr double kRelativeTolerance = 1e-10;
constexpr double kAbsoluteTolerance = 1e-12;

// The named inputs of one case; asking for a name the fixture lacks fails the test.
class Inputs {
 public:
  explicit Inputs(std::map<std::string, Tensor> tensors) : tensors_(std::move(tensors)) {}
  const Tensor& operator[](const std::string& name) const {
    const auto it = tensors_.find(name);
    if (it == tensors_.end()) {
      throw std::runtime_error("the expression uses input '" + name +
                               "', which the fixture does not have");
    }
    return it->second;
  }

 private:
  std::map<std::string, Tensor> tensors_;
};

using Expression = std::function<Tensor(const Inputs&)>;

Tensor log_softmax(const Tensor& a) {
  const Tensor m = a.max(1, /*keepdim=*/true).first;
  return a - (a - m).exp().sum(1, /*keepdim=*/true).log() - m;
}

Tensor bce_from_sigmoid(const Tensor& a, const Tensor& y) {
  const Tensor p = a.sigmoid();
  return -(y * p.log() + (1.0 - y) * (1.0 - p).log()).mean();
}

// Mirror of CASES in scripts/make_golden_fixtures.py, keyed by the same names.
const std::map<std::string, Expression>& cases() {
  static const std::map<std::string, Expression> kCases = {
      {"broadcast_mul_exp_sum_dim",
       [](const Inputs& x) { return (x["a"] * x["b"] + x["a"].exp()).sum(1); }},
      {"sigmoid_linear_mean",
       [](const Inputs& x) { return (x["x"].matmul(x["w"]) + x["bias"]).sigmoid().mean(); }},
      {"batched_matmul_broadcast_batch", [](const Inputs& x) { return x["a"].matmul(x["b"]); }},
      {"vector_matmul_matrix",
       [](const Inputs& x) { return x["v"].matmul(x["m"]) + x["n"].matmul(x["v"]); }},
      {"gram_matrix_batched_transpose",
       [](const Inputs& x) { return x["a"].matmul(x["a"].transpose(1, 2)); }},
      {"permute_mul_relu",
       [](const Inputs& x) {
         return (x["a"].permute({1, 0}) * x["c"]).relu();
       }},
      {"transpose_contiguous_view_mul",
       [](const Inputs& x) { return x["a"].transpose(0, 1).contiguous().view({-1}) * x["v"]; }},
      {"reshape_noncontiguous_then_view",
       [](const Inputs& x) {
         return x["a"].transpose(0, 2).reshape({4, 6}).view({2, 12}) * x["w"];
       }},
      {"where_from_comparison",
       [](const Inputs& x) {
         return minitorch::where(x["a"] > 0.0, x["a"] * x["b"], x["b"].tanh());
       }},
      {"max_dim_values", [](const Inputs& x) { return x["a"].max(1).first; }},
      {"maximum_times_global_max",
       [](const Inputs& x) { return x["a"].maximum(x["b"]) * x["a"].max() - x["b"].neg().exp(); }},
      {"log_softmax_basic_ops", [](const Inputs& x) { return log_softmax(x["a"]); }},
      {"pow_div_square_plus_one",
       [](const Inputs& x) { return x["a"].pow(3) / (x["b"] * x["b"] + 1.0); }},
      {"sqrt_log_inv_positive_mean_dim0",
       [](const Inputs& x) { return (x["a"].sqrt() + x["a"].log() - 1.0 / x["a"]).mean(0); }},
      {"narrow_times_select",
       [](const Inputs& x) {
         return x["a"].narrow(1, 1, 2) * x["a"].select(0, 1).narrow(0, 2, 2);
       }},
      {"expand_column",
       [](const Inputs& x) {
         return x["c"].expand({3, 4}) * x["d"] - x["c"];
       }},
      {"unsqueeze_outer_tanh_squeeze",
       [](const Inputs& x) {
         return (x["a"].unsqueeze(1) * x["b"].unsqueeze(0)).tanh().sum(1, true).squeeze(1);
       }},
      {"variance_mean_keepdim",
       [](const Inputs& x) { return (x["a"] - x["a"].mean(1, true)).pow(2).mean(1, true); }},
      {"mse_loss", [](const Inputs& x) { return (x["a"] - x["b"]).pow(2).mean(); }},
      {"bce_from_sigmoid", [](const Inputs& x) { return bce_from_sigmoid(x["a"], x["y"]); }},
      {"zero_dim_scalar_broadcast",
       [](const Inputs& x) { return (x["a"] * x["s"] + x["s"].exp()).sum(); }},
      {"one_element_matmul_tanh", [](const Inputs& x) { return x["u"].matmul(x["v"]).tanh(); }},
      {"nn_softmax_dim1",
       [](const Inputs& x) { return minitorch::nn::functional::softmax(x["a"] * 3.0, 1); }},
      {"nn_log_softmax_dim0",
       [](const Inputs& x) { return minitorch::nn::functional::log_softmax(x["a"] * 3.0, 0); }},
      {"nn_max_pool2d",
       [](const Inputs& x) {
         return minitorch::nn::functional::max_pool2d(x["a"], {2, 2});
       }},
      {"nn_avg_pool2d",
       [](const Inputs& x) {
         return minitorch::nn::functional::avg_pool2d(x["a"], {2, 3});
       }},
      {"nn_cross_entropy",
       [](const Inputs& x) {
         const auto target = minitorch::tensor({3, 0, 4, 1}, {.dtype = minitorch::kFloat64});
         return minitorch::nn::functional::cross_entropy(x["a"] * 2.0, target);
       }},
      {"nn_nll_loss",
       [](const Inputs& x) {
         const auto target = minitorch::tensor({1, 1, 0, 4}, {.dtype = minitorch::kFloat64});
         namespace F = minitorch::nn::functional;
         return F::nll_loss(F::log_softmax(x["a"], 1), target);
       }},
      {"nn_bce_with_logits",
       [](const Inputs& x) {
         return minitorch::nn::functional::binary_cross_entropy_with_logits(x["a"] * 4.0, x["y"]);
       }},
      {"nn_conv2d",
       [](const Inputs& x) {
         return minitorch::nn::functional::conv2d(
             x["x"], x["w"], x["b"], {.stride = {2, 1}, .padding = {1, 2}, .dilation = {1, 2}});
       }},
      {"nn_conv1d",
       [](const Inputs& x) {
         return minitorch::nn::functional::conv1d(x["x"], x["w"], x["b"],
                                                  {.stride = 2, .padding = 1});
       }},
      {"nn_max_pool2d_k3_s2",
       [](const Inputs& x) {
         return minitorch::nn::functional::max_pool2d(x["a"], {3, 3}, {2, 2});
       }},
      {"nn_avg_pool2d_k3_s2",
       [](const Inputs& x) {
         return minitorch::nn::functional::avg_pool2d(x["a"], {3, 3}, {2, 2});
       }},
      {"nn_max_pool2d_k3_s1_p1",
       [](const Inputs& x) {
         return minitorch::nn::functional::max_pool2d(x["a"], {3, 3}, {1, 1}, {1, 1});
       }},
      {"nn_avg_pool2d_k3_s1_p1",
       [](const Inputs& x) {
         return minitorch::nn::functional::avg_pool2d(x["a"], {3, 3}, {1, 1}, {1, 1});
       }},
      {"nn_max_pool2d_k2_s2_p1",
       [](const Inputs& x) {
         return minitorch::nn::functional::max_pool2d(x["a"], {2, 2}, {2, 2}, {1, 1});
       }},
      {"nn_avg_pool2d_k2_s2_p1",
       [](const Inputs& x) {
         return minitorch::nn::functional::avg_pool2d(x["a"], {2, 2}, {2, 2}, {1, 1});
       }},
      {"nn_conv2d_s2_p2_d2",
       [](const Inputs& x) {
         return minitorch::nn::functional::conv2d(
             x["x"], x["w"], x["b"], {.stride = {2, 2}, .padding = {2, 2}, .dilation = {2, 2}});
       }},
      {"nn_dropout_fixed_mask",
       [](const Inputs& x) {
         return minitorch::nn::functional::dropout_with_mask(x["x"], x["mask"], x["p"].item());
       }},
      {"vector_dot_vector", [](const Inputs& x) { return x["u"].matmul(x["v"]); }},
      {"max_all_ties", [](const Inputs& x) { return x["m"].max() * x["a"]; }},
      {"nn_bce_with_logits_zero_logits",
       [](const Inputs& x) {
         return minitorch::nn::functional::binary_cross_entropy_with_logits(x["a"] * x["m"],
                                                                            x["y"]);
       }},
      {"nn_cross_entropy_strided_target",
       [](const Inputs& x) {
         const auto targets =
             minitorch::tensor({{3, 9}, {0, 9}, {4, 9}, {1, 9}}, {.dtype = minitorch::kFloat64});
         return minitorch::nn::functional::cross_entropy(x["a"], targets.select(1, 0));
       }},
  };
  return kCases;
}

const json& fixtures() {
  static const json document = [] {
    const std::string path = std::string(MINITORCH_FIXTURES_DIR) + "/golden_tensor.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    return json::parse(in);
  }();
  return document;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& [name, expression] : cases()) names.push_back(name);
  return names;
}

std::string shape_string(const std::vector<std::int64_t>& shape) {
  std::ostringstream os;
  os << '[';
  for (std::size_t k = 0; k < shape.size(); ++k) os << (k ? ", " : "") << shape[k];
  os << ']';
  return os.str();
}

// The row-major multi-index of the ordinal-th element, as "[i, j, ...]".
std::string index_string(std::int64_t ordinal, const std::vector<std::int64_t>& shape) {
  std::vector<std::int64_t> index(shape.size());
  for (std::size_t k = shape.size(); k-- > 0;) {
    index[k] = ordinal % shape[k];
    ordinal /= shape[k];
  }
  return shape_string(index);
}

Tensor tensor_from(const json& entry, bool requires_grad) {
  return minitorch::from_vector(entry.at("values").get<std::vector<double>>(),
                                entry.at("shape").get<Shape>(),
                                {.dtype = minitorch::kFloat64, .requires_grad = requires_grad});
}

// Compares `got` with the fixture's {shape, values}; names the case, the tensor and the first
// mismatching element.
::testing::AssertionResult matches(const std::string& case_name, const std::string& what,
                                   const json& expected, const Tensor& got) {
  const auto expected_shape = expected.at("shape").get<std::vector<std::int64_t>>();
  const auto expected_values = expected.at("values").get<std::vector<double>>();
  const std::vector<std::int64_t> got_shape(got.shape().begin(), got.shape().end());
  if (got_shape != expected_shape) {
    return ::testing::AssertionFailure()
           << "case " << case_name << ", " << what << ": shape " << shape_string(got_shape)
           << ", expected " << shape_string(expected_shape);
  }
  if (got.dtype() != minitorch::kFloat64) {
    return ::testing::AssertionFailure()
           << "case " << case_name << ", " << what << ": dtype is not float64";
  }
  const std::vector<double> values = got.to_vector();
  if (values.size() != expected_values.size()) {
    return ::testing::AssertionFailure()
           << "case " << case_name << ", " << what << ": " << values.size() << " values, expected "
           << expected_values.size();
  }
  std::size_t mismatches = 0;
  std::size_t first = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double tolerance = kRelativeTolerance * std::abs(expected_values[i]) + kAbsoluteTolerance;
    if (!(std::abs(values[i] - expected_values[i]) <= tolerance)) {
      if (mismatches++ == 0) first = i;
    }
  }
  if (mismatches == 0) return ::testing::AssertionSuccess();
  std::ostringstream os;
  os.precision(17);
  os << "case " << case_name << ", " << what << " (shape " << shape_string(expected_shape)
     << "): " << mismatches << " of " << values.size() << " elements differ; first at index "
     << index_string(static_cast<std::int64_t>(first), expected_shape) << " (flat " << first
     << "): got " << values[first] << ", expected " << expected_values[first] << " (difference "
     << values[first] - expected_values[first] << ")";
  return ::testing::AssertionFailure() << os.str();
}

TEST(GoldenFixtures, CaseTablesMatch) {
  const json& all = fixtures().at("cases");
  ASSERT_FALSE(all.empty()) << "the fixture has no cases";
  for (const auto& [name, entry] : all.items()) {
    EXPECT_TRUE(cases().contains(name))
        << "case " << name
        << " is in golden_tensor.json but not in test_golden.cpp's table: add its expression";
  }
  for (const auto& [name, expression] : cases()) {
    EXPECT_TRUE(all.contains(name))
        << "case " << name
        << " is in test_golden.cpp's table but not in golden_tensor.json: add it to "
           "scripts/make_golden_fixtures.py and rerun the script";
  }
}

TEST(GoldenFixtures, AreFloat64) {
  EXPECT_EQ(fixtures().at("dtype"), "float64");
}

class GoldenCase : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenCase, MatchesPyTorch) {
  const std::string& name = GetParam();
  const json& all = fixtures().at("cases");
  ASSERT_TRUE(all.contains(name)) << "case " << name << " is missing from golden_tensor.json";
  const json& c = all.at(name);

  std::map<std::string, Tensor> leaves;
  std::vector<std::string> order;  // the inputs whose gradients the fixture has
  for (const json& input : c.at("inputs")) {
    const auto input_name = input.at("name").get<std::string>();
    const bool requires_grad = input.value("requires_grad", true);
    leaves.emplace(input_name, tensor_from(input, requires_grad));
    if (requires_grad) order.push_back(input_name);
  }

  const Tensor out = cases().at(name)(Inputs(leaves));
  EXPECT_TRUE(matches(name, "forward output", c.at("output"), out));

  const auto reduction = c.at("reduction").get<std::string>();
  if (reduction == "sum") {
    out.sum().backward();
  } else if (reduction == "weighted_sum") {
    const Tensor g = tensor_from(c.at("upstream"), /*requires_grad=*/false);
    (out * g).sum().backward();
  } else {
    FAIL() << "case " << name << ": unknown reduction '" << reduction << "'";
  }

  const json& grads = c.at("grads");
  for (const std::string& input_name : order) {
    const Tensor& leaf = leaves.at(input_name);
    ASSERT_TRUE(grads.contains(input_name))
        << "case " << name << ": the fixture has no gradient for input " << input_name;
    const Tensor grad = leaf.grad();
    if (!grad.defined()) {
      ADD_FAILURE() << "case " << name << ", grad of " << input_name
                    << ": undefined (no gradient reached this input)";
      continue;
    }
    EXPECT_TRUE(matches(name, "grad of " + input_name, grads.at(input_name), grad));
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenCase, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
