// The CUDA backend at sizes the op harness does not reach: reductions past one block (1,024) and
// past 65,536 elements, matrix products of awkward sizes and layouts, convolution and pooling at
// LeNet's sizes, scatter-add with repeated rows, the caching allocator, and a training step whose
// gradients match the CPU's. Every test reports "skipped: no CUDA device" without a GPU.
#include <gtest/gtest.h>

#include <cmath>

#include "error_helpers.h"
#include "minitorch/cuda/cuda_backend.h"
#include "minitorch/models/lenet.h"
#include "minitorch/nn/functional.h"
#include "minitorch/nn/losses.h"
#include "minitorch/tensor/creation.h"

namespace mt = minitorch;
using mt::Device;
using mt::Tensor;
using mt::testing::error_of;

namespace {

#define SKIP_WITHOUT_GPU() \
  if (!mt::cuda_available()) GTEST_SKIP() << "skipped: no CUDA device"

// Max |got - expected| / (1 + |expected|) over all elements, after both come to the host.
double worst_error(const Tensor& got, const Tensor& expected) {
  EXPECT_EQ(got.shape(), expected.shape());
  const auto a = got.to_vector();
  const auto b = expected.to_vector();
  double worst = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const double e = std::abs(a[i] - b[i]) / (1 + std::abs(b[i]));
    worst = std::isnan(e) ? INFINITY : std::max(worst, e);
  }
  return worst;
}

double tolerance(mt::Dtype dtype) {
  return dtype == mt::kFloat64 ? 1e-10 : 1e-4;
}

TEST(Cuda, TensorsMoveToTheGpuAndBack) {
  SKIP_WITHOUT_GPU();
  const Tensor x = mt::arange(24.0).view({2, 3, 4}).permute({2, 0, 1});
  const Tensor y = x.cuda();
  EXPECT_EQ(y.device(), Device::cuda(0));
  EXPECT_EQ(y.backend().name(), "cuda:0");
  EXPECT_EQ(y.shape(), x.shape());
  EXPECT_EQ(y.to_vector(), x.to_vector());
  EXPECT_EQ(y.get({3, 1, 2}), x.get({3, 1, 2}));
  EXPECT_EQ(y.cpu().device(), mt::kCPU);
  EXPECT_EQ(y.cpu().to_vector(), x.to_vector());
  y.set({0, 0, 0}, 42.0);
  EXPECT_EQ(y.get({0, 0, 0}), 42.0);
  EXPECT_EQ(y.sum().item(), x.sum().item() + 42.0);
  EXPECT_FALSE(y.to_string().empty());
  const Tensor z = mt::ones({3}, {.dtype = mt::kFloat64, .device = Device::cuda(0)});
  EXPECT_EQ(z.device(), Device::cuda(0));
  EXPECT_EQ(z.to_vector(), std::vector<double>(3, 1.0));
}

TEST(Cuda, MixingDevicesNamesBoth) {
  SKIP_WITHOUT_GPU();
  const Tensor a = mt::ones({2});
  const Tensor b = a.cuda();
  const std::string message = error_of([&] { (void)(a + b); });
  EXPECT_CONTAINS(message, "cpu");
  EXPECT_CONTAINS(message, "cuda:0");
  EXPECT_CONTAINS(message, "expected one device");
}

TEST(Cuda, ReducesAnyLength) {
  SKIP_WITHOUT_GPU();
  for (const mt::Dtype dtype : {mt::kFloat32, mt::kFloat64}) {
    for (const std::int64_t length :
         {1, 31, 33, 1000, 1024, 1025, 4097, 65535, 65536, 65537, 1 << 20, (1 << 24) + 3}) {
      SCOPED_TRACE(std::to_string(length) + " " + mt::dtype_name(dtype));
      const Tensor ones = mt::ones({length}, {.dtype = dtype, .device = Device::cuda(0)});
      EXPECT_EQ(ones.sum().item(), static_cast<double>(length));
      const Tensor ramp = mt::arange(double(length), {.dtype = dtype, .device = Device::cuda(0)});
      EXPECT_EQ(ramp.max().item(), static_cast<double>(length - 1));
      EXPECT_EQ(ramp.argmax(0).item(), static_cast<double>(length - 1));
    }
  }
}

