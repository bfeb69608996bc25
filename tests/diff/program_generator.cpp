#include "program_generator.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <utility>

namespace minitorch::difftest {
namespace {

enum class Values { Any, Grid, Positive, UnitInterval };

// What the generator knows of a value without running the program.
struct ValueInfo {
  Shape shape;
  bool positive = false;  // every element > 0 (log, sqrt, inv and division accept it)
  bool viewable = false;  // contiguous in PyTorch too, so that view() is defined on both sides
};

class Builder {
 public:
  Builder(Generator& g, bool grid) : g_(g), grid_(grid) {}

  std::int64_t pick(std::int64_t low, std::int64_t high) {  // inclusive
    return low +
           static_cast<std::int64_t>(g_.next_u64() % static_cast<std::uint64_t>(high - low + 1));
  }
  bool chance(double p) { return g_.uniform() < p; }

  Shape random_shape(int min_dims = 0, int max_dims = 3) {
    Shape shape(static_cast<std::size_t>(pick(min_dims, max_dims)));
    for (auto& size : shape) size = pick(1, 4);
    return shape;
  }

  double random_value(Values kind) {
    static constexpr double kGrid[] = {-1.0, -0.5, 0.0, 0.5, 1.0};
    switch (kind) {
      case Values::Positive:
        return static_cast<float>(g_.uniform(0.5, 2.0));
      case Values::UnitInterval:
        return grid_ ? 0.5 * static_cast<double>(pick(0, 2)) : static_cast<float>(g_.uniform());
      case Values::Grid:
        return kGrid[pick(0, 4)];
      case Values::Any:
        break;
    }
    return grid_ ? kGrid[pick(0, 4)] : static_cast<float>(g_.uniform(-2.0, 2.0));
  }

  std::size_t add_input(const Shape& shape, Values kind = Values::Any, bool requires_grad = true) {
    ProgramInput input{shape, std::vector<double>(static_cast<std::size_t>(numel(shape))),
                       requires_grad};
    for (auto& v : input.values) v = random_value(kind);
    program_.inputs.push_back(std::move(input));
    input_node_.push_back(info_.size());
    info_.push_back(ValueInfo{shape, kind == Values::Positive, true});
    return info_.size() - 1;
  }

  // Integer-valued leaf (class labels, row numbers) in [0, bound), without gradient.
  std::size_t add_indices(const Shape& shape, std::int64_t bound) {
    const std::size_t i = add_input(shape, Values::Any, false);
    for (auto& v : program_.inputs.back().values) v = static_cast<double>(pick(0, bound - 1));
    info_[i].positive = false;
    return i;
  }

  std::size_t add_step(std::string op, std::vector<std::size_t> args, nlohmann::json attrs,
                       ValueInfo result) {
    program_.steps.push_back({std::move(op), std::move(args), std::move(attrs)});
    info_.push_back(std::move(result));
    return info_.size() - 1;
  }

  const ValueInfo& info(std::size_t i) const { return info_[i]; }

  // A random existing value satisfying `accept`, or nothing.
  std::optional<std::size_t> existing(const std::function<bool(const ValueInfo&)>& accept) {
    std::vector<std::size_t> fits;
    for (std::size_t i = 0; i < info_.size(); ++i) {
      if (accept(info_[i])) fits.push_back(i);
    }
    if (fits.empty()) return std::nullopt;
    // Recent values are preferred so that programs grow deep rather than wide.
    const auto n = static_cast<std::int64_t>(fits.size());
    return fits[static_cast<std::size_t>(chance(0.6) ? n - 1 : pick(0, n - 1))];
  }

  // An existing value satisfying `accept` most of the time, else a new leaf of `fresh_shape`.
  std::size_t operand(const std::function<bool(const ValueInfo&)>& accept, const Shape& fresh_shape,
                      Values kind = Values::Any) {
    if (chance(0.75)) {
      if (auto i = existing(accept)) return *i;
    }
    return add_input(fresh_shape, kind);
  }

  // A shape that broadcasts with `shape`: leading dims dropped or added, sizes replaced by 1.
  Shape broadcast_partner(const Shape& shape) {
    Shape out(shape.begin() + pick(0, static_cast<std::int64_t>(shape.size())), shape.end());
    for (auto& size : out) {
      if (chance(0.3)) size = 1;
    }
    // A new leading dimension aligns with nothing only when none was dropped.
    if (out.size() == shape.size() && out.size() < 4 && chance(0.2)) {
      out.insert(out.begin(), pick(1, 3));
    }
    return out;
  }

