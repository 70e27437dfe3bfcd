#pragma once
// Grading a whole class on one machine: each student in a worker process of their own, up to `jobs`
// at once. A worker that throws, crashes or is killed costs that student a row with the error; the
// others carry on. (Each student's exercises still build and run one at a time in their own sandbox.)

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "workbook/grading/gradebook.hpp"

namespace workbook::grading {

// The students of a class: the subdirectories of `root`, by name, skipping hidden ones (.git and the like).
std::vector<std::string> list_students(const std::filesystem::path& root);

// Runs in the worker process; its grade travels back as JSON.
using GradeOne = std::function<SubmissionGrade(const std::string& student)>;
// Runs in this process as each student finishes (in finishing order): `done` of `total` so far.
using OnFinished = std::function<void(const StudentResult& row, std::size_t done, std::size_t total)>;

// One row per student, in the order of `students`. `jobs` < 1 means one.
std::vector<StudentResult> grade_students(const std::vector<std::string>& students, int jobs,
                                          const GradeOne& grade_one, const OnFinished& on_finished);

}  // namespace workbook::grading
