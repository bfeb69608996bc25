#include "app/svg_plot.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <initializer_list>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <utility>

namespace minitorch::app {
namespace {

// Values this large would overflow range arithmetic (hi - lo), so they are treated like
// non-finite values instead of poisoning the whole chart.
constexpr double kMaxPlottable = 1e300;
constexpr int kTargetTicks = 5;
constexpr std::size_t kMaxTicks = 50;
constexpr std::array<const char*, 8> kPalette = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                                 "#9467bd", "#8c564b", "#e377c2", "#17becf"};

bool is_plottable(double v) {
  return std::isfinite(v) && std::abs(v) < kMaxPlottable;
}

// to_chars is locale-independent, so a host program calling setlocale() cannot turn the
// decimal point into a comma and break the SVG.
std::string format_chars(double v, std::chars_format fmt, int precision) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, fmt, precision);
  return ec == std::errc() ? std::string(buf, end) : std::string("0");
}

// Coordinates are clamped so that even an absurd input cannot print "nan" or "inf".
std::string coord(double v) {
  if (!std::isfinite(v)) v = 0;
  v = std::clamp(v, -1e6, 1e6);
  if (std::abs(v) < 0.005) v = 0;  // avoid "-0.00"
  return format_chars(v, std::chars_format::fixed, 2);
}

// Six significant digits turn 0.30000000000000004 into "0.3" while keeping 2.5e-05 readable.
std::string tick_label(double v) {
  if (!std::isfinite(v)) return "0";
  return format_chars(v == 0 ? 0.0 : v, std::chars_format::general, 6);
}

struct Interval {
  double lo;
  double hi;
  double span() const { return hi - lo; }
};

// A zero-width interval would divide by zero when mapping to pixels.
Interval widen_if_degenerate(Interval r) {
  if (r.span() > 0) return r;
  const double pad = r.lo == 0 ? 1.0 : std::abs(r.lo) * 0.1;
  return {r.lo - pad, r.hi + pad};
}

double nice_step(double span) {
  const double raw = span / kTargetTicks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / magnitude;
  const double nice = fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10;
  return nice * magnitude;
}

// Multiples of step inside r; integer multiples avoid accumulating rounding error.
std::vector<double> multiples_inside(Interval r, double step) {
  const double eps = step * 1e-9;
  std::vector<double> values;
  for (double k = std::ceil((r.lo - eps) / step); values.size() < kMaxTicks; ++k) {
    const double v = k * step;
    if (v > r.hi + eps) break;
    values.push_back(v == 0 ? 0.0 : v);
  }
  return values;
}

// Tick positions live in axis space: log10 of the value on logarithmic axes.
struct Tick {
  double position;
  std::string label;
};

struct Axis {
  Interval range;
  std::vector<Tick> ticks;
};

// Snapping outward makes the first and last tick sit on the frame; a fixed domain is kept.
Axis linear_axis(Interval data, bool snap_outward, bool whole_numbers = false) {
  Interval r = widen_if_degenerate(data);
  // Steps of at least 1 are whole already (1, 2, 5, 10, ...).
  const double step = whole_numbers ? std::max(1.0, nice_step(r.span())) : nice_step(r.span());
  if (snap_outward) r = {std::floor(r.lo / step) * step, std::ceil(r.hi / step) * step};
  Axis axis{r, {}};
  for (double v : multiples_inside(r, step)) axis.ticks.push_back({v, tick_label(v)});
  return axis;
}

// Across decades the ticks are powers of ten; within one decade linear values read better.
Axis log_axis(Interval log_data) {
  const Interval r = widen_if_degenerate(log_data);
  if (r.span() >= 1) {
    Axis axis{{std::floor(r.lo), std::ceil(r.hi)}, {}};
    const double step = std::max(1.0, std::round(nice_step(axis.range.span())));
    for (double e : multiples_inside(axis.range, step)) {
      axis.ticks.push_back({e, tick_label(std::pow(10, e))});
    }
    return axis;
  }
  Axis axis{r, {}};
  const Interval values{std::pow(10, r.lo), std::pow(10, r.hi)};
  for (double v : multiples_inside(values, nice_step(values.span()))) {
    if (v > 0) axis.ticks.push_back({std::log10(v), tick_label(v)});
  }
  return axis;
}

