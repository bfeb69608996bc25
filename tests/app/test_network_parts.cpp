// The parts of network training in the command line: the classification report, the optimizer
// state a checkpoint keeps, config.json round trips and the per-epoch progress line.
#include <gtest/gtest.h>

#include <sstream>

#include "app/classification_report.h"
#include "app/metrics_plots.h"
#include "app/svg_plot.h"
#include "app/train_config.h"
#include "app/training_optimizer.h"
#include "minitorch/core/error.h"
#include "minitorch/nn/linear.h"
#include "minitorch/nn/losses.h"
#include "minitorch/tensor/creation.h"

namespace mt = minitorch;
using mt::Tensor;
using namespace minitorch::app;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const mt::Error& e) {
    return e.what();
  }
  return "no error";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST(ClassificationReport, PrecisionRecallF1AndConfusionAsScikitLearn) {
  // truth 0 0 0 1 1 2, predicted 0 1 0 1 2 2 (2 is never a true 1 etc.)
  const auto r = make_report({0, 0, 0, 1, 1, 2}, {0, 1, 0, 1, 2, 2}, {"a", "b", "c"});
  EXPECT_EQ(r.confusion, (std::vector<std::vector<long>>{{2, 1, 0}, {0, 1, 1}, {0, 0, 1}}));
  EXPECT_EQ(r.correct, 4);
  EXPECT_DOUBLE_EQ(r.accuracy(), 4.0 / 6.0);
  const auto s = r.per_class();
  EXPECT_DOUBLE_EQ(s[0].precision, 1.0);
  EXPECT_DOUBLE_EQ(s[0].recall, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(s[0].f1, 0.8);
  EXPECT_DOUBLE_EQ(s[1].precision, 0.5);
  EXPECT_DOUBLE_EQ(s[1].recall, 0.5);
  EXPECT_DOUBLE_EQ(s[2].precision, 0.5);
  EXPECT_DOUBLE_EQ(s[2].recall, 1.0);
  EXPECT_EQ(s[2].support, 1);
  const std::string text = r.to_text();
  EXPECT_TRUE(contains(text, "macro avg")) << text;
  EXPECT_TRUE(contains(text, "accuracy 0.6667 (4/6)")) << text;
  EXPECT_EQ(r.to_json()["confusion_matrix"][0][1], 1);
}

TEST(ClassificationReport, NeverPredictedClassHasZeroPrecisionAndBadLabelsAreNamed) {
  const auto r = make_report({0, 1}, {0, 0}, {"a", "b"});
  EXPECT_DOUBLE_EQ(r.per_class()[1].precision, 0.0);
  EXPECT_DOUBLE_EQ(r.per_class()[1].f1, 0.0);
  EXPECT_TRUE(contains(error_of([] {
                         make_report({0, 2}, {0, 0}, {"a", "b"});
                       }),
                       "true label 2 at sample 1"));
  EXPECT_TRUE(contains(error_of([] { make_report({0}, {0, 0}, {"a"}); }), "1 true labels but 2"));
}

TEST(ConfusionMatrixSvg, OneCellPerPairAndValidatesItsInput) {
  const std::string svg = render_confusion_matrix("t <&>", {"x", "y"}, {{3, 1}, {0, 5}});
  std::size_t cells = 0;
  for (auto at = svg.find("class=\"cell\""); at != std::string::npos;
       at = svg.find("class=\"cell\"", at + 1)) {
    ++cells;
  }
  EXPECT_EQ(cells, 4u);
  EXPECT_TRUE(contains(svg, "t &lt;&amp;&gt;"));
  EXPECT_THROW(render_confusion_matrix("t", {"x"}, {{1, 2}}), std::invalid_argument);
  EXPECT_THROW(render_confusion_matrix("t", {"x"}, {{-1}}), std::invalid_argument);
}

TEST(TrainConfigJson, RoundTripsEveryFieldAndNamesMissingOnes) {
  TrainConfig c;
  c.task = "spam";
  c.model = "textcnn";
  c.lr = 0.003;
  c.seed = 12345678901234ull;
  c.schedule = "cosine";
  c.train_samples = 77;
  c.embedding_dim = 32;
  const TrainConfig back = train_config_from_json(to_json(c));
  EXPECT_EQ(to_json(back), to_json(c));
  auto j = to_json(c);
  j.erase("schedule");
  EXPECT_TRUE(contains(error_of([&] { train_config_from_json(j); }), "missing field 'schedule'"));
  j = to_json(c);
  j["epochs"] = "many";
  EXPECT_TRUE(contains(error_of([&] { train_config_from_json(j); }),
                       "field 'epochs' is \"many\"; expected an integer"));
}

TEST(TrainConfigJson, RecordsOnlyTheSettingsThatTakeEffect) {
  TrainConfig images;
  images.task = "fashion-mnist";
  images.model = "lenet";
  const auto j = to_json(images);
  for (const char* absent : {"hidden", "dataset", "points", "max_length", "vocab_size",
                             "min_frequency", "embedding_dim", "momentum", "step_size", "gamma"}) {
    EXPECT_FALSE(j.contains(absent)) << absent;
  }
  for (const char* present : {"task", "model", "lr", "epochs", "optimizer", "schedule", "seed"}) {
    EXPECT_TRUE(j.contains(present)) << present;
  }
  TrainConfig sgd = images;
  sgd.optimizer = "sgd";
  sgd.schedule = "step";
  EXPECT_TRUE(to_json(sgd).contains("momentum"));
  EXPECT_TRUE(to_json(sgd).contains("gamma"));
  const auto two_d = to_json(TrainConfig{});
  EXPECT_TRUE(two_d.contains("hidden"));
  EXPECT_FALSE(two_d.contains("optimizer"));
  EXPECT_FALSE(two_d.contains("train_samples"));

  // A config.json that lists every field (as earlier versions wrote it) still reads; the fields
  // that do not take effect keep their defaults.
  auto full = j;
  full["hidden"] = 99;
  full["momentum"] = 0.7;
  const TrainConfig back = train_config_from_json(full);
  EXPECT_EQ(back.hidden, TrainConfig{}.hidden);
  EXPECT_EQ(back.momentum, 0.0);
  EXPECT_EQ(to_json(back), j);
}

// A float or an out-of-range integer in an integer field is an error naming it: nlohmann's own
// conversion would cast 1e300 to int, which is undefined behaviour.
TEST(TrainConfigJson, IntegerFieldsTakeOnlyIntegersThatFit) {
  const nlohmann::json good = to_json(TrainConfig{});
  const std::vector<std::pair<const char*, nlohmann::json>> bad = {
      {"hidden", 1e300}, {"hidden", 2.5},    {"epochs", 4294967296LL},
      {"seed", -1},      {"threads", -1e19}, {"points", nlohmann::json::array()}};
  for (const auto& [name, value] : bad) {
    nlohmann::json j = good;
    j[name] = value;
    const std::string message = error_of([&] { train_config_from_json(j); });
    EXPECT_TRUE(contains(message, std::string("field '") + name + "' is " + value.dump() +
                                      "; expected an integer from"))
        << message;
  }
  nlohmann::json j = good;
  j["seed"] = 18446744073709551615ULL;
  EXPECT_EQ(train_config_from_json(j).seed, 18446744073709551615ULL);
}

namespace {

// Two identical models and optimizers; b restarts from a's saved state after `split` steps and
// must then take exactly the steps a takes.
void expect_resumed_steps_match(const std::string& name, double momentum) {
  mt::Generator g(5);
  const Tensor x = mt::randn({8, 3}, {}, &g);
  const Tensor y = mt::from_vector({0, 1, 0, 1, 1, 0, 0, 1}, {8});
  mt::Generator ga(1), gb(1);
  mt::nn::Linear a(mt::nn::LinearOptions(3, 2).generator(&ga));
  mt::nn::Linear b(mt::nn::LinearOptions(3, 2).generator(&gb));
  const OptimizerSettings settings{.name = name, .lr = 0.05, .momentum = momentum};
  auto opt_a = make_training_optimizer(a.parameters(), settings);
  auto step = [&](mt::nn::Linear& m, TrainingOptimizer& o) {
    o.zero_grad();
    mt::nn::functional::cross_entropy(m.forward(x), y).backward();
    o.step();
  };
  for (int i = 0; i < 3; ++i) step(a, *opt_a);
  const auto saved = opt_a->optimizer().state_dict();
  ASSERT_FALSE(saved.state.empty()) << name;
  b.weight.set_data(a.weight.detach().clone());
  b.bias.set_data(a.bias.detach().clone());
  auto opt_b = make_training_optimizer(b.parameters(), settings);
  opt_b->optimizer().load_state_dict(saved);
  for (int i = 0; i < 3; ++i) {
    step(a, *opt_a);
    step(b, *opt_b);
  }
  EXPECT_EQ(a.weight.to_vector(), b.weight.to_vector()) << name;
  EXPECT_EQ(a.bias.to_vector(), b.bias.to_vector()) << name;
}

}  // namespace

TEST(TrainingOptimizer, SavedStateResumesTheVerySameSteps) {
  expect_resumed_steps_match("adam", 0.0);
  expect_resumed_steps_match("adamw", 0.0);
  expect_resumed_steps_match("sgd", 0.9);
}

TEST(TrainingOptimizer, StateNamesFollowTorchAndBadStateIsRejected) {
  mt::nn::Linear layer(2, 2);
  auto opt = make_training_optimizer(layer.parameters(), {.name = "adam"});
  opt->zero_grad();
  layer.forward(mt::ones({1, 2})).sum().backward();
  opt->step();
  std::map<std::string, Tensor> state;
  for (const auto& [name, value] : opt->optimizer().state_dict().state) state.emplace(name, value);
  // Loads a state given as a map, the way a checkpoint's tensors come back.
  const auto load = [&](const std::map<std::string, Tensor>& entries) {
    opt->optimizer().load_state_dict({{}, {entries.begin(), entries.end()}});
  };
  for (const char* name : {"0.step", "0.exp_avg", "0.exp_avg_sq", "1.step"}) {
    EXPECT_TRUE(state.count(name)) << name;
  }
  EXPECT_EQ(state.at("0.step").item(), 1.0);

  auto wrong_shape = state;
  wrong_shape["0.exp_avg"] = mt::zeros({3});
  EXPECT_TRUE(contains(error_of([&] { load(wrong_shape); }), "'0.exp_avg' has shape [3]"));
  auto unexpected = state;
  unexpected["7.exp_avg"] = mt::zeros({2});
  EXPECT_TRUE(contains(error_of([&] { load(unexpected); }), "unexpected entry '7.exp_avg'"));
  auto no_step = state;
  no_step.erase("0.step");
  EXPECT_TRUE(contains(error_of([&] { load(no_step); }), "without its step"));
  EXPECT_TRUE(
      contains(error_of([&] { make_training_optimizer(layer.parameters(), {.name = "lbfgs"}); }),
               "unknown optimizer 'lbfgs'"));
  EXPECT_TRUE(contains(
      error_of([&] { make_training_optimizer(layer.parameters(), {.schedule = "linear"}); }),
      "unknown schedule 'linear'"));
}

TEST(TrainingOptimizer, SchedulesAdvanceOncePerEpoch) {
  mt::nn::Linear layer(2, 2);
  auto step = make_training_optimizer(
      layer.parameters(), {.lr = 1.0, .schedule = "step", .step_size = 2, .gamma = 0.1});
  step->end_epoch();
  EXPECT_DOUBLE_EQ(step->lr(), 1.0);
  step->end_epoch();
  EXPECT_DOUBLE_EQ(step->lr(), 0.1);
  auto cosine =
      make_training_optimizer(layer.parameters(), {.lr = 1.0, .schedule = "cosine", .epochs = 4});
  cosine->end_epoch();
  cosine->end_epoch();
  EXPECT_NEAR(cosine->lr(), 0.5, 1e-12);
}

// Step records sit between the whole epochs (step / steps per epoch); without them the curve has
// one point per epoch.
TEST(MetricsPlots, StepRecordsDrawTheCurveBetweenEpochs) {
  auto record = [](bool epoch_end, long step, int epoch, double loss) {
    minitorch::train::MetricsRecord r;
    r.kind = epoch_end ? minitorch::train::MetricsRecord::Kind::Epoch
                       : minitorch::train::MetricsRecord::Kind::Step;
    r.step = step;
    r.epoch = epoch;
    r.loss = loss;
    if (epoch_end) r.evaluation = {{"val_accuracy", 0.5}, {"test_accuracy", 0.25}};
    return r;
  };
  const std::vector<minitorch::train::MetricsRecord> records{
      record(false, 2, 1, 4.0), record(true, 4, 1, 3.0), record(false, 2 + 4, 2, 2.0),
      record(false, 8, 2, 1.0), record(true, 8, 2, 1.5)};
  const LineSeries loss = loss_curve(records, "loss");
  EXPECT_EQ(loss.x, (std::vector<double>{0.5, 1.5, 2.0}));
  EXPECT_EQ(loss.y, (std::vector<double>{4.0, 2.0, 1.0}));
  const LineSeries epochs = loss_curve(minitorch::train::epoch_records(records), "loss");
  EXPECT_EQ(epochs.x, (std::vector<double>{1.0, 2.0}));
  const auto accuracy = accuracy_curves(records);
  ASSERT_EQ(accuracy.size(), 3u);
  EXPECT_EQ(accuracy[1].label, "validation");
  EXPECT_EQ(accuracy[2].label, "test");
  EXPECT_EQ(accuracy[2].y, (std::vector<double>{0.25, 0.25}));
}
