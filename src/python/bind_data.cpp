// The data sets our C++ data layer reads, for the package's project scripts: Fashion-MNIST from
// Debian's dataset-fashion-mnist and the SpamAssassin corpus that scripts/install-deps.sh
// installs. Nothing is downloaded. Without minitorch::data in the build, each raises
// RuntimeError saying so.
#include <pybind11/stl.h>

#include "bindings.h"

#ifdef MINITORCH_PYTHON_WITH_DATA
#include "minitorch/data/image_dataset.h"
#include "minitorch/data/spam_corpus.h"
#endif

namespace minitorch::python {

namespace {

#ifdef MINITORCH_PYTHON_WITH_DATA
py::tuple fashion_mnist(const std::string& split, py::handle dir) {
  const std::filesystem::path path = dir.is_none() ? data::default_fashion_mnist_dir()
                                                   : std::filesystem::path(dir.cast<std::string>());
  data::ImageDataset set;
  {
    py::gil_scoped_release release;
    set = data::load_mnist_format(path, split, data::fashion_mnist_classes());
  }
  return py::make_tuple(set.images, set.labels, set.class_names);
}

// Splits of the corpus as token-id tensors: {"train": (x, y), "validation": ..., "test": ...,
// "vocabulary": [tokens], "classes": ["ham", "spam"]}.
py::dict spam_corpus(std::int64_t length, std::int64_t max_vocabulary, py::handle dir) {
  const std::filesystem::path path = dir.is_none() ? data::default_spam_corpus_dir()
                                                   : std::filesystem::path(dir.cast<std::string>());
  data::SpamSplit split;
  data::Vocabulary vocabulary;
  data::TextDataset train, validation, test;
  {
    py::gil_scoped_release release;
    split = data::split_spam_corpus(data::load_spam_corpus(path));
    data::VocabularyOptions options;
    options.max_size = max_vocabulary;
    vocabulary = data::build_vocabulary(split.train, options);
    train = data::to_text_dataset(split.train, vocabulary, length);
    validation = data::to_text_dataset(split.validation, vocabulary, length);
    test = data::to_text_dataset(split.test, vocabulary, length);
  }
  py::dict out;
  out["train"] = py::make_tuple(train.x, train.y);
  out["validation"] = py::make_tuple(validation.x, validation.y);
  out["test"] = py::make_tuple(test.x, test.y);
  out["vocabulary"] = vocabulary.tokens();
  out["classes"] = data::spam_class_names();
  return out;
}
#else
[[noreturn]] void without_data() {
  throw Error(
      "this build has no minitorch::data (configured with MINITORCH_BUILD_DATA=OFF); "
      "expected a build with it to read data sets");
}
py::tuple fashion_mnist(const std::string&, py::handle) {
  without_data();
}
py::dict spam_corpus(std::int64_t, std::int64_t, py::handle) {
  without_data();
}
#endif

}  // namespace

void bind_data(py::module_& m) {
  m.def("fashion_mnist", &fashion_mnist, py::arg("split") = "train", py::arg("dir") = py::none(),
        "(images [N, 1, 28, 28] float32 in [0, 1], labels [N] float32, class names) of "
        "Fashion-MNIST's split 'train' or 't10k'.");
  m.def("spam_corpus", &spam_corpus, py::arg("length") = 200, py::arg("max_vocabulary") = 20000,
        py::arg("dir") = py::none(),
        "The SpamAssassin corpus split 80/10/10 as token ids [N, length] and labels [N].");
}

}  // namespace minitorch::python
