#include "grade_class.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "workbook/grading/class_grade.hpp"
#include "workbook/grading/sandbox.hpp"

namespace workbook::cli {

namespace {

void print_progress(const grading::StudentResult& row, std::size_t done, std::size_t total) {
  const auto width = std::to_string(total).size();
  char count[64];
  std::snprintf(count, sizeof count, "[%*zu/%zu]", static_cast<int>(width), done, total);
  std::cout << count << " " << row.student << ": ";
  if (row.grade)
    std::cout << row.grade->score << "/" << row.grade->max_score << " points in " << static_cast<int>(row.grade->seconds + 0.5)
              << " s\n";
  else
    std::cout << row.error << "\n";
  std::cout.flush();  // a batch engine's log shows progress as it happens
}

// A row kept from an earlier run (OUT/<student>/grade.json), or an error row saying there is none.
grading::StudentResult kept_row(const std::filesystem::path& out, const std::string& student) {
  std::ifstream in(out / student / "grade.json");
  try {
    if (in) return grading::student_result_from_json(nlohmann::json::parse(in));
  } catch (const std::exception&) {
  }
  return {student, std::nullopt, "not graded yet"};
}

}  // namespace

int grade_class(const ClassRequest& request) {
  const auto everyone = grading::list_students(request.root);
  if (everyone.empty()) throw std::runtime_error("no student directories in " + request.root.string());
  auto students = request.shard ? grading::shard_slice(everyone, *request.shard) : everyone;
  if (!request.students.empty()) {
    for (const auto& name : request.students)
      if (std::find(everyone.begin(), everyone.end(), name) == everyone.end())
        throw std::runtime_error("no student " + name + " in " + request.root.string());
    students = request.students;
  }
  // Asked here, once, before the workers fork: they inherit the answer instead of each probing again.
  if (!grading::bubblewrap_available())
    std::cerr << "workbook: bubblewrap is not available: student code runs with rlimits only "
                 "(apt-get install bubblewrap)\n";
  std::cout << "grading " << students.size() << " student(s)";
  if (request.shard) std::cout << " (shard " << request.shard->index << "/" << request.shard->count << " of " << everyone.size() << ")";
  std::cout << ", " << request.jobs << " at a time\n";

  auto options = request.options;
  options.jobs = 1;  // students are what runs in parallel; within a student, one exercise at a time
  const auto rows = grading::grade_students(
      students, request.jobs,
      [&](const std::string& student) {
        auto grade = grading::grade_submission(request.root / student, options);
        grading::write_reports(grade, request.formats, request.out / student);
        grading::write_atomically(request.out / student / "grade.json", grading::dump_json(grading::to_json(grade)));
        return grade;
      },
      print_progress);
  std::vector<grading::StudentResult> all_rows;  // the whole class (or shard): regraded rows and kept ones
  for (const auto& student : request.shard ? grading::shard_slice(everyone, *request.shard) : everyone) {
    const auto regraded = std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.student == student; });
    all_rows.push_back(regraded != rows.end() ? *regraded : kept_row(request.out, student));
  }
  std::size_t grader_errors = 0;
  for (auto& row : all_rows)
    if (row.grade && row.grade->grader_errors()) {
      ++grader_errors;
      row.error = "grader error in " + std::to_string(row.grade->grader_errors()) +
                  " exercise(s), not the student's doing: regrade with --student " + row.student;
    }

  std::filesystem::path written;
  if (request.shard) {
    written = request.out / grading::shard_file_name(*request.shard);
    grading::write_atomically(written, grading::dump_json(grading::shard_json(all_rows, *request.shard, everyone.size())));
  } else {
    written = request.out / "gradebook.csv";
    grading::write_atomically(written, grading::gradebook_csv(all_rows));
  }
  std::size_t failed = 0;
  for (const auto& row : all_rows) failed += row.grade ? 0 : 1;
  std::cout << "wrote " << written.string();
  if (failed) std::cout << "; " << failed << " student(s) could not be graded (see the error column)";
  if (grader_errors) std::cout << "; " << grader_errors << " student(s) met a grader error: regrade them with --student";
  std::cout << "\n";
  return failed || grader_errors ? run_error : ok;
}

}  // namespace workbook::cli
