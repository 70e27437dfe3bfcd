// The grade as JSON (the harness's report schema plus outcome, cause, build log, output, durations) and
// as a terminal table.

#include <ostream>

#include "workbook/grading/grade.hpp"
#include "workbook/report.hpp"
#include "workbook/text_table.hpp"

namespace workbook::grading {

nlohmann::json to_json(const SubmissionGrade& grade) {
  auto exercises = nlohmann::json::array();
  for (const auto& e : grade.exercises) {
    auto json = workbook::to_json(e.report);
    json["id"] = e.id;
    json["title"] = e.title;
    json["status"] = e.outcome == Outcome::pass ? "pass" : is_error(e.outcome) ? "error" : "fail";
    json["outcome"] = to_string(e.outcome);
    json["cause"] = e.cause;
    json["score"] = e.score;
    json["max_score"] = e.max_score;
    json["build_log"] = e.build_log;
    json["output"] = e.output;
    json["output_cut"] = e.output_cut;
    json["build_seconds"] = e.build_seconds;
    json["run_seconds"] = e.run_seconds;
    json["cached_build"] = e.cached_build;
    json["notes"] = e.notes;
    exercises.push_back(std::move(json));
  }
  return {{"student", grade.student},
          {"score", grade.score},
          {"max_score", grade.max_score},
          {"manual_points", grade.manual_points},
          {"seed", grade.seed},
          {"seconds", grade.seconds},
          {"sandbox", grade.sandboxed ? "bubblewrap + rlimits" : "rlimits only"},
          {"answers_revealed", grade.revealed},
          {"exercises", exercises}};
}

void print_grade(std::ostream& out, const SubmissionGrade& grade, bool colour) {
  TextTable table({"exercise", "outcome", "points", "time", "cause"});
  for (const auto& e : grade.exercises) {
    const char* c = !colour ? "" : e.outcome == Outcome::pass ? "\033[32m" : is_error(e.outcome) ? "\033[35m" : "\033[31m";
    char time[32];
    std::snprintf(time, sizeof time, "%.2fs", e.build_seconds + e.run_seconds);
    table.add_row({e.id, std::string(to_string(e.outcome)), std::to_string(e.score) + "/" + std::to_string(e.max_score),
                   time, e.cause.substr(0, 100)},
                  {"", c});
  }
  table.print(out);
  out << grade.student << ": " << grade.score << "/" << grade.max_score << " points";
  if (grade.manual_points) out << " (+" << grade.manual_points << " to grade by hand)";
  out << " in " << grade.seconds << " s, " << (grade.sandboxed ? "sandboxed with bubblewrap" : "rlimits only") << "\n";
}

}  // namespace workbook::grading
