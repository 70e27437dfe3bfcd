// Worker processes rather than threads: a student's grading builds in a cache and runs checks in
// processes of its own, and could in the worst case crash; a process per student confines all of that
// to the student, and the parent only collects JSON.

#include "workbook/grading/class_grade.hpp"

#include <algorithm>

#include "workbook/grading/worker_pool.hpp"

namespace workbook::grading {

std::vector<std::string> list_students(const std::filesystem::path& root) {
  std::vector<std::string> students;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    const auto name = entry.path().filename().string();
    if (entry.is_directory() && !entry.is_symlink() && !name.starts_with(".")) students.push_back(name);
  }
  std::sort(students.begin(), students.end());
  return students;
}

std::vector<StudentResult> grade_students(const std::vector<std::string>& students, int jobs,
                                          const GradeOne& grade_one, const OnFinished& on_finished) {
  std::vector<StudentResult> rows(students.size());
  std::size_t done = 0;
  run_in_workers(
      students.size(), jobs, [&](std::size_t i) { return to_json(grade_one(students[i])); },
      [&](std::size_t i, WorkerResult result) {
        rows[i] = {students[i], std::nullopt, "grading failed: " + result.error};
        if (result.json) {
          try {
            auto row = student_result_from_json(*result.json);
            if (row.student == students[i]) rows[i] = std::move(row);
            else rows[i].error = "grading failed: the worker's reply named another student";
          } catch (const std::exception&) {
            rows[i].error = "grading failed: the worker's reply was unreadable";
          }
        }
        on_finished(rows[i], ++done, students.size());
      });
  return rows;
}

}  // namespace workbook::grading
