// ProcessGroup's collectives on whatever world runs the test: under mpirun (ctest runs it with two
// ranks) every rank checks the combined values; alone, the group of one is the identity.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "minitorch/core/error.h"
#include "minitorch/distributed/process_group.h"
#include "minitorch/tensor/creation.h"

namespace {

namespace mt = minitorch;
using mt::Tensor;
using mt::distributed::ProcessGroup;
using mt::distributed::ReduceOp;

ProcessGroup& world() {
  return ProcessGroup::world();
}

// Rank r holds r + 1 + i·0.5 at i: the sum over ranks is W(W+1)/2 + W·i·0.5.
Tensor rank_values(std::int64_t n, mt::Dtype dtype) {
  std::vector<double> values;
  for (std::int64_t i = 0; i < n; ++i) values.push_back(world().rank() + 1 + 0.5 * double(i));
  return mt::from_vector(values, {n}, {.dtype = dtype});
}

double expected_sum(std::int64_t i) {
  const double w = world().size();
  return w * (w + 1) / 2 + w * 0.5 * double(i);
}

TEST(ProcessGroup, TheWorldMatchesTheLauncher) {
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  EXPECT_EQ(world().size(), size ? std::atoi(size) : 1);
  EXPECT_EQ(ProcessGroup::launched_by_mpirun(), size != nullptr);
  EXPECT_GE(world().rank(), 0);
  EXPECT_LT(world().rank(), world().size());
}

TEST(ProcessGroup, AllReduceSumsAndAveragesBothDtypesInPlace) {
  for (const mt::Dtype dtype : {mt::kFloat32, mt::kFloat64}) {
    for (const std::int64_t n : {1, 1000, 70001}) {
      const Tensor sum = rank_values(n, dtype);
      world().all_reduce(sum, ReduceOp::Sum);
      const Tensor average = rank_values(n, dtype);
      world().all_reduce(average, ReduceOp::Average);
      for (const std::int64_t i : {std::int64_t{0}, n / 2, n - 1}) {
        EXPECT_DOUBLE_EQ(sum.get({i}), expected_sum(i)) << n << " " << i;
        EXPECT_NEAR(average.get({i}), expected_sum(i) / world().size(), 1e-6 * expected_sum(i));
      }
    }
  }
}

TEST(ProcessGroup, AsyncAllReducesFinishInTheOrderStartedAndAgreeWithTheBlockingOne) {
  std::vector<Tensor> tensors;
  std::vector<std::shared_ptr<mt::distributed::Work>> works;
  for (int k = 0; k < 8; ++k) {
    tensors.push_back(rank_values(1000 * (k + 1), mt::kFloat64));
    works.push_back(world().all_reduce_async(tensors.back(), ReduceOp::Sum));
  }
  const Tensor blocking = rank_values(5, mt::kFloat64);
  world().all_reduce(blocking);  // queued behind the async ones, never beside them
  for (std::size_t k = 0; k < works.size(); ++k) {
    works[k]->wait();
    EXPECT_TRUE(works[k]->is_completed());
    EXPECT_DOUBLE_EQ(tensors[k].get({999}), expected_sum(999));
  }
  EXPECT_DOUBLE_EQ(blocking.get({4}), expected_sum(4));
}

TEST(ProcessGroup, BroadcastGivesEveryRankTheRootsValues) {
  for (const int root : {0, world().size() - 1}) {
    const Tensor t = rank_values(100, mt::kFloat32);
    world().broadcast(t, root);
    EXPECT_DOUBLE_EQ(t.get({3}), root + 1 + 1.5);
  }
}

TEST(ProcessGroup, AllGatherHasOneValuePerRankInRankOrder) {
  const auto doubles = world().all_gather(0.25 + world().rank());
  const auto counts = world().all_gather(std::int64_t{10} * world().rank());
  const auto names = world().all_gather(std::string(std::size_t(world().rank()), 'x') + "rank");
  ASSERT_EQ(doubles.size(), std::size_t(world().size()));
  ASSERT_EQ(names.size(), std::size_t(world().size()));
  for (int r = 0; r < world().size(); ++r) {
    EXPECT_EQ(doubles[r], 0.25 + r);
    EXPECT_EQ(counts[r], 10 * r);
    EXPECT_EQ(names[r], std::string(std::size_t(r), 'x') + "rank");
  }
  world().barrier();
}

TEST(ProcessGroup, BadTensorsAndRootsAreErrorsThatNameThem) {
  const Tensor not_contiguous = mt::zeros({3, 4}).transpose(0, 1);
  try {
    world().all_reduce(not_contiguous);
    FAIL() << "no error";
  } catch (const mt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("not contiguous"), std::string::npos) << e.what();
  }
  EXPECT_THROW(world().all_reduce_async(Tensor()), mt::Error);
  try {
    world().broadcast(mt::zeros({2}), world().size());
    FAIL() << "no error";
  } catch (const mt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("root " + std::to_string(world().size())),
              std::string::npos)
        << e.what();
  }
  // The group still works after refusing them.
  const Tensor t = rank_values(3, mt::kFloat64);
  world().all_reduce(t);
  EXPECT_DOUBLE_EQ(t.get({0}), expected_sum(0));
}

TEST(ProcessGroup, TheGroupOfOneIsTheIdentity) {
  const auto single = mt::distributed::make_single_process_group();
  EXPECT_EQ(single->size(), 1);
  EXPECT_FALSE(single->is_distributed());
  const Tensor t = mt::from_vector({1.5, 2.5}, {2});
  single->all_reduce(t, ReduceOp::Average);
  single->all_reduce_async(t)->wait();
  single->broadcast(t, 0);
  EXPECT_EQ(t.to_vector(), (std::vector<double>{1.5, 2.5}));
  EXPECT_EQ(single->all_gather(std::string("a")), std::vector<std::string>{"a"});
  EXPECT_THROW(single->broadcast(t, 1), mt::Error);
}

}  // namespace
