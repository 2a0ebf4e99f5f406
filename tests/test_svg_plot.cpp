#include <gtest/gtest.h>

#include <regex>

#include "llactr/apps/svg_plot.h"

using namespace llactr;

namespace {
int count(const std::string& s, const std::string& what) {
  int n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}
}  // namespace

TEST(SvgPlot, LineChartHasOnePolylinePerSeriesAndEscapesText) {
  svg::LineChart c{"a < b", "N", "us", {}};
  c.series.push_back({"FM", {8, 13, 39}, {1, 2, 6}});
  c.series.push_back({"FwFM & co", {8, 13, 39}, {2, 5, 30}});
  std::string s = svg::render(c);
  EXPECT_EQ(count(s, "<polyline"), 2);
  EXPECT_EQ(count(s, "<circle"), 6);
  EXPECT_NE(s.find("a &lt; b"), std::string::npos);
  EXPECT_NE(s.find("FwFM &amp; co"), std::string::npos);
  EXPECT_EQ(s.find("nan"), std::string::npos);
  EXPECT_EQ(s.find("stroke-dasharray"), std::string::npos);
  c.series[1].dashed = true;
  c.series[1].colour = 0;  // same colour as FM, dashed: line and legend stroke
  s = svg::render(c);
  EXPECT_EQ(count(s, "stroke-dasharray"), 2);
  EXPECT_EQ(count(s, "stroke=\"#0072B2\""), 4);  // two polylines + two legend strokes
}

TEST(SvgPlot, PointsMapInsideTheFrameOnLogAxes) {
  svg::LineChart c{"t", "N", "us", {}};
  c.log_x = c.log_y = true;
  c.series.push_back({"x", {1, 10, 100}, {3, 30, 300}});
  std::string s = svg::render(c);
  std::regex circle(R"re(cx="([0-9.]+)" cy="([0-9.]+)")re");
  std::vector<double> xs;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), circle); it != std::sregex_iterator(); ++it) {
    double x = std::stod((*it)[1]), y = std::stod((*it)[2]);
    EXPECT_GE(x, 70);
    EXPECT_LE(x, 720 - 170);
    EXPECT_GE(y, 40);
    EXPECT_LE(y, 440 - 60);
    xs.push_back(x);
  }
  ASSERT_EQ(xs.size(), 3u);
  EXPECT_NEAR(xs[1] - xs[0], xs[2] - xs[1], 1e-6);  // equal decades are equally wide
  c.series[0].y[0] = 0;
  EXPECT_THROW(svg::render(c), std::invalid_argument);
}

TEST(SvgPlot, BarChartWithErrorBars) {
  svg::BarChart c{"AUC", "AUC", {"base", "LLaCTR"}, {}};
  c.y_min = 0.7;
  c.groups.push_back({"FM", {0.78, 0.79}, {0.002, 0.003}});
  c.groups.push_back({"DeepFM", {0.77, 0.78}, {}});
  std::string s = svg::render(c);
  EXPECT_EQ(count(s, "<rect x="), 4 + 2);  // four bars + two legend swatches
  EXPECT_EQ(count(s, "<path"), 2);         // error bars only where given
  c.groups[1].values.pop_back();
  EXPECT_THROW(svg::render(c), std::invalid_argument);
}