// Pixel rectangle of the plot area with its axes; pixel y grows downward, data y upward.
struct Plot {
  double left, top, width, height;
  Axis x, y;
  double right() const { return left + width; }
  double bottom() const { return top + height; }
  double px(double v) const { return left + (v - x.range.lo) / x.range.span() * width; }
  double py(double v) const { return bottom() - (v - y.range.lo) / y.range.span() * height; }
};

using Coords = std::initializer_list<std::pair<const char*, double>>;

// Every number goes through coord(), so no element can carry a non-finite value.
std::string attributes(Coords coords) {
  std::string out;
  for (const auto& [name, v] : coords) out += std::string(" ") + name + "=\"" + coord(v) + "\"";
  return out;
}

class Svg {
 public:
  Svg(double width, double height) {
    raw("<svg xmlns=\"http://www.w3.org/2000/svg\"",
        attributes({{"width", width}, {"height", height}}), " viewBox=\"0 0 ", coord(width), " ",
        coord(height), "\" font-family=\"sans-serif\" font-size=\"12\">\n");
    rect(0, 0, width, height, "fill=\"white\"");
  }
  // Appending piece by piece avoids GCC 12's false -Wrestrict on chained string operator+.
  template <typename... Parts>
  void raw(const Parts&... parts) {
    ((out_ += parts), ...);
  }
  void element(std::string_view tag, Coords coords, std::string_view extra) {
    raw("<", tag, attributes(coords), extra.empty() ? "" : " ", extra, "/>\n");
  }
  void rect(double x, double y, double w, double h, std::string_view extra) {
    element("rect", {{"x", x}, {"y", y}, {"width", w}, {"height", h}}, extra);
  }
  void line(double x1, double y1, double x2, double y2, std::string_view extra) {
    element("line", {{"x1", x1}, {"y1", y1}, {"x2", x2}, {"y2", y2}}, extra);
  }
  void circle(double cx, double cy, double r, const std::string& fill,
              std::string_view outline = "#222222") {
    std::string style = "fill=\"";
    style.append(fill).append("\" stroke=\"").append(outline).append("\" stroke-width=\"1.2\"");
    element("circle", {{"cx", cx}, {"cy", cy}, {"r", r}}, style);
  }
  void text(double x, double y, std::string_view anchor, const std::string& body,
            std::string_view extra = "") {
    raw("<text", attributes({{"x", x}, {"y", y}}), " text-anchor=\"", anchor, "\"",
        extra.empty() ? "" : " ", extra, ">", xml_escape(body), "</text>\n");
  }
  std::string finish() { return out_ + "</svg>\n"; }

 private:
  std::string out_;
};

// Grid lines are translucent black so they stay subtle over both white and the heat map.
constexpr std::string_view kGridLine = "stroke=\"#000000\" stroke-opacity=\"0.1\"";
constexpr std::string_view kTickMark = "stroke=\"#333333\"";

void draw_axes(Svg& svg, const Plot& p) {
  svg.rect(p.left, p.top, p.width, p.height, "fill=\"none\" stroke=\"#333333\"");
  for (const Tick& t : p.x.ticks) {
    svg.line(p.px(t.position), p.top, p.px(t.position), p.bottom(), kGridLine);
    svg.line(p.px(t.position), p.bottom(), p.px(t.position), p.bottom() + 5, kTickMark);
    svg.text(p.px(t.position), p.bottom() + 18, "middle", t.label);
  }
  for (const Tick& t : p.y.ticks) {
    svg.line(p.left, p.py(t.position), p.right(), p.py(t.position), kGridLine);
    svg.line(p.left - 5, p.py(t.position), p.left, p.py(t.position), kTickMark);
    svg.text(p.left - 8, p.py(t.position) + 4, "end", t.label);
  }
}

void draw_labels(Svg& svg, const Plot& p, const std::string& title, const std::string& x_label,
                 const std::string& y_label) {
  svg.text(p.left + p.width / 2, p.top - 14, "middle", title, "font-size=\"15\"");
  svg.text(p.left + p.width / 2, p.bottom() + 40, "middle", x_label);
  const double x = p.left - 52, y = p.top + p.height / 2;
  svg.text(x, y, "middle", y_label, "transform=\"rotate(-90 " + coord(x) + " " + coord(y) + ")\"");
}

