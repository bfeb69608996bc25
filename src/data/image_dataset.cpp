#include "minitorch/data/image_dataset.h"

#include <cmath>

#include "minitorch/core/error.h"
#include "minitorch/data/idx.h"

namespace minitorch::data {
namespace {

// The plain file first: it needs no decompression.
std::filesystem::path find_idx_file(const std::filesystem::path& dir, const std::string& stem) {
  const std::filesystem::path plain = dir / stem;
  const std::filesystem::path gzip = dir / (stem + ".gz");
  if (std::filesystem::exists(plain)) return plain;
  if (std::filesystem::exists(gzip)) return gzip;
  throw Error("load_mnist_format: no " + stem + " file; looked for " + plain.string() + " and " +
              gzip.string());
}

void check_split(const std::string& split) {
  if (split != "train" && split != "t10k") {
    throw Error("load_mnist_format: unknown split '" + split + "'; expected 'train' or 't10k'");
  }
}

void check_shapes(const IdxArray& images, const std::filesystem::path& images_path,
                  const IdxArray& labels, const std::filesystem::path& labels_path) {
  if (images.shape.size() != 3) {
    throw Error("load_mnist_format: " + images_path.string() + " has shape " +
                shape_to_string(images.shape) + "; expected 3 dimensions [N, H, W]");
  }
  if (labels.shape.size() != 1) {
    throw Error("load_mnist_format: " + labels_path.string() + " has shape " +
                shape_to_string(labels.shape) + "; expected 1 dimension [N]");
  }
  if (images.shape[0] != labels.shape[0]) {
    throw Error("load_mnist_format: " + std::to_string(images.shape[0]) + " images in " +
                images_path.string() + " but " + std::to_string(labels.shape[0]) + " labels in " +
                labels_path.string() + "; expected one label per image");
  }
}

void check_labels(const IdxArray& labels, const std::filesystem::path& labels_path,
                  const std::vector<std::string>& class_names) {
  if (class_names.empty()) return;  // any byte is a valid class index then
  for (std::size_t i = 0; i < labels.values.size(); ++i) {
    if (labels.values[i] >= class_names.size()) {
      throw Error("load_mnist_format: label " + std::to_string(labels.values[i]) + " of sample " +
                  std::to_string(i) + " in " + labels_path.string() +
                  "; expected a class index below " + std::to_string(class_names.size()));
    }
  }
}

// Written straight into the storage: the training set is 47 million values, too many to pass
// through a vector of doubles.
Tensor to_float_tensor(const std::vector<std::uint8_t>& bytes, Shape shape, float scale) {
  const TensorData data = TensorData::uninitialized(std::move(shape), kFloat32);
  float* out = data.data<float>();
  for (std::size_t i = 0; i < bytes.size(); ++i) out[i] = static_cast<float>(bytes[i]) * scale;
  return Tensor(data);
}

}  // namespace

ImageDataset load_mnist_format(const std::filesystem::path& dir, const std::string& split,
                               std::vector<std::string> class_names) {
  check_split(split);
  const auto images_path = find_idx_file(dir, split + "-images-idx3-ubyte");
  const auto labels_path = find_idx_file(dir, split + "-labels-idx1-ubyte");
  const IdxArray images = read_idx(images_path);
  const IdxArray labels = read_idx(labels_path);
  check_shapes(images, images_path, labels, labels_path);
  check_labels(labels, labels_path, class_names);
  const auto& s = images.shape;
  return {to_float_tensor(images.values, {s[0], 1, s[1], s[2]}, 1.0f / 255.0f),
          to_float_tensor(labels.values, {s[0]}, 1.0f), std::move(class_names)};
}

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> names{"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                              "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                              "Bag",         "Ankle boot"};
  return names;
}

std::filesystem::path default_fashion_mnist_dir() {
  return "/usr/share/datasets/fashion-mnist";
}

std::pair<double, double> mean_and_std(const Tensor& images) {
  if (!images.defined() || images.numel() == 0) {
    throw Error("mean_and_std: the images tensor is empty; expected at least one value");
  }
  if (images.dim() == 4 && images.size(1) != 1) {
    throw Error("mean_and_std: images of shape " + shape_to_string(images.shape()) + " have " +
                std::to_string(images.size(1)) + " channels; expected 1 ([N, 1, H, W])");
  }
  const TensorData data = images.detach().contiguous().tensor_data();
  const auto n = static_cast<std::size_t>(data.numel());
  // Two passes in double: a one-pass sum of squares loses the variance to cancellation.
  return dispatch_dtype(data.dtype(), [&]<class T>() {
    const T* values = data.data<T>() + data.offset();
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) sum += values[i];
    const double mean = sum / static_cast<double>(n);
    double squares = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double d = values[i] - mean;
      squares += d * d;
    }
    return std::pair{mean, std::sqrt(squares / static_cast<double>(n))};
  });
}

}  // namespace minitorch::data