TEST(Cuda, ReducesAlongEveryDimensionOfStridedInputs) {
  SKIP_WITHOUT_GPU();
  mt::Generator g(7);
  for (const mt::Dtype dtype : {mt::kFloat32, mt::kFloat64}) {
    const Tensor x = mt::randn({3, 1500, 7}, {.dtype = dtype}, &g).transpose(0, 2);
    const Tensor y = x.to(Device::cuda(0));
    for (std::int64_t d = 0; d < 3; ++d) {
      EXPECT_LT(worst_error(y.sum(d), x.sum(d)), tolerance(dtype) * 10) << d;
      EXPECT_EQ(worst_error(y.max(d, true).first, x.max(d, true).first), 0.0) << d;
      EXPECT_EQ(worst_error(y.argmax(d), x.argmax(d)), 0.0) << d;
    }
  }
}

TEST(Cuda, MatmulOfAwkwardSizesAndLayouts) {
  SKIP_WITHOUT_GPU();
  mt::Generator g(11);
  struct Case {
    std::int64_t n, k, m;
  };
  for (const mt::Dtype dtype : {mt::kFloat32, mt::kFloat64}) {
    for (const Case c : {Case{1, 1, 1}, Case{7, 3, 5}, Case{33, 65, 17}, Case{129, 257, 130},
                         Case{128, 128, 128}, Case{300, 1, 300}, Case{1, 1000, 1}}) {
      SCOPED_TRACE(std::to_string(c.n) + "x" + std::to_string(c.k) + "x" + std::to_string(c.m));
      const Tensor a = mt::randn({c.n, c.k}, {.dtype = dtype}, &g);
      const Tensor bt = mt::randn({c.m, c.k}, {.dtype = dtype}, &g);  // b stored transposed
      const Tensor expected = a.matmul(bt.transpose(0, 1));
      const Tensor got = a.cuda().matmul(bt.cuda().transpose(0, 1));
      EXPECT_LT(worst_error(got, expected), tolerance(dtype) * std::sqrt(double(c.k)));
      const Tensor got_t = a.transpose(0, 1).contiguous().cuda().transpose(0, 1).matmul(
          bt.transpose(0, 1).contiguous().cuda());
      EXPECT_LT(worst_error(got_t, expected), tolerance(dtype) * std::sqrt(double(c.k)));
    }
    // Batched, with the left operand broadcast over the batch.
    const Tensor a = mt::randn({5, 70}, {.dtype = dtype}, &g);
    const Tensor b = mt::randn({3, 4, 70, 9}, {.dtype = dtype}, &g);
    EXPECT_LT(worst_error(a.cuda().matmul(b.cuda()), a.matmul(b)), tolerance(dtype) * 10);
  }
}

TEST(Cuda, ElementwiseOverManyElementsAndBroadcasts) {
  SKIP_WITHOUT_GPU();
  mt::Generator g(3);
  const Tensor a = mt::randn({1001, 103}, {}, &g);
  const Tensor b = mt::randn({103}, {}, &g);
  const Tensor expected = (a * b).sigmoid() - a.exp() / (b.relu() + 1.0);
  const Tensor ag = a.cuda(), bg = b.cuda();
  const Tensor got = (ag * bg).sigmoid() - ag.exp() / (bg.relu() + 1.0);
  EXPECT_LT(worst_error(got, expected), 1e-5);
}

