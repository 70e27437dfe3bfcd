#pragma once
// Runs one exercise's checks against the solution linked into this program and the given answers.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "workbook/answers.hpp"
#include "workbook/exercise.hpp"
#include "workbook/instructor.hpp"
#include "workbook/remote/channel.hpp"

namespace workbook {

// The fixed default seed: grading the same work twice gives the same result. `--seed N` changes it.
inline constexpr std::uint64_t default_seed = 20261125;

struct CheckReport {
  std::string name;
  std::string verifies;
  CheckKind kind = CheckKind::close;
  CheckResult result;
  bool answer = false;  // a pen-and-paper answer's check (see for_student)
};

struct PartReport {
  std::string label;
  Status status = Status::pass;
  int points = 0;  // what the part is worth
  int score = 0;   // what it earned: all its points when every check passes, else 0
  std::vector<CheckReport> checks;
};

struct PlotReport {
  std::string name;
  std::vector<std::string> files;  // what was written (figures and CSV)
  std::string error;               // empty when it was rendered
};

struct ExerciseReport {
  std::string id;
  std::string title;
  Status status = Status::pass;
  int score = 0;
  int max_score = 0;      // points that are checked automatically
  int manual_points = 0;  // points that a person awards with the rubric
  std::uint64_t seed = default_seed;
  double seconds = 0;
  std::vector<PartReport> parts;
  std::vector<PlotReport> plots;
};

struct RunOptions {
  std::uint64_t seed = default_seed;
  // The process that answers the interface's calls (code exercises): the reference, a mutant, a student's.
  remote::Channel* solution = nullptr;
  // The instructor's edition: manual checks then carry our reference answer and the rubric. Never set when
  // the report goes to a student.
  const InstructorNotes* instructor = nullptr;
  bool full = false;                               // the --full budget
  std::optional<std::filesystem::path> data;       // --data: a real data set in place of the generated one
  std::optional<std::filesystem::path> plots_dir;  // render the plots there when set
  std::vector<std::string> plot_formats = {"svg", "png"};
};

ExerciseReport run_exercise(const Exercise& exercise, const AnswerBook& answers, const RunOptions& options);

// What a student may see of a report (feedback in every format). For a pen-and-paper answer that is wrong,
// the report says so and how far off in a way that does not give the value away: "within 10%" (look at
// rounding and units) or "more than 10% off", and for an array how many entries are wrong; never the expected
// value nor on which side it lies. With `reveal` (the instructor, after the deadline) nothing is withheld.
// The rubric and our answer to a hand-graded part are always withheld. Code checks are left as they are: the
// expected values of random test inputs give no pen-and-paper answer away.
ExerciseReport for_student(ExerciseReport report, bool reveal);

// The part's status from its checks: error beats fail beats pass; manual when every check is manual.
Status combine(const std::vector<CheckReport>& checks);

// Where an exercise's figures go: "<dir>/<collection>-<number>-<name>.<ext>".
std::filesystem::path plot_path(const std::filesystem::path& dir, const std::string& exercise_id,
                                const std::string& plot_name, const std::string& extension);

}  // namespace workbook

namespace workbook {
// Renders the exercise's plots only (no checks): the docs figure set.
std::vector<PlotReport> render_plots(const Exercise& exercise, const AnswerBook& answers, const RunOptions& options);
}  // namespace workbook
