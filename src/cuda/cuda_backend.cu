// The CUDA backend: each primitive makes its device current and launches on the device's stream
// (cuda_kernels.h). Convolutions take Backend's defaults (composed.h: unfold · matmul, fold),
// which call this backend's primitives.
#include <memory>
#include <mutex>
#include <vector>

#include "cuda/cuda_kernels.h"
#include "minitorch/cuda/cuda_backend.h"
#include "storage/device_memory.h"

namespace minitorch {
namespace {

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(int device) : device_(device) {}

  std::string name() const override { return "cuda:" + std::to_string(device_); }
  Device device() const override { return Device::cuda(device_); }

  void copy(const TensorData& in, const TensorData& out) const override {
    for (const TensorData* t : {&in, &out}) {
      if (t->device() != device()) {
        throw Error(name() + " copy: a tensor on " + t->device().str() + "; expected both on " +
                    device().str() + " (Tensor::to moves tensors between devices)");
      }
    }
    const Scope s(device_);
    cuda::copy(s.target, in, out);
  }
  void map(UnaryOp op, const TensorData& in, const TensorData& out) const override {
    const Scope s(device_);
    cuda::map(s.target, op, in, out);
  }
  void map_backward(UnaryOp op, const TensorData& in, const TensorData& d,
                    const TensorData& out) const override {
    const Scope s(device_);
    cuda::map_backward(s.target, op, in, d, out);
  }
  void zip(BinaryOp op, const TensorData& a, const TensorData& b,
           const TensorData& out) const override {
    const Scope s(device_);
    cuda::zip(s.target, op, a, b, out);
  }
  void zip_backward(BinaryOp op, const TensorData& a, const TensorData& b, const TensorData& d,
                    const TensorData& da, const TensorData& db) const override {
    const Scope s(device_);
    cuda::zip_backward(s.target, op, a, b, d, da, db);
  }
  void where(const TensorData& cond, const TensorData& a, const TensorData& b,
             const TensorData& out) const override {
    const Scope s(device_);
    cuda::where(s.target, cond, a, b, out);
  }
  void reduce(ReduceOp op, const TensorData& in, std::int64_t dim,
              const TensorData& out) const override {
    const Scope s(device_);
    cuda::reduce(s.target, op, in, dim, out);
  }
  void argmax(const TensorData& in, std::int64_t dim, const TensorData& out) const override {
    const Scope s(device_);
    cuda::argmax(s.target, in, dim, out);
  }
  void matmul(const TensorData& a, const TensorData& b, const TensorData& out) const override {
    const Scope s(device_);
    cuda::matmul(s.target, a, b, out);
  }
  void gather_rows(const TensorData& table, const TensorData& index,
                   const TensorData& out) const override {
    const Scope s(device_);
    cuda::gather_rows(s.target, table, index, out);
  }
  void scatter_add_rows(const TensorData& src, const TensorData& index,
                        const TensorData& out) const override {
    const Scope s(device_);
    cuda::scatter_add_rows(s.target, src, index, out);
  }
  void unfold(const TensorData& in, const Window2d& w, const TensorData& out) const override {
    const Scope s(device_);
    cuda::unfold(s.target, in, w, out);
  }
  void fold(const TensorData& in, const Window2d& w, const TensorData& out) const override {
    const Scope s(device_);
    cuda::fold(s.target, in, w, out);
  }
  void pool2d(PoolOp op, const TensorData& in, const Window2d& w, const TensorData& out,
              const TensorData& indices) const override {
    const Scope s(device_);
    cuda::pool2d(s.target, op, in, w, out, indices);
  }
  void pool2d_backward(PoolOp op, const TensorData& d, const TensorData& indices, const Window2d& w,
                       const TensorData& dx) const override {
    const Scope s(device_);
    cuda::pool2d_backward(s.target, op, d, indices, w, dx);
  }

  // Convolution is Backend's default: unfold · matmul and fold over the kernels above
  // (composed.h).

 private:
  // The device made current for one call, and where to launch.
  struct Scope {
    explicit Scope(int device) : guard(device), target{device, cuda::stream(device)} {}
    cuda::DeviceGuard guard;
    cuda::Target target;
  };

  int device_;
};

}  // namespace

const Backend& cuda_backend(int device) {
  device_memory::require(Device::cuda(device));
  static std::mutex mutex;
  static std::vector<std::unique_ptr<CudaBackend>> backends;
  const std::lock_guard lock(mutex);
  if (device >= static_cast<int>(backends.size())) backends.resize(device + 1);
  if (!backends[device]) backends[device] = std::make_unique<CudaBackend>(device);
  return *backends[device];
}

void* cuda_stream(int device) {
  cuda_backend(device);  // the device exists
  return cuda::stream(device);
}

}  // namespace minitorch
