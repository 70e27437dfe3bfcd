// `workbook watch DIR`: says at once where the student stands (from DIR/.workbook/progress.json), checks
// everything in the background, and re-checks the exercise whose file was just saved, showing the result and
// what to do next, as rustlings does. A save made while the background check runs is checked at once; its
// result is never overwritten by the background's older one. inotify where it works, polling where it does not
// (network file systems, some containers).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "options.hpp"
#include "progress.hpp"
#include "workbook/grading/formats.hpp"
#include "workbook/grading/grade.hpp"
#include "workbook/registry.hpp"
#include "workbook/report.hpp"

namespace workbook::cli {

namespace {

using Stamps = std::map<std::filesystem::path, std::filesystem::file_time_type>;

Stamps stamps_of(const std::filesystem::path& dir) {
  Stamps stamps;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, error); it != decltype(it)(); it.increment(error)) {
    if (it->path().filename() == ".workbook") it.disable_recursion_pending();
    else if (it->is_regular_file(error)) stamps[it->path()] = it->last_write_time(error);
  }
  return stamps;
}

// Notices writes under `dir`: fd() becomes readable on a change (inotify), or, without inotify, changed() is
// asked once a second and compares modification times.
class Watcher {
 public:
  explicit Watcher(const std::filesystem::path& dir) : dir_(dir), stamps_(stamps_of(dir)) {
    fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
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
  int fd() const { return fd_; }

  // The files written since the last call (inotify's queue is drained first).
  std::vector<std::filesystem::path> changed() {
    if (fd_ >= 0) {
      char buffer[4096];
      while (read(fd_, buffer, sizeof buffer) > 0) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let an editor finish its writes
    }
    auto now = stamps_of(dir_);
    std::vector<std::filesystem::path> out;
    for (const auto& [path, time] : now) {
      const auto before = stamps_.find(path);
      if (before == stamps_.end() || before->second != time) out.push_back(path);
    }
    stamps_ = std::move(now);
    return out;
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

// The exercises a changed file belongs to: DIR/<collection>/<number>.cpp, or every exercise for answers.toml.
std::vector<std::string> exercises_for(const std::filesystem::path& dir, const std::filesystem::path& file) {
  const auto rel = std::filesystem::relative(file, dir);
  std::vector<std::string> ids;
  if (rel == "answers.toml") {
    for (const auto& ex : all_exercises()) ids.push_back(ex.id);
    return ids;
  }
  if (rel.extension() != ".cpp") return ids;
  const auto id = rel.parent_path().generic_string() + "/" + rel.stem().string();
  if (find_exercise(id).exercise) ids.push_back(id);
  return ids;
}

// `workbook grade DIR --format json` in a child process, its report read from a pipe as it comes.
class BackgroundCheck {
 public:
  BackgroundCheck(const std::string& dir, const po::variables_map& values) {
    std::vector<std::string> args = {"/proc/self/exe", "grade", dir, "--format", "json"};
    for (const char* option : {"cache", "seed"})
      if (values.count(option)) args.insert(args.end(), {std::string("--") + option, values[option].as<std::string>()});
    if (values.count("timeout")) args.insert(args.end(), {"--timeout", std::to_string(values["timeout"].as<double>())});
    if (values.count("full")) args.push_back("--full");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return;
    std::cout.flush();
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      const int null = open("/dev/null", O_WRONLY);
      dup2(null, 2);
      execv(argv[0], argv.data());
      _exit(127);
    }
    ::close(out[1]);
    fd_ = pid_ > 0 ? out[0] : (::close(out[0]), -1);
  }
  ~BackgroundCheck() {
    if (pid_ > 0) kill(pid_, SIGTERM), waitpid(pid_, nullptr, 0);
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }
  // Reads what is there; the finished grade once the report is complete.
  std::optional<grading::SubmissionGrade> read_some() {
    char buffer[65536];
    const ssize_t n = read(fd_, buffer, sizeof buffer);
    if (n > 0) {
      text_.append(buffer, static_cast<std::size_t>(n));
      return std::nullopt;
    }
    ::close(fd_);
    fd_ = -1;
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    try {
      return grading::grade_from_json(nlohmann::json::parse(text_));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string text_;
};

void print_standing(const Progress& progress) {
  const auto next = progress.next_unfinished();
  std::cout << progress.passed() << " of " << all_exercises().size() << " exercises pass";
  if (!next.empty()) std::cout << "; next: " << next << " (" << to_string(*progress.outcome(next)) << ", workbook show " << next << ")";
  std::cout << std::endl;
}

}  // namespace

int watch_command(const Args& args) {
  return with_usage_errors("watch", [&] {
    std::string dir;
    po::variables_map values;
    if (!parse_submission_command(args, "usage: workbook watch [DIR]", dir, values)) return ok;
    if (!std::filesystem::is_directory(dir)) throw po::error("no submission directory " + dir);
    const auto base = grade_options(values);
    Progress progress(dir);
    std::cout << "watching " << dir << ": save a file to check it (Ctrl-C to stop)\n";
    print_standing(progress);
    std::cout << "checking everything in the background...\n" << std::flush;

    Watcher watcher(dir);
    BackgroundCheck background(dir, values);
    std::set<std::string> checked_since_start;  // newer than what the background check will say
    while (true) {
      std::vector<pollfd> fds;
      if (watcher.fd() >= 0) fds.push_back({watcher.fd(), POLLIN, 0});
      if (background.fd() >= 0) fds.push_back({background.fd(), POLLIN, 0});
      poll(fds.data(), fds.size(), 1000);
      const auto ready = [&](int fd) {
        for (const auto& p : fds)
          if (p.fd == fd && p.revents) return true;
        return false;
      };
      if (background.fd() >= 0 && ready(background.fd())) {
        if (auto everything = background.read_some()) {
          std::erase_if(everything->exercises, [&](const auto& e) { return checked_since_start.count(e.id) > 0; });
          progress.record(*everything);
          std::cout << "checked everything: ";
          print_standing(progress);
        }
      }
      if (watcher.fd() >= 0 && !ready(watcher.fd())) continue;
      std::vector<std::string> ids;
      for (const auto& file : watcher.changed())
        for (const auto& id : exercises_for(dir, file))
          if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
      if (ids.empty()) continue;
      auto run = base;
      run.only = ids;
      const auto grade = grading::grade_submission(dir, run);
      checked_since_start.insert(ids.begin(), ids.end());
      progress.record(grade);
      if (isatty(STDOUT_FILENO)) std::cout << "\033[2J\033[H";  // in place: clear the screen
      for (const auto& e : grade.exercises) {
        if (!e.report.parts.empty()) print_report(std::cout, e.report, TextStyle::for_stdout());
        std::cout << e.id << ": " << to_string(e.outcome) << (e.cause.empty() ? "" : " — " + e.cause) << "\n";
        if (!e.build_log.empty()) std::cout << e.build_log << "\n";
      }
      if (grade.exercises.size() == 1) print_next_step(std::cout, grade.exercises.front(), progress);
      else print_standing(progress);
      std::cout << std::flush;
    }
  });
}

}  // namespace workbook::cli
