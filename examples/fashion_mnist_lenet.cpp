// Trains LeNet-5 on part of Fashion-MNIST with the C++ API, saves it as a safetensors checkpoint
// and loads it back (the README's models example). Exits non-zero when the data set is missing or
// when the trained network does not beat chance clearly on the test images.
#include <minitorch/minitorch.h>

#include <cstdio>
#include <filesystem>

namespace mt = minitorch;

int main() {
  const auto dir = mt::data::default_fashion_mnist_dir();
  if (!std::filesystem::is_directory(dir)) {
    std::fprintf(stderr, "%s is missing: install Debian's dataset-fashion-mnist\n", dir.c_str());
    return 1;
  }
  const auto classes = mt::data::fashion_mnist_classes();
  auto train = mt::data::load_mnist_format(dir, "train", classes);
  const auto test = mt::data::load_mnist_format(dir, "t10k", classes);
  const mt::Tensor images = train.images.narrow(0, 0, 4096).contiguous();  // a quick run
  const mt::Tensor labels = train.labels.narrow(0, 0, 4096).contiguous();

  auto [mean, sd] = mt::data::mean_and_std(images);
  mt::manual_seed(0);
  mt::models::LeNet net;  // conv1 ... fc3, PyTorch's names and initialisation
  mt::optim::Adam opt(net.parameters(), {.lr = 1e-3});
  mt::data::DataLoader loader(images, labels,
                              {.batch_size = 64, .normalize_mean = mean, .normalize_std = sd});
  for (int epoch = 0; epoch < 2; ++epoch) {
    loader.for_each_batch([&](const mt::data::Batch& b) {
      opt.zero_grad();
      mt::nn::functional::cross_entropy(net.forward(b.inputs), b.targets).backward();
      opt.step();
    });
  }
  const auto path = std::filesystem::temp_directory_path() / "minitorch-example-lenet.safetensors";
  mt::io::save_state_dict(net, path);  // torch's load_state_dict reads it (through NumPy)
  mt::models::LeNet loaded;
  mt::io::load_state_dict(loaded, path);  // names, shapes and dtypes checked
  std::filesystem::remove(path);

  loaded.eval();
  mt::autodiff::NoGradGuard no_grad;
  const mt::Tensor x = (test.images.narrow(0, 0, 1000) - mean) * (1.0 / sd);
  const mt::Tensor predicted = loaded.forward(x).argmax(1);
  const double accuracy = (predicted == test.labels.narrow(0, 0, 1000)).mean().item();
  std::printf("LeNet-5 on 4096 Fashion-MNIST images, 2 epochs: test accuracy %.1f%%\n",
              100.0 * accuracy);
  return accuracy > 0.6 ? 0 : 1;
}
