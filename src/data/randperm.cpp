#include "minitorch/data/randperm.h"

#include <numeric>
#include <string>
#include <utility>

#include "minitorch/core/error.h"

namespace minitorch::data {

std::vector<std::int64_t> randperm(std::int64_t n, Generator& generator) {
  if (n < 0) throw Error("randperm: n " + std::to_string(n) + "; expected at least 0");
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), std::int64_t{0});
  // The modulo bias is below 2^-40 for any realistic data set size.
  for (std::size_t i = order.size(); i > 1; --i) {
    const std::size_t j = generator.next_u64() % i;
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

}  // namespace minitorch::data
