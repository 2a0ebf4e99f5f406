#include "llactr/apps/svg_plot.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace llactr::svg {

namespace {

// Colour-blind-safe palette (Okabe–Ito).
const char* const kColours[] = {"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"};
constexpr int kLeft = 70, kRight = 170, kTop = 40, kBottom = 60;  // margins; the legend sits on the right

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// Maps data values on one axis to pixels, linearly or in log10.
struct Axis {
  double lo, hi;
  bool log;
  double px0, px1;  // pixel positions of lo and hi
  double to_px(double v) const {
    double a = log ? std::log10(v) : v, l = log ? std::log10(lo) : lo, h = log ? std::log10(hi) : hi;
    return px0 + (a - l) / (h - l) * (px1 - px0);
  }
};

// Tick values between lo and hi: 1/2/5 × 10^k steps (linear) or powers of ten (log).
std::vector<double> ticks(double lo, double hi, bool log) {
  std::vector<double> t;
  if (log) {
    for (double p = std::pow(10.0, std::floor(std::log10(lo))); p <= hi * 1.0001; p *= 10)
      if (p >= lo * 0.9999) t.push_back(p);
    if (t.size() < 2) t = {lo, hi};
    return t;
  }
  double raw = (hi - lo) / 5.0;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) t.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return t;
}

// Widen [lo, hi] to whole ticks (linear) or decades (log) so the data never touches the frame.
void pad_range(double& lo, double& hi, bool log) {
  if (log) {
    lo = std::pow(10.0, std::floor(std::log10(lo)));
    hi = std::pow(10.0, std::ceil(std::log10(hi)));
    if (lo == hi) hi *= 10;
    return;
  }
  if (lo == hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  double step = ticks(lo, hi, false).size() > 1 ? (hi - lo) / 5.0 : 1.0;
  double mag = std::pow(10.0, std::floor(std::log10(step)));
  lo = std::floor(lo / mag) * mag;
  hi = std::ceil(hi / mag) * mag;
}

std::string header(int w, int h, const std::string& title) {
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(w) + "\" height=\"" +
                  std::to_string(h) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += "<text x=\"" + std::to_string(w / 2) + "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" + escape(title) + "</text>\n";
  return s;
}

std::string y_axis(const Axis& y, int x0, int x1, const std::string& label, int h) {
  std::string s;
  for (double t : ticks(y.lo, y.hi, y.log)) {
    double py = y.to_px(t);
    s += "<line x1=\"" + std::to_string(x0) + "\" x2=\"" + std::to_string(x1) + "\" y1=\"" + num(py) + "\" y2=\"" + num(py) +
         "\" stroke=\"#ddd\"/>\n";
    s += "<text x=\"" + std::to_string(x0 - 6) + "\" y=\"" + num(py + 4) + "\" text-anchor=\"end\">" + num(t) + "</text>\n";
  }
  s += "<text transform=\"translate(16," + std::to_string(h / 2) + ") rotate(-90)\" text-anchor=\"middle\">" + escape(label) + "</text>\n";
  return s;
}

const char* const kDash = " stroke-dasharray=\"6,4\"";

// Series k's colour: its own palette index when set, else its position.
const char* colour_of(const Series& s, size_t k) { return kColours[(s.colour < 0 ? k : size_t(s.colour)) % 8]; }

std::string legend(const std::vector<std::string>& names, int x, int y) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) {
    int yy = y + static_cast<int>(i) * 18;
    s += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(yy - 9) + "\" width=\"12\" height=\"12\" fill=\"" +
         kColours[i % 8] + "\"/>\n";
    s += "<text x=\"" + std::to_string(x + 18) + "\" y=\"" + std::to_string(yy + 2) + "\">" + escape(names[i]) + "</text>\n";
  }
  return s;
}

// A line chart's legend: a short stroke per series, in its colour and dash.
std::string line_legend(const std::vector<Series>& series, int x, int y) {
  std::string s;
  for (size_t i = 0; i < series.size(); ++i) {
    const int yy = y + static_cast<int>(i) * 18;
    const char* colour = colour_of(series[i], i);
    s += "<line x1=\"" + std::to_string(x) + "\" y1=\"" + std::to_string(yy - 3) + "\" x2=\"" + std::to_string(x + 14) +
         "\" y2=\"" + std::to_string(yy - 3) + "\" stroke=\"" + colour + "\" stroke-width=\"2\"" +
         (series[i].dashed ? kDash : "") + "/>\n";
    s += "<text x=\"" + std::to_string(x + 18) + "\" y=\"" + std::to_string(yy + 2) + "\">" + escape(series[i].name) + "</text>\n";
  }
  return s;
}

}  // namespace

