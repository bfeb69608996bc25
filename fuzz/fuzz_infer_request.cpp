// The inference request parser of the server (src/serve/v2_codec.h) on arbitrary bytes, read both
// ways (numbers straight from the text, and the JSON tree: the same request or both refused), then
// the model-side checks for an image model, a text model and a model of numeric features: each
// either throws Error (the server's 400) or returns a batch of the model's shape with as many rows
// as the request's shape says, every value finite.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "fuzz_support.h"
#include "minitorch/nn/module.h"
#include "minitorch/tensor/creation.h"
#include "serve/v2_codec.h"

namespace {

namespace serve = minitorch::serve;

// Never run: the harness checks the batches, it does not classify them.
class NoModel : public minitorch::nn::Layer {
 public:
  minitorch::Tensor forward(const minitorch::Tensor& x) override { return x; }
};

std::shared_ptr<const serve::Classifier> classifier(minitorch::models::InputKind kind,
                                                    std::vector<std::int64_t> item) {
  serve::ClassifierOptions options;
  options.input = kind;
  options.item_shape = std::move(item);
  options.class_names = {"a", "b"};
  if (kind == minitorch::models::InputKind::Tokens) {
    options.vocabulary = minitorch::data::Vocabulary({"<pad>", "<unk>", "free", "money"});
  }
  return std::make_shared<const serve::Classifier>(std::make_shared<NoModel>(), options);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  namespace fuzz = minitorch::fuzz;
  using minitorch::models::InputKind;
  static const auto models = {classifier(InputKind::Image, {1, 2, 2}),
                              classifier(InputKind::Tokens, {4}),
                              classifier(InputKind::Features, {2})};
  const std::string body(fuzz::as_text(bytes, size));
  // Reading the numbers straight from the text gives the request the JSON tree gives.
  std::optional<serve::v2::InferRequest> fast, tree;
  fuzz::expect_only_errors([&] { fast = serve::v2::parse_infer_request(body, true); });
  fuzz::expect_only_errors([&] { tree = serve::v2::parse_infer_request(body, false); });
  fuzz::require(fast.has_value() == tree.has_value(), "both readings accept or both refuse");
  if (fast) {
    fuzz::require(fast->id == tree->id && fast->input_name == tree->input_name &&
                      fast->datatype == tree->datatype && fast->shape == tree->shape &&
                      fast->texts == tree->texts && fast->outputs == tree->outputs &&
                      fast->numbers.size() == tree->numbers.size(),
                  "both readings give the same request");
    for (std::size_t i = 0; i < fast->numbers.size(); ++i) {
      fuzz::require(std::memcmp(&fast->numbers[i], &tree->numbers[i], sizeof(double)) == 0,
                    "both readings give the same numbers, bit for bit");
    }
  }
  fuzz::expect_only_errors([&] {
    const serve::v2::InferRequest request = serve::v2::parse_infer_request(body);
    serve::v2::requested_outputs(request);
    for (const auto& model : models) {
      fuzz::expect_only_errors([&] {
        const minitorch::Tensor batch = serve::v2::to_batch(request, *model);
        fuzz::require(batch.dim() == std::int64_t(model->item_shape().size()) + 1,
                      "a batch of the model's rank");
        fuzz::require(batch.size(0) == request.shape[0] && batch.size(0) > 0,
                      "as many rows as the request's batch");
        for (std::int64_t d = 0; d < std::int64_t(model->item_shape().size()); ++d) {
          fuzz::require(batch.size(d + 1) == model->item_shape()[std::size_t(d)],
                        "the model's item shape");
        }
        for (const double value : batch.to_vector()) {
          fuzz::require(std::isfinite(value), "finite values only");
        }
      });
    }
  });
  return 0;
}
