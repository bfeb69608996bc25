// Property tests of minitorch/storage/shape.h: sizes, strides, index arithmetic and broadcasting.
#include "minitorch/storage/shape.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "error_helpers.h"
#include "generators.h"
#include "minitorch/core/error.h"

using minitorch::Index;
using minitorch::Shape;
using minitorch::Strides;

namespace {

using minitorch::testing::shapes;
using minitorch::testing::uniform;

// Shapes that are mostly 1s and 2s, so that random pairs often broadcast (and often do not).
rc::Gen<Shape> broadcasty_shapes() {
  return rc::gen::mapcat(uniform(0, 5), [](int ndim) {
    return rc::gen::container<Shape>(
        static_cast<std::size_t>(ndim),
        rc::gen::weightedOneOf<std::int64_t>(
            {{1, rc::gen::just<std::int64_t>(1)}, {2, uniform<std::int64_t>(2, 4)}}));
  });
}

// NumPy's broadcasting rule written out plainly: right-align the shapes by padding the shorter
// one with leading 1s; each pair of sizes must be equal, or one of them 1 (the other wins).
std::optional<Shape> numpy_broadcast(const Shape& a, const Shape& b) {
  const std::size_t n = std::max(a.size(), b.size());
  Shape pa(n - a.size(), 1);
  pa.insert(pa.end(), a.begin(), a.end());
  Shape pb(n - b.size(), 1);
  pb.insert(pb.end(), b.begin(), b.end());
  Shape out(n);
  for (std::size_t k = 0; k < n; ++k) {
    if (pa[k] == pb[k]) {
      out[k] = pa[k];
    } else if (pa[k] == 1) {
      out[k] = pb[k];
    } else if (pb[k] == 1) {
      out[k] = pa[k];
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// A shape that broadcasts to `target`: some leading dims dropped, some sizes replaced by 1.
Shape reduce_to_broadcastable(const Shape& target) {
  const auto drop = *uniform<std::size_t>(0, target.size() + 1);
  Shape out(target.begin() + static_cast<std::ptrdiff_t>(drop), target.end());
  for (auto& size : out) {
    if (*uniform(0, 3) == 0) size = 1;
  }
  return out;
}

// The message of the minitorch::Error that f throws, or "<no error>".
template <class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const minitorch::Error& e) {
    return e.what();
  }
  return "<no error>";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::int64_t product(const Shape& shape) {
  std::int64_t n = 1;
  for (auto size : shape) n *= size;
  return n;
}

}  // namespace

// ---- numel, strides, shape_to_string
// --------------------------------------------------------------

TEST(Shape, NumelExamples) {
  EXPECT_EQ(minitorch::numel(Shape{}), 1);
  EXPECT_EQ(minitorch::numel(Shape{7}), 7);
  EXPECT_EQ(minitorch::numel(Shape{2, 3, 4}), 24);
  EXPECT_EQ(minitorch::numel(Shape{2, 0, 4}), 0);
}

RC_GTEST_PROP(Shape, NumelIsTheProductOfTheSizes, ()) {
  const auto shape = *shapes(0, 4, 0, 5);
  RC_ASSERT(minitorch::numel(shape) == product(shape));
}

TEST(Shape, StridesExamples) {
  EXPECT_EQ(minitorch::strides_from_shape(Shape{}), Strides{});
  EXPECT_EQ(minitorch::strides_from_shape(Shape{5}), (Strides{1}));
  EXPECT_EQ(minitorch::strides_from_shape(Shape{2, 3, 4}), (Strides{12, 4, 1}));
  EXPECT_EQ(minitorch::strides_from_shape(Shape{4, 1, 3}), (Strides{3, 3, 1}));
  // PyTorch's convention: a size-0 dimension counts as 1 in the strides of the others.
  EXPECT_EQ(minitorch::strides_from_shape(Shape{2, 0, 3}), (Strides{3, 3, 1}));
}

// Sizes read from files can be anything: a shape whose element count or strides do not fit in
// int64 is an Error naming it, never a wrapped product. A 0 size makes numel 0 but leaves the
// other sizes' strides to compute, so a shape is accepted only when the product of its sizes with
// each 0 counted as 1 fits, whatever the position of the 0.
TEST(Shape, NumelAndStridesRejectShapesBeyondInt64) {
  using minitorch::testing::error_of;
  for (const Shape& shape : {Shape{4294967296, 4294967296, 4}, Shape{1, 4000000000, 4000000000},
                             Shape{0, 4294967296, 4294967296}, Shape{4294967296, 4294967296, 0}}) {
    const std::string numel_error = error_of([&] { minitorch::numel(shape); });
    EXPECT_CONTAINS(numel_error, minitorch::shape_to_string(shape));
    EXPECT_CONTAINS(numel_error, "9223372036854775807");
    const std::string strides_error = error_of([&] { minitorch::strides_from_shape(shape); });
    EXPECT_CONTAINS(strides_error, minitorch::shape_to_string(shape));
  }
}

TEST(Shape, LargestShapesThatFitStillWork) {
  const std::int64_t max = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(minitorch::numel(Shape{max}), max);
  EXPECT_EQ(minitorch::numel(Shape{0, max}), 0);
  EXPECT_EQ(minitorch::numel(Shape{2147483648, 2147483648}), std::int64_t(1) << 62);
  EXPECT_EQ(minitorch::strides_from_shape(Shape{max, 1}), (Strides{1, 1}));
  EXPECT_EQ(minitorch::strides_from_shape(Shape{0, 3037000499, 3037000499}),
            (Strides{std::int64_t(3037000499) * 3037000499, 3037000499, 1}));
}

TEST(Shape, CheckedMulSaysWhenAProductOverflows) {
  EXPECT_EQ(minitorch::checked_mul(6, 7), 42);
  EXPECT_EQ(minitorch::checked_mul(-3, 4), -12);
  EXPECT_EQ(minitorch::checked_mul(4294967296, 4294967296), std::nullopt);
  EXPECT_EQ(minitorch::checked_numel(Shape{4294967296, 4294967296, 0}), std::nullopt);
  EXPECT_EQ(minitorch::checked_numel(Shape{2, 0, 3}), 0);
}

RC_GTEST_PROP(Shape, StridesAreSuffixProducts, ()) {
  const auto shape = *shapes();
  const auto strides = minitorch::strides_from_shape(shape);
  RC_ASSERT(strides.size() == shape.size());
  for (std::size_t k = 0; k < shape.size(); ++k) {
    const Shape suffix(shape.begin() + static_cast<std::ptrdiff_t>(k) + 1, shape.end());
    RC_ASSERT(strides[k] == product(suffix));
  }
}

TEST(Shape, ShapeToStringExamples) {
  EXPECT_EQ(minitorch::shape_to_string(Shape{}), "[]");
  EXPECT_EQ(minitorch::shape_to_string(Shape{7}), "[7]");
  EXPECT_EQ(minitorch::shape_to_string(Shape{2, 3}), "[2, 3]");
  EXPECT_EQ(minitorch::shape_to_string(Shape{-1, 0, 12}), "[-1, 0, 12]");
}

RC_GTEST_PROP(Shape, ShapeToStringJoinsWithCommas, ()) {
  const auto shape = *shapes(0, 4, 0, 100);
  std::ostringstream expected;
  expected << '[';
  for (std::size_t k = 0; k < shape.size(); ++k) expected << (k ? ", " : "") << shape[k];
  expected << ']';
  RC_ASSERT(minitorch::shape_to_string(shape) == expected.str());
}

// ---- index round trips
// ----------------------------------------------------------------------------

TEST(Shape, ToIndexExamples) {
  const Shape shape{2, 3, 4};
  Index index(3);
  minitorch::to_index(0, shape, index);
  EXPECT_EQ(index, (Index{0, 0, 0}));
  minitorch::to_index(5, shape, index);
  EXPECT_EQ(index, (Index{0, 1, 1}));
  minitorch::to_index(23, shape, index);
  EXPECT_EQ(index, (Index{1, 2, 3}));
  EXPECT_EQ(minitorch::index_to_position(Index{1, 2, 3}, Strides{12, 4, 1}), 23);
  EXPECT_EQ(minitorch::index_to_position(Index{1, 2}, Strides{1, 2}), 5);  // any strides
  EXPECT_EQ(minitorch::index_to_position(Index{}, Strides{}), 0);
}

RC_GTEST_PROP(Shape, ToIndexEnumeratesEveryIndexOnceInRowMajorOrder, ()) {
  const auto shape = *shapes();
  const auto strides = minitorch::strides_from_shape(shape);
  const auto n = minitorch::numel(shape);
  std::set<Index> seen;
  Index previous;
  for (std::int64_t ordinal = 0; ordinal < n; ++ordinal) {
    Index index(shape.size(), -1);
    minitorch::to_index(ordinal, shape, index);
    for (std::size_t k = 0; k < shape.size(); ++k) {
      RC_ASSERT(index[k] >= 0);
      RC_ASSERT(index[k] < shape[k]);
    }
    // Row-major: each index is the lexicographic successor of the one before.
    if (ordinal > 0)
      RC_ASSERT(std::lexicographical_compare(previous.begin(), previous.end(), index.begin(),
                                             index.end()));
    RC_ASSERT(minitorch::index_to_position(index, strides) == ordinal);
    seen.insert(index);
    previous = index;
  }
  // In bounds, strictly increasing and numel of them: every index exactly once.
  RC_ASSERT(static_cast<std::int64_t>(seen.size()) == n);
}

RC_GTEST_PROP(Shape, IndexToPositionInvertsToIndexForRandomIndices, ()) {
  const auto shape = *shapes();
  Index index;
  for (auto size : shape) index.push_back(*uniform<std::int64_t>(0, size));
  const auto position = minitorch::index_to_position(index, minitorch::strides_from_shape(shape));
  Index back(shape.size());
  minitorch::to_index(position, shape, back);
  RC_ASSERT(back == index);
}

// ---- broadcast_shapes
// -----------------------------------------------------------------------------

TEST(Shape, BroadcastShapesMiniTorchExamples) {
  EXPECT_EQ(minitorch::broadcast_shapes(Shape{1}, Shape{5, 5}), (Shape{5, 5}));
  EXPECT_EQ(minitorch::broadcast_shapes(Shape{5, 5}, Shape{1}), (Shape{5, 5}));
  EXPECT_EQ(minitorch::broadcast_shapes(Shape{1, 5, 5}, Shape{5, 5}), (Shape{1, 5, 5}));
  EXPECT_EQ(minitorch::broadcast_shapes(Shape{5, 1, 5, 1}, Shape{1, 5, 1, 5}), (Shape{5, 5, 5, 5}));
  EXPECT_THROW(minitorch::broadcast_shapes(Shape{5, 7, 5, 1}, Shape{1, 5, 1, 5}), minitorch::Error);
  EXPECT_THROW(minitorch::broadcast_shapes(Shape{5, 2}, Shape{5}), minitorch::Error);
  EXPECT_EQ(minitorch::broadcast_shapes(Shape{2, 5}, Shape{5}), (Shape{2, 5}));
}

TEST(Shape, BroadcastShapesErrorMessage) {
  const auto message = error_message([] { minitorch::broadcast_shapes(Shape{2, 3}, Shape{4}); });
  EXPECT_TRUE(contains(message, "[2, 3]")) << message;
  EXPECT_TRUE(contains(message, "[4]")) << message;
  EXPECT_TRUE(contains(message, "do not broadcast")) << message;
}

TEST(Shape, BroadcastShapesWithZeroSizes) {
  EXPECT_EQ(minitorch::broadcast_shapes(Shape{0}, Shape{1}), (Shape{0}));
  EXPECT_EQ(minitorch::broadcast_shapes(Shape{1}, Shape{3, 0}), (Shape{3, 0}));
  EXPECT_THROW(minitorch::broadcast_shapes(Shape{0}, Shape{2}), minitorch::Error);
}

RC_GTEST_PROP(Shape, BroadcastShapesFollowsNumPysRule, ()) {
  const auto a = *broadcasty_shapes();
  const auto b = *broadcasty_shapes();
  const auto expected = numpy_broadcast(a, b);
  if (expected) {
    RC_ASSERT(minitorch::broadcast_shapes(a, b) == *expected);
  } else {
    RC_ASSERT_THROWS_AS(minitorch::broadcast_shapes(a, b), minitorch::Error);
  }
}

RC_GTEST_PROP(Shape, BroadcastShapesIsCommutative, ()) {
  const auto a = *broadcasty_shapes();
  const auto b = *broadcasty_shapes();
  if (numpy_broadcast(a, b)) {
    RC_ASSERT(minitorch::broadcast_shapes(a, b) == minitorch::broadcast_shapes(b, a));
  } else {
    RC_ASSERT_THROWS_AS(minitorch::broadcast_shapes(a, b), minitorch::Error);
    RC_ASSERT_THROWS_AS(minitorch::broadcast_shapes(b, a), minitorch::Error);
  }
}

RC_GTEST_PROP(Shape, OneAndEmptyAreNeutral, ()) {
  const auto s = *shapes(0, 4, 1, 5);
  RC_ASSERT(minitorch::broadcast_shapes(s, Shape{}) == s);
  RC_ASSERT(minitorch::broadcast_shapes(Shape{}, s) == s);
  if (!s.empty()) {
    RC_ASSERT(minitorch::broadcast_shapes(s, Shape{1}) == s);
    RC_ASSERT(minitorch::broadcast_shapes(Shape{1}, s) == s);
  }
}

RC_GTEST_PROP(Shape, BroadcastShapesIsIdempotent, ()) {
  const auto s = *shapes(0, 4, 0, 5);
  RC_ASSERT(minitorch::broadcast_shapes(s, s) == s);
}

RC_GTEST_PROP(Shape, BroadcastShapesIsAssociativeOnCompatibleTriples, ()) {
  const auto target = *shapes(0, 4, 1, 5);
  const auto a = reduce_to_broadcastable(target);
  const auto b = reduce_to_broadcastable(target);
  const auto c = reduce_to_broadcastable(target);
  const auto left = minitorch::broadcast_shapes(minitorch::broadcast_shapes(a, b), c);
  const auto right = minitorch::broadcast_shapes(a, minitorch::broadcast_shapes(b, c));
  RC_ASSERT(left == right);
  RC_ASSERT(numpy_broadcast(numpy_broadcast(a, b).value(), c) == std::optional<Shape>(left));
}

RC_GTEST_PROP(Shape, IncompatibleShapesThrowNamingBothShapes, ()) {
  // Two shapes that agree except in one aligned dimension, where the sizes differ and neither is 1.
  auto a = *shapes(1, 4, 1, 5);
  auto b = reduce_to_broadcastable(a);
  if (b.empty()) b.push_back(1);
  const auto extra = a.size() - b.size();
  const auto k = *uniform<std::size_t>(0, b.size());
  a[k + extra] = *uniform<std::int64_t>(2, 6);
  b[k] = *rc::gen::suchThat(uniform<std::int64_t>(2, 7),
                            [&](std::int64_t size) { return size != a[k + extra]; });
  if (*rc::gen::arbitrary<bool>()) std::swap(a, b);
  RC_ASSERT(!numpy_broadcast(a, b).has_value());
  const auto message = error_message([&] { minitorch::broadcast_shapes(a, b); });
  RC_ASSERT(contains(message, minitorch::shape_to_string(a)));
  RC_ASSERT(contains(message, minitorch::shape_to_string(b)));
  RC_ASSERT(contains(message, "do not broadcast"));
}

// ---- broadcasts_to and broadcast_index
// ------------------------------------------------------------

TEST(Shape, BroadcastsToExamples) {
  EXPECT_TRUE(minitorch::broadcasts_to(Shape{3}, Shape{2, 3}));
  EXPECT_TRUE(minitorch::broadcasts_to(Shape{1, 3}, Shape{4, 2, 3}));
  EXPECT_TRUE(minitorch::broadcasts_to(Shape{}, Shape{4, 2}));
  EXPECT_TRUE(minitorch::broadcasts_to(Shape{2, 3}, Shape{2, 3}));
  EXPECT_FALSE(minitorch::broadcasts_to(Shape{2, 3}, Shape{3}));     // fewer dims in the target
  EXPECT_FALSE(minitorch::broadcasts_to(Shape{1, 3}, Shape{3}));     // ... even of size 1
  EXPECT_FALSE(minitorch::broadcasts_to(Shape{2}, Shape{1}));        // expand never shrinks
  EXPECT_FALSE(minitorch::broadcasts_to(Shape{2, 3}, Shape{2, 4}));  // sizes differ
}

RC_GTEST_PROP(Shape, BroadcastsToIffBroadcastingGivesTheTarget, ()) {
  const auto shape = *broadcasty_shapes();
  const auto target = *broadcasty_shapes();
  RC_ASSERT(minitorch::broadcasts_to(shape, target) ==
            (numpy_broadcast(shape, target) == std::optional<Shape>(target)));
}

using minitorch::testing::broadcast_target;

RC_GTEST_PROP(Shape, BroadcastIndexMapsIntoTheSmallShape, ()) {
  const auto shape = *shapes(1, 3, 1, 3);
  const auto target = broadcast_target(shape);
  RC_ASSERT(minitorch::broadcasts_to(shape, target));
  RC_ASSERT(minitorch::broadcast_shapes(shape, target) == target);
  const auto extra = target.size() - shape.size();
  Index big(target.size());
  for (std::int64_t ordinal = 0; ordinal < minitorch::numel(target); ++ordinal) {
    minitorch::to_index(ordinal, target, big);
    Index small(shape.size(), -1);
    minitorch::broadcast_index(big, target, shape, small);
    for (std::size_t k = 0; k < shape.size(); ++k) {
      RC_ASSERT(small[k] >= 0);
      RC_ASSERT(small[k] < shape[k]);
      // A dimension that was broadcast (size changed from 1) reads element 0; others pass through.
      const bool broadcast = shape[k] != target[k + extra];
      RC_ASSERT(small[k] == (broadcast ? 0 : big[k + extra]));
    }
  }
}

TEST(Shape, BroadcastIndexExample) {
  Index out(2);
  minitorch::broadcast_index(Index{3, 1, 2}, Shape{4, 2, 3}, Shape{1, 3}, out);
  EXPECT_EQ(out, (Index{0, 2}));
}

// ---- normalize_dim
// --------------------------------------------------------------------------------

TEST(Shape, NormalizeDimExamples) {
  EXPECT_EQ(minitorch::normalize_dim(0, 3, "op"), 0);
  EXPECT_EQ(minitorch::normalize_dim(2, 3, "op"), 2);
  EXPECT_EQ(minitorch::normalize_dim(-1, 3, "op"), 2);
  EXPECT_EQ(minitorch::normalize_dim(-3, 3, "op"), 0);
  EXPECT_EQ(minitorch::normalize_dim(0, 0, "op"), 0);  // a 0-dim tensor accepts 0 and -1
  EXPECT_EQ(minitorch::normalize_dim(-1, 0, "op"), 0);
  EXPECT_THROW(minitorch::normalize_dim(3, 3, "op"), minitorch::Error);
  EXPECT_THROW(minitorch::normalize_dim(-4, 3, "op"), minitorch::Error);
  EXPECT_THROW(minitorch::normalize_dim(1, 0, "op"), minitorch::Error);
}

RC_GTEST_PROP(Shape, NormalizeDimMapsIntoRangeOrThrowsNamingTheDimension, ()) {
  const auto ndim = *uniform<std::int64_t>(0, 6);
  const auto dim = *uniform<std::int64_t>(-ndim - 3, ndim + 3);
  const auto range = std::max<std::int64_t>(ndim, 1);
  if (dim >= -range && dim < range) {
    const auto d = minitorch::normalize_dim(dim, ndim, "frobnicate");
    RC_ASSERT(d >= 0);
    RC_ASSERT(d < range);
    RC_ASSERT((d - dim) % range == 0);
  } else {
    const auto message = error_message([&] { minitorch::normalize_dim(dim, ndim, "frobnicate"); });
    RC_ASSERT(contains(message, "frobnicate"));
    RC_ASSERT(contains(message, "dimension " + std::to_string(dim)));
  }
}
