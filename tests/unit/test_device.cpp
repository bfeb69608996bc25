// Devices without a GPU: names, where tensors live, moving between backends, and the errors a
// missing or mismatched device gives (never a crash).
#include <gtest/gtest.h>

#include <sstream>

#include "error_helpers.h"
#include "minitorch/cuda/cuda_backend.h"
#include "minitorch/tensor/creation.h"

namespace mt = minitorch;
using mt::Device;
using mt::Tensor;
using mt::testing::error_of;

namespace {

TEST(Device, ParsesAndPrintsPyTorchNames) {
  EXPECT_EQ(Device::parse("cpu"), mt::kCPU);
  EXPECT_EQ(Device::parse("cuda"), Device::cuda(0));
  EXPECT_EQ(Device::parse("cuda:3"), Device::cuda(3));
  EXPECT_EQ(Device::cuda(3).index(), 3);
  EXPECT_TRUE(Device::cuda(1).is_cuda());
  EXPECT_TRUE(mt::kCPU.is_cpu());
  EXPECT_EQ(mt::kCPU.str(), "cpu");
  EXPECT_EQ(Device::cuda(0).str(), "cuda:0");
  std::ostringstream os;
  os << Device::cuda(2) << " " << mt::kCPU;
  EXPECT_EQ(os.str(), "cuda:2 cpu");
  EXPECT_NE(Device::cuda(0), Device::cuda(1));
  EXPECT_NE(Device::cuda(0), mt::kCPU);
}

TEST(Device, RejectsWhatIsNotADevice) {
  for (const char* text : {"gpu", "cuda:", "cuda:-1", "cuda:x", "cuda:1x", "CPU", ""}) {
    const std::string message = error_of([&] { Device::parse(text); });
    EXPECT_CONTAINS(message, "expected cpu, cuda or cuda:N");
  }
  EXPECT_CONTAINS(error_of([] { Device::cuda(-1); }), "expected an index >= 0");
}

TEST(Device, RunTimeQueriesAgree) {
  EXPECT_EQ(mt::cuda_available(), mt::cuda_device_count() > 0);
#ifdef MINITORCH_WITH_CUDA
  EXPECT_TRUE(mt::cuda_built());
#else
  EXPECT_FALSE(mt::cuda_built());
  EXPECT_FALSE(mt::cuda_available());
#endif
}

TEST(Device, CpuTensorsLiveOnTheCpu) {
  const Tensor x = mt::ones({2, 3});
  EXPECT_EQ(x.device(), mt::kCPU);
  EXPECT_EQ(x.backend().device(), mt::kCPU);
  EXPECT_EQ(&mt::backend_for(mt::kCPU), &mt::default_backend());
  // Already there: the same tensor.
  EXPECT_EQ(x.to(mt::kCPU).unique_id(), x.unique_id());
  EXPECT_EQ(x.cpu().unique_id(), x.unique_id());
  const Tensor y = mt::zeros({2}, {.device = mt::kCPU});
  EXPECT_EQ(y.device(), mt::kCPU);
}

TEST(Device, MissingGpuIsAClearErrorNamingIt) {
  if (mt::cuda_available()) GTEST_SKIP() << "a CUDA device is present";
  const Tensor x = mt::ones({2, 3});
  for (const auto& attempt : std::vector<std::function<void()>>{
           [&] { x.to(Device::cuda(0)); },
           [&] { x.cuda(); },
           [] { mt::zeros({2}, {.device = Device::cuda(0)}); },
           [] { mt::cuda_backend(0); },
           [] { mt::Storage(mt::kFloat32, 4, Device::cuda(0)); },
       }) {
    const std::string message = error_of(attempt);
    EXPECT_CONTAINS(message, "cuda:0 is not available");
  }
  EXPECT_CONTAINS(error_of([&] { x.to(Device::cuda(5)); }), "cuda:5");
}

TEST(Device, OptionsNamingTwoDevicesAreAnError) {
  const std::string message = error_of(
      [] { mt::zeros({2}, {.backend = &mt::reference_backend(), .device = Device::cuda(0)}); });
  EXPECT_CONTAINS(message, "runs on cpu but device cuda:0");
}

// A backend that claims a GPU but computes nothing: enough to check that data and backend must
// share a device.
class ClaimsAGpu final : public mt::Backend {
 public:
  std::string name() const override { return "claims-a-gpu"; }
  Device device() const override { return Device::cuda(0); }
  void copy(const mt::TensorData&, const mt::TensorData&) const override {}
  void map(mt::UnaryOp, const mt::TensorData&, const mt::TensorData&) const override {}
  void map_backward(mt::UnaryOp, const mt::TensorData&, const mt::TensorData&,
                    const mt::TensorData&) const override {}
  void zip(mt::BinaryOp, const mt::TensorData&, const mt::TensorData&,
           const mt::TensorData&) const override {}
  void zip_backward(mt::BinaryOp, const mt::TensorData&, const mt::TensorData&,
                    const mt::TensorData&, const mt::TensorData&,
                    const mt::TensorData&) const override {}
  void where(const mt::TensorData&, const mt::TensorData&, const mt::TensorData&,
             const mt::TensorData&) const override {}
  void reduce(mt::ReduceOp, const mt::TensorData&, std::int64_t,
              const mt::TensorData&) const override {}
  void argmax(const mt::TensorData&, std::int64_t, const mt::TensorData&) const override {}
  void matmul(const mt::TensorData&, const mt::TensorData&, const mt::TensorData&) const override {}
  void gather_rows(const mt::TensorData&, const mt::TensorData&,
                   const mt::TensorData&) const override {}
  void scatter_add_rows(const mt::TensorData&, const mt::TensorData&,
                        const mt::TensorData&) const override {}
  void unfold(const mt::TensorData&, const mt::Window2d&, const mt::TensorData&) const override {}
  void fold(const mt::TensorData&, const mt::Window2d&, const mt::TensorData&) const override {}
  void pool2d(mt::PoolOp, const mt::TensorData&, const mt::Window2d&, const mt::TensorData&,
              const mt::TensorData&) const override {}
  void pool2d_backward(mt::PoolOp, const mt::TensorData&, const mt::TensorData&,
                       const mt::Window2d&, const mt::TensorData&) const override {}
  void conv2d(const mt::TensorData&, const mt::TensorData&, const mt::TensorData&,
              const mt::Window2d&, const mt::TensorData&) const override {}
  void conv2d_backward_input(const mt::TensorData&, const mt::TensorData&, const mt::Window2d&,
                             const mt::TensorData&) const override {}
  void conv2d_backward_weight(const mt::TensorData&, const mt::TensorData&, const mt::Window2d&,
                              const mt::TensorData&, const mt::TensorData&) const override {}
};

TEST(Device, DataAndBackendMustShareADevice) {
  const ClaimsAGpu gpu;
  const mt::TensorData host = mt::TensorData::zeros({2}, mt::kFloat32);
  const std::string message = error_of([&] { Tensor(host, &gpu); });
  EXPECT_CONTAINS(message, "data on cpu given to backend 'claims-a-gpu', which runs on cuda:0");
  if (!mt::cuda_available()) {
    // Moving to it asks the device for memory: a clear error, not a crash.
    EXPECT_CONTAINS(error_of([&] { mt::ones({2}).to(gpu); }), "cuda:0 is not available");
  }
}

TEST(Device, MovingBetweenCpuBackendsSharesStorageAndKeepsStrides) {
  const Tensor x = mt::arange(6.0, {.dtype = mt::kFloat64}).view({2, 3}).transpose(0, 1);
  x.requires_grad_();
  const Tensor y = x.to(mt::reference_backend());
  EXPECT_EQ(&y.backend(), &mt::reference_backend());
  EXPECT_EQ(y.tensor_data().storage(), x.tensor_data().storage());
  EXPECT_FALSE(y.is_contiguous());
  EXPECT_EQ(y.to_vector(), x.to_vector());
  // Differentiable: the gradient comes back to x's backend.
  (y * 2.0).sum().backward();
  EXPECT_EQ(&x.grad().backend(), &x.backend());
  EXPECT_EQ(x.grad().to_vector(), std::vector<double>(6, 2.0));
}

TEST(Device, LeavesMoveInPlaceForEveryHandle) {
  const Tensor x = mt::ones({2}, {.dtype = mt::kFloat64}).requires_grad_();
  const Tensor same = x;
  (x * 3.0).sum().backward();
  x.to_(mt::reference_backend());
  EXPECT_EQ(&same.backend(), &mt::reference_backend());
  EXPECT_EQ(&same.grad().backend(), &mt::reference_backend());
  EXPECT_EQ(same.grad().to_vector(), std::vector<double>(2, 3.0));
  EXPECT_CONTAINS(error_of([&] { (x * 2.0).to_(mt::kCPU); }), "only leaves move in place");
}

TEST(Device, DenseViewsAreRecognised) {
  const mt::TensorData base = mt::TensorData::zeros({2, 3, 4}, mt::kFloat32);
  const std::array<std::int64_t, 3> order{2, 0, 1};
  EXPECT_TRUE(base.is_dense());
  EXPECT_TRUE(base.permute(order).is_dense());
  EXPECT_FALSE(base.narrow(2, 0, 2).is_dense());
  const std::array<std::int64_t, 4> wider{5, 2, 3, 4};
  EXPECT_FALSE(base.expand(wider).is_dense());
  EXPECT_EQ(base.moved_to(mt::kCPU).storage(), base.storage());
}

TEST(Device, StorageReadsAndWritesOneElementFromTheHost) {
  mt::Storage storage(mt::kFloat64, 3);
  storage.set(1, 2.5);
  EXPECT_EQ(storage.get(1), 2.5);
  EXPECT_EQ(storage.device(), mt::kCPU);
  EXPECT_CONTAINS(error_of([&] { storage.get(3); }), "position 3 outside a buffer of 3");
  mt::Storage other(mt::kFloat64, 3);
  mt::Storage::copy(storage, 1, other, 0, 2);
  EXPECT_EQ(other.get(0), 2.5);
}

}  // namespace