  // Steps refer to values by creation order while building; the program numbers the inputs first.
  Program finish() {
    std::vector<std::size_t> number(info_.size());
    std::vector<bool> is_input(info_.size(), false);
    for (std::size_t i = 0; i < input_node_.size(); ++i) {
      number[input_node_[i]] = i;
      is_input[input_node_[i]] = true;
    }
    std::size_t next = input_node_.size();
    for (std::size_t node = 0; node < info_.size(); ++node) {
      if (!is_input[node]) number[node] = next++;
    }
    for (auto& step : program_.steps) {
      for (auto& a : step.args) a = number[a];
    }
    program_.upstream.resize(static_cast<std::size_t>(numel(info_.back().shape)));
    for (auto& v : program_.upstream) v = static_cast<float>(g_.uniform(-1.0, 1.0));
    return std::move(program_);
  }

  bool has_steps() const { return !program_.steps.empty(); }

 private:
  Generator& g_;
  bool grid_;
  Program program_;
  std::vector<ValueInfo> info_;          // by creation order: inputs and steps interleaved
  std::vector<std::size_t> input_node_;  // the creation number of each input
};

bool broadcastable(const Shape& a, const Shape& b) {
  for (std::size_t k = 1; k <= std::min(a.size(), b.size()); ++k) {
    const auto x = a[a.size() - k], y = b[b.size() - k];
    if (x != y && x != 1 && y != 1) return false;
  }
  return true;
}

Shape broadcast(const Shape& a, const Shape& b) {
  Shape out = a.size() >= b.size() ? a : b;
  for (std::size_t k = 1; k <= std::min(a.size(), b.size()); ++k) {
    out[out.size() - k] = std::max(a[a.size() - k], b[b.size() - k]);
  }
  return out;
}

std::int64_t ndim(const ValueInfo& v) {
  return static_cast<std::int64_t>(v.shape.size());
}

// A dimension of `v` in [-d, d) (0-D tensors accept 0 and -1, as in PyTorch).
std::int64_t random_dim(Builder& b, const ValueInfo& v) {
  const std::int64_t d = std::max<std::int64_t>(ndim(v), 1);
  return b.pick(-d, d - 1);
}

std::size_t positive_operand(Builder& b, const Shape& fresh_shape) {
  return b.operand([](const ValueInfo& v) { return v.positive; }, fresh_shape, Values::Positive);
}

// ---- the op makers: each adds one step (and any leaves it needs), or returns false ----

using Maker = std::function<bool(Builder&)>;

Maker unary(std::string op, bool needs_positive, bool gives_positive) {
  return [=](Builder& b) {
    const Shape fresh = b.random_shape();
    const std::size_t x = needs_positive ? positive_operand(b, fresh)
                                         : b.operand([](const ValueInfo&) { return true; }, fresh);
    b.add_step(op, {x}, nlohmann::json::object(),
               {b.info(x).shape, gives_positive || (needs_positive && op != "log"), false});
    return true;
  };
}

bool make_pow(Builder& b) {
  const bool fractional = b.chance(0.5);
  const double exponents[] = {fractional ? 0.5 : 2.0, fractional ? -1.0 : 3.0,
                              fractional ? 1.5 : 2.0};
  const double exponent = exponents[b.pick(0, 2)];
  const Shape fresh = b.random_shape();
  const std::size_t x = fractional ? positive_operand(b, fresh)
                                   : b.operand([](const ValueInfo&) { return true; }, fresh);
  b.add_step("pow", {x}, {{"exponent", exponent}}, {b.info(x).shape, b.info(x).positive, false});
  return true;
}

// Two operands that broadcast: often one value twice, often two existing values.
std::pair<std::size_t, std::size_t> broadcast_pair(Builder& b, bool second_positive) {
  const std::size_t x = b.operand([](const ValueInfo&) { return true; }, b.random_shape());
  const Shape x_shape = b.info(x).shape;
  if (!second_positive && b.chance(0.25)) return {x, x};
  const auto fits = [&](const ValueInfo& v) {
    return broadcastable(v.shape, x_shape) && (!second_positive || v.positive);
  };
  const std::size_t y = b.operand(fits, b.broadcast_partner(x_shape),
                                  second_positive ? Values::Positive : Values::Any);
  if (!second_positive && b.chance(0.5)) return {y, x};
  return {x, y};
}

Maker binary(std::string op) {
  return [=](Builder& b) {
    const bool division = op == "div";
    const auto [x, y] = broadcast_pair(b, division);
    const bool positive = (op == "add" || op == "mul" || op == "div" || op == "maximum") &&
                          b.info(x).positive && b.info(y).positive;
    b.add_step(op, {x, y}, nlohmann::json::object(),
               {broadcast(b.info(x).shape, b.info(y).shape), positive, false});
    return true;
  };
}

bool make_where(Builder& b) {
  const auto [x, y] = broadcast_pair(b, false);
  const Shape shape = broadcast(b.info(x).shape, b.info(y).shape);
  const std::size_t c = b.operand([&](const ValueInfo& v) { return broadcastable(v.shape, shape); },
                                  b.broadcast_partner(shape), Values::Grid);
  b.add_step("where", {c, x, y}, nlohmann::json::object(),
             {broadcast(b.info(c).shape, shape), b.info(x).positive && b.info(y).positive, false});
  return true;
}

Shape reduced(const ValueInfo& v, std::int64_t dim, bool keepdim) {
  if (v.shape.empty()) return {};
  Shape out = v.shape;
  const auto d = static_cast<std::size_t>(dim < 0 ? dim + ndim(v) : dim);
  if (keepdim) {
    out[d] = 1;
  } else {
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(d));
  }
  return out;
}

Maker reduce_along(std::string op) {
  return [=](Builder& b) {
    const std::size_t x = b.operand([](const ValueInfo&) { return true; }, b.random_shape());
    const std::int64_t dim = random_dim(b, b.info(x));
    const bool keepdim = b.chance(0.5);
    b.add_step(op, {x}, {{"dim", dim}, {"keepdim", keepdim}},
               {reduced(b.info(x), dim, keepdim), b.info(x).positive && op != "argmax", false});
    return true;
  };
}

Maker reduce_all(std::string op) {
  return [=](Builder& b) {
    const std::size_t x = b.operand([](const ValueInfo&) { return true; }, b.random_shape());
    b.add_step(op, {x}, nlohmann::json::object(), {{}, b.info(x).positive, false});
    return true;
  };
}

// A view step on an existing value with at least `min_dims` dimensions.
std::optional<std::size_t> view_source(Builder& b, std::int64_t min_dims) {
  return b.existing([=](const ValueInfo& v) { return ndim(v) >= min_dims; });
}

bool make_permute(Builder& b) {
  const auto x = view_source(b, 2);
  if (!x) return false;
  std::vector<std::int64_t> order(b.info(*x).shape.size());
  std::iota(order.begin(), order.end(), 0);
  for (std::size_t i = order.size(); i > 1; --i) {
    std::swap(order[i - 1],
              order[static_cast<std::size_t>(b.pick(0, static_cast<std::int64_t>(i) - 1))]);
  }
  ValueInfo out = b.info(*x);
  for (std::size_t k = 0; k < order.size(); ++k) out.shape[k] = b.info(*x).shape[order[k]];
  out.viewable = false;
  b.add_step("permute", {*x}, {{"order", order}}, out);
  return true;
}

bool make_transpose(Builder& b) {
  const auto x = view_source(b, 1);
  if (!x) return false;
  const std::int64_t d0 = random_dim(b, b.info(*x)), d1 = random_dim(b, b.info(*x));
  ValueInfo out = b.info(*x);
  const auto n = ndim(out);
  std::swap(out.shape[(d0 + n) % n], out.shape[(d1 + n) % n]);
  out.viewable = out.viewable && d0 == d1;
  b.add_step("transpose", {*x}, {{"dim0", d0}, {"dim1", d1}}, out);
  return true;
}

// Another shape of the same number of elements: flattened, two neighbours merged, or one dimension
// split in two.
Shape reshaped(Builder& b, const Shape& shape) {
  const std::int64_t count = numel(shape);
  const int choice = static_cast<int>(b.pick(0, 2));
  if (choice == 0 || shape.size() < 2) {
    if (count % 2 == 0 && b.chance(0.5)) return {2, -1};
    return {b.chance(0.5) ? -1 : count};
  }
  Shape out = shape;
  const auto k = static_cast<std::size_t>(b.pick(0, static_cast<std::int64_t>(shape.size()) - 2));
  if (choice == 1) {
    out[k] *= out[k + 1];
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(k) + 1);
    return out;
  }
  out.insert(out.begin() + static_cast<std::ptrdiff_t>(k), 1);
  return out;
}

