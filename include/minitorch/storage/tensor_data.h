// TensorData — a strided view of a Storage: storage + shape + strides + offset.
//
// Element `index` lives at storage position offset() + Σ index[k] · strides()[k]. Views never copy:
// permute, transpose, view, expand, narrow, select, squeeze and unsqueeze return a TensorData over
// the same storage with other shape, strides and offset.
//   permute(order)     requires a permutation of 0..dim-1
//   view(shape)        requires is_contiguous() and the same number of elements (one size may be
//                      -1: inferred); a non-contiguous input throws and suggests contiguous()
//   expand(shape)      requires shape to be a broadcast of this shape; new dims get stride 0
//   narrow(d, s, len)  elements s..s+len-1 of dimension d
//   select(d, i)       element i of dimension d, the dimension removed
//   moved_to(device)   this, when already on device; else a copy there with the same shape and
//                      strides (requires is_dense(): the tensor layer calls contiguous() first
//                      when the view has gaps or repeats)
// get / set read and write one element from the host on any device (storage.h).
// Every violation throws minitorch::Error naming the shapes and what was expected.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "minitorch/storage/shape.h"
#include "minitorch/storage/storage.h"

namespace minitorch {

class TensorData {
 public:
  TensorData() = default;
  TensorData(std::shared_ptr<Storage> storage, Shape shape, Strides strides, std::int64_t offset);
  // A fresh contiguous, zero-filled tensor.
  static TensorData zeros(Shape shape, Dtype dtype, Device device = kCPU);
  // A fresh contiguous tensor whose values are unspecified: for outputs a kernel overwrites.
  static TensorData uninitialized(Shape shape, Dtype dtype, Device device = kCPU);

  const Shape& shape() const { return shape_; }
  const Strides& strides() const { return strides_; }
  std::int64_t offset() const { return offset_; }
  std::int64_t dim() const { return static_cast<std::int64_t>(shape_.size()); }
  std::int64_t numel() const { return minitorch::numel(shape_); }
  Dtype dtype() const { return storage_->dtype(); }
  Device device() const { return storage_->device(); }
  bool defined() const { return storage_ != nullptr; }
  const std::shared_ptr<Storage>& storage() const { return storage_; }

  // Pointer to element 0 of the storage (not of the view: add offset()).
  template <class T>
  T* data() const {
    return storage_->data<T>();
  }

  // Contiguous in row-major order (size-1 dimensions may have any stride).
  bool is_contiguous() const;
  // The elements fill a block of storage exactly once (contiguous, or a permutation of it).
  bool is_dense() const;

  // Storage position of `index`; the index is checked (rank and bounds).
  std::int64_t position(std::span<const std::int64_t> index) const;
  double get(std::span<const std::int64_t> index) const;
  void set(std::span<const std::int64_t> index, double value) const;

  TensorData permute(std::span<const std::int64_t> order) const;
  TensorData transpose(std::int64_t dim0, std::int64_t dim1) const;
  TensorData view(Shape shape) const;
  TensorData expand(std::span<const std::int64_t> shape) const;
  TensorData narrow(std::int64_t dim, std::int64_t start, std::int64_t length) const;
  TensorData select(std::int64_t dim, std::int64_t index) const;
  TensorData unsqueeze(std::int64_t dim) const;
  TensorData squeeze(std::int64_t dim) const;
  TensorData moved_to(Device device) const;

 private:
  // Storage elements from offset() to the last element, inclusive.
  std::int64_t span() const;

  std::shared_ptr<Storage> storage_;
  Shape shape_;
  Strides strides_;
  std::int64_t offset_ = 0;
};

// Resolves one -1 in `shape` so that it has `count` elements; Error when impossible.
Shape infer_shape(Shape shape, std::int64_t count, const std::string& op);

}  // namespace minitorch
