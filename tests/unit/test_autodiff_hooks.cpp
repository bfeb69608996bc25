// The engine's hooks for data-parallel training: a leaf's post-accumulate-grad hooks run once per
// backward pass, after its whole gradient was accumulated; final callbacks run after the pass.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "minitorch/autodiff/engine.h"
#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"

namespace {

namespace mt = minitorch;
using mt::Tensor;

TEST(GradReadyHook, RunsOncePerPassWithTheWholeGradient) {
  const Tensor x = mt::from_vector({2.0}, {1}, {.requires_grad = true});
  std::vector<double> seen;
  x.register_post_accumulate_grad_hook(
      [&](const Tensor& leaf) { seen.push_back(leaf.grad().item()); });
  // x is reached along three paths: 3x² + x → d/dx = 6x + 1 = 13.
  const Tensor y = (x * x * 3.0 + x).sum();
  y.backward();
  ASSERT_EQ(seen, std::vector<double>{13.0});
  // Gradients accumulate across passes; the hook sees the running total.
  ((x * x * 3.0 + x).sum()).backward();
  EXPECT_EQ(seen, (std::vector<double>{13.0, 26.0}));
}

TEST(GradReadyHook, AHookMayChangeTheGradientAndBeRemoved) {
  const Tensor x = mt::from_vector({1.0, 1.0}, {2}, {.requires_grad = true});
  const auto id = x.register_post_accumulate_grad_hook(
      [](const Tensor& leaf) { leaf.grad().set_data(leaf.grad() * 10.0); });
  (x * 2.0).sum().backward();
  EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{20.0, 20.0}));
  x.remove_post_accumulate_grad_hook(id);
  x.zero_grad();
  (x * 2.0).sum().backward();
  EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{2.0, 2.0}));
  EXPECT_THROW(x.remove_post_accumulate_grad_hook(id), mt::Error);
}

TEST(GradReadyHook, OnlyLeavesThatRequireGradTakeHooks) {
  const Tensor x = mt::from_vector({1.0}, {1}, {.requires_grad = true});
  const Tensor y = x * 2.0;
  try {
    y.register_post_accumulate_grad_hook([](const Tensor&) {});
    FAIL() << "no error";
  } catch (const mt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("MulBackward0"), std::string::npos) << e.what();
  }
  EXPECT_THROW(mt::from_vector({1.0}, {1}).register_post_accumulate_grad_hook([](const Tensor&) {}),
               mt::Error);
}

TEST(FinalCallback, RunsAfterEveryLeafOfThePassInTheOrderQueued) {
  const Tensor a = mt::from_vector({1.0}, {1}, {.requires_grad = true});
  const Tensor b = mt::from_vector({3.0}, {1}, {.requires_grad = true});
  std::vector<std::string> events;
  bool queued = false;
  auto hook = [&](const std::string& name) {
    return [&, name](const Tensor&) {
      events.push_back(name);
      if (!queued) {
        queued = true;
        mt::autodiff::queue_callback([&] {
          events.push_back("final 1");
          // A callback may queue another; it runs in the same pass.
          mt::autodiff::queue_callback([&] { events.push_back("final 2"); });
        });
      }
    };
  };
  a.register_post_accumulate_grad_hook(hook("a"));
  b.register_post_accumulate_grad_hook(hook("b"));
  (a * b).sum().backward();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[2], "final 1");
  EXPECT_EQ(events[3], "final 2");
  EXPECT_TRUE((events[0] == "a" && events[1] == "b") || (events[0] == "b" && events[1] == "a"));
}

TEST(FinalCallback, OutsideABackwardPassIsAnError) {
  EXPECT_THROW(mt::autodiff::queue_callback([] {}), mt::Error);
}

TEST(FinalCallback, APassThatThrowsDropsItsCallbacks) {
  const Tensor x = mt::from_vector({1.0}, {1}, {.requires_grad = true});
  int ran = 0;
  x.register_post_accumulate_grad_hook([&](const Tensor&) {
    mt::autodiff::queue_callback([&] { ++ran; });
    throw mt::Error("hook failed");
  });
  EXPECT_THROW((x * 2.0).sum().backward(), mt::Error);
  EXPECT_EQ(ran, 0);
  EXPECT_THROW(mt::autodiff::queue_callback([] {}), mt::Error);  // the pass's scope is closed
}

}  // namespace
