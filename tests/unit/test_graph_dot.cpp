#include "minitorch/autodiff/graph_dot.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "minitorch/scalar/scalar.h"

using minitorch::Scalar;

namespace {
int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}
}  // namespace

TEST(GraphDot, OperationNodesAndArgumentEdges) {
  Scalar x(2.0, "x");
  Scalar y(3.0, "y");
  const Scalar out = x * y + x;
  out.set_name("out");
  const std::string dot = minitorch::autodiff::to_dot(out);
  EXPECT_EQ(dot.rfind("digraph \"computation\" {", 0), 0u);
  EXPECT_EQ(dot.back(), '\n');
  EXPECT_EQ(count(dot, "shape=box"), 2);      // mul, add
  EXPECT_EQ(count(dot, "shape=ellipse"), 4);  // out, x * y, x, y
  EXPECT_EQ(count(dot, "label=\"mul\""), 1);
  EXPECT_EQ(count(dot, "label=\"add\""), 1);
  EXPECT_EQ(count(dot, "label=\"0\""), 2);  // each op's first argument
  EXPECT_EQ(count(dot, "label=\"1\""), 2);
  EXPECT_EQ(count(dot, "label=\"x\""), 1);  // x is one node though used twice
  EXPECT_NE(dot.find("label=\"out\""), std::string::npos);
  EXPECT_EQ(count(dot, "->"), 2 + 4);  // op -> value, plus one edge per argument
}

TEST(GraphDot, ConstantsAndEscaping) {
  Scalar x(1.0, "say \"hi\"");
  const std::string dot = minitorch::autodiff::to_dot(x * 2.0);
  EXPECT_NE(dot.find("constant 2"), std::string::npos);
  EXPECT_NE(dot.find("say \\\"hi\\\""), std::string::npos);
}
