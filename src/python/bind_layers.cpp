// The C++ layers (nn/*.h) as _C.Layer objects: forward, named_parameters (the layer's own tensor
// handles, so updates through them reach the layer), train/eval and PyTorch's printing. Their
// constructors take PyTorch's argument names and defaults plus dtype= (None: the package's
// default dtype). python/minitorch/nn.py wraps each in a minitorch.Module.
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bindings.h"
#include "minitorch/nn/activation.h"
#include "minitorch/nn/conv.h"
#include "minitorch/nn/dropout.h"
#include "minitorch/nn/embedding.h"
#include "minitorch/nn/linear.h"
#include "minitorch/nn/pooling.h"
#include "minitorch/nn/sequential.h"

namespace minitorch::python {

namespace {

using LayerPtr = std::shared_ptr<nn::Layer>;

// One size per dimension from an int or a sequence of D ints (TypeError / ValueError otherwise).
template <std::size_t D>
nn::ExpandingArray<D> sizes_from(py::handle object, const char* name) {
  const Shape values = shape_from(object);
  if (py::isinstance<py::int_>(object)) return nn::ExpandingArray<D>(values[0]);
  if (values.size() != D) {
    throw py::value_error(std::string(name) + " = " + shape_to_string(values) +
                          "; expected an int or " + std::to_string(D) + " ints");
  }
  std::array<std::int64_t, D> out{};
  std::copy(values.begin(), values.end(), out.begin());
  return nn::ExpandingArray<D>(out);
}

// The work a forward pass does, roughly: what decides whether releasing the GIL pays.
std::int64_t work_of(const nn::Layer& layer, const Tensor& x) {
  std::int64_t work = x.numel();
  for (const Tensor& p : layer.parameters()) work += p.numel();
  return work;
}

py::list named_parameters(const nn::Module& module, bool recurse) {
  py::list out;
  for (const auto& p : module.named_parameters(recurse))
    out.append(py::make_tuple(p.name, p.value));
  return out;
}

py::list named_children(const nn::Module& module) {
  py::list out;
  for (const auto& [name, child] : module.named_children()) {
    // A child's own class is unknown to Python; as a Layer it keeps forward.
    if (auto layer = std::dynamic_pointer_cast<nn::Layer>(child)) {
      out.append(py::make_tuple(name, py::cast(layer)));
    } else {
      out.append(py::make_tuple(name, py::cast(child)));
    }
  }
  return out;
}

void bind_layer_base(py::module_& m) {
  py::class_<nn::Module, std::shared_ptr<nn::Module>>(
      m, "CoreModule", "A C++ module (nn::Module): parameters, children and a training flag.")
      .def("named_parameters", &named_parameters, py::arg("recurse") = true)
      .def("named_children", &named_children)
      .def(
          "train", [](nn::Module& module, bool on) { module.train(on); }, py::arg("mode") = true)
      .def("eval", [](nn::Module& module) { module.eval(); })
      .def_property_readonly("training", &nn::Module::is_training)
      .def("type_name", &nn::Module::type_name)
      .def("extra_repr", &nn::Module::extra_repr)
      .def("__repr__", &nn::Module::to_string);
  py::class_<nn::Layer, nn::Module, LayerPtr>(
      m, "Layer", "A C++ layer: one tensor in, one tensor out (nn::Layer).")
      .def(
          "forward",
          [](nn::Layer& layer, const Tensor& x) {
            ReleaseGilFor release(work_of(layer, x));
            return layer.forward(x);
          },
          py::arg("input"))
      .def(
          "__call__",
          [](nn::Layer& layer, const Tensor& x) {
            ReleaseGilFor release(work_of(layer, x));
            return layer.forward(x);
          },
          py::arg("input"));
}

void bind_parametrised(py::module_& m) {
  py::class_<nn::Linear, nn::Layer, std::shared_ptr<nn::Linear>>(m, "Linear")
      .def(py::init([](std::int64_t in_features, std::int64_t out_features, bool bias,
                       py::handle dtype) {
             return std::make_shared<nn::Linear>(
                 nn::LinearOptions(in_features, out_features).bias(bias).dtype(dtype_from(dtype)));
           }),
           py::arg("in_features"), py::arg("out_features"), py::arg("bias") = true,
           py::arg("dtype") = py::none());
  py::class_<nn::Conv2d, nn::Layer, std::shared_ptr<nn::Conv2d>>(m, "Conv2d")
      .def(py::init([](std::int64_t in_channels, std::int64_t out_channels, py::handle kernel_size,
                       py::handle stride, py::handle padding, py::handle dilation, bool bias,
                       py::handle dtype) {
             return std::make_shared<nn::Conv2d>(
                 nn::Conv2dOptions(in_channels, out_channels,
                                   sizes_from<2>(kernel_size, "kernel_size"))
                     .stride(sizes_from<2>(stride, "stride"))
                     .padding(sizes_from<2>(padding, "padding"))
                     .dilation(sizes_from<2>(dilation, "dilation"))
                     .bias(bias)
                     .dtype(dtype_from(dtype)));
           }),
           py::arg("in_channels"), py::arg("out_channels"), py::arg("kernel_size"),
           py::arg("stride") = 1, py::arg("padding") = 0, py::arg("dilation") = 1,
           py::arg("bias") = true, py::arg("dtype") = py::none());
  py::class_<nn::Conv1d, nn::Layer, std::shared_ptr<nn::Conv1d>>(m, "Conv1d")
      .def(py::init([](std::int64_t in_channels, std::int64_t out_channels, py::handle kernel_size,
                       py::handle stride, py::handle padding, py::handle dilation, bool bias,
                       py::handle dtype) {
             return std::make_shared<nn::Conv1d>(
                 nn::Conv1dOptions(in_channels, out_channels,
                                   sizes_from<1>(kernel_size, "kernel_size"))
                     .stride(sizes_from<1>(stride, "stride"))
                     .padding(sizes_from<1>(padding, "padding"))
                     .dilation(sizes_from<1>(dilation, "dilation"))
                     .bias(bias)
                     .dtype(dtype_from(dtype)));
           }),
           py::arg("in_channels"), py::arg("out_channels"), py::arg("kernel_size"),
           py::arg("stride") = 1, py::arg("padding") = 0, py::arg("dilation") = 1,
           py::arg("bias") = true, py::arg("dtype") = py::none());
  py::class_<nn::Embedding, nn::Layer, std::shared_ptr<nn::Embedding>>(m, "Embedding")
      .def(py::init([](std::int64_t num_embeddings, std::int64_t embedding_dim, py::handle dtype) {
             return std::make_shared<nn::Embedding>(
                 nn::EmbeddingOptions(num_embeddings, embedding_dim).dtype(dtype_from(dtype)));
           }),
           py::arg("num_embeddings"), py::arg("embedding_dim"), py::arg("dtype") = py::none());
}

template <class Pool>
void bind_pool(py::module_& m, const char* name) {
  py::class_<Pool, nn::Layer, std::shared_ptr<Pool>>(m, name).def(
      py::init([](py::handle kernel_size, py::handle stride, py::handle padding) {
        const auto kernel = sizes_from<2>(kernel_size, "kernel_size");
        nn::PoolOptions<2> options(kernel);
        if (!stride.is_none()) options.stride(sizes_from<2>(stride, "stride"));
        options.padding(sizes_from<2>(padding, "padding"));
        return std::make_shared<Pool>(options);
      }),
      py::arg("kernel_size"), py::arg("stride") = py::none(), py::arg("padding") = 0);
}

template <class Activation>
void bind_plain(py::module_& m, const char* name) {
  py::class_<Activation, nn::Layer, std::shared_ptr<Activation>>(m, name).def(
      py::init([] { return std::make_shared<Activation>(); }));
}

void bind_parameterless(py::module_& m) {
  bind_pool<nn::MaxPool2d>(m, "MaxPool2d");
  bind_pool<nn::AvgPool2d>(m, "AvgPool2d");
  py::class_<nn::Dropout, nn::Layer, std::shared_ptr<nn::Dropout>>(m, "Dropout")
      .def(py::init([](double p) { return std::make_shared<nn::Dropout>(nn::DropoutOptions(p)); }),
           py::arg("p") = 0.5)
      .def_property_readonly("p", [](const nn::Dropout& d) { return d.options.p(); });
  bind_plain<nn::ReLU>(m, "ReLU");
  bind_plain<nn::Sigmoid>(m, "Sigmoid");
  bind_plain<nn::Tanh>(m, "Tanh");
  bind_plain<nn::Flatten>(m, "Flatten");
  py::class_<nn::Sequential, nn::Layer, std::shared_ptr<nn::Sequential>>(m, "Sequential")
      .def(py::init([](const std::vector<LayerPtr>& layers) {
             auto sequential = std::make_shared<nn::Sequential>();
             for (const auto& layer : layers) sequential->push_back(layer);
             return sequential;
           }),
           py::arg("layers"))
      .def("__len__", &nn::Sequential::size);
}

}  // namespace

void bind_layers(py::module_& m) {
  bind_layer_base(m);
  bind_parametrised(m);
  bind_parameterless(m);
}

}  // namespace minitorch::python