constexpr std::array<std::pair<char, std::string_view>, 5> kEntities = {
    {{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&apos;"}}};

// ---- line chart ----

using Points = std::vector<std::array<double, 2>>;  // (x, axis-space y)

Points plottable_points(const LineSeries& s, bool log_y) {
  if (s.x.size() != s.y.size()) {
    throw std::invalid_argument("render_line_chart: series '" + s.label + "' has " +
                                std::to_string(s.x.size()) + " x values but " +
                                std::to_string(s.y.size()) + " y values");
  }
  Points points;
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    if (log_y && !(s.y[i] > 0)) continue;
    const double y = log_y ? std::log10(s.y[i]) : s.y[i];
    if (is_plottable(s.x[i]) && is_plottable(y)) points.push_back({s.x[i], y});
  }
  return points;
}

Interval extent(const std::vector<Points>& all, std::size_t dim) {
  Interval r{INFINITY, -INFINITY};
  for (const Points& ps : all) {
    for (const auto& p : ps) r = {std::min(r.lo, p[dim]), std::max(r.hi, p[dim])};
  }
  return r.lo <= r.hi ? r : Interval{0, 1};
}

std::string series_colour(std::size_t i) {
  return kPalette[i % kPalette.size()];
}

void draw_series(Svg& svg, const Plot& p, const Points& points, const std::string& colour) {
  std::string coords;
  for (const auto& [x, y] : points) coords += coord(p.px(x)) + "," + coord(p.py(y)) + " ";
  svg.raw("<polyline fill=\"none\" stroke=\"", colour, "\" stroke-width=\"1.8\" points=\"", coords,
          "\"/>\n");
  // A one-point polyline is invisible.
  if (points.size() == 1) svg.circle(p.px(points[0][0]), p.py(points[0][1]), 3, colour);
}

// How much of the curves a box would cover: samples along every segment, about 2 px apart.
std::size_t covered_samples(const Plot& p, const std::vector<Points>& all, double x, double y,
                            double w, double h) {
  const auto inside = [&](double px, double py) {
    return px >= x && px <= x + w && py >= y && py <= y + h;
  };
  std::size_t covered = 0;
  for (const Points& points : all) {
    for (std::size_t i = 0; i < points.size(); ++i) {
      const double x0 = p.px(points[i][0]), y0 = p.py(points[i][1]);
      const double x1 = i + 1 < points.size() ? p.px(points[i + 1][0]) : x0;
      const double y1 = i + 1 < points.size() ? p.py(points[i + 1][1]) : y0;
      const int steps = 1 + static_cast<int>(std::min(1000.0, std::hypot(x1 - x0, y1 - y0) / 2));
      for (int k = 0; k < steps; ++k) {
        const double t = double(k) / steps;
        covered += inside(x0 + t * (x1 - x0), y0 + t * (y1 - y0)) ? 1 : 0;
      }
    }
  }
  return covered;
}

void draw_legend(Svg& svg, const Plot& p, const std::vector<LineSeries>& series,
                 const std::vector<Points>& all) {
  const double row = 16, w = 150, h = row * static_cast<double>(series.size()) + 8, margin = 8;
  // Top right first (where a falling loss leaves room), then the other corners.
  const std::array<std::array<double, 2>, 4> corners{
      {{p.right() - w - margin, p.top + margin},
       {p.left + margin, p.top + margin},
       {p.right() - w - margin, p.bottom() - h - margin},
       {p.left + margin, p.bottom() - h - margin}}};
  double x = corners[0][0], y = corners[0][1];
  std::size_t least = covered_samples(p, all, x, y, w, h);
  for (const auto& [cx, cy] : corners) {
    if (least == 0) break;
    const std::size_t covered = covered_samples(p, all, cx, cy, w, h);
    if (covered < least) std::tie(least, x, y) = std::tuple(covered, cx, cy);
  }
  svg.rect(x, y, w, h, "fill=\"white\" fill-opacity=\"0.85\" stroke=\"#999999\"");
  for (std::size_t i = 0; i < series.size(); ++i) {
    const double ry = y + 12 + row * static_cast<double>(i);
    svg.line(x + 6, ry, x + 26, ry, "stroke=\"" + series_colour(i) + "\" stroke-width=\"2\"");
    svg.text(x + 32, ry + 4, "start", series[i].label);
  }
}

// ---- decision boundary ----

void validate(const DecisionBoundary& plot) {
  const auto fail = [](const std::string& what) {
    throw std::invalid_argument("render_decision_boundary: " + what);
  };
  if (plot.points.size() != plot.labels.size()) {
    fail(std::to_string(plot.points.size()) + " points but " + std::to_string(plot.labels.size()) +
         " labels");
  }
  if (plot.grid < 1) fail("grid must be >= 1, got " + std::to_string(plot.grid));
  if (!plot.probability) fail("probability function is empty");
  for (int label : plot.labels) {
    if (label != 0 && label != 1) fail("labels must be 0 or 1, got " + std::to_string(label));
  }
  const bool finite = std::isfinite(plot.x_min) && std::isfinite(plot.x_max) &&
                      std::isfinite(plot.y_min) && std::isfinite(plot.y_max);
  if (!finite || plot.x_min > plot.x_max || plot.y_min > plot.y_max) {
    fail("domain must be finite with min <= max");
  }
}

// Diverging scale: blue (class 0) -> white (undecided) -> red (class 1).
std::string probability_colour(double p) {
  p = std::isnan(p) ? 0.5 : std::clamp(p, 0.0, 1.0);
  constexpr std::array<double, 3> blue{0x3b, 0x6f, 0xb6}, white{255, 255, 255},
      red{0xc0, 0x39, 0x2b};
  const auto& from = p < 0.5 ? blue : white;
  const auto& to = p < 0.5 ? white : red;
  const double t = p < 0.5 ? p / 0.5 : (p - 0.5) / 0.5;
  const auto channel = [&](std::size_t c) {
    return static_cast<unsigned>(std::lround(from[c] + (to[c] - from[c]) * t));
  };
  char hex[8];
  std::snprintf(hex, sizeof hex, "#%02x%02x%02x", channel(0), channel(1), channel(2));
  return hex;
}

void draw_heat_map(Svg& svg, const Plot& p, const DecisionBoundary& plot) {
  const double n = plot.grid, cell_w = p.width / n, cell_h = p.height / n;
  const Interval xs = p.x.range, ys = p.y.range;
  svg.raw("<g shape-rendering=\"crispEdges\">\n");
  for (int row = 0; row < plot.grid; ++row) {
    const double y = ys.hi - (row + 0.5) * ys.span() / n;  // row 0 is the top of the plot
    for (int col = 0; col < plot.grid; ++col) {
      const double x = xs.lo + (col + 0.5) * xs.span() / n;
      svg.rect(p.left + col * cell_w, p.top + row * cell_h, cell_w, cell_h,
               "class=\"cell\" fill=\"" + probability_colour(plot.probability(x, y)) + "\"");
    }
  }
  svg.raw("</g>\n");
}

void draw_colour_legend(Svg& svg, const Plot& p) {
  const double x = p.right() + 30, w = 16, h = 160, y = p.top + 20;
  std::string stops;
  for (double v : {0.0, 0.5, 1.0}) {
    stops +=
        "<stop offset=\"" + tick_label(v) + "\" stop-color=\"" + probability_colour(v) + "\"/>";
  }
  svg.raw("<defs><linearGradient id=\"pscale\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">" + stops +
          "</linearGradient></defs>\n");
  svg.rect(x, y, w, h, "fill=\"url(#pscale)\" stroke=\"#333333\"");
  svg.text(x + w / 2, y - 8, "middle", "p(class 1)");
  for (double v : {0.0, 0.5, 1.0}) svg.text(x + w + 5, y + (1 - v) * h + 4, "start", tick_label(v));
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto* it = std::find_if(kEntities.begin(), kEntities.end(),
                                  [c](const auto& entity) { return entity.first == c; });
    out += it == kEntities.end() ? std::string_view(&c, 1) : it->second;
  }
  return out;
}

std::string render_line_chart(const LineChart& chart) {
  std::vector<Points> all;
  for (const LineSeries& s : chart.series) all.push_back(plottable_points(s, chart.log_y));
  const Axis x = linear_axis(extent(all, 0), true, chart.whole_x);
  const Axis y = chart.log_y ? log_axis(extent(all, 1)) : linear_axis(extent(all, 1), true);
  const Plot p{75, 40, 545, 320, x, y};
  Svg svg(640, 420);
  draw_axes(svg, p);
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (!all[i].empty()) draw_series(svg, p, all[i], series_colour(i));
  }
  if (chart.series.size() > 1) draw_legend(svg, p, chart.series, all);
  draw_labels(svg, p, chart.title, chart.x_label, chart.y_label + (chart.log_y ? " (log)" : ""));
  return svg.finish();
}

