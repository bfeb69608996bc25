#include "minitorch/functional/functional.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <list>

#include "generators.h"
#include "minitorch/core/error.h"

namespace fn = minitorch::functional;
namespace ops = minitorch::operators;
using minitorch::testing::small_doubles;

namespace {
rc::Gen<std::vector<double>> lists() {
  return rc::gen::container<std::vector<double>>(small_doubles());
}
}  // namespace

TEST(Functional, MapZipReduceOnExamples) {
  const std::vector<double> xs{1, 2, 3};
  EXPECT_EQ(fn::map(xs, ops::neg), (std::vector<double>{-1, -2, -3}));
  EXPECT_EQ(fn::zip_with(xs, xs, ops::mul), (std::vector<double>{1, 4, 9}));
  EXPECT_EQ(fn::reduce(xs, 0.0, ops::add), 6.0);
  EXPECT_EQ(fn::reduce(std::vector<double>{}, 7.0, ops::add), 7.0);
  EXPECT_EQ(fn::sum(xs), 6.0);
  EXPECT_EQ(fn::prod(xs), 6.0);
  EXPECT_EQ(fn::prod(std::vector<int>{2, 3, 4}), 24);  // shapes are products of ints
}

TEST(Functional, AcceptsAnyRangeAndCallable) {
  const std::list<int> xs{1, 2, 3};
  const auto doubled = fn::map(xs, [](int x) { return 2 * x; });
  EXPECT_EQ(doubled, (std::vector<int>{2, 4, 6}));
  const auto strings = fn::map(xs, [](int x) { return std::to_string(x); });
  EXPECT_EQ(strings.back(), "3");
}

TEST(Functional, ZipWithRejectsDifferentLengths) {
  const std::vector<double> a{1, 2, 3};
  const std::vector<double> b{1, 2};
  try {
    fn::zip_with(a, b, ops::add);
    FAIL() << "expected an Error";
  } catch (const minitorch::Error& e) {
    EXPECT_NE(std::string(e.what()).find("lengths 3 and 2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(fn::add_lists(a, b), minitorch::Error);
}

RC_GTEST_PROP(FunctionalLaws, MapMatchesALoop, ()) {
  const auto xs = *lists();
  const auto mapped = fn::map(xs, ops::sigmoid);
  RC_ASSERT(mapped.size() == xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) RC_ASSERT(mapped[i] == ops::sigmoid(xs[i]));
  const auto negated = fn::neg_list(xs);
  for (std::size_t i = 0; i < xs.size(); ++i) RC_ASSERT(negated[i] == -xs[i]);
}

RC_GTEST_PROP(FunctionalLaws, ZipWithMatchesALoop, ()) {
  const auto xs = *lists();
  const auto ys = *rc::gen::container<std::vector<double>>(xs.size(), small_doubles());
  const auto sums = fn::add_lists(xs, ys);
  const auto products = fn::zip_with(xs, ys, ops::mul);
  RC_ASSERT(sums.size() == xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) {
    RC_ASSERT(sums[i] == xs[i] + ys[i]);
    RC_ASSERT(products[i] == xs[i] * ys[i]);
  }
}

RC_GTEST_PROP(FunctionalLaws, SumAndProdMatchALoop, ()) {
  const auto xs = *rc::gen::container<std::vector<double>>(minitorch::testing::doubles_in(-2, 2));
  double sum = 0;
  double prod = 1;
  for (double x : xs) {
    sum += x;
    prod *= x;
  }
  RC_ASSERT(fn::sum(xs) == sum);
  RC_ASSERT(fn::prod(xs) == prod);
}

RC_GTEST_PROP(FunctionalLaws, SumDistributesOverConcatenation, ()) {
  const auto a = *lists();
  const auto b = *lists();
  std::vector<double> both = a;
  both.insert(both.end(), b.begin(), b.end());
  RC_ASSERT(std::abs(fn::sum(both) - (fn::sum(a) + fn::sum(b))) < 1e-9);
}

RC_GTEST_PROP(FunctionalLaws, SumOfAddListsIsSumOfSums, ()) {
  const auto xs = *lists();
  const auto ys = *rc::gen::container<std::vector<double>>(xs.size(), small_doubles());
  RC_ASSERT(std::abs(fn::sum(fn::add_lists(xs, ys)) - (fn::sum(xs) + fn::sum(ys))) < 1e-9);
}