Shape resolved(const Shape& shape, std::int64_t count) {
  Shape out = shape;
  std::int64_t known = 1;
  for (auto s : out) known *= s == -1 ? 1 : s;
  for (auto& s : out) {
    if (s == -1) s = count / known;
  }
  return out;
}

Maker reshape_like(std::string op) {
  return [=](Builder& b) {
    const bool view = op == "view";
    const auto x = b.existing([=](const ValueInfo& v) { return !view || v.viewable; });
    if (!x) return false;
    const Shape target = reshaped(b, b.info(*x).shape);
    ValueInfo out = b.info(*x);
    out.shape = resolved(target, numel(out.shape));
    b.add_step(op, {*x}, {{"shape", target}}, out);
    return true;
  };
}

bool make_expand(Builder& b) {
  const auto x = b.existing([](const ValueInfo& v) { return ndim(v) < 4; });
  if (!x) return false;
  ValueInfo out = b.info(*x);
  for (auto& size : out.shape) {
    if (size == 1) size = b.pick(1, 3);
  }
  if (b.chance(0.4)) out.shape.insert(out.shape.begin(), b.pick(1, 3));
  out.viewable = false;
  b.add_step("expand", {*x}, {{"shape", out.shape}}, out);
  return true;
}

bool make_narrow(Builder& b) {
  const auto x = view_source(b, 1);
  if (!x) return false;
  ValueInfo out = b.info(*x);
  const std::int64_t dim = random_dim(b, out);
  auto& size = out.shape[static_cast<std::size_t>((dim + ndim(out)) % ndim(out))];
  const std::int64_t start = b.pick(0, size - 1);
  const std::int64_t length = b.pick(1, size - start);
  size = length;
  out.viewable = false;
  b.add_step("narrow", {*x}, {{"dim", dim}, {"start", start}, {"length", length}}, out);
  return true;
}

