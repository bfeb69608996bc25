// Image classification data sets stored in the MNIST format (MNIST, Fashion-MNIST), as tensors.
//
// load_mnist_format(dir, split, class_names) reads "<split>-images-idx3-ubyte" and
// "<split>-labels-idx1-ubyte" from dir, each plain or with ".gz" (the plain file when both exist).
//   Requires: split "train" or "t10k"; images of shape [N, H, W] and labels of shape [N] with the
//             same N; every label < class_names.size() when class names are given.
//   Ensures:  images [N, 1, H, W] float32, each byte / 255 (so in [0, 1]); labels [N] float32 class
//             indices; class_names as given. Errors name the files looked for or the mismatch.
// mean_and_std(images) is the population mean and standard deviation of every value of a
// single-channel image tensor, the constants of the usual (x - mean) / std normalisation.
//   Requires: a non-empty tensor; a 4-D one must have one channel ([N, 1, H, W]).
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "minitorch/tensor/tensor.h"

namespace minitorch::data {

struct ImageDataset {
  Tensor images;  // [N, 1, H, W] float32 in [0, 1]
  Tensor labels;  // [N] float32 class indices
  std::vector<std::string> class_names;
};

ImageDataset load_mnist_format(const std::filesystem::path& dir, const std::string& split,
                               std::vector<std::string> class_names);

// "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
// "Ankle boot": the names of Fashion-MNIST's labels 0 to 9.
const std::vector<std::string>& fashion_mnist_classes();

// Where Debian's dataset-fashion-mnist package installs the files; it need not exist.
std::filesystem::path default_fashion_mnist_dir();

std::pair<double, double> mean_and_std(const Tensor& images);

}  // namespace minitorch::data
