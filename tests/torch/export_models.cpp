// Writes, for every model of models/registry.h, its freshly initialised weights
// (<name>.model.safetensors, PyTorch state_dict names) and one batch of inputs with our outputs
// (<name>.io.safetensors: "input", "output") into the directory given as the only argument, for
// check_checkpoints.py to load into the PyTorch twins and compare.
#include <cstdio>
#include <filesystem>

#include "minitorch/io/safetensors.h"
#include "minitorch/models/registry.h"
#include "minitorch/tensor/creation.h"

namespace mt = minitorch;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  std::filesystem::create_directories(out);
  for (const auto& info : mt::models::model_catalog()) {
    mt::Generator generator(42);
    mt::models::ModelConfig config;
    config.vocab_size = 50;
    config.embedding_dim = 12;
    config.num_classes = info.input == mt::models::InputKind::Image ? 10 : 2;
    config.hidden = 6;
    config.init.generator = &generator;
    const auto model = mt::models::make_model(info.name, config);
    model->eval();
    mt::Tensor input;
    if (info.input == mt::models::InputKind::Image) {
      input = mt::randn({4, 1, 28, 28}, {}, &generator);
    } else if (info.input == mt::models::InputKind::Features) {
      input = mt::randn({4, 2}, {}, &generator);
    } else {
      std::vector<double> ids;
      for (int i = 0; i < 4 * 20; ++i) ids.push_back(double(generator.next_u64() % 50));
      input = mt::from_vector(ids, {4, 20});
    }
    const mt::Tensor output = model->forward(input);
    mt::io::NamedTensors weights;
    for (const auto& p : model->state_dict()) weights.emplace_back(p.name, p.value);
    mt::io::save_safetensors(out / (info.name + ".model.safetensors"), weights,
                             {{"model", info.name}});
    mt::io::save_safetensors(out / (info.name + ".io.safetensors"),
                             {{"input", input}, {"output", output.detach()}});
  }
  return 0;
}
