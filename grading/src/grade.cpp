#include "workbook/grading/grade.hpp"

#include <atomic>
#include <csignal>
#include <mutex>
#include <thread>
#include <fstream>
#include <random>
#include <sstream>

#include "workbook/registry.hpp"
#include "workbook/report.hpp"

namespace workbook::grading {

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string first_lines(const std::string& text, std::size_t lines) {
  std::size_t at = 0;
  for (std::size_t i = 0; i < lines && at != std::string::npos; ++i) at = text.find('\n', at + 1);
  return at == std::string::npos ? text : text.substr(0, at) + "\n[... cut]";
}

std::string fresh_token() {
  std::random_device device;
  std::ostringstream token;
  for (int i = 0; i < 4; ++i) token << std::hex << device();
  return token.str();
}

bool asks_for_code(const Kit& kit, const std::string& id) {
  return std::filesystem::exists(kit.include_dir / (id + ".hpp"));
}

int automatic_points(const Exercise& ex) {
  int points = 0;
  for (const auto& part : ex.parts)
    if (part.has_automatic_checks()) points += part.points;
  return points;
}

// The most telling cause among the checks of a report that came back.
void classify_checks(ExerciseGrade& grade) {
  Outcome worst = grade.report.status == Status::pass ? Outcome::pass : Outcome::fail;
  std::string cause;
  int rank = 0;  // higher wins
  const auto consider = [&](Outcome o, int r, const std::string& why) {
    if (r > rank) rank = r, worst = o, cause = why;
  };
  bool all_unanswered = true, any_automatic = false;
  for (const auto& part : grade.report.parts)
    for (const auto& check : part.checks) {
      const auto& m = check.result.message;
      if (check.kind == CheckKind::manual) continue;
      any_automatic = true;
      const bool unanswered = m.rfind("no answer", 0) == 0;
      all_unanswered &= unanswered;
      if (m.find("ran out of memory") != std::string::npos) consider(Outcome::memory_limit, 6, m);
      else if (m.rfind("threw an exception", 0) == 0) consider(Outcome::exception, 5, m);
      else if (m.find("NaN is not allowed") != std::string::npos || check.result.actual == "inf" ||
               check.result.actual == "-inf")
        consider(Outcome::non_finite, 4, "produced NaN or Inf where a number was due: " + check.name);
      else if (m.rfind("answers file unreadable", 0) == 0) consider(Outcome::answers_malformed, 3, m);
      else if (m.rfind("not implemented", 0) == 0) consider(Outcome::not_implemented, 2, m);
    }
  if (any_automatic && all_unanswered) worst = Outcome::not_started, cause = "no answers given";
  if (!any_automatic) worst = Outcome::pass, cause = "graded by hand only";
  grade.outcome = worst;
  grade.cause = cause;
}

void grade_answers_only(ExerciseGrade& grade, const Exercise& ex, const AnswerBook& answers, const GradeOptions& options) {
  RunOptions run;
  run.seed = options.seed;
  run.full = options.full;
  grade.report = run_exercise(ex, answers, run);  // no student code runs: answers are data
  grade.run_seconds = grade.report.seconds;
  classify_checks(grade);
}

void grade_code(ExerciseGrade& grade, const Exercise& ex, const std::filesystem::path& source, const Kit& kit,
                const std::string& answers_text, const GradeOptions& options) {
  const auto build = build_runner(kit, ex.id, source, options.cache_dir, options.limits);
  grade.build_seconds = build.seconds;
  grade.cached_build = build.status == BuildResult::Status::cached;
  if (build.status == BuildResult::Status::compile_error || build.status == BuildResult::Status::failed) {
    grade.outcome = Outcome::compile_error;
    grade.build_log = first_lines(build.log, 40);
    grade.cause = "does not compile: see the build log";
    return;
  }
  if (build.status == BuildResult::Status::link_error) {
    grade.outcome = Outcome::link_error;
    grade.build_log = first_lines(build.log, 40);
    grade.cause = "function missing: " + build.missing.front();
    return;
  }
  SandboxSpec spec;
  spec.argv = {build.runner.string(), "--seed", std::to_string(options.seed)};
  if (options.full) spec.argv.push_back("--full");
  spec.read_only = {build.runner};
  spec.drop_to_nobody = reachable_by_others(build.runner);
  spec.working_directory = "/tmp";
  const auto token = fresh_token();
  spec.stdin_text = token + "\n" + answers_text;
  spec.wants_report_fd = true;
  spec.limits = options.limits;
  if (ex.timeout_seconds > 0 && !options.timeout_from_command_line)
    spec.limits.wall = std::chrono::milliseconds(static_cast<long>(ex.timeout_seconds * 1000));
  const auto run = run_sandboxed(spec);
  grade.run_seconds = run.seconds;
  grade.output = run.out + (run.err.empty() ? "" : "\n[stderr]\n" + run.err);
  grade.output_cut = run.output_cut;

  if (!run.started) {
    grade.outcome = Outcome::crashed, grade.cause = "could not start: " + run.error;
  } else if (run.timed_out) {
    grade.outcome = Outcome::timed_out;
    grade.cause = "stopped after " + std::to_string(options.limits.wall.count() / 1000.0).substr(0, 4) + " s";
  } else if (run.output_limit) {
    grade.outcome = Outcome::output_limit, grade.cause = "printed more than 8 MiB: stopped";
  } else if (run.signal == SIGXCPU) {
    grade.outcome = Outcome::timed_out, grade.cause = "CPU time limit (" + std::to_string(options.limits.cpu_seconds) + " s)";
  } else if (run.signal == SIGXFSZ) {
    grade.outcome = Outcome::output_limit, grade.cause = "wrote a file larger than the limit";
  } else if (run.signal == SIGKILL) {
    grade.outcome = Outcome::memory_limit, grade.cause = "killed (SIGKILL), most likely out of memory";
  } else if (run.signal != 0) {
    grade.outcome = Outcome::crashed, grade.cause = "crashed: " + signal_name(run.signal);
  } else {
    nlohmann::json reply;
    try {
      reply = nlohmann::json::parse(run.report);
    } catch (const std::exception&) {
    }
    if (!reply.is_object() || reply.value("token", "") != token || !reply.contains("report")) {
      grade.outcome = Outcome::no_report;
      grade.cause = run.exit_code != 0 ? "exited with status " + std::to_string(run.exit_code) + " before the checks finished"
                                       : "the checks' report was missing or altered";
      return;
    }
    grade.report = report_from_json(reply["report"]);
    classify_checks(grade);
  }
}

}  // namespace

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::pass: return "pass";
    case Outcome::fail: return "fail";
    case Outcome::not_started: return "not started";
    case Outcome::not_implemented: return "not implemented";
    case Outcome::compile_error: return "compile error";
    case Outcome::link_error: return "link error";
    case Outcome::crashed: return "crashed";
    case Outcome::timed_out: return "timed out";
    case Outcome::memory_limit: return "memory limit";
    case Outcome::output_limit: return "output limit";
    case Outcome::exception: return "threw an exception";
    case Outcome::non_finite: return "NaN or Inf";
    case Outcome::answers_malformed: return "answers.toml malformed";
    case Outcome::no_report: return "no report";
  }
  return "?";
}

