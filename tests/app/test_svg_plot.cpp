#include "app/svg_plot.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using minitorch::app::DecisionBoundary;
using minitorch::app::LineChart;
using minitorch::app::LineSeries;
using minitorch::app::render_decision_boundary;
using minitorch::app::render_line_chart;
using minitorch::app::xml_escape;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

void expect_standalone_svg(const std::string& svg) {
  std::string body = svg;
  if (body.rfind("<?xml", 0) == 0) body = body.substr(body.find("?>") + 2);
  body.erase(0, body.find_first_not_of(" \n"));
  EXPECT_EQ(body.rfind("<svg", 0), 0u) << svg.substr(0, 80);
  if (!body.empty() && body.back() == '\n') body.pop_back();
  ASSERT_GE(body.size(), 6u);
  EXPECT_EQ(body.substr(body.size() - 6), "</svg>");
  EXPECT_EQ(count(svg, "<svg"), 1u);
}

void expect_no_non_finite_text(const std::string& svg) {
  const std::string text = lower(svg);
  EXPECT_EQ(text.find("nan"), std::string::npos);
  EXPECT_EQ(text.find("inf"), std::string::npos);
}

// Values of `attr` on every `<tag ...>` element that contains `marker`. Plain string scanning
// instead of std::regex, whose GCC 12 implementation trips -Wmaybe-uninitialized under -O2.
std::vector<std::string> attribute_values(const std::string& svg, const std::string& tag,
                                          const std::string& attr, const std::string& marker = "") {
  std::vector<std::string> values;
  const std::string open = "<" + tag + " ", key = " " + attr + "=\"";
  for (auto pos = svg.find(open); pos != std::string::npos; pos = svg.find(open, pos + 1)) {
    const std::string element = svg.substr(pos, svg.find('>', pos) - pos);
    const auto at = element.find(key);
    if (at == std::string::npos || element.find(marker) == std::string::npos) continue;
    const auto begin = at + key.size();
    values.push_back(element.substr(begin, element.find('"', begin) - begin));
  }
  return values;
}

// Number of "x,y" pairs in the points attribute of the n-th polyline.
std::size_t polyline_point_count(const std::string& svg, std::size_t n = 0) {
  const std::vector<std::string> points = attribute_values(svg, "polyline", "points");
  return n < points.size() ? count(points[n], ",") : 0;
}

std::vector<std::string> cell_fills(const std::string& svg) {
  return attribute_values(svg, "rect", "fill", "class=\"cell\"");
}

LineChart two_series_chart() {
  LineChart chart;
  chart.title = "loss";
  chart.x_label = "step";
  chart.y_label = "value";
  chart.series = {{"train", {0, 1, 2, 3}, {1.0, 0.6, 0.4, 0.3}},
                  {"valid", {0, 1, 2, 3}, {1.1, 0.7, 0.5, 0.45}}};
  return chart;
}

DecisionBoundary simple_boundary(int grid, double p) {
  DecisionBoundary plot;
  plot.title = "boundary";
  plot.points = {{0.1, 0.2}, {0.8, 0.9}, {0.5, 0.5}, {0.3, 0.7}, {0.9, 0.1}};
  plot.labels = {0, 1, 1, 0, 1};
  plot.probability = [p](double, double) { return p; };
  plot.grid = grid;
  return plot;
}

// ---- xml_escape ----

