#pragma once
// A plot is data plus a small spec; plots/ renders it with gnuplot and writes the data as CSV.

#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace workbook {

struct Series {
  enum class Style { lines, points, linespoints, boxes };
  std::string label;
  std::vector<double> x;
  std::vector<double> y;
  Style style = Style::lines;
};

struct Plot {
  enum class Kind { xy, heatmap };
  Kind kind = Kind::xy;
  std::string title;
  std::string xlabel;
  std::string ylabel;
  std::vector<Series> series;  // xy plots
  xt::xtensor<double, 2> z;    // heatmaps: z(row, column), rows along y, columns along x
  std::string zlabel;          // heatmaps: the colour bar's label
  bool logx = false;
  bool logy = false;
  // Drawn from a measurement (a model trained in the quick budget, a timing): its numbers depend on the machine's
  // BLAS kernels and threads. Its data file says so in its first line, and `workbook dev check` holds the
  // catalogue's committed copy to the figure's shape (its series and points), not to its values.
  bool measured = false;
};

// The two common shapes, so that an exercise's figure reads as one call.
Plot xy_plot(std::string title, std::string xlabel, std::string ylabel, std::vector<Series> series);
Plot heatmap(std::string title, std::string xlabel, std::string ylabel, std::string zlabel, xt::xtensor<double, 2> z);

// A histogram as a series of boxes: bin centres and densities (area 1), so that a density curve can be
// drawn over it on the same axes.
Series histogram(std::string label, const std::vector<double>& samples, int bins, double lo, double hi);

}  // namespace workbook
