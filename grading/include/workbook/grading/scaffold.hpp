#pragma once
// `workbook init`: a submission directory to start from. One C++ file per exercise that asks for code,
// with the interface's exact signatures and bodies that compile and throw workbook::NotImplemented (so
// the checks report "not implemented", never a pass); an answers.toml template with one commented key
// per pen-and-paper answer; a README for the student. Existing files are never overwritten.

#include <filesystem>
#include <string>
#include <vector>

#include "workbook/exercise.hpp"

namespace workbook::grading {

// The answers.toml section of one exercise (empty when it asks for no answers).
std::string answers_template(const Exercise& exercise);

struct ScaffoldResult {
  std::vector<std::filesystem::path> written;  // new files
  std::vector<std::filesystem::path> kept;     // files that existed and were left alone
};

// include_dir: the student kit's headers (<collection>/<number>/interface.hpp for exercises that ask for code).
ScaffoldResult write_scaffold(const std::filesystem::path& dir, const std::vector<Exercise>& exercises,
                              const std::filesystem::path& include_dir);

}  // namespace workbook::grading
