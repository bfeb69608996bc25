// Printing tensors the way PyTorch does: tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]]).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

#include "minitorch/tensor/tensor.h"

namespace minitorch {
namespace {

constexpr std::int64_t kSummarizeAbove = 1000;  // elements; PyTorch's default threshold
constexpr std::int64_t kEdgeItems = 3;

// One number format for the whole tensor, as PyTorch chooses it: integers as "1.", otherwise four
// decimals, or scientific notation when the magnitudes span too wide a range.
struct NumberFormat {
  enum Kind { Integer, Fixed, Scientific } kind = Fixed;

  static NumberFormat choose(const std::vector<double>& values) {
    bool integral = true;
    double max_abs = 0;
    double min_abs = INFINITY;
    for (double v : values) {
      if (!std::isfinite(v)) continue;
      integral = integral && v == std::trunc(v);
      const double a = std::abs(v);
      max_abs = std::max(max_abs, a);
      if (a > 0) min_abs = std::min(min_abs, a);
    }
    if (integral) return {max_abs >= 1e8 ? Scientific : Integer};
    if (max_abs >= 1e8 || (min_abs < 1e-4) || max_abs / min_abs > 1000) return {Scientific};
    return {Fixed};
  }

  std::string format(double v) const {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char text[48];
    switch (kind) {
      case Integer:
        std::snprintf(text, sizeof text, "%.0f.", v);
        break;
      case Fixed:
        std::snprintf(text, sizeof text, "%.4f", v);
        break;
      case Scientific:
        std::snprintf(text, sizeof text, "%.4e", v);
        break;
    }
    return text;
  }
};

class Printer {
 public:
  Printer(const Tensor& t, const std::vector<double>& values)
      : shape_(t.shape()),
        strides_(strides_from_shape(t.shape())),
        values_(values),
        summarize_(t.numel() > kSummarizeAbove),
        format_(NumberFormat::choose(values)) {
    for (double v : values) width_ = std::max(width_, format_.format(v).size());
  }

  std::string print(std::size_t depth, std::int64_t base, std::size_t indent) const {
    if (depth == shape_.size()) return pad(format_.format(values_[base]));
    std::string out = "[";
    const std::int64_t size = shape_[depth];
    const bool last_dim = depth + 1 == shape_.size();
    const std::string separator = last_dim ? ", "
                                           : ",\n" + std::string(shape_.size() - depth - 2, '\n') +
                                                 std::string(indent + 1, ' ');
    bool first = true;
    for (std::int64_t i = 0; i < size; ++i) {
      if (summarize_ && size > 2 * kEdgeItems && i == kEdgeItems) {
        out += separator + "...";
        i = size - kEdgeItems - 1;
        continue;
      }
      if (!first) out += separator;
      first = false;
      out += print(depth + 1, base + i * strides_[depth], indent + 1);
    }
    return out + "]";
  }

 private:
  std::string pad(const std::string& s) const {
    return std::string(width_ > s.size() ? width_ - s.size() : 0, ' ') + s;
  }

  const Shape& shape_;
  Strides strides_;
  const std::vector<double>& values_;
  bool summarize_;
  NumberFormat format_;
  std::size_t width_ = 0;
};

}  // namespace

std::string Tensor::to_string() const {
  if (!defined()) return "tensor(undefined)";
  const std::vector<double> values = to_vector();
  constexpr std::size_t kPrefix = 7;  // "tensor("
  std::string out = "tensor(" + Printer(*this, values).print(0, 0, kPrefix);
  if (dtype() != kFloat32) out += std::string(", dtype=torch.") + dtype_name(dtype());
  if (!grad_fn_name().empty()) {
    out += ", grad_fn=<" + grad_fn_name() + ">";
  } else if (requires_grad()) {
    out += ", requires_grad=True";
  }
  return out + ")";
}

std::ostream& operator<<(std::ostream& os, const Tensor& tensor) {
  return os << tensor.to_string();
}

}  // namespace minitorch
