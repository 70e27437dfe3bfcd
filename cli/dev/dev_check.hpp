#pragma once
// `workbook dev check`: every exercise folder held to the project's rules (docs/model.md, "What dev check
// enforces"). Static rules read the folders and the registry; run rules run the checks against our own
// solution processes (the reference, the mutants, the alternatives, the stub), each run in a worker process.

#include <filesystem>
#include <string>
#include <vector>

#include "workbook/exercise.hpp"

namespace workbook::cli::dev {

struct Problem {
  std::string exercise;  // its id, or "" for the workbook as a whole
  std::string rule;      // a short name: "folder", "mutant", "reference", ...
  std::string message;
};

// A deliberately wrong solution (solutions/<id>/mutants/<stem>.patch) or an honest alternative
// (solutions/<id>/alternatives/<stem>.patch): a patch on solution.cpp whose header says what it is.
//   Mistake: <what it gets wrong>              (alternatives: "Why it is right: <...>")
//   Caught by: <part>/<check>                  (one line per check that must fail; mutants only)
struct Variant {
  std::string stem;
  std::string description;
  std::vector<std::string> caught_by;
  std::filesystem::path patch;
};
std::vector<Variant> read_variants(const std::filesystem::path& source_dir, const std::string& exercise_id,
                                   const std::string& kind, std::vector<Problem>& problems);

// The rules that need no run: folders complete and consistent, parts answerable, hints, rubrics, plots,
// the interface, the mutants' headers, precisions stated, no answer in what the student sees.
// `whole_workbook`: also every folder on disk has its exercise built in (false when checking a few).
std::vector<Problem> folder_problems(const std::vector<Exercise>& exercises, const std::filesystem::path& source_dir,
                                     bool whole_workbook);

struct RunPlan {
  int seeds = 1;  // reference runs under this many run seeds
  int jobs = 1;
};
// The rules that run checks: the reference passes (under every seed), each mutant loses points on the
// checks it names, each alternative passes, the stub fails honestly, every wrong answer fails.
std::vector<Problem> run_problems(const std::vector<Exercise>& exercises, const std::filesystem::path& source_dir,
                                  const RunPlan& plan);

// The committed catalogue (docs/catalogue/*.md) and figure data (docs/catalogue/figures/*.csv) are what
// `workbook docs` and `workbook plots` write now.
std::vector<Problem> docs_problems(const std::vector<Exercise>& exercises, const std::filesystem::path& source_dir);

}  // namespace workbook::cli::dev
