#include "workbook/plots/render.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>

namespace workbook::plots {

namespace {

// gnuplot single-quoted strings: a quote is written twice.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += (c == '\'') ? std::string("''") : std::string(1, c);
  return out + "'";
}

// POSIX shell single quotes: a quote becomes '\''.
std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string number(double value) {
  if (std::isnan(value)) return "NaN";
  std::ostringstream out;
  out.precision(10);
  out << value;
  return out.str();
}

const char* style_of(Series::Style style) {
  switch (style) {
    case Series::Style::lines: return "lines lw 2";
    case Series::Style::points: return "points pt 7 ps 1.1";
    case Series::Style::linespoints: return "linespoints lw 2 pt 7 ps 1.1";
    case Series::Style::boxes: return "boxes";
  }
  return "lines";
}

std::string terminal_for(const std::string& format) {
  if (format == "svg") return "set terminal svg size 900,560 dynamic background rgb 'white' font 'Sans,13'";
  if (format == "png") return "set terminal pngcairo size 1200,750 background rgb 'white' font 'Sans,13'";
  return "";
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Where the key goes: the corner whose share of the plot holds the fewest points (top right on a tie), so that
// the key hides no data. The key is taken as the outer half of the width and one line of height per series,
// measured on the data's own range (on log axes, of the logarithms).
std::string key_corner(const Plot& plot) {
  const auto scaled = [](double v, bool log) { return log ? std::log10(v) : v; };
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  for (const auto& s : plot.series)
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      const double x = scaled(s.x[i], plot.logx), y = scaled(s.y[i], plot.logy);
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      x_lo = std::min(x_lo, x), x_hi = std::max(x_hi, x), y_lo = std::min(y_lo, y), y_hi = std::max(y_hi, y);
    }
  if (!(x_hi > x_lo) || !(y_hi > y_lo)) return "top right";
  const double key_height = std::min(0.5, 0.08 * double(plot.series.size()));
  const auto covered = [&](bool top, bool right) {
    std::size_t n = 0;
    for (const auto& s : plot.series)
      for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
        const double x = (scaled(s.x[i], plot.logx) - x_lo) / (x_hi - x_lo);
        const double y = (scaled(s.y[i], plot.logy) - y_lo) / (y_hi - y_lo);
        n += (right ? x >= 0.5 : x <= 0.5) && (top ? y >= 1 - key_height : y <= key_height);
      }
    return n;
  };
  std::string best = "top right";
  std::size_t fewest = covered(true, true);
  for (const auto& [top, right, name] : {std::tuple{true, false, "top left"}, {false, true, "bottom right"},
                                         {false, false, "bottom left"}})
    if (const auto n = covered(top, right); n < fewest) fewest = n, best = name;
  return best;
}

}  // namespace

std::string to_csv(const Plot& plot) {
  std::ostringstream out;
  if (plot.measured) out << measured_marker << "\n";
  if (plot.kind == Plot::Kind::heatmap) {
    out << "column,row,value\n";
    for (std::size_t r = 0; r < plot.z.shape(0); ++r)
      for (std::size_t c = 0; c < plot.z.shape(1); ++c) out << c << "," << r << "," << number(plot.z(r, c)) << "\n";
    return out.str();
  }
  out << "series,x,y\n";
  for (const auto& s : plot.series)
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
      out << csv_field(s.label) << "," << number(s.x[i]) << "," << number(s.y[i]) << "\n";
  return out.str();
}

std::string to_gnuplot(const Plot& plot) {
  std::ostringstream gp;
  gp << "# made by workbook; re-plot with: gnuplot -p <this file>\n";
  gp << "set title " << quoted(plot.title) << " noenhanced\n";
  gp << "set xlabel " << quoted(plot.xlabel) << " noenhanced\n";
  gp << "set ylabel " << quoted(plot.ylabel) << " noenhanced\n";
  if (plot.logx) gp << "set logscale x\n";
  if (plot.logy) gp << "set logscale y\n";
  if (plot.kind == Plot::Kind::heatmap) {
    gp << "set cblabel " << quoted(plot.zlabel) << " noenhanced\n";
    gp << "set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')\n";
    gp << "set xrange [-0.5:" << plot.z.shape(1) - 0.5 << "]\nset yrange [" << plot.z.shape(0) - 0.5
       << ":-0.5]\n";  // row 0 at the top, as a matrix is read
    gp << "$map << EOD\n";
    for (std::size_t r = 0; r < plot.z.shape(0); ++r) {
      for (std::size_t c = 0; c < plot.z.shape(1); ++c) gp << c << " " << r << " " << number(plot.z(r, c)) << "\n";
      gp << "\n";
    }
    gp << "EOD\nplot $map using 1:2:3 with image notitle\n";
    return gp.str();
  }
  gp << "set grid\nset key inside " << key_corner(plot) << " opaque box noenhanced\n";
  gp << "set style fill transparent solid 0.45 noborder\n";
  for (std::size_t i = 0; i < plot.series.size(); ++i) {
    gp << "$s" << i << " << EOD\n";
    const auto& s = plot.series[i];
    for (std::size_t j = 0; j < s.x.size() && j < s.y.size(); ++j) gp << number(s.x[j]) << " " << number(s.y[j]) << "\n";
    gp << "EOD\n";
  }
  gp << "plot";
  for (std::size_t i = 0; i < plot.series.size(); ++i)
    gp << (i ? ", \\\n    " : " ") << "$s" << i << " using 1:2 with " << style_of(plot.series[i].style)
       << " title " << quoted(plot.series[i].label);
  gp << "\n";
  return gp.str();
}

bool gnuplot_available() {
  static const bool available = std::system("command -v gnuplot >/dev/null 2>&1") == 0;
  return available;
}

Rendered render(const Plot& plot, const std::filesystem::path& stem, const std::vector<std::string>& formats) {
  Rendered rendered;
  std::filesystem::create_directories(stem.parent_path());
  const auto with = [&](const std::string& ext) { return std::filesystem::path(stem.string() + "." + ext); };

  std::ofstream(with("csv")) << to_csv(plot);
  rendered.files.push_back(with("csv"));
  std::ofstream(with("gp")) << to_gnuplot(plot);
  rendered.files.push_back(with("gp"));

  if (!gnuplot_available()) {
    rendered.error = "gnuplot is not installed: wrote the data as CSV only (install gnuplot-nox for figures)";
    return rendered;
  }
  for (const auto& format : formats) {
    const auto terminal = terminal_for(format);
    if (terminal.empty()) {
      rendered.error = "unknown figure format \"" + format + "\" (use svg or png)";
      continue;
    }
    const auto log = with(format + ".log");
    const std::string command = "gnuplot -e " +
                                shell_quoted(terminal + "; set output " + quoted(with(format).string())) + " " +
                                shell_quoted(with("gp").string()) + " 2>" + shell_quoted(log.string());
    const int status = std::system(command.c_str());
    const auto messages = slurp(log);
    std::filesystem::remove(log);
    if (status != 0) {
      rendered.error = "gnuplot failed for " + with(format).string() + ": " + messages;
      continue;
    }
    rendered.files.push_back(with(format));
  }
  return rendered;
}

}  // namespace workbook::plots
