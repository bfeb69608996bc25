// Dynamic batching: concurrent requests share forward passes, each gets exactly its own rows, and
// the answers are the very numbers the same rows get alone.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "minitorch/serve/batcher.h"
#include "serve_fixtures.h"

namespace minitorch::serve {
namespace {

struct Recorded {
  std::mutex mutex;
  std::vector<std::int64_t> batch_rows;
};

BatchObserver recording(Recorded& recorded) {
  return {[&recorded](const std::string&, std::int64_t rows, double seconds) {
            EXPECT_GE(seconds, 0.0);
            std::lock_guard lock(recorded.mutex);
            recorded.batch_rows.push_back(rows);
          },
          {}};
}

// Submits requests of 1 to 3 rows, all at once, to a batcher that gathers up to 16 rows, and
// checks each answer against the same rows run alone; returns the forward passes' sizes.
std::vector<std::int64_t> batched_against_alone(const std::shared_ptr<const Classifier>& model,
                                                const std::vector<std::int64_t>& item, bool exact) {
  constexpr int kRequests = 24;
  std::vector<Tensor> inputs;
  std::vector<std::vector<double>> alone;
  Generator generator(11);
  for (int i = 0; i < kRequests; ++i) {
    Shape shape{1 + i % 3};
    shape.insert(shape.end(), item.begin(), item.end());
    inputs.push_back(rand(shape, {}, &generator));
    alone.push_back(model->probabilities(inputs.back()).to_vector());
  }
  Recorded recorded;
  Batcher batcher(
      {.threads = 2, .max_batch_size = 16, .max_queue_delay = std::chrono::milliseconds(20)},
      recording(recorded));
  // Every request is announced first, as the server does while it reads them.
  std::vector<Batcher::Arrival> arrivals;
  for (int i = 0; i < kRequests; ++i) arrivals.push_back(batcher.expect_request());
  std::vector<std::future<Inference>> answers;
  for (int i = 0; i < kRequests; ++i) {
    answers.push_back(batcher.submit("m", model, inputs[i]));
    arrivals[std::size_t(i)].done();
  }
  const std::size_t classes = model->class_names().size();
  for (int i = 0; i < kRequests; ++i) {
    const Inference inference = answers[i].get();
    EXPECT_EQ(inference.rows(), inputs[i].size(0));
    EXPECT_GE(inference.batch_rows, inputs[i].size(0));
    const std::vector<double> batched = testing::as_doubles(inference.probabilities);
    if (exact) {
      EXPECT_EQ(batched, alone[i]) << "request " << i;
    } else {
      EXPECT_TRUE(testing::same_answers(batched, alone[i], classes)) << "request " << i;
    }
  }
  std::lock_guard lock(recorded.mutex);
  return recorded.batch_rows;
}

TEST(Batcher, BatchedAnswersAreBitForBitTheUnbatchedOnes) {
  const auto rows = batched_against_alone(testing::small_classifier(), {1, 2, 2}, true);
  EXPECT_LT(rows.size(), 24u) << "nothing was batched";
  for (const std::int64_t n : rows) EXPECT_LE(n, 16);
}

TEST(Batcher, BatchedLeNetAnswersAreTheUnbatchedOnes) {
  const auto rows = batched_against_alone(testing::image_classifier(), {1, 28, 28}, false);
  EXPECT_LT(rows.size(), 24u) << "nothing was batched";
  for (const std::int64_t n : rows) EXPECT_LE(n, 16);
}

TEST(Batcher, ConcurrentSubmittersGetTheirOwnRows) {
  const auto model = testing::image_classifier();
  Batcher batcher(
      {.threads = 1, .max_batch_size = 8, .max_queue_delay = std::chrono::milliseconds(2)});
  std::atomic<int> wrong{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 6; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < 5; ++i) {
        const Tensor x = testing::random_images(1 + (c + i) % 2, 1000 + c * 10 + i);
        const auto expected = model->probabilities(x).to_vector();
        const auto answer =
            testing::as_doubles(batcher.submit("lenet", model, x).get().probabilities);
        if (!testing::same_answers(answer, expected, 10)) ++wrong;
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(wrong, 0);
}

TEST(Batcher, ALoneRequestRunsAtOnceAndAnAnnouncedOneIsWaitedFor) {
  const auto model = testing::small_classifier();
  Batcher batcher({.threads = 1, .max_batch_size = 8, .max_queue_delay = std::chrono::seconds(60)});
  const Tensor x = testing::random_images(1, 3).narrow(2, 0, 2).narrow(3, 0, 2).contiguous();
  // Nothing else on its way: no waiting for the 60 s delay.
  auto lone = batcher.submit("m", model, x);
  ASSERT_EQ(lone.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(lone.get().batch_rows, 1);
  // One more announced: the first waits for it, and both run in one pass.
  Batcher::Arrival second = batcher.expect_request();
  auto first = batcher.submit("m", model, x);
  EXPECT_EQ(first.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  auto other = batcher.submit("m", model, x);
  second.done();
  EXPECT_EQ(first.get().batch_rows, 2);
  EXPECT_EQ(other.get().batch_rows, 2);
  // An announced request that never comes (its reading failed) stops being waited for.
  Batcher::Arrival abandoned = batcher.expect_request();
  auto third = batcher.submit("m", model, x);
  { Batcher::Arrival gone = std::move(abandoned); }
  ASSERT_EQ(third.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(third.get().batch_rows, 1);
}

TEST(Batcher, ARequestLargerThanTheBatchRunsAlone) {
  const auto model = testing::image_classifier();
  Recorded recorded;
  Batcher batcher(
      {.threads = 1, .max_batch_size = 4, .max_queue_delay = std::chrono::milliseconds(0)},
      recording(recorded));
  const Tensor big = testing::random_images(9, 7);
  EXPECT_EQ(testing::as_doubles(batcher.submit("lenet", model, big).get().probabilities),
            model->probabilities(big).to_vector());
  std::lock_guard lock(recorded.mutex);
  EXPECT_EQ(recorded.batch_rows, std::vector<std::int64_t>{9});
}

// A layer that waits until released, so that requests pile up behind it.
class Gate : public nn::Layer {
 public:
  Tensor forward(const Tensor& x) override {
    std::unique_lock lock(mutex_);
    ++entered_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
    return zeros({x.size(0), 2});
  }
  void wait_entered(int n) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return entered_ >= n; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int entered_ = 0;
  bool open_ = false;
};

std::shared_ptr<const Classifier> gated(std::shared_ptr<Gate> gate) {
  ClassifierOptions options;
  options.input = models::InputKind::Image;
  options.item_shape = {1, 1, 1};
  options.class_names = {"a", "b"};
  return std::make_shared<const Classifier>(std::move(gate), std::move(options));
}

TEST(Batcher, AFullQueueRefusesInsteadOfGrowing) {
  auto gate = std::make_shared<Gate>();
  const auto model = gated(gate);
  Batcher batcher({.threads = 1,
                   .max_batch_size = 1,
                   .max_queue_delay = std::chrono::microseconds(0),
                   .max_queue_rows = 3});
  auto first = batcher.submit("gate", model, zeros({1, 1, 1, 1}));
  gate->wait_entered(1);  // the first is running, the queue is empty
  std::vector<std::future<Inference>> queued;
  for (int i = 0; i < 3; ++i) queued.push_back(batcher.submit("gate", model, zeros({1, 1, 1, 1})));
  EXPECT_THROW(batcher.submit("gate", model, zeros({1, 1, 1, 1})), QueueFull);
  gate->open();
  EXPECT_EQ(first.get().rows(), 1);
  for (auto& answer : queued) EXPECT_EQ(answer.get().rows(), 1);
  EXPECT_NO_THROW(batcher.submit("gate", model, zeros({1, 1, 1, 1})).get());
}

TEST(Batcher, StopFinishesEveryQueuedRequestAndRefusesNewOnes) {
  auto gate = std::make_shared<Gate>();
  const auto model = gated(gate);
  Batcher batcher(
      {.threads = 1, .max_batch_size = 2, .max_queue_delay = std::chrono::microseconds(0)});
  std::vector<std::future<Inference>> answers;
  for (int i = 0; i < 5; ++i) answers.push_back(batcher.submit("gate", model, zeros({1, 1, 1, 1})));
  gate->wait_entered(1);
  std::thread stopper([&] { batcher.stop(); });
  gate->open();
  stopper.join();
  for (auto& answer : answers) EXPECT_EQ(answer.get().rows(), 1);
  EXPECT_THROW(batcher.submit("gate", model, zeros({1, 1, 1, 1})), Error);
}

class Broken : public nn::Layer {
 public:
  Tensor forward(const Tensor&) override { throw Error("broken layer"); }
};

TEST(Batcher, AModelsFailureReachesEveryRequestOfItsBatch) {
  ClassifierOptions options;
  options.input = models::InputKind::Image;
  options.item_shape = {1, 1, 1};
  options.class_names = {"a"};
  const auto model = std::make_shared<const Classifier>(std::make_shared<Broken>(), options);
  Batcher batcher({.threads = 1});
  auto answer = batcher.submit("broken", model, zeros({1, 1, 1, 1}));
  EXPECT_THROW(answer.get(), Error);
}

TEST(Batcher, RefusesBadOptions) {
  EXPECT_THROW(Batcher({.threads = 0}), Error);
  EXPECT_THROW(Batcher({.threads = 1, .max_batch_size = 0}), Error);
  EXPECT_THROW(
      Batcher({.threads = 1, .max_batch_size = 1, .max_queue_delay = {}, .max_queue_rows = 0}),
      Error);
}

}  // namespace
}  // namespace minitorch::serve
