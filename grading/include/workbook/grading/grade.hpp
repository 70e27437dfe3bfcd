#pragma once
// Grades a submission directory. Each exercise that asks for code is built from the student's file into a
// solution process, run in the sandbox; its checks run in a worker process of the grader, which calls the
// student's functions through the channel and decides pass, fail and points itself (the student's process
// only ever returns values). Answers-only exercises are checked against answers.toml in a worker too.
// Whatever one exercise does, the others are still graded and the report is complete.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "workbook/grading/student_build.hpp"
#include "workbook/runner.hpp"

namespace workbook::grading {

// Why an exercise ended as it did. pass and fail are verdicts of the checks; the others mean the work
// could not be graded as written (or was not there), and say why.
enum class Outcome {
  pass, fail, not_started, not_implemented,
  compile_error, link_error, crashed, timed_out, memory_limit, output_limit, exception, non_finite,
  answers_malformed, file_refused,
  grader_error  // the grader could not grade it (a sandbox that would not start): not the student's doing
};
std::string_view to_string(Outcome outcome);
bool is_error(Outcome outcome);  // could not be graded as written

struct ExerciseGrade {
  std::string id;
  std::string title;
  Outcome outcome = Outcome::not_started;
  std::string cause;            // one line: the signal, the missing function, the exception's what()
  ExerciseReport report;        // parts and checks, when the checks ran
  int score = 0, max_score = 0, manual_points = 0;
  std::string build_log;        // compiler messages, capped
  std::string output;           // what the student's code printed, capped
  bool output_cut = false;
  double build_seconds = 0, run_seconds = 0;
  bool cached_build = false;
  std::vector<std::string> notes;  // e.g. answers.toml keys that no part asks for
};

struct SubmissionGrade {
  std::string student;          // the directory's name
  std::filesystem::path dir;
  std::uint64_t seed = default_seed;
  std::vector<ExerciseGrade> exercises;
  int score = 0, max_score = 0, manual_points = 0;
  double seconds = 0;
  bool sandboxed = false;       // bubblewrap was used (else rlimits only)
  bool revealed = false;        // graded with --reveal: the expected answers are in the reports

  // Exercises the grader failed to grade (Outcome::grader_error): regrade this student.
  std::size_t grader_errors() const;
};

struct GradeOptions {
  std::uint64_t seed = default_seed;
  bool full = false;
  Limits limits;                                   // per exercise (wall clock: --timeout)
  std::filesystem::path cache_dir;                 // build cache, outside the submission
  std::filesystem::path kit = default_kit_path();
  std::vector<std::string> only;                   // exercise ids; empty: all
  unsigned jobs = 0;                               // exercises built and run at once (0: one per core)
  bool timeout_from_command_line = false;          // --timeout beats an exercise's own timeout_seconds
  bool reveal = false;  // --reveal (after the deadline): feedback shows the expected answers (runner.hpp, for_student)
  // Called after each exercise is graded (from worker threads, one call at a time): progress displays.
  std::function<void(std::size_t done, std::size_t total, const std::string& id)> on_progress;
};

SubmissionGrade grade_submission(const std::filesystem::path& dir, const GradeOptions& options);

// Where a student's file for an exercise lives in a submission, relative to it: <collection>/<number>.cpp.
std::filesystem::path student_source(const std::string& exercise_id);

nlohmann::json to_json(const SubmissionGrade& grade);
void print_grade(std::ostream& out, const SubmissionGrade& grade, bool colour);

}  // namespace workbook::grading
