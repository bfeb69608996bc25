// Trains MiniTorch's scalar MLP on the xor data set with the C++ API (the README's example).
#include <minitorch/minitorch.h>

#include <cstdio>

namespace mt = minitorch;

int main() {
  const auto data = mt::data::xor_dataset(/*points=*/50, /*seed=*/0);
  mt::Generator generator(/*seed=*/0);
  mt::models::ScalarMLP net(/*hidden=*/10, generator);
  mt::optim::SGD opt(net.parameters(), {.lr = 0.5});

  for (int epoch = 1; epoch <= 500; ++epoch) {
    opt.zero_grad();
    double total = 0;
    for (std::size_t i = 0; i < data.size(); ++i) {
      const auto x =
          std::array{mt::Scalar::constant(data.x[i][0]), mt::Scalar::constant(data.x[i][1])};
      const mt::Scalar loss = mt::nn::binary_cross_entropy(net.forward(x), data.y[i]);
      (loss / double(data.size())).backward();  // gradients accumulate over the batch
      total += loss.data();
    }
    opt.step();
    if (epoch % 100 == 0) std::printf("epoch %d  loss %.4f\n", epoch, total / data.size());
  }

  int correct = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    correct += (net.predict(data.x[i][0], data.x[i][1]) > 0.5) == (data.y[i] == 1);
  }
  std::printf("correct %d/%zu\n%s\n", correct, data.size(), net.to_string().c_str());
  return correct >= 48 ? 0 : 1;
}
