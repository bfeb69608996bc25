// Trains a small tensor network on the xor data set with the C++ API (the README's example).
#include <minitorch/minitorch.h>

#include <cstdio>

namespace mt = minitorch;

struct Net : mt::nn::Module {
  std::shared_ptr<mt::nn::Linear> l1, l2;
  explicit Net(int hidden)
      : l1(register_module("l1", std::make_shared<mt::nn::Linear>(2, hidden))),
        l2(register_module("l2", std::make_shared<mt::nn::Linear>(hidden, 1))) {}
  mt::Tensor forward(const mt::Tensor& x) { return l2->forward(l1->forward(x).relu()).sigmoid(); }
};

int main() {
  const auto points = mt::data::xor_dataset(/*points=*/100, /*seed=*/0);
  std::vector<double> xs, ys;
  for (std::size_t i = 0; i < points.size(); ++i) {
    xs.insert(xs.end(), {points.x[i][0], points.x[i][1]});
    ys.push_back(points.y[i]);
  }
  const auto n = static_cast<std::int64_t>(points.size());
  const mt::Tensor x = mt::from_vector(xs, {n, 2});
  const mt::Tensor y = mt::from_vector(ys, {n, 1});

  mt::manual_seed(0);
  Net net(10);
  mt::optim::SGD opt(net.parameters(), {.lr = 0.5, .momentum = 0.9});
  for (int epoch = 1; epoch <= 1000; ++epoch) {
    opt.zero_grad();
    const mt::Tensor loss = mt::nn::functional::binary_cross_entropy(net.forward(x), y);
    loss.backward();
    opt.step();
    if (epoch % 200 == 0) std::printf("epoch %d  loss %.4f\n", epoch, loss.item());
  }

  mt::NoGradGuard no_grad;
  const double accuracy = ((net.forward(x) > 0.5) == y).mean().item();
  std::printf("accuracy %.2f\n%s\n", accuracy, net.to_string().c_str());
  for (const auto& [name, value] : net.state_dict()) {
    std::printf("%s %s\n", name.c_str(), mt::shape_to_string(value.shape()).c_str());
  }
  return accuracy >= 0.95 ? 0 : 1;
}
