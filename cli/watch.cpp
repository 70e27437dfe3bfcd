// `workbook watch DIR`: re-checks the exercise whose file was just saved and shows the result in place;
// after a pass it names the next unfinished exercise. inotify where it works, polling where it does not
// (network file systems, some containers).

#include <sys/inotify.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <map>
#include <thread>

#include "options.hpp"
#include "workbook/grading/grade.hpp"
#include "workbook/registry.hpp"
#include "workbook/report.hpp"

namespace workbook::cli {

namespace {

using Stamps = std::map<std::filesystem::path, std::filesystem::file_time_type>;

Stamps stamps_of(const std::filesystem::path& dir) {
  Stamps stamps;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, error); it != decltype(it)(); it.increment(error))
    if (it->is_regular_file(error)) stamps[it->path()] = it->last_write_time(error);
  return stamps;
}

// Blocks until a file under `dir` is written; returns the files that changed.
class Watcher {
 public:
  explicit Watcher(const std::filesystem::path& dir) : dir_(dir), stamps_(stamps_of(dir)) {
    fd_ = inotify_init1(IN_CLOEXEC);
    if (fd_ >= 0) {
      std::error_code error;
      add(dir);
      for (auto it = std::filesystem::recursive_directory_iterator(dir, error); it != decltype(it)(); it.increment(error))
        if (it->is_directory(error)) add(it->path());
    }
    if (fd_ < 0) std::cerr << "workbook watch: inotify is not available here: checking for changes every second\n";
  }
  ~Watcher() {
    if (fd_ >= 0) ::close(fd_);
  }

  std::vector<std::filesystem::path> wait() {
    while (true) {
      if (fd_ >= 0) {
        char buffer[4096];
        if (read(fd_, buffer, sizeof buffer) <= 0) std::this_thread::sleep_for(std::chrono::seconds(1));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let an editor finish its writes
      } else {
        std::this_thread::sleep_for(std::chrono::seconds(1));
      }
      auto now = stamps_of(dir_);
      std::vector<std::filesystem::path> changed;
      for (const auto& [path, time] : now) {
        auto before = stamps_.find(path);
        if (before == stamps_.end() || before->second != time) changed.push_back(path);
      }
      stamps_ = std::move(now);
      if (!changed.empty()) return changed;
    }
  }

 private:
  void add(const std::filesystem::path& path) {
    if (inotify_add_watch(fd_, path.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  std::filesystem::path dir_;
  Stamps stamps_;
  int fd_ = -1;
};

// The exercise a changed file belongs to: DIR/<collection>/<number>.cpp, or every answers-only exercise
// for answers.toml (empty: not an exercise's file).
using Outcomes = std::map<std::string, grading::Outcome, bool (*)(const std::string&, const std::string&)>;

std::vector<std::string> exercises_for(const std::filesystem::path& dir, const std::filesystem::path& file,
                                       const Outcomes& known) {
  const auto rel = std::filesystem::relative(file, dir);
  if (rel == "answers.toml") {
    std::vector<std::string> ids;
    for (const auto& [id, outcome] : known) ids.push_back(id);
    return ids;
  }
  if (rel.extension() != ".cpp") return {};
  auto id = rel.parent_path().generic_string() + "/" + rel.stem().string();
  return find_exercise(id).exercise ? std::vector<std::string>{id} : std::vector<std::string>{};
}

}  // namespace

int watch_command(const Args& args) {
  return with_usage_errors("watch", [&] {
    std::string dir;
    po::variables_map values;
    if (!parse_submission_command(args, "usage: workbook watch [DIR]", dir, values)) return ok;
    const auto base = grade_options(values);

    Outcomes known(&id_less);  // in workbook order, so "next" is the next exercise, not the next string
    for (const auto& e : grading::grade_submission(dir, base).exercises) known[e.id] = e.outcome;
    std::cout << "watching " << dir << ": save a file to check it (Ctrl-C to stop)" << std::endl;
    Watcher watcher(dir);
    while (true) {
      std::vector<std::string> ids;
      for (const auto& file : watcher.wait())
        for (const auto& id : exercises_for(dir, file, known))
          if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
      if (ids.empty()) continue;
      auto run = base;
      run.only = ids;
      const auto grade = grading::grade_submission(dir, run);
      if (isatty(STDOUT_FILENO)) std::cout << "\033[2J\033[H";  // in place: clear the screen
      for (const auto& e : grade.exercises) {
        known[e.id] = e.outcome;
        if (!e.report.parts.empty()) print_report(std::cout, e.report, TextStyle::for_stdout());
        std::cout << e.id << ": " << to_string(e.outcome) << (e.cause.empty() ? "" : " — " + e.cause) << "\n";
        if (!e.build_log.empty()) std::cout << e.build_log << "\n";
      }
      if (grade.exercises.size() == 1 && grade.exercises.front().outcome == grading::Outcome::pass) {
        for (const auto& [id, outcome] : known)
          if (outcome != grading::Outcome::pass) {
            std::cout << "next: " << id << " (workbook show " << id << ")\n";
            break;
          }
      }
      std::cout << std::flush;
    }
  });
}

}  // namespace workbook::cli
