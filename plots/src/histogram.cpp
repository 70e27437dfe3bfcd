#include <cmath>
#include <stdexcept>

#include "workbook/plot.hpp"

namespace workbook {

Series histogram(std::string label, const std::vector<double>& samples, int bins, double lo, double hi) {
  if (bins <= 0 || !(hi > lo)) throw std::invalid_argument("histogram needs bins > 0 and hi > lo");
  const double width = (hi - lo) / bins;
  std::vector<double> counts(bins, 0.0);
  for (double s : samples) {
    if (!(s >= lo && s < hi)) continue;  // outside the range (or NaN): not drawn
    counts[static_cast<std::size_t>((s - lo) / width)] += 1;
  }
  Series series{std::move(label), {}, {}, Series::Style::boxes};
  for (int i = 0; i < bins; ++i) {
    series.x.push_back(lo + (i + 0.5) * width);
    series.y.push_back(samples.empty() ? 0.0 : counts[i] / (samples.size() * width));
  }
  return series;
}

}  // namespace workbook
