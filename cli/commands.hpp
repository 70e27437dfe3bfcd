#pragma once
// The workbook subcommands. Each parses its own options (Boost.Program_options), answers --help,
// and returns the process exit code (see README: 0 ok, 1 a check failed, 2 usage, 3 could not run).

#include <string>
#include <vector>

#include "workbook/answers.hpp"
#include "workbook/catalogue.hpp"
#include "workbook/instructor.hpp"

namespace workbook::cli {

enum ExitCode { ok = 0, checks_failed = 1, usage_error = 2, run_error = 3 };

using Args = std::vector<std::string>;

int list_command(const Args& args);
int show_command(const Args& args);
int run_command(const Args& args);
int plots_command(const Args& args);
int docs_command(const Args& args);
int grade_command(const Args& args);
int merge_command(const Args& args);
int init_command(const Args& args);
int hint_command(const Args& args);
int status_command(const Args& args);
int watch_command(const Args& args);
int dev_command(const Args& args);

// The reference answers built into this program (solutions/<id>/answers.toml).
AnswerBook reference_answers();
// The instructor's edition of an exercise (solutions/<id>/instructor.toml), or null when it has none.
const InstructorNotes* instructor_notes(const std::string& exercise_id);
// Both, for the instructor's edition of the catalogue and of `show`.
InstructorEdition instructor_edition();

}  // namespace workbook::cli
