#pragma once
// Where a student stands, kept between commands (as rustlings keeps its state): DIR/.workbook/progress.json
// holds each exercise's last outcome. `watch`, `run --submission` and `status` read it to show the next
// exercise at once, and write it after each check. Only the student's own commands write it (never `grade`:
// an instructor may grade a read-only copy), and a directory that cannot be written is simply not remembered.

#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <string>

#include "workbook/grading/grade.hpp"
#include "workbook/registry.hpp"

namespace workbook::cli {

// Exercise id -> last outcome, in workbook order.
class Progress {
 public:
  explicit Progress(std::filesystem::path submission);
  void record(const grading::SubmissionGrade& grade);  // and save
  std::optional<grading::Outcome> outcome(const std::string& id) const;
  // The first exercise, in workbook order, not known to pass; empty when all pass.
  std::string next_unfinished() const;
  std::size_t passed() const;

 private:
  std::filesystem::path file_;
  std::map<std::string, grading::Outcome, bool (*)(const std::string&, const std::string&)> outcomes_{&id_less};
};

// What to do next after one exercise was checked, as rustlings says it: after a failure the hint of the
// first part that did not pass (and how to ask for the next one), after a pass the next unfinished exercise.
void print_next_step(std::ostream& out, const grading::ExerciseGrade& checked, const Progress& progress);

}  // namespace workbook::cli
