// Two small chart types written as standalone SVG text, so results can be plotted with no
// dependency: a line chart (several series, optional log axes) and a grouped bar chart
// (optional error bars). Axes get "nice" ticks (1, 2, 5 × 10^k; powers of ten on log axes).
//
//   svg::LineChart c{"Time vs fields", "N", "µs / batch"};
//   c.series.push_back({"FM", {8, 13, 39}, {12.1, 18.0, 51.3}});
//   svg::write_file("docs/plots/fm.svg", svg::render(c));
#pragma once
#include <cmath>
#include <string>
#include <vector>

namespace llactr::svg {

struct Series {
  std::string name;
  std::vector<double> x, y;  // same length; points are joined in the order given
  int colour = -1;           // palette index; -1 = the series' position
  bool dashed = false;       // e.g. a method's line beside the solid base line of the same colour
};

struct LineChart {
  std::string title, x_label, y_label;
  std::vector<Series> series;
  bool log_x = false, log_y = false;  // log axes need positive values
  int width = 720, height = 440;
};

struct BarGroup {
  std::string label;           // shown under the group, e.g. a backbone name
  std::vector<double> values;  // one bar per series, in LineChart::series order of BarChart::series_names
  std::vector<double> errors;  // optional ± half-heights of error bars; empty = none
};

struct BarChart {
  std::string title, y_label;
  std::vector<std::string> series_names;  // e.g. {"base", "LLaCTR"}
  std::vector<BarGroup> groups;
  // The value axis starts at y_min when given (AUCs near 0.8 read better from 0.7), else at 0
  // or the data's minimum if negative.
  double y_min = NAN;
  int width = 720, height = 440;
};

// Throws std::invalid_argument for mismatched lengths, no data, or non-positive values on a log axis.
std::string render(const LineChart& chart);
std::string render(const BarChart& chart);

// Writes the text, creating the parent folder; throws std::runtime_error naming the path.
void write_file(const std::string& path, const std::string& svg);

}  // namespace llactr::svg