std::string render_decision_boundary(const DecisionBoundary& plot) {
  validate(plot);
  const Axis x = linear_axis({plot.x_min, plot.x_max}, false);
  const Axis y = linear_axis({plot.y_min, plot.y_max}, false);
  const Plot p{70, 50, 520, 520, x, y};
  Svg svg(p.right() + 110, p.bottom() + 60);
  svg.raw("<defs><clipPath id=\"plot-area\">");
  svg.rect(p.left, p.top, p.width, p.height, "");
  svg.raw("</clipPath></defs>\n");
  draw_heat_map(svg, p, plot);
  draw_axes(svg, p);
  svg.raw("<g clip-path=\"url(#plot-area)\">\n");
  for (std::size_t i = 0; i < plot.points.size(); ++i) {
    const auto& [x1, x2] = plot.points[i];
    if (!is_plottable(x1) || !is_plottable(x2)) continue;
    // Darker than the background of their own class and ringed in white, so every point stays
    // visible on either side of the boundary.
    svg.circle(p.px(x1), p.py(x2), 4.5, plot.labels[i] == 1 ? "#7b1d14" : "#1d3f7a", "#ffffff");
  }
  svg.raw("</g>\n");
  draw_colour_legend(svg, p);
  draw_labels(svg, p, plot.title, "x1", "x2");
  return svg.finish();
}