std::string render(const LineChart& c) {
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  for (const Series& s : c.series) {
    if (s.x.size() != s.y.size()) throw std::invalid_argument("svg line chart: series '" + s.name + "' has different x and y lengths");
    for (size_t i = 0; i < s.x.size(); ++i) {
      if ((c.log_x && s.x[i] <= 0) || (c.log_y && s.y[i] <= 0))
        throw std::invalid_argument("svg line chart: series '" + s.name + "' has a non-positive value on a log axis");
      xlo = std::min(xlo, s.x[i]);
      xhi = std::max(xhi, s.x[i]);
      ylo = std::min(ylo, s.y[i]);
      yhi = std::max(yhi, s.y[i]);
    }
  }
  if (!(xlo <= xhi)) throw std::invalid_argument("svg line chart '" + c.title + "': no data");
  pad_range(xlo, xhi, c.log_x);
  pad_range(ylo, yhi, c.log_y);
  int x0 = kLeft, x1 = c.width - kRight, y0 = c.height - kBottom, y1 = kTop;
  Axis X{xlo, xhi, c.log_x, double(x0), double(x1)}, Y{ylo, yhi, c.log_y, double(y0), double(y1)};

  std::string s = header(c.width, c.height, c.title) + y_axis(Y, x0, x1, c.y_label, c.height);
  for (double t : ticks(xlo, xhi, c.log_x))
    s += "<text x=\"" + num(X.to_px(t)) + "\" y=\"" + std::to_string(y0 + 18) + "\" text-anchor=\"middle\">" + num(t) + "</text>\n";
  s += "<text x=\"" + std::to_string((x0 + x1) / 2) + "\" y=\"" + std::to_string(c.height - 16) + "\" text-anchor=\"middle\">" +
       escape(c.x_label) + "</text>\n";
  s += "<rect x=\"" + std::to_string(x0) + "\" y=\"" + std::to_string(y1) + "\" width=\"" + std::to_string(x1 - x0) +
       "\" height=\"" + std::to_string(y0 - y1) + "\" fill=\"none\" stroke=\"#444\"/>\n";
  for (size_t k = 0; k < c.series.size(); ++k) {
    const Series& ser = c.series[k];
    const char* colour = colour_of(ser, k);
    std::string pts;
    for (size_t i = 0; i < ser.x.size(); ++i) {
      pts += num(X.to_px(ser.x[i])) + "," + num(Y.to_px(ser.y[i])) + " ";
      s += "<circle cx=\"" + num(X.to_px(ser.x[i])) + "\" cy=\"" + num(Y.to_px(ser.y[i])) + "\" r=\"3\" fill=\"" +
           colour + "\"/>\n";
    }
    s += "<polyline points=\"" + pts + "\" fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2\"" +
         (ser.dashed ? kDash : "") + "/>\n";
  }
  return s + line_legend(c.series, x1 + 16, y1 + 10) + "</svg>\n";
}

std::string render(const BarChart& c) {
  size_t nser = c.series_names.size();
  if (c.groups.empty() || nser == 0) throw std::invalid_argument("svg bar chart '" + c.title + "': no data");
  double lo = INFINITY, hi = -INFINITY;
  for (const BarGroup& g : c.groups) {
    if (g.values.size() != nser || (!g.errors.empty() && g.errors.size() != nser))
      throw std::invalid_argument("svg bar chart: group '" + g.label + "' needs one value (and error) per series");
    for (size_t i = 0; i < nser; ++i) {
      double e = g.errors.empty() ? 0.0 : g.errors[i];
      lo = std::min(lo, g.values[i] - e);
      hi = std::max(hi, g.values[i] + e);
    }
  }
  lo = std::isnan(c.y_min) ? std::min(lo, 0.0) : c.y_min;
  pad_range(lo, hi, false);
  if (!std::isnan(c.y_min)) lo = c.y_min;
  int x0 = kLeft, x1 = c.width - kRight, y0 = c.height - kBottom, y1 = kTop;
  Axis Y{lo, hi, false, double(y0), double(y1)};

  std::string s = header(c.width, c.height, c.title) + y_axis(Y, x0, x1, c.y_label, c.height);
  double group_w = double(x1 - x0) / c.groups.size(), bar_w = group_w * 0.8 / nser;
  for (size_t gi = 0; gi < c.groups.size(); ++gi) {
    const BarGroup& g = c.groups[gi];
    double gx = x0 + gi * group_w + group_w * 0.1;
    for (size_t i = 0; i < nser; ++i) {
      double bx = gx + i * bar_w, top = Y.to_px(std::max(g.values[i], lo));
      s += "<rect x=\"" + num(bx) + "\" y=\"" + num(top) + "\" width=\"" + num(bar_w * 0.95) + "\" height=\"" +
           num(std::max(0.0, y0 - top)) + "\" fill=\"" + kColours[i % 8] + "\"><title>" + escape(c.series_names[i]) + " " +
           num(g.values[i]) + "</title></rect>\n";
      if (!g.errors.empty() && g.errors[i] > 0) {
        double cx = bx + bar_w * 0.475, a = Y.to_px(g.values[i] - g.errors[i]), b = Y.to_px(g.values[i] + g.errors[i]);
        s += "<path d=\"M" + num(cx) + "," + num(a) + "V" + num(b) + "M" + num(cx - 4) + "," + num(a) + "h8M" + num(cx - 4) +
             "," + num(b) + "h8\" stroke=\"#222\"/>\n";
      }
    }
    s += "<text x=\"" + num(gx + group_w * 0.4) + "\" y=\"" + std::to_string(y0 + 18) + "\" text-anchor=\"middle\">" +
         escape(g.label) + "</text>\n";
  }
  s += "<line x1=\"" + std::to_string(x0) + "\" x2=\"" + std::to_string(x1) + "\" y1=\"" + std::to_string(y0) + "\" y2=\"" +
       std::to_string(y0) + "\" stroke=\"#444\"/>\n";
  return s + legend(c.series_names, x1 + 16, y1 + 10) + "</svg>\n";
}

void write_file(const std::string& path, const std::string& svg) {
  std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  std::ofstream out(path, std::ios::binary);
  if (!out || !(out << svg)) throw std::runtime_error("cannot write SVG file " + path);
}

}  // namespace llactr::svg
