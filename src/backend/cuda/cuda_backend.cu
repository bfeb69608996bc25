// The CUDA backend: each primitive makes its device current and launches on the device's stream
// (cuda_kernels.h). Convolutions are composed here from the window kernels and the tiled matmul:
//   conv2d                 cols [B, C·kh·kw, L] = unfold(in); out [B, O, L] = W [O, C·kh·kw] @ cols
//                          (+ bias [O, 1])
//   conv2d_backward_input  dcols [B, C·kh·kw, L] = Wᵀ @ d [B, O, L]; dx = fold(dcols)
//   conv2d_backward_weight dW [O, C·kh·kw] = d as [O, B·L] @ cols as [B·L, C·kh·kw] (one product
//                          over every image and position); dbias = Σ of that d's rows
#include <memory>
#include <mutex>
#include <vector>

#include "backend/cuda/cuda_kernels.h"
#include "minitorch/backend/cuda_backend.h"
#include "tensor/device_memory.h"

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

  void conv2d(const TensorData& in, const TensorData& weight, const TensorData& bias,
              const Window2d& k, const TensorData& out) const override {
    const Scope s(device_);
    const Sizes z = sizes(in.shape(), weight.shape()[0], k);
    const TensorData cols = temp({z.batch, z.rows, z.positions}, out.dtype());
    cuda::unfold(s.target, in, k, cols);
    const TensorData product = out.is_contiguous()
                                   ? out.view({z.batch, z.channels, z.positions})
                                   : temp({z.batch, z.channels, z.positions}, out.dtype());
    cuda::matmul(s.target, dense(s, weight).view({z.channels, z.rows}), cols, product);
    if (bias.defined()) {
      // bias as a column [O, 1], broadcast over images and positions; added in place.
      const TensorData column(bias.storage(), {z.channels, 1}, {bias.strides()[0], 0},
                              bias.offset());
      cuda::zip(s.target, BinaryOp::Add, product, column, product);
    }
    if (product.storage() != out.storage()) cuda::copy(s.target, product.view(out.shape()), out);
  }

  void conv2d_backward_input(const TensorData& d, const TensorData& weight, const Window2d& k,
                             const TensorData& dx) const override {
    const Scope s(device_);
    const Sizes z = sizes(dx.shape(), weight.shape()[0], k);
    const TensorData weight_t = dense(s, weight).view({z.channels, z.rows}).transpose(0, 1);
    const TensorData dcols = temp({z.batch, z.rows, z.positions}, dx.dtype());
    cuda::matmul(s.target, weight_t, dense(s, d).view({z.batch, z.channels, z.positions}), dcols);
    cuda::fold(s.target, dcols, k, dx);
  }

  void conv2d_backward_weight(const TensorData& in, const TensorData& d, const Window2d& k,
                              const TensorData& dweight, const TensorData& dbias) const override {
    const Scope s(device_);
    const Sizes z = sizes(in.shape(), dweight.shape()[0], k);
    // Columns stored [B, L, C·kh·kw] (unfold writes through the transposed view), so that all
    // images' positions form one k dimension of B·L.
    const TensorData cols_t = temp({z.batch, z.positions, z.rows}, dweight.dtype());
    cuda::unfold(s.target, in, k, cols_t.transpose(1, 2));
    // d as [O, B, L]: its rows run over every image's positions.
    const TensorData d_t = temp({z.channels, z.batch, z.positions}, d.dtype());
    cuda::copy(s.target, dense(s, d).view({z.batch, z.channels, z.positions}).permute(kSwap01),
               d_t);
    const TensorData lhs = d_t.view({z.channels, z.batch * z.positions});
    const TensorData product = dweight.is_contiguous()
                                   ? dweight.view({z.channels, z.rows})
                                   : temp({z.channels, z.rows}, dweight.dtype());
    cuda::matmul(s.target, lhs, cols_t.view({z.batch * z.positions, z.rows}), product);
    if (product.storage() != dweight.storage()) {
      cuda::copy(s.target, product.view(dweight.shape()), dweight);
    }
    if (dbias.defined()) {
      const TensorData column(dbias.storage(), {z.channels, 1}, {dbias.strides()[0], 0},
                              dbias.offset());
      cuda::reduce(s.target, ReduceOp::Sum, lhs, 1, column);
    }
  }

 private:
  static constexpr std::array<std::int64_t, 3> kSwap01{1, 0, 2};

  // The device made current for one call, and where to launch.
  struct Scope {
    explicit Scope(int device) : guard(device), target{device, cuda::stream(device)} {}
    cuda::DeviceGuard guard;
    cuda::Target target;
  };

  struct Sizes {
    std::int64_t batch, channels, rows, positions;  // B, O, C·kh·kw, L
  };
  static Sizes sizes(const Shape& input, std::int64_t out_channels, const Window2d& k) {
    return {input[0], out_channels, input[1] * k.kh * k.kw, k.out_h(input[2]) * k.out_w(input[3])};
  }

  TensorData temp(Shape shape, Dtype dtype) const {
    return TensorData::uninitialized(std::move(shape), dtype, device());
  }
  // t itself when contiguous, else a contiguous copy (so that it can be viewed in another shape).
  TensorData dense(const Scope& s, const TensorData& t) const {
    if (t.is_contiguous()) return t;
    const TensorData out = temp(t.shape(), t.dtype());
    cuda::copy(s.target, t, out);
    return out;
  }

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
