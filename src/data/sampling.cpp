#include "minitorch/data/sampling.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <utility>

#include "minitorch/core/error.h"

namespace minitorch::data {
namespace {

// Each class's count in a sample of n, proportional to its size, the shortfall of rounding down
// going to the largest remainders.
std::map<std::int64_t, std::size_t> class_quotas(
    const std::map<std::int64_t, std::vector<std::size_t>>& by_class, std::size_t total,
    std::size_t n) {
  std::map<std::int64_t, std::size_t> quota;
  std::vector<std::pair<std::size_t, std::int64_t>> remainders;  // (remainder · total, class)
  std::size_t given = 0;
  for (const auto& [label, members] : by_class) {
    const std::size_t exact = members.size() * n;
    quota[label] = exact / total;
    given += quota[label];
    remainders.emplace_back(exact % total, label);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = 0; given < n; ++i, ++given) ++quota[remainders[i].second];
  return quota;
}

}  // namespace

std::vector<std::size_t> stratified_sample(const std::vector<std::int64_t>& labels, std::size_t n,
                                           Generator& generator) {
  if (n >= labels.size()) {
    std::vector<std::size_t> all(labels.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    return all;
  }
  std::map<std::int64_t, std::vector<std::size_t>> by_class;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0) {
      throw Error("stratified_sample: label " + std::to_string(labels[i]) + " at index " +
                  std::to_string(i) + " is not a class index >= 0");
    }
    by_class[labels[i]].push_back(i);
  }
  const auto quota = class_quotas(by_class, labels.size(), n);
  std::vector<std::size_t> chosen;
  for (auto& [label, members] : by_class) {
    // A partial Fisher–Yates shuffle: the first quota members are a uniform draw.
    const std::size_t take = quota.at(label);
    for (std::size_t i = 0; i < take; ++i) {
      const std::size_t j = i + generator.next_u64() % (members.size() - i);
      std::swap(members[i], members[j]);
    }
    chosen.insert(chosen.end(), members.begin(), members.begin() + static_cast<long>(take));
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace minitorch::data