TEST(XmlEscape, EscapesAllFiveSpecialCharacters) {
  EXPECT_EQ(xml_escape("a<b & \"c\" 'd' > e"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos; &gt; e");
}

TEST(XmlEscape, LeavesPlainTextAndEmptyStringUnchanged) {
  EXPECT_EQ(xml_escape(""), "");
  EXPECT_EQ(xml_escape("train loss 0.5"), "train loss 0.5");
}

TEST(XmlEscape, EscapesAlreadyEscapedEntitiesAgain) {
  EXPECT_EQ(xml_escape("&amp;"), "&amp;amp;");
}

// ---- line chart ----

TEST(LineChart, IsStandaloneSvgWithOnePolylinePerSeriesAndLegend) {
  const std::string svg = render_line_chart(two_series_chart());
  expect_standalone_svg(svg);
  EXPECT_NE(svg.find("width=\"640.00\""), std::string::npos);
  EXPECT_NE(svg.find("height=\"420.00\""), std::string::npos);
  EXPECT_EQ(count(svg, "<polyline"), 2u);
  EXPECT_EQ(polyline_point_count(svg, 0), 4u);
  EXPECT_NE(svg.find(">train</text>"), std::string::npos);
  EXPECT_NE(svg.find(">valid</text>"), std::string::npos);
  EXPECT_NE(svg.find(">loss</text>"), std::string::npos);
  EXPECT_NE(svg.find(">step</text>"), std::string::npos);
  expect_no_non_finite_text(svg);
}

TEST(LineChart, SeriesUseDistinctColours) {
  const std::string svg = render_line_chart(two_series_chart());
  const std::vector<std::string> strokes = attribute_values(svg, "polyline", "stroke");
  ASSERT_EQ(strokes.size(), 2u);
  EXPECT_NE(strokes[0], strokes[1]);
}

TEST(LineChart, SingleSeriesHasNoLegend) {
  LineChart chart = two_series_chart();
  chart.series.resize(1);
  const std::string svg = render_line_chart(chart);
  EXPECT_EQ(count(svg, "<polyline"), 1u);
  EXPECT_EQ(svg.find(">train</text>"), std::string::npos);
}

TEST(LineChart, EmptySeriesGetNoPolyline) {
  LineChart chart = two_series_chart();
  chart.series.push_back({"empty", {}, {}});
  chart.series.push_back({"all nan", {kNaN, 1}, {1, kNaN}});
  const std::string svg = render_line_chart(chart);
  expect_standalone_svg(svg);
  EXPECT_EQ(count(svg, "<polyline"), 2u);
}

TEST(LineChart, ChartWithoutSeriesIsValid) {
  const std::string svg = render_line_chart(LineChart{});
  expect_standalone_svg(svg);
  EXPECT_EQ(count(svg, "<polyline"), 0u);
  expect_no_non_finite_text(svg);
}

TEST(LineChart, TitleLabelsAndSeriesNamesAreEscaped) {
  LineChart chart = two_series_chart();
  chart.title = "a<b & \"c\"";
  chart.x_label = "it's";
  chart.y_label = "<y>";
  chart.series[0].label = "x&y";
  const std::string svg = render_line_chart(chart);
  EXPECT_NE(svg.find("a&lt;b &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_NE(svg.find("it&apos;s"), std::string::npos);
  EXPECT_NE(svg.find("&lt;y&gt;"), std::string::npos);
  EXPECT_NE(svg.find("x&amp;y"), std::string::npos);
  EXPECT_EQ(svg.find("a<b"), std::string::npos);
  EXPECT_EQ(svg.find("\"c\""), std::string::npos);
  EXPECT_EQ(svg.find("<y>"), std::string::npos);
  EXPECT_EQ(svg.find("x&y"), std::string::npos);
}

TEST(LineChart, NonFinitePointsAreSkipped) {
  LineChart chart;
  chart.series = {{"s", {0, 1, 2, 3, kNaN}, {1, kNaN, kInf, 2, 5}}};
  const std::string svg = render_line_chart(chart);
  expect_standalone_svg(svg);
  expect_no_non_finite_text(svg);
  EXPECT_EQ(polyline_point_count(svg), 2u);
}

TEST(LineChart, SinglePointRendersWithoutNonFiniteText) {
  LineChart chart;
  chart.series = {{"s", {5}, {0.25}}};
  const std::string svg = render_line_chart(chart);
  expect_standalone_svg(svg);
  expect_no_non_finite_text(svg);
  EXPECT_EQ(polyline_point_count(svg), 1u);
  EXPECT_EQ(count(svg, "<circle"), 1u);  // a lone point must stay visible
}

TEST(LineChart, ConstantValuesStillGetTicks) {
  LineChart chart;
  chart.series = {{"s", {0, 1, 2}, {3, 3, 3}}, {"t", {0, 1, 2}, {3, 3, 3}}};
  const std::string svg = render_line_chart(chart);
  expect_no_non_finite_text(svg);
  EXPECT_NE(svg.find(">3</text>"), std::string::npos);
}

TEST(LineChart, AllZeroValuesStillGetTicks) {
  LineChart chart;
  chart.series = {{"s", {0, 0}, {0, 0}}};
  const std::string svg = render_line_chart(chart);
  expect_no_non_finite_text(svg);
  EXPECT_NE(svg.find(">0</text>"), std::string::npos);
}

TEST(LineChart, TicksUseOneTwoFiveSteps) {
  LineChart chart;
  chart.series = {{"s", {0, 10}, {0, 1}}};
  const std::string svg = render_line_chart(chart);
  for (const char* label : {">0</text>", ">2</text>", ">10</text>", ">0.2</text>", ">1</text>"}) {
    EXPECT_NE(svg.find(label), std::string::npos) << label;
  }
  EXPECT_EQ(svg.find(">0.30000"), std::string::npos);
}

TEST(LineChart, TinyTickValuesUseScientificNotation) {
  LineChart chart;
  chart.series = {{"s", {0, 1}, {1e-5, 5e-5}}};
  const std::string svg = render_line_chart(chart);
  EXPECT_NE(svg.find(">1e-05</text>"), std::string::npos);
}

TEST(LineChart, LogAxisSkipsNonPositiveValuesAndLabelsDecades) {
  LineChart chart;
  chart.log_y = true;
  chart.series = {{"loss", {0, 1, 2, 3, 4}, {0, 1, 0.1, -1, 0.001}}};
  const std::string svg = render_line_chart(chart);
  expect_standalone_svg(svg);
  expect_no_non_finite_text(svg);
  EXPECT_EQ(polyline_point_count(svg), 3u);
  EXPECT_NE(svg.find(">1</text>"), std::string::npos);
  EXPECT_NE(svg.find(">0.001</text>"), std::string::npos);
}

TEST(LineChart, LogAxisWithOnlyZerosIsValid) {
  LineChart chart;
  chart.log_y = true;
  chart.series = {{"loss", {0, 1}, {0, 0}}};
  const std::string svg = render_line_chart(chart);
  expect_standalone_svg(svg);
  expect_no_non_finite_text(svg);
  EXPECT_EQ(count(svg, "<polyline"), 0u);
}

TEST(LineChart, LogAxisWithinOneDecadeStillHasTicks) {
  LineChart chart;
  chart.log_y = true;
  chart.series = {{"loss", {0, 1}, {0.3, 0.7}}};
  const std::string svg = render_line_chart(chart);
  expect_no_non_finite_text(svg);
  EXPECT_NE(svg.find(">0.5</text>"), std::string::npos);
}

TEST(LineChart, LargerValuesAreDrawnHigherAndFurtherRight) {
  LineChart chart;
  chart.series = {{"s", {0, 10}, {0, 1}}};
  const std::string points = attribute_values(render_line_chart(chart), "polyline", "points")[0];
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  ASSERT_EQ(std::sscanf(points.c_str(), "%lf,%lf %lf,%lf", &x0, &y0, &x1, &y1), 4) << points;
  EXPECT_GT(x1, x0);
  EXPECT_LT(y1, y0);  // SVG y grows downward
}

namespace {

// The labels of the x axis's ticks: the text centred just below the plot (y = 360 + 18).
std::vector<std::string> x_tick_labels(const std::string& svg) {
  std::vector<std::string> labels;
  const std::string open = "<text x=\"";
  for (auto pos = svg.find(open); pos != std::string::npos; pos = svg.find(open, pos + 1)) {
    const std::string element = svg.substr(pos, svg.find("</text>", pos) - pos);
    if (element.find("y=\"378.00\"") == std::string::npos) continue;
    labels.push_back(element.substr(element.find('>') + 1));
  }
  return labels;
}

std::vector<double> numbers_in(const std::string& text) {
  std::vector<double> out;
  std::istringstream in(text);
  for (std::string item; in >> item;) {
    for (std::size_t at = 0; at != std::string::npos;) {
      const auto comma = item.find(',', at);
      out.push_back(std::stod(item.substr(at, comma - at)));
      at = comma == std::string::npos ? comma : comma + 1;
    }
  }
  return out;
}

}  // namespace

TEST(LineChart, EpochAxesTickAtWholeNumbersOnly) {
  for (const std::vector<double>& epochs :
       std::vector<std::vector<double>>{{1}, {1, 2}, {1, 2, 3}, {1, 2, 3, 4, 5, 6, 7}}) {
    LineChart chart;
    chart.whole_x = true;
    chart.series = {{"loss", epochs, std::vector<double>(epochs.size(), 0.5)}};
    const std::vector<std::string> labels = x_tick_labels(render_line_chart(chart));
    ASSERT_FALSE(labels.empty()) << epochs.size();
    for (const std::string& label : labels) {
      EXPECT_EQ(label.find('.'), std::string::npos) << label << " for " << epochs.size();
    }
  }
  LineChart fractional;  // without whole_x, a short axis still gets fractional ticks
  fractional.series = {{"loss", {1, 2}, {0.5, 0.4}}};
  const auto labels = x_tick_labels(render_line_chart(fractional));
  EXPECT_TRUE(std::any_of(labels.begin(), labels.end(),
                          [](const std::string& l) { return l.find('.') != std::string::npos; }));
}

// Rising accuracy curves run through the top-right corner, where the legend used to sit.
TEST(LineChart, LegendDoesNotCoverTheCurves) {
  LineChart chart;
  chart.whole_x = true;
  chart.series = {{"train", {1, 2, 3, 4, 5}, {0.5, 0.8, 0.9, 0.95, 0.99}},
                  {"test", {1, 2, 3, 4, 5}, {0.5, 0.75, 0.85, 0.9, 0.97}}};
  const std::string svg = render_line_chart(chart);
  const auto legend_x = attribute_values(svg, "rect", "x", "fill-opacity");
  const auto legend_y = attribute_values(svg, "rect", "y", "fill-opacity");
  const auto legend_w = attribute_values(svg, "rect", "width", "fill-opacity");
  const auto legend_h = attribute_values(svg, "rect", "height", "fill-opacity");
  ASSERT_EQ(legend_x.size(), 1u);
  const double x = std::stod(legend_x[0]), y = std::stod(legend_y[0]);
  const double w = std::stod(legend_w[0]), h = std::stod(legend_h[0]);
  for (const std::string& points : attribute_values(svg, "polyline", "points")) {
    const std::vector<double> xy = numbers_in(points);
    for (std::size_t i = 0; i + 3 < xy.size(); i += 2) {
      for (int k = 0; k <= 20; ++k) {  // along each segment
        const double t = k / 20.0;
        const double px = xy[i] + t * (xy[i + 2] - xy[i]);
        const double py = xy[i + 1] + t * (xy[i + 3] - xy[i + 1]);
        EXPECT_FALSE(px >= x && px <= x + w && py >= y && py <= y + h)
            << "legend at " << x << "," << y << " covers " << px << "," << py;
      }
    }
  }
}

TEST(LineChart, MismatchedSeriesLengthsThrow) {
  LineChart chart;
  chart.series = {{"s", {0, 1, 2}, {1, 2}}};
  EXPECT_THROW(render_line_chart(chart), std::invalid_argument);
}

// ---- decision boundary ----

TEST(DecisionBoundary, HasGridSquaredCellsAndOneCirclePerPoint) {
  const std::string svg = render_decision_boundary(simple_boundary(7, 0.3));
  expect_standalone_svg(svg);
  expect_no_non_finite_text(svg);
  EXPECT_EQ(count(svg, "class=\"cell\""), 49u);
  EXPECT_EQ(count(svg, "<circle"), 5u);
  EXPECT_NE(svg.find("p(class 1)"), std::string::npos);
  EXPECT_NE(svg.find(">x1</text>"), std::string::npos);
  EXPECT_NE(svg.find(">x2</text>"), std::string::npos);
}

TEST(DecisionBoundary, DefaultGridIsFiftyByFifty) {
  DecisionBoundary plot = simple_boundary(50, 0.5);
  EXPECT_EQ(count(render_decision_boundary(plot), "class=\"cell\""), 2500u);
}

TEST(DecisionBoundary, PointsAreFilledInADarkShadeOfTheirClassColour) {
  const std::string svg = render_decision_boundary(simple_boundary(2, 0.5));
  EXPECT_EQ(count(svg, "<circle"), 5u);
  EXPECT_EQ(count(svg, "fill=\"#1d3f7a\" stroke=\"#ffffff\""), 2u);
  EXPECT_EQ(count(svg, "fill=\"#7b1d14\" stroke=\"#ffffff\""), 3u);
}

class ConstantProbability : public ::testing::TestWithParam<std::pair<double, std::string>> {};

TEST_P(ConstantProbability, ColoursEveryCellTheSame) {
  const auto& [p, colour] = GetParam();
  const std::vector<std::string> fills =
      cell_fills(render_decision_boundary(simple_boundary(6, p)));
  ASSERT_EQ(fills.size(), 36u);
  for (const std::string& fill : fills) EXPECT_EQ(fill, colour);
}

INSTANTIATE_TEST_SUITE_P(DecisionBoundary, ConstantProbability,
                         ::testing::Values(std::make_pair(0.0, std::string("#3b6fb6")),
                                           std::make_pair(0.5, std::string("#ffffff")),
                                           std::make_pair(1.0, std::string("#c0392b")),
                                           std::make_pair(-3.0, std::string("#3b6fb6")),
                                           std::make_pair(7.0, std::string("#c0392b")),
                                           std::make_pair(kNaN, std::string("#ffffff"))));

TEST(DecisionBoundary, ProbabilityIsSampledAtCellCentres) {
  DecisionBoundary plot = simple_boundary(2, 0);
  plot.x_min = -1;
  plot.x_max = 1;
  plot.y_min = 0;
  plot.y_max = 4;
  std::set<std::pair<double, double>> samples;
  plot.probability = [&samples](double x1, double x2) {
    samples.insert({x1, x2});
    return x1 > 0 && x2 > 2 ? 1.0 : 0.0;
  };
  const std::string svg = render_decision_boundary(plot);
  const std::set<std::pair<double, double>> expected = {{-0.5, 1}, {-0.5, 3}, {0.5, 1}, {0.5, 3}};
  EXPECT_EQ(samples, expected);
  // Row-major from the top: only the top-right cell (x1 > 0, x2 > 2) is class 1.
  const std::vector<std::string> fills = cell_fills(svg);
  EXPECT_EQ(fills, (std::vector<std::string>{"#3b6fb6", "#c0392b", "#3b6fb6", "#3b6fb6"}));
}

TEST(DecisionBoundary, TitleIsEscaped) {
  DecisionBoundary plot = simple_boundary(3, 0.5);
  plot.title = "a<b & \"c\"";
  const std::string svg = render_decision_boundary(plot);
  EXPECT_NE(svg.find("a&lt;b &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_EQ(svg.find("a<b"), std::string::npos);
}

TEST(DecisionBoundary, DegenerateDomainAndNonFinitePointsRender) {
  DecisionBoundary plot = simple_boundary(4, 0.5);
  plot.x_min = plot.x_max = 2;
  plot.points[0] = {kNaN, 0.5};
  const std::string svg = render_decision_boundary(plot);
  expect_standalone_svg(svg);
  expect_no_non_finite_text(svg);
  EXPECT_EQ(count(svg, "<circle"), 4u);
}

TEST(DecisionBoundary, MismatchedSizesThrowNamingTheSizes) {
  DecisionBoundary plot = simple_boundary(4, 0.5);
  plot.labels.pop_back();
  try {
    render_decision_boundary(plot);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find('5'), std::string::npos) << what;
    EXPECT_NE(what.find('4'), std::string::npos) << what;
  }
}

TEST(DecisionBoundary, InvalidArgumentsThrow) {
  DecisionBoundary zero_grid = simple_boundary(0, 0.5);
  EXPECT_THROW(render_decision_boundary(zero_grid), std::invalid_argument);

  DecisionBoundary no_probability = simple_boundary(4, 0.5);
  no_probability.probability = nullptr;
  EXPECT_THROW(render_decision_boundary(no_probability), std::invalid_argument);

  DecisionBoundary bad_label = simple_boundary(4, 0.5);
  bad_label.labels[2] = 2;
  EXPECT_THROW(render_decision_boundary(bad_label), std::invalid_argument);

  DecisionBoundary inverted = simple_boundary(4, 0.5);
  inverted.y_min = 1;
  inverted.y_max = 0;
  EXPECT_THROW(render_decision_boundary(inverted), std::invalid_argument);

  DecisionBoundary infinite = simple_boundary(4, 0.5);
  infinite.x_max = kInf;
  EXPECT_THROW(render_decision_boundary(infinite), std::invalid_argument);
}

}  // namespace
