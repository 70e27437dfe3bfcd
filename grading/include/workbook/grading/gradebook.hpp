#pragma once
// A class's results, one row per student: the CSV gradebook an instructor imports into a spreadsheet or
// an LMS, and each row's JSON (in shard files). A student whose grading failed outright is a row too,
// with the error, so that one disaster never loses the rest of the class.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "workbook/grading/grade.hpp"

namespace workbook::grading {

struct StudentResult {
  std::string student;
  std::optional<SubmissionGrade> grade;  // absent when grading this student failed
  std::string error;                     // why, when it failed
};

// Header: student, one column per exercise (its id; the cell is the points earned), total, error.
// Exercises are every exercise any row has, in registry order; a row without one leaves the cell empty,
// and an error row leaves every cell but the error empty. Rows are in the order given.
std::string gradebook_csv(const std::vector<StudentResult>& rows);

// One CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180).
std::string csv_field(const std::string& text);

// A graded row is its SubmissionGrade JSON (to_json); an error row is {"student": ..., "error": ...}.
nlohmann::json to_json(const StudentResult& row);
StudentResult student_result_from_json(const nlohmann::json& json);

}  // namespace workbook::grading
