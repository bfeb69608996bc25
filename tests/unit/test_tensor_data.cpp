// Property tests of minitorch/storage/tensor_data.h and storage.h: strided views that never copy,
// contiguity, element access and their errors.
#include "minitorch/storage/tensor_data.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "generators.h"
#include "minitorch/core/error.h"
#include "minitorch/storage/storage.h"

using minitorch::Index;
using minitorch::Shape;
using minitorch::Storage;
using minitorch::Strides;
using minitorch::TensorData;

namespace {

using minitorch::testing::shapes;
using minitorch::testing::uniform;

// A random permutation of 0..n-1 (Fisher–Yates, drawn inside a property).
std::vector<std::int64_t> random_permutation(std::size_t n) {
  std::vector<std::int64_t> p(n);
  std::iota(p.begin(), p.end(), 0);
  for (std::size_t k = n; k > 1; --k) {
    std::swap(p[k - 1], p[*uniform<std::size_t>(0, k)]);
  }
  return p;
}

// Every index of `shape` in row-major order, enumerated without the library's to_index.
std::vector<Index> all_indices(const Shape& shape) {
  std::vector<Index> out;
  for (auto size : shape) {
    if (size == 0) return out;
  }
  Index index(shape.size(), 0);
  while (true) {
    out.push_back(index);
    std::size_t k = shape.size();
    while (k > 0 && ++index[k - 1] == shape[k - 1]) index[--k] = 0;
    if (k == 0) return out;
  }
}

// A contiguous float64 tensor whose element at row-major ordinal i holds i.
TensorData iota_tensor(const Shape& shape) {
  auto t = TensorData::zeros(shape, minitorch::kFloat64);
  const auto indices = all_indices(shape);
  for (std::size_t i = 0; i < indices.size(); ++i) t.set(indices[i], static_cast<double>(i));
  return t;
}

// A shape with `count` elements: random divisors split off one after another (1..4 dims).
Shape random_factorization(std::int64_t count) {
  Shape out;
  const auto ndim = *uniform(1, 5);
  for (int k = 0; k + 1 < ndim; ++k) {
    std::vector<std::int64_t> divisors;
    for (std::int64_t d = 1; d <= count; ++d) {
      if (count % d == 0) divisors.push_back(d);
    }
    const auto d = *rc::gen::elementOf(divisors);
    out.push_back(d);
    count /= d;
  }
  out.push_back(count);
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

// True when the dims of size > 1 keep their original relative order under `order`.
bool keeps_order_of_big_dims(const Shape& shape, const std::vector<std::int64_t>& order) {
  std::int64_t last = -1;
  for (auto d : order) {
    if (shape[static_cast<std::size_t>(d)] == 1) continue;
    if (d < last) return false;
    last = d;
  }
  return true;
}

}  // namespace

// ---- Storage
// --------------------------------------------------------------------------------------

// Storage values are unspecified until written; zeros() and fill_zero() zero them, also when a
// cached buffer that held other values is reused.
RC_GTEST_PROP(Storage, ZerosAreZeroEvenOnReusedBuffers, ()) {
  const auto size = *uniform<std::int64_t>(0, 200);
  {
    Storage dirty(minitorch::kFloat64, size);
    for (std::int64_t i = 0; i < size; ++i) dirty.data<double>()[i] = 7.0;
  }
  Storage f64(minitorch::kFloat64, size);
  f64.fill_zero();
  const auto f32 = TensorData::zeros({size}, minitorch::kFloat32);
  RC_ASSERT(f64.size() == size);
  RC_ASSERT(f64.dtype() == minitorch::kFloat64);
  RC_ASSERT(f32.dtype() == minitorch::kFloat32);
  for (std::int64_t i = 0; i < size; ++i) {
    RC_ASSERT(f32.data<float>()[i] == 0.0f);
    RC_ASSERT(f64.data<double>()[i] == 0.0);
  }
}

TEST(Storage, DataOfTheWrongDtypeThrows) {
  const Storage f32(minitorch::kFloat32, 4);
  const Storage f64(minitorch::kFloat64, 4);
  EXPECT_NO_THROW(f32.data<float>());
  EXPECT_NO_THROW(f64.data<double>());
  EXPECT_THROW(f32.data<double>(), minitorch::Error);
  const auto message = error_message([&] { f64.data<float>(); });
  EXPECT_TRUE(contains(message, "float32")) << message;
  EXPECT_TRUE(contains(message, "float64")) << message;
  const TensorData t = TensorData::zeros({2}, minitorch::kFloat32);
  EXPECT_THROW(t.data<double>(), minitorch::Error);
}

TEST(Storage, NegativeSizeThrows) {
  EXPECT_THROW(Storage(minitorch::kFloat32, -1), minitorch::Error);
  EXPECT_THROW(TensorData::zeros({2, -1}, minitorch::kFloat64), minitorch::Error);
}

// 2^61 float64 elements are 2^64 bytes: the byte count wraps to 0 in size_t, and a buffer of
// that size would be written far past its end. Such a storage is an Error naming the sizes.
TEST(Storage, ByteCountsBeyondTheAddressSpaceThrow) {
  const auto message = error_message([] { Storage(minitorch::kFloat64, std::int64_t(1) << 61); });
  EXPECT_TRUE(contains(message, "2305843009213693952 elements of 8 bytes")) << message;
  EXPECT_THROW(Storage(minitorch::kFloat32, INT64_MAX), minitorch::Error);
}

// A borrowed buffer is read and written in place and handed back exactly once, when the last
// tensor viewing it goes; it never reaches the buffer cache.
TEST(Storage, BorrowedMemoryIsSharedAndReleasedOnce) {
  double owned[6] = {0, 1, 2, 3, 4, 5};
  int releases = 0;
  const Storage::Release count = [](void* context) noexcept { ++*static_cast<int*>(context); };
  {
    auto storage = Storage::borrow(minitorch::kFloat64, 6, owned, count, &releases);
    const minitorch::TensorData view(storage, {2, 3}, {3, 1}, 0);
    storage.reset();
    EXPECT_EQ(view.get(std::vector<std::int64_t>{1, 2}), 5.0);
    view.set(std::vector<std::int64_t>{0, 1}, 10.0);
    EXPECT_EQ(owned[1], 10.0);
    EXPECT_EQ(view.data<double>(), owned);
    EXPECT_EQ(releases, 0);
  }
  EXPECT_EQ(releases, 1);
  EXPECT_THROW(Storage::borrow(minitorch::kFloat64, -1, owned, count, &releases), minitorch::Error);
  EXPECT_EQ(releases, 1);
}

// ---- construction, get and set
// --------------------------------------------------------------------

RC_GTEST_PROP(TensorData, ZerosIsContiguousAndZeroFilled, ()) {
  const auto shape = *shapes(0, 4);
  const auto dtype = *rc::gen::element(minitorch::kFloat32, minitorch::kFloat64);
  const auto t = TensorData::zeros(shape, dtype);
  RC_ASSERT(t.shape() == shape);
  RC_ASSERT(t.strides() == minitorch::strides_from_shape(shape));
  RC_ASSERT(t.offset() == 0);
  RC_ASSERT(t.dtype() == dtype);
  RC_ASSERT(t.numel() == minitorch::numel(shape));
  RC_ASSERT(t.storage()->size() == t.numel());
  RC_ASSERT(t.is_contiguous());
  for (const auto& index : all_indices(shape)) RC_ASSERT(t.get(index) == 0.0);
}

RC_GTEST_PROP(TensorData, SetThenGetRoundTripsAndTouchesOneElement, ()) {
  const auto shape = *shapes();
  const auto dtype = *rc::gen::element(minitorch::kFloat32, minitorch::kFloat64);
  const auto t = TensorData::zeros(shape, dtype);
  Index index;
  for (auto size : shape) index.push_back(*uniform<std::int64_t>(0, size));
  const double value = *uniform(1, 1000) / 4.0;  // exact in float32 too
  t.set(index, value);
  for (const auto& other : all_indices(shape)) {
    RC_ASSERT(t.get(other) == (other == index ? value : 0.0));
  }
  RC_ASSERT(t.position(index) == minitorch::index_to_position(index, t.strides()));
}

RC_GTEST_PROP(TensorData, GetAndSetWithAWrongRankThrow, ()) {
  const auto shape = *shapes(0, 4);
  const auto rank = *rc::gen::suchThat(uniform<std::size_t>(0, 6),
                                       [&](std::size_t r) { return r != shape.size(); });
  const Index index(rank, 0);
  const auto t = TensorData::zeros(shape, minitorch::kFloat64);
  RC_ASSERT_THROWS_AS(t.get(index), minitorch::Error);
  RC_ASSERT_THROWS_AS(t.set(index, 1.0), minitorch::Error);
  const auto message = error_message([&] { t.get(index); });
  RC_ASSERT(contains(message, minitorch::shape_to_string(shape)));
}

RC_GTEST_PROP(TensorData, GetAndSetOutOfBoundsThrow, ()) {
  const auto shape = *shapes();
  Index index;
  for (auto size : shape) index.push_back(*uniform<std::int64_t>(0, size));
  const auto k = *uniform<std::size_t>(0, shape.size());
  index[k] = *rc::gen::arbitrary<bool>() ? shape[k] + *uniform<std::int64_t>(0, 3)
                                         : -*uniform<std::int64_t>(1, 4);
  const auto t = TensorData::zeros(shape, minitorch::kFloat64);
  RC_ASSERT_THROWS_AS(t.get(index), minitorch::Error);
  RC_ASSERT_THROWS_AS(t.set(index, 1.0), minitorch::Error);
  const auto message = error_message([&] { t.set(index, 1.0); });
  RC_ASSERT(contains(message, "out of bounds"));
  RC_ASSERT(contains(message, minitorch::shape_to_string(index)));
  for (const auto& other : all_indices(shape)) RC_ASSERT(t.get(other) == 0.0);
}

TEST(TensorData, ZeroDimTensorHoldsOneElement) {
  const auto t = TensorData::zeros({}, minitorch::kFloat64);
  EXPECT_EQ(t.numel(), 1);
  EXPECT_EQ(t.dim(), 0);
  t.set(Index{}, 3.5);
  EXPECT_EQ(t.get(Index{}), 3.5);
  EXPECT_THROW(t.get(Index{0}), minitorch::Error);
}

TEST(TensorData, ConstructorChecksShapeAndStrides) {
  auto storage = std::make_shared<Storage>(minitorch::kFloat64, 6);
  EXPECT_THROW(TensorData(storage, {2, 3}, {3}, 0), minitorch::Error);
  EXPECT_THROW(TensorData(storage, {2, -3}, {3, 1}, 0), minitorch::Error);
  const TensorData t(storage, {3, 2}, {1, 3}, 0);  // column-major
  EXPECT_FALSE(t.is_contiguous());
  t.set(Index{1, 1}, 7.0);
  EXPECT_EQ(storage->data<double>()[4], 7.0);
}

// ---- permute and transpose
// ------------------------------------------------------------------------

RC_GTEST_PROP(TensorData, PermuteThenInverseIsTheIdentity, ()) {
  const auto shape = *shapes();
  const auto t = iota_tensor(shape);
  const auto p = random_permutation(shape.size());
  std::vector<std::int64_t> inverse(p.size());
  for (std::size_t k = 0; k < p.size(); ++k)
    inverse[static_cast<std::size_t>(p[k])] = std::int64_t(k);

  const auto v = t.permute(p);
  RC_ASSERT(v.storage() == t.storage());
  RC_ASSERT(v.offset() == t.offset());
  for (std::size_t k = 0; k < p.size(); ++k) {
    RC_ASSERT(v.shape()[k] == shape[static_cast<std::size_t>(p[k])]);
    RC_ASSERT(v.strides()[k] == t.strides()[static_cast<std::size_t>(p[k])]);
  }
  // Element j of the view is element i of the source with i[p[k]] = j[k].
  for (const auto& j : all_indices(v.shape())) {
    Index i(j.size());
    for (std::size_t k = 0; k < p.size(); ++k) i[static_cast<std::size_t>(p[k])] = j[k];
    RC_ASSERT(v.get(j) == t.get(i));
  }

  const auto back = v.permute(inverse);
  RC_ASSERT(back.shape() == t.shape());
  RC_ASSERT(back.strides() == t.strides());
  RC_ASSERT(back.storage() == t.storage());
  for (const auto& i : all_indices(shape)) RC_ASSERT(back.get(i) == t.get(i));
}

RC_GTEST_PROP(TensorData, SetThroughAPermutedViewIsVisibleInTheSource, ()) {
  const auto shape = *shapes();
  const auto t = iota_tensor(shape);
  const auto p = random_permutation(shape.size());
  const auto v = t.permute(p);
  Index j;
  for (auto size : v.shape()) j.push_back(*uniform<std::int64_t>(0, size));
  Index i(j.size());
  for (std::size_t k = 0; k < p.size(); ++k) i[static_cast<std::size_t>(p[k])] = j[k];
  v.set(j, -1.0);
  RC_ASSERT(t.get(i) == -1.0);
  t.set(i, -2.0);
  RC_ASSERT(v.get(j) == -2.0);
}

TEST(TensorData, PermuteExamples) {
  const auto t = iota_tensor({2, 3, 4});
  const auto v = t.permute(std::vector<std::int64_t>{2, 0, 1});
  EXPECT_EQ(v.shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(v.strides(), (Strides{1, 12, 4}));
  EXPECT_EQ(v.get(Index{3, 1, 2}), t.get(Index{1, 2, 3}));
  // Negative entries count from the end, as in PyTorch.
  EXPECT_EQ(t.permute(std::vector<std::int64_t>{-1, 0, 1}).shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(TensorData::zeros({}, minitorch::kFloat64).permute(std::vector<std::int64_t>{}).dim(),
            0);
}

RC_GTEST_PROP(TensorData, InvalidPermutationsThrow, ()) {
  const auto shape = *shapes();
  const auto ndim = static_cast<std::int64_t>(shape.size());
  auto order = random_permutation(shape.size());
  const int kind = *uniform(ndim >= 2 ? 0 : 1, 3);
  if (kind == 0) {  // a repeated dimension
    const auto a = *uniform<std::size_t>(0, order.size());
    const auto b = *rc::gen::suchThat(uniform<std::size_t>(0, order.size()),
                                      [&](std::size_t x) { return x != a; });
    order[a] = order[b];
  } else if (kind == 1) {  // the wrong length
    if (*rc::gen::arbitrary<bool>()) {
      order.push_back(*uniform<std::int64_t>(0, ndim));
    } else {
      order.pop_back();
    }
  } else {  // out of range
    const auto k = *uniform<std::size_t>(0, order.size());
    order[k] = *rc::gen::arbitrary<bool>() ? ndim + *uniform<std::int64_t>(0, 3)
                                           : -ndim - *uniform<std::int64_t>(1, 4);
  }
  const auto t = TensorData::zeros(shape, minitorch::kFloat64);
  const auto message = error_message([&] { t.permute(order); });
  RC_ASSERT(contains(message, "not a permutation"));
  RC_ASSERT(contains(message, minitorch::shape_to_string(order)));
  RC_ASSERT(contains(message, minitorch::shape_to_string(shape)));
}

RC_GTEST_PROP(TensorData, PermutedIsContiguousIffSizeGreaterThanOneDimsKeepTheirOrder, ()) {
  const auto shape = *shapes(1, 4, 1, 3);
  const auto p = random_permutation(shape.size());
  const auto v = TensorData::zeros(shape, minitorch::kFloat64).permute(p);
  RC_ASSERT(v.is_contiguous() == keeps_order_of_big_dims(shape, p));
}

RC_GTEST_PROP(TensorData, TransposeSwapsTwoDims, ()) {
  const auto shape = *shapes();
  const auto ndim = static_cast<std::int64_t>(shape.size());
  const auto a = *uniform<std::int64_t>(-ndim, ndim);
  const auto b = *uniform<std::int64_t>(-ndim, ndim);
  const auto t = iota_tensor(shape);
  const auto v = t.transpose(a, b);
  const auto na = static_cast<std::size_t>(a < 0 ? a + ndim : a);
  const auto nb = static_cast<std::size_t>(b < 0 ? b + ndim : b);
  auto expected_shape = shape;
  std::swap(expected_shape[na], expected_shape[nb]);
  RC_ASSERT(v.shape() == expected_shape);
  RC_ASSERT(v.storage() == t.storage());
  for (const auto& j : all_indices(v.shape())) {
    auto i = j;
    std::swap(i[na], i[nb]);
    RC_ASSERT(v.get(j) == t.get(i));
  }
  RC_ASSERT_THROWS_AS(t.transpose(ndim, 0), minitorch::Error);
  RC_ASSERT_THROWS_AS(t.transpose(0, -ndim - 1), minitorch::Error);
}

RC_GTEST_PROP(TensorData, TransposeOfSizeOneDimsStaysContiguous, ()) {
  auto shape = *shapes(2, 4);
  const auto a = *uniform<std::size_t>(0, shape.size());
  const auto b = *uniform<std::size_t>(0, shape.size());
  shape[a] = 1;
  shape[b] = 1;
  const auto t = TensorData::zeros(shape, minitorch::kFloat64);
  RC_ASSERT(t.is_contiguous());
  RC_ASSERT(t.transpose(std::int64_t(a), std::int64_t(b)).is_contiguous());
}

TEST(TensorData, TransposeOfAMatrixIsNotContiguous) {
  const auto t = iota_tensor({2, 3});
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_FALSE(t.transpose(0, 1).is_contiguous());
  EXPECT_TRUE(t.transpose(0, 1).transpose(0, 1).is_contiguous());
  EXPECT_TRUE(iota_tensor({1, 3}).transpose(0, 1).is_contiguous());
}

// ---- view and infer_shape
// -------------------------------------------------------------------------

RC_GTEST_PROP(TensorData, ViewPreservesRowMajorOrder, ()) {
  const auto shape = *shapes();
  const auto t = iota_tensor(shape);
  const auto n = t.numel();

  const auto flat = t.view({-1});
  RC_ASSERT(flat.shape() == Shape{n});
  RC_ASSERT(flat.storage() == t.storage());
  for (std::int64_t i = 0; i < n; ++i) RC_ASSERT(flat.get(Index{i}) == static_cast<double>(i));
  const auto round_trip = flat.view(shape);
  RC_ASSERT(round_trip.shape() == shape);
  RC_ASSERT(round_trip.strides() == t.strides());
  for (const auto& i : all_indices(shape)) RC_ASSERT(round_trip.get(i) == t.get(i));

  // A random reshape with the same count, one size possibly given as -1.
  const auto target = random_factorization(n);
  auto request = target;
  if (*rc::gen::arbitrary<bool>()) request[*uniform<std::size_t>(0, request.size())] = -1;
  const auto v = t.view(request);
  RC_ASSERT(v.shape() == target);
  RC_ASSERT(v.storage() == t.storage());
  RC_ASSERT(v.is_contiguous());
  const auto indices = all_indices(target);
  for (std::size_t i = 0; i < indices.size(); ++i) {
    RC_ASSERT(v.get(indices[i]) == static_cast<double>(i));
  }
}

// The known sizes of a view with -1 multiply with a check: 2^32 * 2^32 would overflow int64.
TEST(TensorData, ViewWithSizesWhoseProductOverflowsIsAnError) {
  const auto t = TensorData::zeros({4}, minitorch::kFloat32);
  const std::int64_t big = std::int64_t(1) << 32;
  const auto message = error_message([&] { t.view({big, big, -1}); });
  EXPECT_TRUE(contains(message, "is invalid for 4 elements")) << message;
  EXPECT_THROW(t.view({big, big, 0, -1}), minitorch::Error);
}

RC_GTEST_PROP(TensorData, ViewOfAContiguousNarrowKeepsTheOffset, ()) {
  const auto shape = *shapes(1, 4, 2, 5);
  const auto t = iota_tensor(shape);
  const auto start = *uniform<std::int64_t>(0, shape[0]);
  const auto length = *uniform<std::int64_t>(0, shape[0] - start + 1);
  const auto narrowed = t.narrow(0, start, length);
  RC_ASSERT(narrowed.is_contiguous());
  const auto flat = narrowed.view({-1});
  const auto first = start * t.strides()[0];
  for (std::int64_t i = 0; i < flat.numel(); ++i) {
    RC_ASSERT(flat.get(Index{i}) == static_cast<double>(first + i));
  }
}

RC_GTEST_PROP(TensorData, ViewOfANonContiguousTensorThrows, ()) {
  // All sizes > 1, so any permutation other than the identity breaks contiguity.
  const auto shape = *shapes(2, 4, 2, 4);
  const auto p = *rc::gen::suchThat(
      rc::gen::exec([&] { return random_permutation(shape.size()); }),
      [](const std::vector<std::int64_t>& q) { return !std::is_sorted(q.begin(), q.end()); });
  const auto v = iota_tensor(shape).permute(p);
  RC_ASSERT(!v.is_contiguous());
  const auto message = error_message([&] { v.view({-1}); });
  RC_ASSERT(contains(message, "contiguous()"));
  RC_ASSERT(contains(message, minitorch::shape_to_string(v.shape())));
}

TEST(TensorData, ViewOfANonContiguousNarrowThrows) {
  const auto t = iota_tensor({3, 4}).narrow(1, 1, 2);
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_TRUE(contains(error_message([&] { t.view({6}); }), "contiguous()"));
}

RC_GTEST_PROP(TensorData, ViewToAWrongCountThrows, ()) {
  const auto shape = *shapes();
  const auto t = iota_tensor(shape);
  auto request = random_factorization(t.numel());
  request[*uniform<std::size_t>(0, request.size())] += *uniform(1, 3);
  const auto message = error_message([&] { t.view(request); });
  RC_ASSERT(contains(message, "view"));
  RC_ASSERT(contains(message, "invalid for " + std::to_string(t.numel()) + " elements"));
}

TEST(TensorData, InferShapeExamples) {
  EXPECT_EQ(minitorch::infer_shape({2, -1}, 6, "op"), (Shape{2, 3}));
  EXPECT_EQ(minitorch::infer_shape({-1}, 0, "op"), (Shape{0}));
  EXPECT_EQ(minitorch::infer_shape({2, -1}, 0, "op"), (Shape{2, 0}));
  EXPECT_EQ(minitorch::infer_shape({}, 1, "op"), Shape{});
  EXPECT_EQ(minitorch::infer_shape({2, 3}, 6, "op"), (Shape{2, 3}));
  EXPECT_THROW(minitorch::infer_shape({-1, -1}, 4, "op"), minitorch::Error);
  EXPECT_THROW(minitorch::infer_shape({4, -1}, 6, "op"), minitorch::Error);
  EXPECT_THROW(minitorch::infer_shape({0, -1}, 0, "op"), minitorch::Error);  // ambiguous
  EXPECT_THROW(minitorch::infer_shape({2, -2}, 4, "op"), minitorch::Error);
  EXPECT_THROW(minitorch::infer_shape({2, 3}, 5, "op"), minitorch::Error);
  EXPECT_THROW(minitorch::infer_shape({}, 2, "op"), minitorch::Error);
  EXPECT_TRUE(contains(error_message([] {
                         minitorch::infer_shape({-1, -1}, 4, "reshape");
                       }),
                       "reshape: only one dimension can be -1"));
}

RC_GTEST_PROP(TensorData, InferShapeResolvesOneMinusOne, ()) {
  const auto shape = *shapes(1, 4, 0, 5);
  const auto count = minitorch::numel(shape);
  auto request = shape;
  const auto k = *uniform<std::size_t>(0, shape.size());
  request[k] = -1;
  Shape known = shape;
  known.erase(known.begin() + static_cast<std::ptrdiff_t>(k));
  if (minitorch::numel(known) == 0) {
    // The -1 could be anything: an error, as in PyTorch.
    RC_ASSERT_THROWS_AS(minitorch::infer_shape(request, count, "op"), minitorch::Error);
  } else {
    RC_ASSERT(minitorch::infer_shape(request, count, "op") == shape);
    RC_ASSERT(minitorch::infer_shape(shape, count, "op") == shape);
    // A count that the known sizes do not divide is impossible.
    const auto other = count + *uniform<std::int64_t>(1, 5);
    if (other % minitorch::numel(known) != 0) {
      RC_ASSERT_THROWS_AS(minitorch::infer_shape(request, other, "op"), minitorch::Error);
    }
    RC_ASSERT_THROWS_AS(minitorch::infer_shape(shape, other, "op"), minitorch::Error);
  }
}

// ---- expand
// ---------------------------------------------------------------------------------------

using minitorch::testing::broadcast_target;

RC_GTEST_PROP(TensorData, ExpandReadsTheBroadcastElement, ()) {
  const auto shape = *shapes(1, 3, 1, 3);
  const auto t = iota_tensor(shape);
  const auto target = broadcast_target(shape);
  const auto e = t.expand(target);
  RC_ASSERT(e.shape() == target);
  RC_ASSERT(e.storage() == t.storage());
  RC_ASSERT(e.offset() == t.offset());
  const auto extra = target.size() - shape.size();
  for (std::size_t k = 0; k < target.size(); ++k) {
    if (k < extra || shape[k - extra] != target[k]) {
      RC_ASSERT(e.strides()[k] == 0);
    } else {
      RC_ASSERT(e.strides()[k] == t.strides()[k - extra]);
    }
  }
  for (const auto& big : all_indices(target)) {
    Index small(shape.size());
    for (std::size_t k = 0; k < shape.size(); ++k) small[k] = shape[k] == 1 ? 0 : big[k + extra];
    RC_ASSERT(e.get(big) == t.get(small));
  }
}

RC_GTEST_PROP(TensorData, ExpandToAnIncompatibleShapeThrows, ()) {
  auto shape = *shapes(1, 3, 1, 4);
  Shape target;
  if (shape.size() >= 2 && *rc::gen::arbitrary<bool>()) {
    // Fewer dimensions than the source (even when the dropped ones have size 1).
    target.assign(shape.begin() + *uniform<std::ptrdiff_t>(1, std::ptrdiff_t(shape.size())),
                  shape.end());
  } else {
    // A dimension of size > 1 changed to another size.
    const auto k = *uniform<std::size_t>(0, shape.size());
    if (shape[k] == 1) shape[k] = *uniform<std::int64_t>(2, 5);
    target = broadcast_target(shape);
    const auto extra = target.size() - shape.size();
    target[k + extra] = *rc::gen::suchThat(uniform<std::int64_t>(0, 6),
                                           [&](std::int64_t s) { return s != shape[k]; });
  }
  const auto t = iota_tensor(shape);
  const auto message = error_message([&] { t.expand(target); });
  RC_ASSERT(contains(message, "cannot be expanded"));
  RC_ASSERT(contains(message, minitorch::shape_to_string(shape)));
  RC_ASSERT(contains(message, minitorch::shape_to_string(target)));
}

TEST(TensorData, ExpandExamples) {
  const auto t = iota_tensor({3, 1});
  const auto e = t.expand(Shape{2, 3, 4});
  EXPECT_EQ(e.strides(), (Strides{0, 1, 0}));
  EXPECT_EQ(e.get(Index{1, 2, 3}), 2.0);
  EXPECT_FALSE(e.is_contiguous());
  EXPECT_THROW(e.view({-1}), minitorch::Error);
  // A write through an expanded view lands in the one shared element.
  e.set(Index{1, 2, 3}, 9.0);
  EXPECT_EQ(t.get(Index{2, 0}), 9.0);
  EXPECT_EQ(e.get(Index{0, 2, 0}), 9.0);
}

// ---- narrow and select
// ----------------------------------------------------------------------------

RC_GTEST_PROP(TensorData, NarrowShiftsOneDimensionOrThrows, ()) {
  const auto shape = *shapes();
  const auto ndim = static_cast<std::int64_t>(shape.size());
  const auto dim = *uniform<std::int64_t>(-ndim, ndim);
  const auto d = static_cast<std::size_t>(dim < 0 ? dim + ndim : dim);
  const auto size = shape[d];
  const auto start = *uniform<std::int64_t>(-size - 2, size + 3);
  const auto length = *uniform<std::int64_t>(-1, size + 2);
  // PyTorch's rule: start in [-size, size], negative counting from the end; start + length <= size.
  const auto s = start < 0 ? start + size : start;
  const bool valid = s >= 0 && length >= 0 && s + length <= size;
  const auto t = iota_tensor(shape);
  if (!valid) {
    const auto message = error_message([&] { t.narrow(dim, start, length); });
    RC_ASSERT(contains(message, "narrow"));
    RC_ASSERT(contains(message, "out of range"));
    return;
  }
  const auto n = t.narrow(dim, start, length);
  auto expected_shape = shape;
  expected_shape[d] = length;
  RC_ASSERT(n.shape() == expected_shape);
  RC_ASSERT(n.strides() == t.strides());
  RC_ASSERT(n.storage() == t.storage());
  for (const auto& j : all_indices(n.shape())) {
    auto i = j;
    i[d] += s;
    RC_ASSERT(n.get(j) == t.get(i));
  }
  if (length > 0) {
    Index j(shape.size(), 0);
    n.set(j, -1.0);
    j[d] = s;
    RC_ASSERT(t.get(j) == -1.0);
  }
}

RC_GTEST_PROP(TensorData, SelectRemovesOneDimensionOrThrows, ()) {
  const auto shape = *shapes();
  const auto ndim = static_cast<std::int64_t>(shape.size());
  const auto dim = *uniform<std::int64_t>(-ndim, ndim);
  const auto d = static_cast<std::size_t>(dim < 0 ? dim + ndim : dim);
  const auto size = shape[d];
  const auto index = *uniform<std::int64_t>(-size - 2, size + 2);
  const auto s = index < 0 ? index + size : index;
  const auto t = iota_tensor(shape);
  if (s < 0 || s >= size) {
    const auto message = error_message([&] { t.select(dim, index); });
    RC_ASSERT(contains(message, "select"));
    RC_ASSERT(contains(message, "out of range"));
    return;
  }
  const auto v = t.select(dim, index);
  auto expected_shape = shape;
  expected_shape.erase(expected_shape.begin() + static_cast<std::ptrdiff_t>(d));
  RC_ASSERT(v.shape() == expected_shape);
  RC_ASSERT(v.storage() == t.storage());
  for (const auto& j : all_indices(v.shape())) {
    auto i = j;
    i.insert(i.begin() + static_cast<std::ptrdiff_t>(d), s);
    RC_ASSERT(v.get(j) == t.get(i));
  }
  Index j(v.dim(), 0);
  v.set(j, -1.0);
  j.insert(j.begin() + static_cast<std::ptrdiff_t>(d), s);
  RC_ASSERT(t.get(j) == -1.0);
}

RC_GTEST_PROP(TensorData, NarrowAndSelectRejectDimsOutOfRange, ()) {
  const auto shape = *shapes();
  const auto ndim = static_cast<std::int64_t>(shape.size());
  const auto dim = *rc::gen::arbitrary<bool>() ? ndim + *uniform<std::int64_t>(0, 3)
                                               : -ndim - *uniform<std::int64_t>(1, 4);
  const auto t = iota_tensor(shape);
  RC_ASSERT(
      contains(error_message([&] { t.narrow(dim, 0, 1); }), "dimension " + std::to_string(dim)));
  RC_ASSERT(contains(error_message([&] { t.select(dim, 0); }), "dimension " + std::to_string(dim)));
}

TEST(TensorData, NarrowAndSelectExamples) {
  const auto t = iota_tensor({3, 4});
  const auto n = t.narrow(1, -3, 2);  // columns 1 and 2
  EXPECT_EQ(n.shape(), (Shape{3, 2}));
  EXPECT_EQ(n.offset(), 1);
  EXPECT_EQ(n.get(Index{2, 1}), 10.0);
  EXPECT_EQ(t.narrow(0, 3, 0).shape(), (Shape{0, 4}));  // an empty narrow at the end
  EXPECT_THROW(t.narrow(0, 4, 0), minitorch::Error);
  EXPECT_THROW(t.narrow(0, -4, 1), minitorch::Error);
  const auto row = t.select(0, -1);
  EXPECT_EQ(row.shape(), (Shape{4}));
  EXPECT_EQ(row.offset(), 8);
  EXPECT_EQ(row.get(Index{3}), 11.0);
  const auto scalar = row.select(0, 2);
  EXPECT_EQ(scalar.dim(), 0);
  EXPECT_EQ(scalar.get(Index{}), 10.0);
  EXPECT_THROW(scalar.select(0, 0), minitorch::Error);
  EXPECT_THROW(scalar.narrow(0, 0, 1), minitorch::Error);
}

// ---- unsqueeze and squeeze
// ------------------------------------------------------------------------

RC_GTEST_PROP(TensorData, UnsqueezeThenSqueezeRoundTrips, ()) {
  const auto shape = *shapes(0, 4);
  const auto ndim = static_cast<std::int64_t>(shape.size());
  const auto dim = *uniform<std::int64_t>(-ndim - 1, ndim + 1);
  const auto d = static_cast<std::size_t>(dim < 0 ? dim + ndim + 1 : dim);
  const auto t = iota_tensor(shape);
  const auto u = t.unsqueeze(dim);
  auto expected_shape = shape;
  expected_shape.insert(expected_shape.begin() + static_cast<std::ptrdiff_t>(d), 1);
  RC_ASSERT(u.shape() == expected_shape);
  RC_ASSERT(u.storage() == t.storage());
  RC_ASSERT(u.is_contiguous());
  for (const auto& j : all_indices(u.shape())) {
    auto i = j;
    i.erase(i.begin() + static_cast<std::ptrdiff_t>(d));
    RC_ASSERT(u.get(j) == t.get(i));
  }
  const auto back = u.squeeze(dim);
  RC_ASSERT(back.shape() == t.shape());
  RC_ASSERT(back.strides() == t.strides());
  RC_ASSERT(back.offset() == t.offset());
  RC_ASSERT(back.storage() == t.storage());
}

RC_GTEST_PROP(TensorData, UnsqueezeOfAPermutedViewKeepsItsElements, ()) {
  const auto shape = *shapes();
  const auto ndim = static_cast<std::int64_t>(shape.size());
  const auto t = iota_tensor(shape).permute(random_permutation(shape.size()));
  const auto d = *uniform<std::int64_t>(0, ndim + 1);
  const auto u = t.unsqueeze(d);
  RC_ASSERT(u.is_contiguous() == t.is_contiguous());
  for (const auto& j : all_indices(u.shape())) {
    auto i = j;
    i.erase(i.begin() + d);
    RC_ASSERT(u.get(j) == t.get(i));
  }
}

RC_GTEST_PROP(TensorData, SqueezeOfASizeGreaterThanOneDimIsANoOp, ()) {
  auto shape = *shapes();
  const auto ndim = static_cast<std::int64_t>(shape.size());
  const auto dim = *uniform<std::int64_t>(-ndim, ndim);
  const auto d = static_cast<std::size_t>(dim < 0 ? dim + ndim : dim);
  if (shape[d] == 1) shape[d] = *uniform<std::int64_t>(2, 5);
  const auto t = iota_tensor(shape);
  const auto s = t.squeeze(dim);
  RC_ASSERT(s.shape() == t.shape());
  RC_ASSERT(s.strides() == t.strides());
  RC_ASSERT(s.offset() == t.offset());
  RC_ASSERT(s.storage() == t.storage());
}

RC_GTEST_PROP(TensorData, UnsqueezeAndSqueezeRejectDimsOutOfRange, ()) {
  const auto shape = *shapes();
  const auto ndim = static_cast<std::int64_t>(shape.size());
  const auto t = iota_tensor(shape);
  const auto above = *uniform<std::int64_t>(0, 3);
  RC_ASSERT_THROWS_AS(t.unsqueeze(ndim + 1 + above), minitorch::Error);
  RC_ASSERT_THROWS_AS(t.unsqueeze(-ndim - 2 - above), minitorch::Error);
  RC_ASSERT_THROWS_AS(t.squeeze(ndim + above), minitorch::Error);
  RC_ASSERT_THROWS_AS(t.squeeze(-ndim - 1 - above), minitorch::Error);
}

TEST(TensorData, UnsqueezeAndSqueezeExamples) {
  const auto t = iota_tensor({2, 3});
  EXPECT_EQ(t.unsqueeze(0).shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(t.unsqueeze(-1).shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(t.unsqueeze(1).strides(), (Strides{3, 3, 1}));
  EXPECT_EQ(t.unsqueeze(2).strides(), (Strides{3, 1, 1}));
  const auto scalar = TensorData::zeros({}, minitorch::kFloat64);
  EXPECT_EQ(scalar.unsqueeze(0).shape(), (Shape{1}));
  EXPECT_EQ(scalar.unsqueeze(-1).shape(), (Shape{1}));
  EXPECT_EQ(scalar.squeeze(0).dim(), 0);
  EXPECT_EQ(iota_tensor({1}).squeeze(0).dim(), 0);
}

// ---- views never copy
// -----------------------------------------------------------------------------

TEST(TensorData, EveryViewSharesTheStorage) {
  const auto t = iota_tensor({2, 1, 3});
  const std::vector<TensorData> views = {
      t.permute(std::vector<std::int64_t>{2, 0, 1}),
      t.transpose(0, 2),
      t.view({3, 2}),
      t.expand(Shape{4, 2, 5, 3}),
      t.narrow(2, 1, 2),
      t.select(0, 1),
      t.unsqueeze(1),
      t.squeeze(1),
  };
  for (const auto& v : views) {
    EXPECT_EQ(v.storage(), t.storage());
    EXPECT_EQ(v.storage()->size(), 6);
  }
  // A write through one view is seen by all of them.
  t.view({3, 2}).set(Index{2, 1}, 100.0);
  EXPECT_EQ(t.get(Index{1, 0, 2}), 100.0);
  EXPECT_EQ(t.transpose(0, 2).get(Index{2, 0, 1}), 100.0);
  EXPECT_EQ(t.select(0, 1).get(Index{0, 2}), 100.0);
}

// Regressions found by the property tests' authors.
TEST(TensorDataRegressions, ZeroDimSqueezeChecksTheDimension) {
  const auto scalar = minitorch::TensorData::zeros({}, minitorch::kFloat64);
  EXPECT_THROW(scalar.squeeze(5), minitorch::Error);
  EXPECT_EQ(scalar.squeeze(0).dim(), 0);
}

TEST(TensorDataRegressions, EmptyTensorsAreContiguous) {
  const auto empty = minitorch::TensorData::zeros({0, 3}, minitorch::kFloat64).transpose(0, 1);
  EXPECT_TRUE(empty.is_contiguous());
  EXPECT_EQ(empty.view({-1}).numel(), 0);
}

TEST(TensorDataRegressions, ErrorsReportTheArgumentsAsGiven) {
  const auto t = minitorch::TensorData::zeros({3}, minitorch::kFloat64);
  try {
    t.narrow(0, -10, 1);
    FAIL();
  } catch (const minitorch::Error& e) {
    EXPECT_NE(std::string(e.what()).find("start -10"), std::string::npos) << e.what();
  }
  try {
    minitorch::TensorData::zeros({}, minitorch::kFloat64).unsqueeze(5);
    FAIL();
  } catch (const minitorch::Error& e) {
    EXPECT_NE(std::string(e.what()).find("with 0 dimensions"), std::string::npos) << e.what();
  }
}
