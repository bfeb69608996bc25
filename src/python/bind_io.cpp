// safetensors files (io/safetensors.h, io/state_dict.h) and the models registry
// (models/registry.h): what minitorch.save / load_state_dict / load are made of. Paths are str or
// os.PathLike; every file error is the C++ one, naming the file and what was expected.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "bindings.h"
#include "minitorch/io/safetensors.h"
#include "minitorch/io/state_dict.h"
#include "minitorch/models/registry.h"
#include "minitorch/train/checkpoint.h"

namespace minitorch::python {

namespace {

namespace fs = std::filesystem;

std::int64_t elements_of(const io::NamedTensors& tensors) {
  std::int64_t n = 0;
  for (const auto& entry : tensors) n += entry.second.numel();
  return n;
}

// The registry's ModelConfig from a dict of its field names; an unknown key is a ValueError.
models::ModelConfig model_config_from(const std::map<std::string, std::int64_t>& fields,
                                      Dtype dtype) {
  models::ModelConfig config;
  const std::map<std::string, std::int64_t*> slots{{"in_channels", &config.in_channels},
                                                   {"height", &config.height},
                                                   {"width", &config.width},
                                                   {"vocab_size", &config.vocab_size},
                                                   {"embedding_dim", &config.embedding_dim},
                                                   {"in_features", &config.in_features},
                                                   {"hidden", &config.hidden},
                                                   {"num_classes", &config.num_classes}};
  for (const auto& [key, value] : fields) {
    const auto slot = slots.find(key);
    if (slot == slots.end()) {
      throw py::value_error("make_model: unknown size '" + key +
                            "'; expected in_channels, height, width, vocab_size, embedding_dim, "
                            "in_features, hidden or num_classes");
    }
    *slot->second = value;
  }
  config.init.dtype = dtype;
  return config;
}

}  // namespace

void bind_io(py::module_& m) {
  m.def(
      "save_safetensors",
      [](const fs::path& path, const io::NamedTensors& tensors, const io::Metadata& metadata) {
        ReleaseGilFor release(elements_of(tensors));
        io::save_safetensors(path, tensors, metadata);
      },
      py::arg("path"), py::arg("tensors"), py::arg("metadata") = io::Metadata{},
      "Writes named tensors and string metadata to a safetensors file, atomically.");
  py::class_<io::SafetensorsFile>(m, "SafetensorsFile")
      .def_property_readonly("path", [](const io::SafetensorsFile& f) { return f.path; })
      .def_readonly("tensors", &io::SafetensorsFile::tensors)
      .def_readonly("metadata", &io::SafetensorsFile::metadata);
  m.def(
      "load_safetensors",
      [](const fs::path& path) {
        py::gil_scoped_release release;  // reading a file is always worth it
        return io::load_safetensors(path);
      },
      py::arg("path"));
  m.def(
      "load_layer_state",
      [](nn::Layer& layer, const io::SafetensorsFile& file) {
        ReleaseGilFor release(elements_of(file.tensors));
        io::load_state_dict(layer, file);
      },
      py::arg("layer"), py::arg("file"),
      "Copies the file's tensors into the layer's parameters in place (names, shapes and dtypes "
      "must match exactly; nothing is copied otherwise).");
  m.def(
      "first_non_finite",
      [](const io::NamedTensors& tensors) -> py::object {
        const auto bad = train::first_non_finite(tensors);
        if (!bad) return py::none();
        return py::str(bad->to_string());
      },
      py::arg("tensors"), "Where the first NaN or infinity is (a sentence), or None.");
  m.def("model_catalog", [] {
    py::list out;
    for (const auto& info : models::model_catalog()) {
      out.append(py::make_tuple(info.name, models::input_kind_name(info.input), info.description));
    }
    return out;
  });
  m.def(
      "make_model",
      [](const std::string& name, const std::map<std::string, std::int64_t>& sizes,
         py::handle dtype) {
        return models::make_model(name, model_config_from(sizes, dtype_from(dtype)));
      },
      py::arg("name"), py::arg("sizes") = std::map<std::string, std::int64_t>{},
      py::arg("dtype") = py::none(),
      "A freshly initialised model of the registry (mlp, lenet, minitorch-cnn, textcnn, mlp2d).");
}

}  // namespace minitorch::python
