#include "grade_class.hpp"

#include <cstdio>
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

}  // namespace

int grade_class(const ClassRequest& request) {
  const auto everyone = grading::list_students(request.root);
  if (everyone.empty()) throw std::runtime_error("no student directories in " + request.root.string());
  const auto students = request.shard ? grading::shard_slice(everyone, *request.shard) : everyone;
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
        return grade;
      },
      print_progress);

  std::filesystem::path written;
  if (request.shard) {
    written = request.out / grading::shard_file_name(*request.shard);
    grading::write_atomically(written, grading::dump_json(grading::shard_json(rows, *request.shard, everyone.size())));
  } else {
    written = request.out / "gradebook.csv";
    grading::write_atomically(written, grading::gradebook_csv(rows));
  }
  std::size_t failed = 0;
  for (const auto& row : rows) failed += row.grade ? 0 : 1;
  std::cout << "wrote " << written.string();
  if (failed) std::cout << "; " << failed << " student(s) could not be graded (see the error column)";
  std::cout << "\n";
  return ok;
}

}  // namespace workbook::cli
