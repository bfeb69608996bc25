#include "minitorch/storage/tensor_data.h"

#include <algorithm>

#include "minitorch/core/error.h"

namespace minitorch {

TensorData::TensorData(std::shared_ptr<Storage> storage, Shape shape, Strides strides,
                       std::int64_t offset)
    : storage_(std::move(storage)),
      shape_(std::move(shape)),
      strides_(std::move(strides)),
      offset_(offset) {
  if (shape_.size() != strides_.size()) {
    throw Error("TensorData: shape " + shape_to_string(shape_) + " and strides " +
                shape_to_string(strides_) + " have different lengths");
  }
  for (auto size : shape_) {
    if (size < 0) throw Error("TensorData: negative size in shape " + shape_to_string(shape_));
  }
}

TensorData TensorData::zeros(Shape shape, Dtype dtype, Device device) {
  TensorData out = uninitialized(std::move(shape), dtype, device);
  out.storage_->fill_zero();
  return out;
}

TensorData TensorData::uninitialized(Shape shape, Dtype dtype, Device device) {
  for (auto size : shape) {
    if (size < 0) throw Error("zeros: negative size in shape " + shape_to_string(shape));
  }
  auto storage = std::make_shared<Storage>(dtype, minitorch::numel(shape), device);
  Strides strides = strides_from_shape(shape);
  return TensorData(std::move(storage), std::move(shape), std::move(strides), 0);
}

bool TensorData::is_contiguous() const {
  if (numel() == 0) return true;  // no element to be out of order (PyTorch agrees)
  std::int64_t expected = 1;
  for (std::size_t k = shape_.size(); k-- > 0;) {
    if (shape_[k] == 1) continue;
    if (strides_[k] != expected) return false;
    expected *= shape_[k];
  }
  return true;
}

std::int64_t TensorData::position(std::span<const std::int64_t> index) const {
  if (static_cast<std::int64_t>(index.size()) != dim()) {
    throw Error("index " + shape_to_string(index) + " has " + std::to_string(index.size()) +
                " entries; expected " + std::to_string(dim()) + " for shape " +
                shape_to_string(shape_));
  }
  for (std::size_t k = 0; k < index.size(); ++k) {
    if (index[k] < 0 || index[k] >= shape_[k]) {
      throw Error("index " + shape_to_string(index) + " is out of bounds for shape " +
                  shape_to_string(shape_));
    }
  }
  return offset_ + index_to_position(index, strides_);
}

double TensorData::get(std::span<const std::int64_t> index) const {
  return storage_->get(position(index));
}

void TensorData::set(std::span<const std::int64_t> index, double value) const {
  storage_->set(position(index), value);
}

std::int64_t TensorData::span() const {
  if (numel() == 0) return 0;
  std::int64_t last = 0;
  for (std::size_t k = 0; k < shape_.size(); ++k) last += (shape_[k] - 1) * strides_[k];
  return last + 1;
}

bool TensorData::is_dense() const {
  for (auto stride : strides_) {
    if (stride < 0) return false;
  }
  return span() == numel();
}

TensorData TensorData::moved_to(Device device) const {
  if (device == this->device()) return *this;
  if (!is_dense()) {
    throw Error("moved_to: a tensor of shape " + shape_to_string(shape_) + " and strides " +
                shape_to_string(strides_) + " on " + this->device().str() +
                " has gaps or repeats; expected a dense view (call contiguous() first)");
  }
  // The block of storage the view covers, copied as is: the strides stay valid.
  auto storage = std::make_shared<Storage>(dtype(), span(), device);
  Storage::copy(*storage_, offset_, *storage, 0, span());
  return TensorData(std::move(storage), shape_, strides_, 0);
}

TensorData TensorData::permute(std::span<const std::int64_t> order) const {
  std::vector<bool> seen(shape_.size(), false);
  bool valid = order.size() == shape_.size();
  for (std::size_t k = 0; valid && k < order.size(); ++k) {
    const auto d = order[k] < 0 ? order[k] + dim() : order[k];
    valid = d >= 0 && d < dim() && !seen[d];
    if (valid) seen[d] = true;
  }
  if (!valid) {
    throw Error("permute: " + shape_to_string(order) + " is not a permutation of the " +
                std::to_string(dim()) + " dimensions of a tensor of shape " +
                shape_to_string(shape_));
  }
  Shape shape(order.size());
  Strides strides(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    const auto d = order[k] < 0 ? order[k] + dim() : order[k];
    shape[k] = shape_[d];
    strides[k] = strides_[d];
  }
  return TensorData(storage_, std::move(shape), std::move(strides), offset_);
}

TensorData TensorData::transpose(std::int64_t dim0, std::int64_t dim1) const {
  const auto a = normalize_dim(dim0, dim(), "transpose");
  const auto b = normalize_dim(dim1, dim(), "transpose");
  Shape order(shape_.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = static_cast<std::int64_t>(k);
  if (dim() > 0) std::swap(order[a], order[b]);
  return permute(order);
}

Shape infer_shape(Shape shape, std::int64_t count, const std::string& op) {
  std::int64_t known = 1;
  std::size_t inferred = shape.size();
  for (std::size_t k = 0; k < shape.size(); ++k) {
    if (shape[k] == -1) {
      if (inferred != shape.size()) throw Error(op + ": only one dimension can be -1");
      inferred = k;
    } else if (shape[k] < 0) {
      throw Error(op + ": invalid size " + std::to_string(shape[k]) + " in shape " +
                  shape_to_string(shape));
    } else if (const auto product = checked_mul(known, shape[k])) {
      known = *product;
    } else {  // sizes that multiply past int64 describe no tensor, least of all this one
      throw Error(op + ": shape " + shape_to_string(shape) + " is invalid for " +
                  std::to_string(count) + " elements");
    }
  }
  if (inferred != shape.size() && known != 0 && count % known == 0) shape[inferred] = count / known;
  if (minitorch::numel(shape) != count || (inferred != shape.size() && shape[inferred] < 0)) {
    throw Error(op + ": shape " + shape_to_string(shape) + " is invalid for " +
                std::to_string(count) + " elements");
  }
  return shape;
}

TensorData TensorData::view(Shape shape) const {
  shape = infer_shape(std::move(shape), numel(), "view");
  if (!is_contiguous()) {
    throw Error("view: the tensor of shape " + shape_to_string(shape_) + " with strides " +
                shape_to_string(strides_) +
                " is not contiguous; call contiguous() first, or use reshape()");
  }
  Strides strides = strides_from_shape(shape);
  return TensorData(storage_, std::move(shape), std::move(strides), offset_);
}

TensorData TensorData::expand(std::span<const std::int64_t> shape) const {
  if (!broadcasts_to(shape_, shape)) {
    throw Error("expand: shape " + shape_to_string(shape_) + " cannot be expanded to " +
                shape_to_string(shape) + "; expected each size to match or be 1");
  }
  const std::size_t extra = shape.size() - shape_.size();
  Strides strides(shape.size(), 0);
  for (std::size_t k = 0; k < shape_.size(); ++k) {
    strides[k + extra] = shape_[k] == shape[k + extra] ? strides_[k] : 0;
  }
  return TensorData(storage_, Shape(shape.begin(), shape.end()), std::move(strides), offset_);
}

TensorData TensorData::narrow(std::int64_t dim_, std::int64_t start, std::int64_t length) const {
  if (dim() == 0) throw Error("narrow: a 0-dim tensor has no dimension to narrow");
  const auto d = normalize_dim(dim_, dim(), "narrow");
  const std::int64_t first = start < 0 ? start + shape_[d] : start;
  if (first < 0 || length < 0 || first + length > shape_[d]) {
    throw Error("narrow: start " + std::to_string(start) + " and length " + std::to_string(length) +
                " are out of range for dimension " + std::to_string(d) + " of size " +
                std::to_string(shape_[d]));
  }
  start = first;
  Shape shape = shape_;
  shape[d] = length;
  return TensorData(storage_, std::move(shape), strides_, offset_ + start * strides_[d]);
}

TensorData TensorData::select(std::int64_t dim_, std::int64_t index) const {
  if (dim() == 0) throw Error("select: a 0-dim tensor has no dimension to select from");
  const auto d = normalize_dim(dim_, dim(), "select");
  if (index < 0) index += shape_[d];
  if (index < 0 || index >= shape_[d]) {
    throw Error("select: index " + std::to_string(index) + " is out of range for dimension " +
                std::to_string(d) + " of size " + std::to_string(shape_[d]));
  }
  Shape shape = shape_;
  Strides strides = strides_;
  shape.erase(shape.begin() + d);
  strides.erase(strides.begin() + d);
  return TensorData(storage_, std::move(shape), std::move(strides), offset_ + index * strides_[d]);
}

TensorData TensorData::unsqueeze(std::int64_t dim_) const {
  // The new dimension may go at any of dim() + 1 places.
  if (dim_ < -(dim() + 1) || dim_ > dim()) {
    throw Error("unsqueeze: dimension " + std::to_string(dim_) + " is out of range for a tensor " +
                "with " + std::to_string(dim()) + " dimensions; expected a dimension in [" +
                std::to_string(-(dim() + 1)) + ", " + std::to_string(dim()) + "]");
  }
  const auto d = dim_ < 0 ? dim_ + dim() + 1 : dim_;
  Shape shape = shape_;
  Strides strides = strides_;
  const std::int64_t stride = d < dim() ? strides_[d] * shape_[d] : 1;
  shape.insert(shape.begin() + d, 1);
  strides.insert(strides.begin() + d, stride);
  return TensorData(storage_, std::move(shape), std::move(strides), offset_);
}

TensorData TensorData::squeeze(std::int64_t dim_) const {
  const auto d = normalize_dim(dim_, dim(), "squeeze");
  if (dim() == 0) return *this;
  if (shape_[d] != 1) return *this;  // PyTorch: squeezing a dimension of size > 1 is a no-op
  Shape shape = shape_;
  Strides strides = strides_;
  shape.erase(shape.begin() + d);
  strides.erase(strides.begin() + d);
  return TensorData(storage_, std::move(shape), std::move(strides), offset_);
}

}  // namespace minitorch
