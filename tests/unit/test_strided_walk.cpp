// StridedWalk against its definition: for random shapes and operands (broadcast dimensions of
// size 1 or missing, zero strides, contiguous and arbitrary strides, offsets), for_each_run visits
// exactly the positions that to_index, broadcast_index and index_to_position give, in row-major
// order, for the whole range and for any sub-range of ordinals.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <vector>

#include "generators.h"
#include "minitorch/storage/strided_walk.h"

namespace mt = minitorch;
using mt::Shape;
using mt::Strides;
using mt::testing::uniform;

namespace {

constexpr std::size_t kOperands = 3;

struct Operand {
  Shape shape;
  Strides strides;
  std::int64_t offset;
};

// An operand that broadcasts to `shape`: some leading dimensions dropped, some sizes set to 1;
// strides contiguous (so that dimensions merge), contiguous with a gap, or arbitrary (0 included).
Operand random_operand(const Shape& shape) {
  Operand op;
  const auto dropped = *uniform<std::size_t>(0, shape.size() + 1);
  for (std::size_t d = dropped; d < shape.size(); ++d) {
    op.shape.push_back(*uniform(0, 4) == 0 ? 1 : shape[d]);
  }
  switch (*uniform(0, 3)) {
    case 0:
      op.strides = mt::strides_from_shape(op.shape);
      break;
    case 1: {
      Shape padded = op.shape;
      if (!padded.empty()) padded.back() += *uniform<std::int64_t>(0, 3);
      op.strides = mt::strides_from_shape(padded);
      break;
    }
    default:
      for (std::size_t d = 0; d < op.shape.size(); ++d) {
        op.strides.push_back(*uniform<std::int64_t>(-3, 40));
      }
  }
  op.offset = *uniform<std::int64_t>(0, 100);
  return op;
}

using Visit = std::array<std::int64_t, kOperands>;

// The positions by definition, ordinal by ordinal.
std::vector<Visit> expected(const Shape& shape, const std::vector<Operand>& ops, std::int64_t begin,
                            std::int64_t end) {
  std::vector<Visit> out;
  mt::Index index(shape.size());
  for (std::int64_t i = begin; i < end; ++i) {
    mt::to_index(i, shape, index);
    Visit v;
    for (std::size_t k = 0; k < kOperands; ++k) {
      mt::Index local(ops[k].shape.size());
      mt::broadcast_index(index, shape, ops[k].shape, local);
      v[k] = ops[k].offset + mt::index_to_position(local, ops[k].strides);
    }
    out.push_back(v);
  }
  return out;
}

std::vector<Visit> walked(const Shape& shape, const std::vector<Operand>& ops, std::int64_t begin,
                          std::int64_t end) {
  std::array<mt::WalkOperand, kOperands> operands;
  for (std::size_t k = 0; k < kOperands; ++k) {
    operands[k] = {ops[k].shape, ops[k].strides, ops[k].offset};
  }
  const auto walk = mt::make_strided_walk<kOperands>(shape, operands);
  RC_ASSERT(walk.count == mt::numel(shape));
  for (auto size : walk.shape) RC_ASSERT(size != 1);
  std::vector<Visit> out;
  mt::for_each_run(walk, begin, end, [&](const Visit& p, std::int64_t length, const Visit& s) {
    RC_ASSERT(length > 0);
    for (std::int64_t j = 0; j < length; ++j) {
      Visit v;
      for (std::size_t k = 0; k < kOperands; ++k) v[k] = p[k] + j * s[k];
      out.push_back(v);
    }
  });
  return out;
}

}  // namespace

RC_GTEST_PROP(StridedWalk, VisitsTheDefinedPositionsInRowMajorOrder, ()) {
  const Shape shape = *mt::testing::shapes(0, 5, 0, 4);
  std::vector<Operand> ops;
  for (std::size_t k = 0; k < kOperands; ++k) ops.push_back(random_operand(shape));
  const std::int64_t count = mt::numel(shape);
  RC_ASSERT(walked(shape, ops, 0, count) == expected(shape, ops, 0, count));
  const auto begin = *uniform<std::int64_t>(0, count + 1);
  const auto end = *uniform<std::int64_t>(begin, count + 1);
  RC_ASSERT(walked(shape, ops, begin, end) == expected(shape, ops, begin, end));
}

TEST(StridedWalk, MergesContiguousDimensionsAndDropsSizeOne) {
  const Shape shape{64, 28, 28, 1};
  const Strides contiguous = mt::strides_from_shape(shape);
  const Shape row{28, 1};
  const Strides row_strides{1, 1};
  const auto walk = mt::make_strided_walk<2>(
      shape, {mt::WalkOperand{shape, contiguous, 0}, mt::WalkOperand{row, row_strides, 5}});
  // The row operand broadcasts over the first two dimensions: they merge, the last two do not
  // merge with them (the row's stride 1 ≠ 0 · 28).
  EXPECT_EQ(walk.shape, (Shape{64 * 28, 28}));
  EXPECT_EQ(walk.strides[0], (Strides{28, 1}));
  EXPECT_EQ(walk.strides[1], (Strides{0, 1}));
  EXPECT_EQ(walk.offsets[1], 5);
}