bool make_select(Builder& b) {
  const auto x = view_source(b, 1);
  if (!x) return false;
  ValueInfo out = b.info(*x);
  const std::int64_t dim = random_dim(b, out);
  const auto d = static_cast<std::size_t>((dim + ndim(out)) % ndim(out));
  const std::int64_t index = b.pick(-out.shape[d], out.shape[d] - 1);
  out.shape.erase(out.shape.begin() + static_cast<std::ptrdiff_t>(d));
  out.viewable = false;
  b.add_step("select", {*x}, {{"dim", dim}, {"index", index}}, out);
  return true;
}

bool make_unsqueeze(Builder& b) {
  const auto x = b.existing([](const ValueInfo& v) { return ndim(v) < 4; });
  if (!x) return false;
  ValueInfo out = b.info(*x);
  const std::int64_t dim = b.pick(-ndim(out) - 1, ndim(out));
  out.shape.insert(out.shape.begin() + (dim < 0 ? dim + ndim(out) + 1 : dim), 1);
  b.add_step("unsqueeze", {*x}, {{"dim", dim}}, out);
  return true;
}

bool make_squeeze(Builder& b) {
  const auto x = view_source(b, 1);
  if (!x) return false;
  ValueInfo out = b.info(*x);
  const std::int64_t dim = random_dim(b, out);
  const auto d = static_cast<std::size_t>((dim + ndim(out)) % ndim(out));
  // Squeezing a dimension of size > 1 is a no-op in PyTorch: both cases are drawn.
  if (out.shape[d] == 1) out.shape.erase(out.shape.begin() + static_cast<std::ptrdiff_t>(d));
  b.add_step("squeeze", {*x}, {{"dim", dim}}, out);
  return true;
}

Maker copy_op(std::string op) {
  return [=](Builder& b) {
    const auto x = b.existing([](const ValueInfo&) { return true; });
    if (!x) return false;
    ValueInfo out = b.info(*x);
    if (op == "flatten") out.shape = {numel(out.shape)};
    out.viewable = op == "contiguous" || (op == "flatten" && out.viewable);
    b.add_step(op, {*x}, nlohmann::json::object(), out);
    return true;
  };
}

