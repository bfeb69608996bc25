#include "minitorch/data/sampling.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "minitorch/core/error.h"

namespace mt = minitorch;

namespace {

// 70 of class 0 first, then 30 of class 1: the order a corpus sorted by class has.
std::vector<std::int64_t> sorted_labels() {
  std::vector<std::int64_t> labels(70, 0);
  labels.insert(labels.end(), 30, 1);
  return labels;
}

std::map<std::int64_t, int> counts(const std::vector<std::int64_t>& labels,
                                   const std::vector<std::size_t>& indices) {
  std::map<std::int64_t, int> out;
  for (const std::size_t i : indices) ++out[labels.at(i)];
  return out;
}

}  // namespace

TEST(StratifiedSample, KeepsEachClassShare) {
  const auto labels = sorted_labels();
  mt::Generator g(3);
  const auto sample = mt::data::stratified_sample(labels, 10, g);
  ASSERT_EQ(sample.size(), 10u);
  EXPECT_EQ(counts(labels, sample), (std::map<std::int64_t, int>{{0, 7}, {1, 3}}));
  EXPECT_TRUE(std::is_sorted(sample.begin(), sample.end()));
  EXPECT_EQ(std::set<std::size_t>(sample.begin(), sample.end()).size(), sample.size());
}

TEST(StratifiedSample, RoundsByLargestRemainderToExactlyN) {
  const std::vector<std::int64_t> labels{0, 0, 0, 1, 1, 1, 2, 2, 2, 2};  // 3 : 3 : 4
  mt::Generator g(1);
  const auto sample = mt::data::stratified_sample(labels, 5, g);  // 1.5 : 1.5 : 2
  ASSERT_EQ(sample.size(), 5u);
  EXPECT_EQ(counts(labels, sample), (std::map<std::int64_t, int>{{0, 2}, {1, 1}, {2, 2}}));
}

TEST(StratifiedSample, IsSeededAndDrawsWithinEachClass) {
  const auto labels = sorted_labels();
  mt::Generator a(7), b(7), c(8);
  const auto first = mt::data::stratified_sample(labels, 20, a);
  EXPECT_EQ(first, mt::data::stratified_sample(labels, 20, b));
  EXPECT_NE(first, mt::data::stratified_sample(labels, 20, c));
  // Not the first rows of each class: the draw reaches past them.
  EXPECT_GT(first.back(), 80u);
}

TEST(StratifiedSample, AllWhenNIsTheSizeOrMoreAndBadLabelsAreRejected) {
  const auto labels = sorted_labels();
  mt::Generator g(0);
  EXPECT_EQ(mt::data::stratified_sample(labels, 500, g).size(), labels.size());
  EXPECT_THROW(mt::data::stratified_sample({0, -1, 1}, 2, g), mt::Error);
}