TEST(Cuda, ConvolutionAndPoolingAtLeNetSizes) {
  SKIP_WITHOUT_GPU();
  namespace F = mt::nn::functional;
  mt::Generator g(5);
  for (const mt::Dtype dtype : {mt::kFloat32, mt::kFloat64}) {
    const Tensor x = mt::randn({64, 6, 14, 14}, {.dtype = dtype}, &g);
    const Tensor w = mt::randn({16, 6, 5, 5}, {.dtype = dtype}, &g);
    const Tensor bias = mt::randn({16}, {.dtype = dtype}, &g);
    const Tensor xg = x.cuda(), wg = w.cuda(), bg = bias.cuda();
    for (const Tensor* t : {&x, &w, &bias, &xg, &wg, &bg}) t->requires_grad_();
    const Tensor expected = F::max_pool2d(F::conv2d(x, w, bias, {.padding = {1, 2}}), {2, 2});
    const Tensor got = F::max_pool2d(F::conv2d(xg, wg, bg, {.padding = {1, 2}}), {2, 2});
    EXPECT_LT(worst_error(got, expected), tolerance(dtype) * 10);
    expected.sum().backward();
    got.sum().backward();
    EXPECT_LT(worst_error(xg.grad(), x.grad()), tolerance(dtype) * 10);
    EXPECT_LT(worst_error(wg.grad(), w.grad()), tolerance(dtype) * 100);
    EXPECT_LT(worst_error(bg.grad(), bias.grad()), tolerance(dtype) * 100);
  }
}

TEST(Cuda, ScatterAddSumsRepeatedRows) {
  SKIP_WITHOUT_GPU();
  const Tensor weight = mt::zeros({4, 3}, {.dtype = mt::kFloat64}).requires_grad_();
  const Tensor wg = weight.detach().cuda().requires_grad_();
  const Tensor indices = mt::tensor({1, 1, 3, 1, 0}, {.dtype = mt::kFloat64});
  mt::embedding(weight, indices).sum().backward();
  mt::embedding(wg, indices.cuda()).sum().backward();
  EXPECT_EQ(wg.grad().to_vector(), weight.grad().to_vector());
}

TEST(Cuda, CachingAllocatorReusesAndEmpties) {
  SKIP_WITHOUT_GPU();
  mt::cuda_empty_cache();
  EXPECT_EQ(mt::cuda_cached_bytes(), 0u);
  { const Tensor x = mt::zeros({1 << 20}, {.device = Device::cuda(0)}); }
  EXPECT_GE(mt::cuda_cached_bytes(), std::size_t(4) << 20);
  const std::size_t cached = mt::cuda_cached_bytes();
  { const Tensor y = mt::zeros({1 << 20}, {.device = Device::cuda(0)}); }  // the same buffer again
  EXPECT_EQ(mt::cuda_cached_bytes(), cached);
  mt::cuda_empty_cache();
  EXPECT_EQ(mt::cuda_cached_bytes(), 0u);
}

TEST(Cuda, LeNetTrainingStepMatchesTheCpu) {
  SKIP_WITHOUT_GPU();
  mt::Generator g(1);
  const Tensor images = mt::rand({8, 1, 28, 28}, {}, &g);
  const Tensor labels = mt::tensor({0, 1, 2, 3, 4, 5, 6, 7});
  mt::manual_seed(0);
  mt::models::LeNet cpu_net;
  mt::manual_seed(0);
  mt::models::LeNet gpu_net;  // the same initial values
  gpu_net.to(Device::cuda(0));
  namespace F = mt::nn::functional;
  F::cross_entropy(cpu_net.forward(images), labels).backward();
  F::cross_entropy(gpu_net.forward(images.cuda()), labels.cuda()).backward();
  const auto cpu_params = cpu_net.named_parameters();
  const auto gpu_params = gpu_net.named_parameters();
  ASSERT_EQ(cpu_params.size(), gpu_params.size());
  for (std::size_t i = 0; i < cpu_params.size(); ++i) {
    SCOPED_TRACE(cpu_params[i].name);
    EXPECT_EQ(gpu_params[i].value.device(), Device::cuda(0));
    EXPECT_LT(worst_error(gpu_params[i].value.grad(), cpu_params[i].value.grad()), 1e-3);
  }
}

}  // namespace
