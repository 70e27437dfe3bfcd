#include <iostream>

#include <nlohmann/json.hpp>

#include "options.hpp"
#include "workbook/grading/our_solutions.hpp"
#include "workbook/registry.hpp"
#include "workbook/report.hpp"
#include "workbook/runner.hpp"

namespace workbook::cli {

int run_command(const Args& args) {
  return with_usage_errors("run", [&] {
    po::options_description options("options");
    std::string id, seed_text, plots_dir;
    options.add_options()
        ("id", po::value(&id), "exercise id, e.g. ch10/10.1 or 10.1")
        ("all", "run every exercise and print a summary table")
        ("seed", po::value(&seed_text), "seed for random inputs (default 20261125; \"random\" for a fresh one)")
        ("full", "run experiments at the sizes the exercise asks for, not the quick budget")
        ("data", po::value<std::string>(), "read this real data set (e.g. CIFAR-10's binary batches) where the exercise offers one")
        ("json", "print the report as JSON (see docs/json-format.md)")
        ("plots-dir", po::value(&plots_dir), "render the exercise's plots into this directory")
        ("submission", po::value<std::string>(), "run a student's work (a submission directory) instead of the reference")
        ("timeout", po::value<double>(), "with --submission: wall-clock limit in seconds (default 10)")
        ("cache", po::value<std::string>(), "with --submission: build cache (default ~/.cache/workbook/builds; /var/tmp/workbook-builds for root)");
    po::positional_options_description positional;
    positional.add("id", 1);
    po::variables_map values;
    if (!parse(args, options, positional, values,
               "usage: workbook run ID [--seed N] [--full] [--data PATH] [--json] [--plots-dir DIR]\n"
               "       workbook run --all [--seed N] [--full] [--json] [--plots-dir DIR]"))
      return ok;
    const bool all = values.count("all") > 0;
    if (all == !id.empty()) throw po::error("give either an exercise id or --all");
    if (values.count("submission")) {
      if (all) throw po::error("--submission runs one exercise; `workbook grade DIR` runs them all");
      const auto submission = values["submission"].as<std::string>();
      if (!std::filesystem::is_directory(submission)) throw po::error("no submission directory " + submission);
      const auto ex = resolve(id);
      if (!ex) return usage_error;
      return ExitCode(run_submission(ex->id, submission, values));
    }

    RunOptions run_options;
    if (!seed_text.empty()) run_options.seed = parse_seed(seed_text);
    run_options.full = values.count("full") > 0;
    if (values.count("data")) run_options.data = values["data"].as<std::string>();
    if (!plots_dir.empty()) run_options.plots_dir = plots_dir;

    std::vector<Exercise> exercises;
    if (all) {
      exercises = all_exercises();
    } else {
      auto ex = resolve(id);
      if (!ex) return usage_error;
      exercises.push_back(std::move(*ex));
    }

    const auto answers = reference_answers();
    const auto style = TextStyle::for_stdout();
    const bool json = values.count("json") > 0;
    std::vector<ExerciseReport> reports;
    for (const auto& ex : exercises) {
      run_options.instructor = instructor_notes(ex.id);  // the author's view: rubrics beside the manual parts
      reports.push_back(grading::run_against(ex, grading::reference_program(ex.id), answers, run_options));
      if (!json && !all) print_report(std::cout, reports.back(), style);
    }
    if (json) {
      auto out = nlohmann::json::array();
      for (const auto& r : reports) out.push_back(to_json(r));
      std::cout << (all ? out : out.front()).dump(2) << "\n";
    } else if (all) {
      print_summary(std::cout, reports, style);
      for (const auto& r : reports)
        if (r.status == Status::fail || r.status == Status::error) {
          std::cout << "\n";
          print_report(std::cout, r, style);
        }
    }
    for (const auto& r : reports)
      if (r.status == Status::fail || r.status == Status::error) return checks_failed;
    return ok;
  });
}

}  // namespace workbook::cli
