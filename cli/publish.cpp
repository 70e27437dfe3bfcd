// The docs author's commands: the figure set and the Markdown catalogue.

#include <iostream>
#include <sstream>

#include "options.hpp"
#include "workbook/catalogue.hpp"
#include "workbook/grading/our_solutions.hpp"
#include "workbook/plots/render.hpp"
#include "workbook/registry.hpp"
#include "workbook/runner.hpp"

namespace workbook::cli {

namespace {

std::vector<std::string> split_formats(const std::string& text) {
  std::vector<std::string> formats;
  std::stringstream in(text);
  for (std::string f; std::getline(in, f, ',');) {
    if (f != "svg" && f != "png") throw po::error("--format takes svg, png or svg,png, not \"" + f + "\"");
    formats.push_back(f);
  }
  return formats;
}

}  // namespace

int plots_command(const Args& args) {
  return with_usage_errors("plots", [&] {
    po::options_description options("options");
    std::string out, formats = "svg,png", seed_text;
    options.add_options()
        ("out", po::value(&out)->required(), "directory for the figures (and their CSV data)")
        ("format", po::value(&formats), "figure formats, comma-separated: svg,png (default both)")
        ("seed", po::value(&seed_text), "seed for random data in the figures (default 20261125)")
        ("full", "plot experiments at the sizes the exercises ask for, not the quick budget");
    po::variables_map values;
    if (!parse(args, options, {}, values, "usage: workbook plots --out DIR [--format svg,png] [--seed N] [--full]"))
      return ok;

    RunOptions run_options;
    run_options.plots_dir = out;
    run_options.plot_formats = split_formats(formats);
    if (!seed_text.empty()) run_options.seed = parse_seed(seed_text);
    run_options.full = values.count("full") > 0;
    if (!plots::gnuplot_available())
      std::cerr << "workbook plots: gnuplot is not installed; writing CSV data only (install gnuplot-nox)\n";

    const auto answers = reference_answers();
    int figures = 0, failures = 0;
    for (const auto& ex : all_exercises()) {
      for (const auto& plot : grading::plots_against(ex, grading::reference_program(ex.id), answers, run_options)) {
        ++figures;
        if (!plot.error.empty()) {
          ++failures;
          std::cerr << ex.id << " " << plot.name << ": " << plot.error << "\n";
        }
      }
    }
    std::cout << "wrote " << figures << " plots to " << out << (failures ? " (" + std::to_string(failures) + " with errors)" : "")
              << "\n";
    return failures ? run_error : ok;
  });
}

int docs_command(const Args& args) {
  return with_usage_errors("docs", [&] {
    po::options_description options("options");
    std::string out, figures;
    options.add_options()
        ("out", po::value(&out)->required(), "directory for the catalogue (index.md and one page per collection)")
        ("figures", po::value(&figures), "where `workbook plots` wrote the figures (default OUT/figures)")
        ("solutions", "the instructor's edition: notes, reference answers and rubrics (never publish it to students)");
    po::variables_map values;
    if (!parse(args, options, {}, values, "usage: workbook docs --out DIR [--figures DIR] [--solutions]")) return ok;
    if (figures.empty()) figures = out + "/figures";
    const auto edition = instructor_edition();
    const auto files = write_catalogue(all_exercises(), out, figures, values.count("solutions") ? &edition : nullptr);
    std::cout << "wrote " << files.size() << " pages to " << out << " (figures linked from " << figures << ")\n";
    return ok;
  });
}

}  // namespace workbook::cli
