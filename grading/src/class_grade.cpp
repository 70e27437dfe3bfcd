// Worker processes rather than threads: a student's grading also runs exercise code in this process
// (answers-only checks), builds in a cache keyed by process id, and could in the worst case crash;
// a process per student confines all of that to the student, and the parent only collects JSON.

#include "workbook/grading/class_grade.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "workbook/grading/formats.hpp"
#include "workbook/grading/sandbox.hpp"

namespace workbook::grading {

namespace {

// A private directory for the workers' replies, removed when the class is done.
struct ReplyDir {
  std::filesystem::path path;
  ReplyDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "workbook-class-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a directory under " + pattern);
    path = pattern;
  }
  ~ReplyDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

[[noreturn]] void run_worker(const std::string& student, const GradeOne& grade_one, const std::filesystem::path& reply) {
  nlohmann::json json;
  try {
    json = to_json(grade_one(student));
  } catch (const std::exception& error) {
    json = to_json(StudentResult{student, std::nullopt, std::string("grading failed: ") + error.what()});
  } catch (...) {
    json = to_json(StudentResult{student, std::nullopt, "grading failed: an unknown exception"});
  }
  {
    std::ofstream out(reply, std::ios::binary);
    out << dump_json(json);
    out.close();
    if (!out) _exit(3);
  }
  std::fflush(nullptr);
  _exit(0);  // not exit(): the parent's static objects and atexit handlers are the parent's to run
}

StudentResult collect(const std::string& student, const std::filesystem::path& reply, int status) {
  std::ifstream in(reply, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    try {
      auto row = student_result_from_json(nlohmann::json::parse(text.str()));
      if (row.student == student) return row;
    } catch (const std::exception&) {
    }
    return {student, std::nullopt, "grading failed: the worker's reply was unreadable"};
  }
  if (WIFSIGNALED(status))
    return {student, std::nullopt, "grading failed: the worker died of " + signal_name(WTERMSIG(status))};
  return {student, std::nullopt, "grading failed: the worker exited with status " + std::to_string(WEXITSTATUS(status))};
}

}  // namespace

std::vector<std::string> list_students(const std::filesystem::path& root) {
  std::vector<std::string> students;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    const auto name = entry.path().filename().string();
    if (entry.is_directory() && !name.starts_with(".")) students.push_back(name);
  }
  std::sort(students.begin(), students.end());
  return students;
}

std::vector<StudentResult> grade_students(const std::vector<std::string>& students, int jobs,
                                          const GradeOne& grade_one, const OnFinished& on_finished) {
  const std::size_t slots = static_cast<std::size_t>(std::max(1, jobs));
  const ReplyDir replies;
  std::vector<StudentResult> rows(students.size());
  std::map<pid_t, std::size_t> running;  // worker -> index of its student
  std::size_t next = 0, done = 0;
  const auto reply_of = [&](std::size_t i) { return replies.path / (std::to_string(i) + ".json"); };
  while (done < students.size()) {
    while (running.size() < slots && next < students.size()) {
      std::fflush(nullptr);  // or the worker would print this process's buffered output again
      const pid_t pid = fork();
      if (pid == 0) run_worker(students[next], grade_one, reply_of(next));
      if (pid < 0) {
        rows[next] = {students[next], std::nullopt, "grading failed: cannot start a worker process"};
        on_finished(rows[next], ++done, students.size());
      } else {
        running.emplace(pid, next);
      }
      ++next;
    }
    if (running.empty()) continue;
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("waitpid failed while grading the class");
    }
    const auto worker = running.find(pid);
    if (worker == running.end()) continue;  // not one of ours
    const auto i = worker->second;
    running.erase(worker);
    rows[i] = collect(students[i], reply_of(i), status);
    on_finished(rows[i], ++done, students.size());
  }
  return rows;
}

}  // namespace workbook::grading