bool is_error(Outcome o) {
  return o != Outcome::pass && o != Outcome::fail && o != Outcome::not_started && o != Outcome::not_implemented;
}

std::filesystem::path student_source(const std::filesystem::path& dir, const std::string& exercise_id) {
  return dir / (exercise_id + ".cpp");
}

SubmissionGrade grade_submission(const std::filesystem::path& dir, const GradeOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  SubmissionGrade result;
  result.dir = dir;
  result.student = std::filesystem::absolute(dir).lexically_normal().filename().string();
  if (result.student.empty()) result.student = std::filesystem::absolute(dir).parent_path().filename().string();
  result.seed = options.seed;
  result.sandboxed = bubblewrap_available();
  const Kit kit = load_kit(options.kit);

  const auto answers_path = dir / "answers.toml";
  const std::string answers_text = std::filesystem::exists(answers_path) ? read_text(answers_path) : "";
  AnswerBook answers;
  try {
    answers.add_text(answers_text, "answers.toml");
  } catch (const AnswersFileError& error) {
    answers.mark_unreadable(error.what());
  }

  // Describe every exercise first; code exercises are then built and run by a pool of workers (each in
  // its own sandboxed process), answers-only ones checked here, one after another (their checks run in
  // this process and may keep caches).
  std::vector<Exercise> chosen;
  for (auto& ex : all_exercises())
    if (options.only.empty() || std::find(options.only.begin(), options.only.end(), ex.id) != options.only.end())
      chosen.push_back(std::move(ex));
  result.exercises.resize(chosen.size());
  std::vector<std::size_t> code_work, answers_work;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    const auto& ex = chosen[i];
    auto& grade = result.exercises[i];
    grade.id = ex.id;
    grade.title = ex.title;
    grade.max_score = automatic_points(ex);
    if (!asks_for_code(kit, ex.id)) {
      answers_work.push_back(i);
    } else if (!std::filesystem::exists(student_source(dir, ex.id))) {
      grade.outcome = Outcome::not_started;
      grade.cause = "no file " + std::filesystem::relative(student_source(dir, ex.id), dir).string();
    } else {
      code_work.push_back(i);
    }
  }
  std::mutex progress_lock;
  std::size_t done = chosen.size() - code_work.size();
  const auto report_progress = [&](const std::string& id) {
    if (!options.on_progress) return;
    std::lock_guard<std::mutex> lock(progress_lock);
    options.on_progress(++done, chosen.size(), id);
  };
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t k; (k = next++) < code_work.size();) {
      const auto i = code_work[k];
      try {
        grade_code(result.exercises[i], chosen[i], student_source(dir, chosen[i].id), kit, answers_text, options);
      } catch (const std::exception& error) {  // e.g. the student's "file" is a directory: this exercise only
        result.exercises[i].outcome = Outcome::compile_error;
        result.exercises[i].cause = std::string("cannot build: ") + error.what();
      }
      report_progress(chosen[i].id);
    }
  };
  const unsigned jobs = std::max(1u, options.jobs ? options.jobs : std::thread::hardware_concurrency());
  std::vector<std::thread> workers;
  for (unsigned j = 0; j < std::min<std::size_t>(jobs, code_work.size()); ++j) workers.emplace_back(worker);
  for (auto i : answers_work) grade_answers_only(result.exercises[i], chosen[i], answers, options);  // meanwhile
  for (auto& w : workers) w.join();

  for (std::size_t i = 0; i < chosen.size(); ++i) {
    auto& grade = result.exercises[i];
    // Keys in answers.toml that no part of this exercise asks for: likely misspelled.
    std::vector<std::string> asked;
    for (const auto& part : chosen[i].parts)
      for (const auto& a : part.answers) asked.push_back(a.key);
    for (const auto& key : answers.for_exercise(grade.id).keys())
      if (std::find(asked.begin(), asked.end(), key) == asked.end())
        grade.notes.push_back("answers.toml has \"" + key + "\", which no part of " + grade.id + " asks for");
    grade.score = grade.report.score;
    grade.manual_points = grade.report.manual_points;
    result.score += grade.score;
    result.max_score += grade.max_score;
    result.manual_points += grade.manual_points;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace workbook::grading
