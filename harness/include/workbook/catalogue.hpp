#pragma once
// The Markdown catalogue of every exercise, for a docs site: an index and one page per collection with
// each exercise's statement, parts and points, what is checked, hints, notes and figures.

#include <filesystem>
#include <vector>

#include "workbook/exercise.hpp"

namespace workbook {

// Writes out_dir/index.md and out_dir/<collection>.md; figure links point into figures_dir (made
// relative to out_dir), where `workbook plots` writes them. Returns the files written.
std::vector<std::filesystem::path> write_catalogue(const std::vector<Exercise>& exercises,
                                                   const std::filesystem::path& out_dir,
                                                   const std::filesystem::path& figures_dir);

// Describes an answer for people: "a number", "an array of shape (3,)", "one of: ...".
std::string describe_answer(const AnswerSpec& answer);

}  // namespace workbook