// matmul at every rank PyTorch defines: vector · vector, vector · (batched) matrix, (batched)
// matrix · vector, and batched matrices whose batch dimensions broadcast.
bool make_matmul(Builder& b) {
  const std::size_t x =
      b.operand([](const ValueInfo& v) { return ndim(v) >= 1; }, b.random_shape(1, 3));
  const Shape xs = b.info(x).shape;
  const std::int64_t k = xs.back();
  Shape y_shape;
  switch (b.pick(0, 2)) {
    case 0:
      y_shape = {k};
      break;
    case 1:
      y_shape = {k, b.pick(1, 4)};
      break;
    default:
      y_shape = b.broadcast_partner(Shape(xs.begin(), xs.end() - (xs.size() >= 2 ? 2 : 1)));
      y_shape.push_back(k);
      y_shape.push_back(b.pick(1, 4));
  }
  const std::size_t y = b.operand([&](const ValueInfo& v) { return v.shape == y_shape; }, y_shape);
  // The result's shape, by PyTorch's rules.
  Shape a = xs, c = y_shape;
  const bool a_vector = a.size() == 1, c_vector = c.size() == 1;
  if (a_vector) a.insert(a.begin(), 1);
  if (c_vector) c.push_back(1);
  Shape out = broadcast(Shape(a.begin(), a.end() - 2), Shape(c.begin(), c.end() - 2));
  if (!a_vector) out.push_back(a[a.size() - 2]);
  if (!c_vector) out.push_back(c.back());
  b.add_step("matmul", {x, y}, nlohmann::json::object(), {out, false, false});
  return true;
}

bool make_cat(Builder& b) {
  const std::size_t x =
      b.operand([](const ValueInfo& v) { return ndim(v) >= 1; }, b.random_shape(1, 3));
  const std::int64_t dim = random_dim(b, b.info(x));
  const auto d = static_cast<std::size_t>((dim + ndim(b.info(x))) % ndim(b.info(x)));
  Shape other = b.info(x).shape;
  other[d] = b.pick(1, 3);
  const std::size_t y = b.chance(0.3) ? x : b.add_input(other);
  Shape out = b.info(x).shape;
  out[d] += b.info(y).shape[d];
  b.add_step("cat", {x, y}, {{"dim", dim}}, {out, false, false});
  return true;
}

Maker softmax_like(std::string op) {
  return [=](Builder& b) {
    const std::size_t x =
        b.operand([](const ValueInfo& v) { return ndim(v) >= 1; }, b.random_shape(1, 3));
    b.add_step(op, {x}, {{"dim", random_dim(b, b.info(x))}},
               {b.info(x).shape, op == "softmax", false});
    return true;
  };
}

bool make_mse_loss(Builder& b) {
  const std::size_t x = b.operand([](const ValueInfo&) { return true; }, b.random_shape());
  const Shape shape = b.info(x).shape;
  const std::size_t y = b.operand([&](const ValueInfo& v) { return v.shape == shape; }, shape);
  b.add_step("mse_loss", {x, y}, nlohmann::json::object(), {{}, false, false});
  return true;
}

bool make_bce_with_logits(Builder& b) {
  const std::size_t x = b.operand([](const ValueInfo&) { return true; }, b.random_shape());
  const std::size_t t = b.add_input(b.info(x).shape, Values::UnitInterval, b.chance(0.5));
  b.add_step("binary_cross_entropy_with_logits", {x, t}, nlohmann::json::object(),
             {{}, false, false});
  return true;
}

// Class targets [N] in any layout: contiguous, a strided column of a table, through a transpose,
// or one label expanded.
std::size_t class_targets(Builder& b, std::int64_t n, std::int64_t classes) {
  switch (b.pick(0, 3)) {
    case 0:
      return b.add_indices({n}, classes);
    case 1: {
      const std::size_t table = b.add_indices({n, 2}, classes);
      return b.add_step("select", {table}, {{"dim", 1}, {"index", b.pick(0, 1)}}, {{n}});
    }
    case 2: {
      const std::size_t table = b.add_indices({n, 3}, classes);
      const std::size_t t = b.add_step("transpose", {table}, {{"dim0", 0}, {"dim1", 1}}, {{3, n}});
      return b.add_step("select", {t}, {{"dim", 0}, {"index", b.pick(0, 2)}}, {{n}});
    }
    default: {
      const std::size_t one = b.add_indices({1}, classes);
      return b.add_step("expand", {one}, {{"shape", Shape{n}}}, {{n}});
    }
  }
}