std::string render_confusion_matrix(const std::string& title,
                                    const std::vector<std::string>& class_names,
                                    const std::vector<std::vector<long>>& counts) {
  const std::size_t n = class_names.size();
  if (counts.size() != n) {
    throw std::invalid_argument("render_confusion_matrix: " + std::to_string(counts.size()) +
                                " rows for " + std::to_string(n) + " classes");
  }
  for (const auto& row : counts) {
    if (row.size() != n || std::any_of(row.begin(), row.end(), [](long c) { return c < 0; })) {
      throw std::invalid_argument("render_confusion_matrix: expected " + std::to_string(n) +
                                  " counts >= 0 in every row");
    }
  }
  const double cell = n <= 4 ? 90 : 48, left = 150, top = 70;
  const double side = cell * double(n);
  Svg svg(left + side + 30, top + side + 130);
  svg.text(left + side / 2, 28, "middle", title, "font-size=\"15\"");
  svg.text(left + side / 2, top + side + 110, "middle", "predicted class");
  svg.raw("<g shape-rendering=\"crispEdges\">\n");
  for (std::size_t t = 0; t < n; ++t) {
    long row_total = 0;
    for (long c : counts[t]) row_total += c;
    for (std::size_t p = 0; p < n; ++p) {
      const double share = row_total > 0 ? double(counts[t][p]) / double(row_total) : 0.0;
      // White (none of the row) to dark blue (all of it); labels switch to white on dark cells.
      const auto channel = [share](double full) {
        return static_cast<unsigned>(std::lround(255 + (full - 255) * share));
      };
      char fill[8];
      std::snprintf(fill, sizeof fill, "#%02x%02x%02x", channel(0x1d), channel(0x3f),
                    channel(0x7a));
      const double x = left + double(p) * cell, y = top + double(t) * cell;
      svg.rect(x, y, cell, cell,
               std::string("class=\"cell\" fill=\"") + fill + "\" stroke=\"#cccccc\"");
      svg.text(x + cell / 2, y + cell / 2 + 4, "middle", std::to_string(counts[t][p]),
               share > 0.5 ? "fill=\"#ffffff\"" : "");
    }
  }
  svg.raw("</g>\n");
  for (std::size_t i = 0; i < n; ++i) {
    svg.text(left - 8, top + (double(i) + 0.5) * cell + 4, "end", class_names[i]);
    const double x = left + (double(i) + 0.5) * cell, y = top + side + 12;
    svg.raw("<text", attributes({{"x", x}, {"y", y}}),
            " text-anchor=\"end\" transform=\"rotate(-40 ", coord(x), " ", coord(y), ")\">",
            xml_escape(class_names[i]), "</text>\n");
  }
  svg.text(24, top + side / 2, "middle", "true class",
           "transform=\"rotate(-90 24 " + coord(top + side / 2) + ")\"");
  return svg.finish();
}

}  // namespace minitorch::app
