#pragma once
// Our own solution processes, built beside this program (build/solutions/<id>/): the reference, the stub a
// student starts from, each mutant and each honest alternative (docs/model.md). They are ours, so they run
// without the sandbox, with no limit but a day of wall clock.

#include <filesystem>
#include <string>
#include <vector>

#include "workbook/runner.hpp"

namespace workbook::grading {

// $WORKBOOK_SOLUTIONS when set, else where the build put them.
std::filesystem::path solutions_build_dir();
std::filesystem::path reference_program(const std::string& exercise_id);
std::filesystem::path stub_program(const std::string& exercise_id);

// The exercise's checks against `program` (ignored for an exercise that asks for no code) and the answers.
// A process that cannot start leaves every check of the report as an error saying why.
ExerciseReport run_against(const Exercise& exercise, const std::filesystem::path& program, const AnswerBook& answers,
                           RunOptions options);
// The exercise's plots, drawn from what `program` computes (options.plots_dir must be set).
std::vector<PlotReport> plots_against(const Exercise& exercise, const std::filesystem::path& program,
                                      const AnswerBook& answers, RunOptions options);

}  // namespace workbook::grading
