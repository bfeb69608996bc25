#include "minitorch/storage/shape.h"

#include <algorithm>
#include <limits>

#include "minitorch/core/error.h"

namespace minitorch {

namespace {

// numel runs several times per operation, so its common case (no 0, no overflow) must cost what
// the plain product did: one checked multiply per size. False sends an empty shape or an overflow
// to count_with_zeros.
bool plain_product(std::span<const std::int64_t> shape, std::int64_t& product) {
  product = 1;
  bool wrapped = false;
  for (const std::int64_t size : shape) wrapped |= __builtin_mul_overflow(product, size, &product);
  return !wrapped && product != 0;
}

// The element count, and in `overflow` whether the extent (the product with each 0 counted as 1,
// which bounds every contiguous stride) passes INT64_MAX: so [0, 2^32, 2^32] fails as
// [2^32, 2^32, 0] does.
std::int64_t count_with_zeros(std::span<const std::int64_t> shape, bool& overflow) {
  std::int64_t extent = 1;
  bool empty = false;
  overflow = false;
  for (const std::int64_t size : shape) {
    empty |= size == 0;
    overflow |= __builtin_mul_overflow(extent, size == 0 ? 1 : size, &extent);
  }
  return empty ? 0 : extent;
}

// Out of line, so that numel's common case pays no stack frame for building the message.
[[noreturn, gnu::cold, gnu::noinline]] void throw_unrepresentable(
    std::span<const std::int64_t> shape) {
  throw Error("shape " + shape_to_string(shape) +
              " is too large: the product of its sizes (a 0 counted as 1) exceeds " +
              std::to_string(std::numeric_limits<std::int64_t>::max()) +
              "; expected element counts and strides that fit in int64");
}

}  // namespace

std::optional<std::int64_t> checked_mul(std::int64_t a, std::int64_t b) {
  std::int64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) return std::nullopt;
  return product;
}

std::optional<std::int64_t> checked_numel(std::span<const std::int64_t> shape) {
  std::int64_t count = 0;
  if (plain_product(shape, count)) return count;
  bool overflow = false;
  count = count_with_zeros(shape, overflow);
  if (overflow) return std::nullopt;
  return count;
}

std::int64_t numel(std::span<const std::int64_t> shape) {
  std::int64_t count = 0;
  if (plain_product(shape, count)) [[likely]]
    return count;
  bool overflow = false;
  count = count_with_zeros(shape, overflow);
  if (overflow) throw_unrepresentable(shape);
  return count;
}

Strides strides_from_shape(std::span<const std::int64_t> shape) {
  numel(shape);  // throws unless the extent fits, which bounds every partial product below
  Strides strides(shape.size());
  std::int64_t stride = 1;
  for (std::size_t k = shape.size(); k-- > 0;) {
    strides[k] = stride;
    stride *= std::max<std::int64_t>(shape[k], 1);
  }
  return strides;
}

Shape broadcast_shapes(std::span<const std::int64_t> a, std::span<const std::int64_t> b) {
  const std::size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (std::size_t k = 0; k < n; ++k) {
    // Right-aligned: missing leading dimensions count as 1.
    const std::int64_t da = k < n - a.size() ? 1 : a[k - (n - a.size())];
    const std::int64_t db = k < n - b.size() ? 1 : b[k - (n - b.size())];
    if (da != db && da != 1 && db != 1) {
      throw Error("shapes " + shape_to_string(a) + " and " + shape_to_string(b) +
                  " do not broadcast: dimension " + std::to_string(k) + " has sizes " +
                  std::to_string(da) + " and " + std::to_string(db) +
                  "; expected equal sizes or one of them 1");
    }
    out[k] = da == 1 ? db : da;
  }
  return out;
}

bool broadcasts_to(std::span<const std::int64_t> shape, std::span<const std::int64_t> target) {
  if (shape.size() > target.size()) return false;
  const std::size_t extra = target.size() - shape.size();
  for (std::size_t k = 0; k < shape.size(); ++k) {
    if (shape[k] != 1 && shape[k] != target[k + extra]) return false;
  }
  return true;
}

std::int64_t normalize_dim(std::int64_t dim, std::int64_t ndim, const std::string& op) {
  const std::int64_t range = std::max<std::int64_t>(ndim, 1);  // a 0-dim tensor accepts 0 and -1
  if (dim < -range || dim >= range) {
    throw Error(op + ": dimension " + std::to_string(dim) + " is out of range for a tensor with " +
                std::to_string(ndim) + " dimensions; expected a dimension in [" +
                std::to_string(-range) + ", " + std::to_string(range - 1) + "]");
  }
  return dim < 0 ? dim + range : dim;
}

std::string shape_to_string(std::span<const std::int64_t> shape) {
  std::string out = "[";
  for (std::size_t k = 0; k < shape.size(); ++k) {
    out += (k ? ", " : "") + std::to_string(shape[k]);
  }
  return out + "]";
}

}  // namespace minitorch
