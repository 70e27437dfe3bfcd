// Reads back what to_json(SubmissionGrade) wrote (grade_report.cpp): grades come back this way from the
// worker process that graded a student, and from shard files when a class was graded in slices.

#include "workbook/grading/formats.hpp"
#include "workbook/report.hpp"

namespace workbook::grading {

Outcome outcome_from_string(std::string_view text) {
  for (int o = 0; o <= static_cast<int>(Outcome::grader_error); ++o)
    if (to_string(static_cast<Outcome>(o)) == text) return static_cast<Outcome>(o);
  throw std::invalid_argument("unknown outcome \"" + std::string(text) + "\"");
}

SubmissionGrade grade_from_json(const nlohmann::json& json) {
  SubmissionGrade grade;
  grade.student = json.at("student");
  grade.score = json.at("score");
  grade.max_score = json.at("max_score");
  grade.manual_points = json.at("manual_points");
  grade.seed = json.at("seed");
  grade.seconds = json.at("seconds");
  grade.sandboxed = json.at("sandbox") == "bubblewrap + rlimits";
  grade.revealed = json.value("answers_revealed", false);
  for (const auto& e : json.at("exercises")) {
    ExerciseGrade exercise;
    exercise.id = e.at("id");
    exercise.title = e.at("title");
    exercise.outcome = outcome_from_string(e.at("outcome").get<std::string>());
    exercise.cause = e.at("cause");
    exercise.report = report_from_json(e);  // the exercise object is the harness report plus our fields
    exercise.score = e.at("score");
    exercise.max_score = e.at("max_score");
    exercise.manual_points = e.at("manual_points");
    exercise.build_log = e.at("build_log");
    exercise.output = e.at("output");
    exercise.output_cut = e.at("output_cut");
    exercise.build_seconds = e.at("build_seconds");
    exercise.run_seconds = e.at("run_seconds");
    exercise.cached_build = e.at("cached_build");
    exercise.notes = e.at("notes").get<std::vector<std::string>>();
    grade.exercises.push_back(std::move(exercise));
  }
  return grade;
}

}  // namespace workbook::grading
