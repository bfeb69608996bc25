#include "minitorch/module/basic_module.h"

#include <gtest/gtest.h>

#include "minitorch/core/error.h"
#include "minitorch/scalar/scalar.h"

using minitorch::Error;
using minitorch::Scalar;
using Module = minitorch::nn::BasicModule<Scalar>;

namespace {

struct Leaf : Module {
  explicit Leaf(double value) { register_parameter("p3", Scalar(value)); }
};

struct Middle : Module {
  std::shared_ptr<Leaf> c = register_module("c", std::make_shared<Leaf>(3.0));
};

struct WithParameter : Module {
  WithParameter() { register_parameter("p2", Scalar(2.0)); }
  std::string extra_repr() const override { return "size=1"; }
};

struct Root : Module {
  Root() {
    register_parameter("p1", Scalar(1.0));
    a = register_module("a", std::make_shared<WithParameter>());
    b = register_module("b", std::make_shared<Middle>());
  }
  std::shared_ptr<WithParameter> a;
  std::shared_ptr<Middle> b;
};

}  // namespace

TEST(Module, NamedParametersAreDottedInRegistrationOrder) {
  Root root;
  const auto named = root.named_parameters();
  ASSERT_EQ(named.size(), 3u);
  EXPECT_EQ(named[0].name, "p1");
  EXPECT_EQ(named[1].name, "a.p2");
  EXPECT_EQ(named[2].name, "b.c.p3");
  EXPECT_EQ(named[2].value.data(), 3.0);
  EXPECT_EQ(root.parameters().size(), 3u);
  EXPECT_EQ(root.parameters(/*recurse=*/false).size(), 1u);
  EXPECT_EQ(root.b->named_parameters()[0].name, "c.p3");
}

TEST(Module, ParametersShareTheModulesValues) {
  Root root;
  root.parameters()[2].set_data(9.0);
  EXPECT_EQ(root.b->c->local_parameters()[0].value.data(), 9.0);
}

TEST(Module, ChildrenAndModules) {
  Root root;
  EXPECT_EQ(root.children().size(), 2u);
  EXPECT_EQ(root.children()[0], root.a);
  const auto named = root.named_modules();
  ASSERT_EQ(named.size(), 4u);
  EXPECT_EQ(named[0].first, "");
  EXPECT_EQ(named[0].second, &root);
  EXPECT_EQ(named[1].first, "a");
  EXPECT_EQ(named[2].first, "b");
  EXPECT_EQ(named[3].first, "b.c");
  EXPECT_EQ(root.modules().size(), 4u);
}

TEST(Module, TrainAndEvalAreRecursive) {
  Root root;
  EXPECT_TRUE(root.is_training());
  root.eval();
  for (auto* m : root.modules()) EXPECT_FALSE(m->is_training());
  root.b->train();
  EXPECT_FALSE(root.is_training());
  EXPECT_TRUE(root.b->c->is_training());
  root.train();
  for (auto* m : root.modules()) EXPECT_TRUE(m->is_training());
}

TEST(Module, PrintsLikePyTorch) {
  Root root;
  EXPECT_EQ(root.to_string(),
            "Root(\n"
            "  (a): WithParameter(size=1)\n"
            "  (b): Middle(\n"
            "    (c): Leaf()\n"
            "  )\n"
            ")");
  EXPECT_EQ(Leaf(1.0).to_string(), "Leaf()");
}

TEST(Module, ZeroGradClearsEveryParameter) {
  Root root;
  for (auto& p : root.parameters()) (p * 2.0).backward();
  for (auto& p : root.parameters()) EXPECT_EQ(p.grad(), 2.0);
  root.zero_grad();
  for (auto& p : root.parameters()) EXPECT_FALSE(p.has_grad());
}

TEST(Module, RegistrationRejectsBadNames) {
  Module m;
  m.register_parameter("w", Scalar(1.0));
  EXPECT_THROW(m.register_parameter("w", Scalar(2.0)), Error);
  EXPECT_THROW(m.register_module("w", std::make_shared<Leaf>(1.0)), Error);
  EXPECT_THROW(m.register_parameter("", Scalar(1.0)), Error);
  EXPECT_THROW(m.register_parameter("a.b", Scalar(1.0)), Error);
  EXPECT_THROW(m.register_module("child", std::shared_ptr<Leaf>()), Error);
  try {
    m.register_parameter("x.y", Scalar(1.0));
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'x.y' contains '.'"), std::string::npos) << e.what();
  }
}

TEST(Module, RegisteredConstantsBecomeTrainable) {
  Module m;
  m.register_parameter("c", Scalar::constant(1.0));
  EXPECT_TRUE(m.parameters()[0].requires_grad());
}
