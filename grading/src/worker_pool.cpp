#include "workbook/grading/worker_pool.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "workbook/grading/formats.hpp"
#include "workbook/grading/sandbox.hpp"

namespace workbook::grading {

namespace {

// A private directory for the workers' replies, removed when the work is done.
struct ReplyDir {
  std::filesystem::path path;
  ReplyDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "workbook-workers-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a directory under " + pattern);
    path = pattern;
  }
  ~ReplyDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

[[noreturn]] void run_worker(std::size_t i, const WorkerTask& task, const std::filesystem::path& reply) {
  setpgid(0, 0);  // its own group: a kill at the time limit takes what it started too
  signal(SIGPIPE, SIG_IGN);  // a process it talks to may go away; that is a result, not the worker's death
  nlohmann::json json;
  try {
    json = {{"ok", task(i)}};
  } catch (const std::exception& error) {
    json = {{"error", std::string(error.what())}};
  } catch (...) {
    json = {{"error", "an unknown exception"}};
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

WorkerResult collect(const std::filesystem::path& reply, int status, bool killed) {
  if (killed) return {std::nullopt, "did not finish in time: stopped"};
  std::ifstream in(reply, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    try {
      auto json = nlohmann::json::parse(text.str());
      if (json.contains("ok")) return {json["ok"], ""};
      if (json.contains("error")) return {std::nullopt, json["error"].get<std::string>()};
    } catch (const std::exception&) {
    }
    return {std::nullopt, "the worker's reply was unreadable"};
  }
  if (WIFSIGNALED(status)) return {std::nullopt, "the worker died of " + signal_name(WTERMSIG(status))};
  return {std::nullopt, "the worker exited with status " + std::to_string(WEXITSTATUS(status))};
}

}  // namespace

void run_in_workers(std::size_t count, int jobs, const WorkerTask& task, const WorkerDone& done,
                    std::chrono::milliseconds limit) {
  const std::size_t slots = static_cast<std::size_t>(std::max(1, jobs));
  const ReplyDir replies;
  struct Running {
    std::size_t task;
    std::chrono::steady_clock::time_point deadline;
  };
  std::map<pid_t, Running> running;
  std::size_t next = 0, finished = 0;
  const auto reply_of = [&](std::size_t i) { return replies.path / (std::to_string(i) + ".json"); };
  while (finished < count) {
    while (running.size() < slots && next < count) {
      std::fflush(nullptr);  // or the worker would print this process's buffered output again
      const pid_t pid = fork();
      if (pid == 0) run_worker(next, task, reply_of(next));
      if (pid < 0) {
        ++finished;
        done(next, {std::nullopt, "cannot start a worker process"});
      } else {
        setpgid(pid, pid);
        running.emplace(pid, Running{next, std::chrono::steady_clock::now() + limit});
      }
      ++next;
    }
    if (running.empty()) continue;
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid < 0 && errno != EINTR && errno != ECHILD) throw std::runtime_error("waitpid failed while waiting for workers");
    const auto now = std::chrono::steady_clock::now();
    if (pid <= 0) {
      for (auto& [worker, r] : running)
        if (now >= r.deadline) kill(-worker, SIGKILL), kill(worker, SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      continue;
    }
    const auto worker = running.find(pid);
    if (worker == running.end()) continue;  // not one of ours
    const auto r = worker->second;
    running.erase(worker);
    ++finished;
    done(r.task, collect(reply_of(r.task), status, WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && now >= r.deadline));
  }
}

}  // namespace workbook::grading
