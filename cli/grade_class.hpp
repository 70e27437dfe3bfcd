#pragma once
// `workbook grade --class ROOT`: every student of a class, in parallel, into a gradebook (or, with
// --shard, one slice of the class into a shard file for `workbook merge`). Each student's row is also kept
// as OUT/<student>/grade.json, so that `--student NAME` regrades one student (after a grader error, say)
// and the gradebook is written again from every row.

#include <filesystem>
#include <optional>
#include <vector>

#include "workbook/grading/formats.hpp"
#include "workbook/grading/grade.hpp"
#include "workbook/grading/shards.hpp"

namespace workbook::cli {

struct ClassRequest {
  std::filesystem::path root;                   // one subdirectory per student
  std::filesystem::path out;                    // gradebook.csv or the shard file, and OUT/<student>/
  std::vector<grading::ReportFormat> formats;   // each student's reports
  int jobs = 1;                                 // students graded at once
  std::optional<grading::Shard> shard;
  std::vector<std::string> students;            // --student: regrade only these; the others' rows are kept
  grading::GradeOptions options;
};

int grade_class(const ClassRequest& request);

}  // namespace workbook::cli
