#include "workbook/plot.hpp"

namespace workbook {

Plot xy_plot(std::string title, std::string xlabel, std::string ylabel, std::vector<Series> series) {
  Plot p;
  p.title = std::move(title);
  p.xlabel = std::move(xlabel);
  p.ylabel = std::move(ylabel);
  p.series = std::move(series);
  return p;
}

Plot heatmap(std::string title, std::string xlabel, std::string ylabel, std::string zlabel, xt::xtensor<double, 2> z) {
  Plot p;
  p.kind = Plot::Kind::heatmap;
  p.title = std::move(title);
  p.xlabel = std::move(xlabel);
  p.ylabel = std::move(ylabel);
  p.zlabel = std::move(zlabel);
  p.z = std::move(z);
  return p;
}

}  // namespace workbook