Maker classification_loss(std::string op) {
  return [=](Builder& b) {
    const std::size_t x =
        b.operand([](const ValueInfo& v) { return ndim(v) == 2; }, {b.pick(1, 4), b.pick(1, 4)});
    const Shape shape = b.info(x).shape;
    const std::size_t t = class_targets(b, shape[0], shape[1]);
    b.add_step(op, {x, t}, nlohmann::json::object(), {{}, false, false});
    return true;
  };
}

bool make_embedding(Builder& b) {
  const std::size_t w =
      b.operand([](const ValueInfo& v) { return ndim(v) == 2; }, {b.pick(1, 4), b.pick(1, 4)});
  const Shape ws = b.info(w).shape;
  const Shape index_shape = b.random_shape(1, 2);
  const std::size_t i = b.add_indices(index_shape, ws[0]);
  Shape out = index_shape;
  out.push_back(ws[1]);
  b.add_step("embedding", {w, i}, nlohmann::json::object(), {out, b.info(w).positive, false});
  return true;
}

const std::vector<std::pair<std::string, Maker>>& makers() {
  static const std::vector<std::pair<std::string, Maker>> all{
      {"neg", unary("neg", false, false)},
      {"inv", unary("inv", true, true)},
      {"log", unary("log", true, false)},
      {"exp", unary("exp", false, true)},
      {"sigmoid", unary("sigmoid", false, true)},
      {"relu", unary("relu", false, false)},
      {"tanh", unary("tanh", false, false)},
      {"sqrt", unary("sqrt", true, true)},
      {"pow", make_pow},
      {"add", binary("add")},
      {"sub", binary("sub")},
      {"mul", binary("mul")},
      {"div", binary("div")},
      {"maximum", binary("maximum")},
      {"lt", binary("lt")},
      {"gt", binary("gt")},
      {"eq", binary("eq")},
      {"where", make_where},
      {"sum", reduce_along("sum")},
      {"sum_all", reduce_all("sum_all")},
      {"mean", reduce_along("mean")},
      {"mean_all", reduce_all("mean_all")},
      {"max", reduce_along("max")},
      {"max_all", reduce_all("max_all")},
      {"argmax", reduce_along("argmax")},
      {"permute", make_permute},
      {"transpose", make_transpose},
      {"view", reshape_like("view")},
      {"reshape", reshape_like("reshape")},
      {"contiguous", copy_op("contiguous")},
      {"expand", make_expand},
      {"narrow", make_narrow},
      {"select", make_select},
      {"unsqueeze", make_unsqueeze},
      {"squeeze", make_squeeze},
      {"flatten", copy_op("flatten")},
      {"matmul", make_matmul},
      {"clone", copy_op("clone")},
      {"cat", make_cat},
      {"softmax", softmax_like("softmax")},
      {"log_softmax", softmax_like("log_softmax")},
      {"mse_loss", make_mse_loss},
      {"binary_cross_entropy_with_logits", make_bce_with_logits},
      {"cross_entropy", classification_loss("cross_entropy")},
      {"nll_loss", classification_loss("nll_loss")},
      {"embedding", make_embedding},
  };
  return all;
}

}  // namespace

Program random_program(Generator& generator, int max_steps) {
  Builder b(generator, generator.uniform() < 1.0 / 3.0);
  b.add_input(b.random_shape());
  const auto steps = b.pick(1, max_steps);
  const auto& all = makers();
  for (std::int64_t s = 0; s < steps || !b.has_steps(); ++s) {
    const auto& maker =
        all[static_cast<std::size_t>(b.pick(0, static_cast<std::int64_t>(all.size()) - 1))];
    maker.second(b);
  }
  return without_dead_code(b.finish());
}

std::vector<std::string> generated_ops() {
  std::vector<std::string> names;
  for (const auto& [name, maker] : makers()) names.push_back(name);
  return names;
}

}  // namespace minitorch::difftest
