#pragma once
// The Markdown catalogue of every exercise, for a docs site: an index and one page per collection with
// each exercise's statement, parts and points, what is checked, hints, notes and figures.

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "workbook/exercise.hpp"
#include "workbook/instructor.hpp"

namespace workbook {

// What the instructor's edition adds to each exercise: the notes that state answers, the reference
// answers file, and each hand-graded part's answer and rubric. The student's edition has none of it.
struct InstructorEdition {
  std::function<const InstructorNotes*(const std::string& exercise_id)> notes;
  std::function<std::string(const std::string& exercise_id)> reference_answers;  // the TOML text, or ""
};

// Writes out_dir/index.md and out_dir/<collection>.md; figure links point into figures_dir (made
// relative to out_dir), where `workbook plots` writes them. Returns the files written. With `instructor`,
// the instructor's edition.
std::vector<std::filesystem::path> write_catalogue(const std::vector<Exercise>& exercises,
                                                   const std::filesystem::path& out_dir,
                                                   const std::filesystem::path& figures_dir,
                                                   const InstructorEdition* instructor = nullptr);

// The instructor's material for one exercise as Markdown (notes, reference answers, rubrics), for the
// catalogue's instructor edition and `workbook show --solutions`; "" when there is none.
std::string instructor_markdown(const Exercise& exercise, const InstructorEdition& instructor);

// Describes an answer for people: "a number", "an array of shape (3,)", "one of: ...".
std::string describe_answer(const AnswerSpec& answer);

}  // namespace workbook
