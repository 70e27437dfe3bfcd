// `workbook dev check`: the author's linter, in the spirit of rustlings' `dev check`.

#include <iostream>
#include <map>
#include <thread>

#include "../options.hpp"
#include "dev_check.hpp"
#include "workbook/registry.hpp"

namespace workbook::cli {

int dev_command(const Args& args) {
  return with_usage_errors("dev", [&] {
    po::options_description options("options");
    std::string action, source = WORKBOOK_SOURCE_DIR;
    std::vector<std::string> only;
    dev::RunPlan plan;
    plan.jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    options.add_options()
        ("action", po::value(&action)->required(), "check")
        ("seeds", po::value(&plan.seeds), "run every reference under this many run seeds (default 1)")
        ("exercise", po::value(&only)->composing(), "check only this exercise (repeatable; skips the docs rule)")
        ("jobs", po::value(&plan.jobs), "runs at once (default: the number of cores)")
        ("source", po::value(&source), "the project's checkout (default: the one this program was built from)");
    po::positional_options_description positional;
    positional.add("action", 1);
    po::variables_map values;
    if (!parse(args, options, positional, values,
               "usage: workbook dev check [--seeds N] [--exercise ID ...] [--jobs N] [--source DIR]\n\n"
               "Holds every exercise folder to the project's rules (docs/model.md, \"What dev check enforces\"):\n"
               "folders complete and consistent, the reference passing under every seed, each mutant caught by\n"
               "the checks it names, each alternative passing, the init stub failing honestly, every wrong answer\n"
               "failing, and the committed catalogue and figure data up to date."))
      return ok;
    if (action != "check") throw po::error("the only action is `check`");
    if (plan.seeds < 1 || plan.jobs < 1) throw po::error("--seeds and --jobs take positive numbers");

    std::vector<Exercise> exercises;
    for (auto& ex : all_exercises())
      if (only.empty() || std::find(only.begin(), only.end(), ex.id) != only.end()) exercises.push_back(std::move(ex));
    if (exercises.empty()) throw po::error("no such exercise");

    auto problems = dev::folder_problems(exercises, source, only.empty());
    for (auto& p : dev::run_problems(exercises, source, plan)) problems.push_back(std::move(p));
    if (only.empty())
      for (auto& p : dev::docs_problems(exercises, source)) problems.push_back(std::move(p));

    std::map<std::string, int> per_exercise;
    for (const auto& p : problems) {
      std::cout << (p.exercise.empty() ? "workbook" : p.exercise) << " [" << p.rule << "] " << p.message << "\n";
      ++per_exercise[p.exercise];
    }
    std::cout << "dev check: " << exercises.size() << " exercises, " << plan.seeds << " seed" << (plan.seeds == 1 ? "" : "s")
              << " each: ";
    if (problems.empty()) {
      std::cout << "every rule holds\n";
      return ok;
    }
    std::cout << problems.size() << " problem" << (problems.size() == 1 ? "" : "s") << " in " << per_exercise.size()
              << " place" << (per_exercise.size() == 1 ? "" : "s") << "\n";
    return checks_failed;
  });
}

}  // namespace workbook::cli
