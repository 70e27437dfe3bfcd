#pragma once
// Renders a Plot: the data as CSV (always), a gnuplot script beside it, and the figures gnuplot makes
// from that script in each requested format (svg, png).

#include <filesystem>
#include <string>
#include <vector>

#include "workbook/plot.hpp"

namespace workbook::plots {

struct Rendered {
  std::vector<std::filesystem::path> files;  // every file written
  std::string error;                         // empty when every figure was made
};

// `stem` is the output path without extension: writes stem.csv, stem.gp and stem.<format> for each format.
Rendered render(const Plot& plot, const std::filesystem::path& stem, const std::vector<std::string>& formats);

bool gnuplot_available();

// The plot's data in long form: "series,x,y" for xy plots, "column,row,value" for heatmaps.
// The first line of a measured figure's data file (Plot::measured).
inline constexpr const char* measured_marker = "# measured: the values differ from machine to machine";
std::string to_csv(const Plot& plot);
// A self-contained gnuplot script (data inline) with no terminal set: `gnuplot -p stem.gp` re-plots it.
std::string to_gnuplot(const Plot& plot);

}  // namespace workbook::plots
