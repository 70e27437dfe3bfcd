#include "workbook/grading/grade.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "workbook/grading/solution_process.hpp"
#include "workbook/grading/submission_files.hpp"
#include "workbook/grading/worker_pool.hpp"
#include "workbook/registry.hpp"
#include "workbook/report.hpp"

namespace workbook::grading {

namespace {

std::string first_lines(const std::string& text, std::size_t lines) {
  std::size_t at = 0;
  for (std::size_t i = 0; i < lines && at != std::string::npos; ++i) at = text.find('\n', at + 1);
  return at == std::string::npos ? text : text.substr(0, at) + "\n[... cut]";
}

int automatic_points(const Exercise& ex) {
  int points = 0;
  for (const auto& part : ex.parts)
    if (part.has_automatic_checks()) points += part.points;
  return points;
}

// The points, from the exercise as this program defines it and the verdicts of its checks: a part earns
// its points when it has as many checks as the definition says and every one passed. Never more than
// the exercise's maximum, whatever the report says.
int trusted_score(const Exercise& ex, const ExerciseReport& report) {
  int score = 0;
  for (const auto& part : ex.parts) {
    if (!part.has_automatic_checks()) continue;
    const auto found = std::find_if(report.parts.begin(), report.parts.end(),
                                    [&](const PartReport& p) { return p.label == part.label; });
    if (found == report.parts.end() || found->checks.size() != part.checks.size()) continue;
    const bool passed = std::all_of(found->checks.begin(), found->checks.end(), [](const CheckReport& c) {
      return c.kind == CheckKind::manual || c.result.status == Status::pass;
    });
    if (passed) score += part.points;
  }
  return std::min(score, automatic_points(ex));
}

// The most telling cause among the checks of a report, from the causes the checks set.
void classify_checks(ExerciseGrade& grade) {
  Outcome worst = grade.report.status == Status::pass ? Outcome::pass : Outcome::fail;
  std::string cause;
  int rank = 0;  // higher wins
  bool all_unanswered = true, any_automatic = false;
  for (const auto& part : grade.report.parts)
    for (const auto& check : part.checks) {
      if (check.kind == CheckKind::manual) continue;
      any_automatic = true;
      const auto& r = check.result;
      all_unanswered &= r.cause == Cause::no_answer;
      const auto consider = [&](Outcome o, int level, const std::string& why) {
        if (level > rank) rank = level, worst = o, cause = why;
      };
      switch (r.cause) {
        case Cause::out_of_memory: consider(Outcome::memory_limit, 6, r.message); break;
        case Cause::exception: consider(Outcome::exception, 5, r.message); break;
        case Cause::non_finite: consider(Outcome::non_finite, 4, "produced NaN or Inf where a number was due: " + check.name); break;
        case Cause::answers_unreadable: consider(Outcome::answers_malformed, 3, r.message); break;
        case Cause::not_implemented: consider(Outcome::not_implemented, 2, r.message); break;
        default: break;
      }
    }
  if (any_automatic && all_unanswered) worst = Outcome::not_started, cause = "no answers given";
  if (!any_automatic) worst = Outcome::pass, cause = "graded by hand only";
  grade.outcome = worst;
  grade.cause = cause;
}

// How a solution's process that stopped answering ended.
void classify_lost(ExerciseGrade& grade, const SandboxResult& end, const std::string& lost, const Limits& limits) {
  if (end.timed_out) {
    grade.outcome = Outcome::timed_out;
    grade.cause = "stopped after " + std::to_string(limits.wall.count() / 1000.0).substr(0, 4) + " s";
  } else if (end.output_limit) {
    grade.outcome = Outcome::output_limit, grade.cause = "printed more than 8 MiB: stopped";
  } else if (end.signal == SIGXCPU) {
    grade.outcome = Outcome::timed_out, grade.cause = "CPU time limit (" + std::to_string(limits.cpu_seconds) + " s)";
  } else if (end.signal == SIGXFSZ) {
    grade.outcome = Outcome::output_limit, grade.cause = "wrote a file larger than the limit";
  } else if (end.signal == SIGKILL) {
    grade.outcome = Outcome::memory_limit, grade.cause = "killed (SIGKILL), most likely out of memory";
  } else if (end.signal != 0) {
    grade.outcome = Outcome::crashed, grade.cause = "crashed: " + signal_name(end.signal);
  } else {
    grade.outcome = Outcome::crashed;
    grade.cause = end.exit_code > 0 ? "exited with status " + std::to_string(end.exit_code) + " while the checks were running"
                                    : lost;
  }
}

nlohmann::json to_json(const SandboxResult& end) {
  return {{"exit_code", end.exit_code}, {"signal", end.signal},     {"timed_out", end.timed_out},
          {"output_limit", end.output_limit}, {"output_cut", end.output_cut}, {"out", end.out},
          {"err", end.err},            {"seconds", end.seconds}};
}

SandboxResult end_from_json(const nlohmann::json& json) {
  SandboxResult end;
  end.started = true;
  end.exit_code = json.at("exit_code");
  end.signal = json.at("signal");
  end.timed_out = json.at("timed_out");
  end.output_limit = json.at("output_limit");
  end.output_cut = json.at("output_cut");
  end.out = json.at("out");
  end.err = json.at("err");
  end.seconds = json.at("seconds");
  return end;
}

Limits exercise_limits(const Exercise& ex, const GradeOptions& options) {
  Limits limits = options.limits;
  if (ex.timeout_seconds > 0 && !options.timeout_from_command_line)
    limits.wall = std::chrono::milliseconds(static_cast<long>(ex.timeout_seconds * 1000));
  return limits;
}

// In a worker process: the exercise's checks, calling the student's solution process when there is one.
nlohmann::json check_exercise(const Exercise& ex, const std::filesystem::path& solution, const AnswerBook& answers,
                              const GradeOptions& options) {
  RunOptions run;
  run.seed = options.seed;
  run.full = options.full;
  if (solution.empty()) return {{"report", to_json(run_exercise(ex, answers, run))}};
  std::optional<SolutionProcess> process;
  try {
    process.emplace(solution, exercise_limits(ex, options), false);
  } catch (const SandboxStartError& error) {
    return {{"grader_error", error.what()}};
  }
  run.solution = &*process;
  nlohmann::json out = {{"report", to_json(run_exercise(ex, answers, run))}};
  out["lost"] = process->lost_reason();
  out["broke_the_protocol"] = process->broke_the_protocol();
  out["end"] = to_json(process->finish());
  return out;
}

// Back in the grader: what the worker found, turned into the exercise's grade.
void apply_checks(ExerciseGrade& grade, const Exercise& ex, const WorkerResult& result, const GradeOptions& options) {
  if (!result.json) {
    grade.outcome = Outcome::grader_error;
    grade.cause = "the checks could not run: " + result.error;
    return;
  }
  const auto& json = *result.json;
  if (json.contains("grader_error")) {
    grade.outcome = Outcome::grader_error;
    grade.cause = "the sandbox could not start: " + json["grader_error"].get<std::string>();
    return;
  }
  grade.report = report_from_json(json.at("report"));
  grade.run_seconds = grade.report.seconds;
  if (json.contains("end")) {
    const auto end = end_from_json(json["end"]);
    grade.output = end.out + (end.err.empty() ? "" : "\n[stderr]\n" + end.err);
    grade.output_cut = end.output_cut;
    const auto lost = json.value("lost", "");
    if (json.value("broke_the_protocol", false)) {
      grade.outcome = Outcome::fail;
      grade.cause = "stopped for writing to the grader's channel what is not a reply (" + lost + ")";
      return;
    }
    if (!lost.empty()) {
      classify_lost(grade, end, lost, exercise_limits(ex, options));
      return;
    }
  }
  classify_checks(grade);
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
    case Outcome::file_refused: return "file refused";
    case Outcome::grader_error: return "grader error";
  }
  return "?";
}

bool is_error(Outcome o) {
  return o != Outcome::pass && o != Outcome::fail && o != Outcome::not_started && o != Outcome::not_implemented;
}

std::size_t SubmissionGrade::grader_errors() const {
  return static_cast<std::size_t>(std::count_if(exercises.begin(), exercises.end(),
                                                [](const ExerciseGrade& e) { return e.outcome == Outcome::grader_error; }));
}

std::filesystem::path student_source(const std::string& exercise_id) { return exercise_id + ".cpp"; }

namespace {

// The objects of files compiled together (compile_together), by exercise id, and the directories they sit in.
struct CompiledUnits {
  std::map<std::string, std::filesystem::path> objects;
  std::vector<std::filesystem::path> dirs;
};

// The files of `to_build` that are not in the build cache and whose exercises offer nothing of the kit, compiled as
// `jobs` units at once (one per core, each file in one of them); a unit that fails leaves its files to be built one
// by one. Fewer than two such files: nothing to gain.
CompiledUnits compile_in_units(const Kit& kit, const std::vector<Exercise>& chosen, const std::vector<std::string>& sources,
                               const std::vector<std::size_t>& to_build, const GradeOptions& options, unsigned jobs) {
  std::vector<std::size_t> joining;
  for (const auto i : to_build) {
    try {
      if (!runner_is_cached(kit, chosen[i].id, sources[i], options.cache_dir) &&
          offers_nothing_of_the_kit(kit, chosen[i].id))
        joining.push_back(i);
    } catch (const std::exception&) {  // an unreadable interface: the file is built on its own, which reports it
    }
  }
  CompiledUnits out;
  if (joining.size() < 2) return out;
  const std::size_t units = std::max<std::size_t>(1, std::min<std::size_t>(jobs, joining.size() / 2));
  std::vector<std::map<std::string, std::string>> files(units);
  for (std::size_t k = 0; k < joining.size(); ++k) files[k % units][chosen[joining[k]].id] = sources[joining[k]];
  std::vector<std::optional<std::filesystem::path>> objects(units);
  std::filesystem::create_directories(options.cache_dir);
  for (std::size_t u = 0; u < units; ++u)
    out.dirs.push_back(options.cache_dir / (".unit-" + std::to_string(getpid()) + "-" + std::to_string(u)));
  std::vector<std::thread> compilers;
  for (std::size_t u = 0; u < units; ++u)
    compilers.emplace_back([&, u] {
      try {
        objects[u] = compile_together(kit, files[u], out.dirs[u], options.limits);
      } catch (const std::exception&) {  // the files are built one by one
      }
    });
  for (auto& c : compilers) c.join();
  for (std::size_t u = 0; u < units; ++u)
    if (objects[u])
      for (const auto& [id, source] : files[u]) out.objects[id] = *objects[u];
  return out;
}

}  // namespace

SubmissionGrade grade_submission(const std::filesystem::path& dir, const GradeOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  SubmissionGrade result;
  result.dir = dir;
  result.student = std::filesystem::absolute(dir).lexically_normal().filename().string();
  if (result.student.empty()) result.student = std::filesystem::absolute(dir).parent_path().filename().string();
  result.seed = options.seed;
  result.sandboxed = bubblewrap_available();
  result.revealed = options.reveal;
  const Kit kit = load_kit(options.kit);

  AnswerBook answers;
  try {
    if (const auto text = read_submission_file(dir, "answers.toml")) answers.add_text(*text, "answers.toml");
  } catch (const AnswersFileError& error) {
    answers.mark_unreadable(error.what());
  } catch (const SubmissionFileError& error) {
    answers.mark_unreadable(error.what());
  }

  std::vector<Exercise> chosen;
  for (auto& ex : all_exercises())
    if (options.only.empty() || std::find(options.only.begin(), options.only.end(), ex.id) != options.only.end())
      chosen.push_back(std::move(ex));
  result.exercises.resize(chosen.size());
  std::vector<std::string> sources(chosen.size());
  std::vector<std::filesystem::path> solutions(chosen.size());
  std::vector<std::size_t> to_build, to_check;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    const auto& ex = chosen[i];
    auto& grade = result.exercises[i];
    grade.id = ex.id;
    grade.title = ex.title;
    grade.max_score = automatic_points(ex);
    if (!asks_for_code(kit, ex.id)) {
      to_check.push_back(i);
      continue;
    }
    try {
      const auto text = read_submission_file(dir, student_source(ex.id));
      if (!text) {
        grade.outcome = Outcome::not_started;
        grade.cause = "no file " + student_source(ex.id).string();
        continue;
      }
      sources[i] = *text;
      to_build.push_back(i);
    } catch (const SubmissionFileError& error) {
      grade.outcome = Outcome::file_refused;
      grade.cause = error.what();
    }
  }

  std::mutex progress_lock;
  std::size_t done = chosen.size() - to_build.size() - to_check.size();
  const auto report_progress = [&](const std::string& id) {
    if (!options.on_progress) return;
    std::lock_guard<std::mutex> lock(progress_lock);
    options.on_progress(++done, chosen.size(), id);
  };

  // Builds, several at once on threads (each compiler in a sandbox of its own)...
  const unsigned jobs = std::max(1u, options.jobs ? options.jobs : std::thread::hardware_concurrency());
  const auto compiled = compile_in_units(kit, chosen, sources, to_build, options, jobs);
  std::atomic<std::size_t> next{0};
  const auto builder = [&] {
    for (std::size_t k; (k = next++) < to_build.size();) {
      const auto i = to_build[k];
      auto& grade = result.exercises[i];
      try {
        const auto unit = compiled.objects.find(chosen[i].id);
        const auto build = build_runner(kit, chosen[i].id, sources[i], options.cache_dir, options.limits,
                                        unit == compiled.objects.end() ? nullptr : &unit->second);
        grade.build_seconds = build.seconds;
        grade.cached_build = build.status == BuildResult::Status::cached;
        if (build.status == BuildResult::Status::built || build.status == BuildResult::Status::cached) {
          solutions[i] = build.runner;
          continue;  // its checks come next
        }
        grade.build_log = first_lines(build.log, 40);
        if (build.status == BuildResult::Status::grader_error) {
          grade.outcome = Outcome::grader_error, grade.cause = build.log;
        } else if (build.status == BuildResult::Status::link_error) {
          grade.outcome = Outcome::link_error, grade.cause = "function missing: " + build.missing.front();
        } else {
          grade.outcome = Outcome::compile_error, grade.cause = "does not compile: see the build log";
        }
      } catch (const std::exception& error) {
        grade.outcome = Outcome::grader_error;
        grade.cause = std::string("cannot build: ") + error.what();
      }
      report_progress(chosen[i].id);
    }
  };
  std::vector<std::thread> builders;
  for (unsigned j = 0; j < std::min<std::size_t>(jobs, to_build.size()); ++j) builders.emplace_back(builder);
  for (auto& b : builders) b.join();
  for (const auto& dir : compiled.dirs) std::filesystem::remove_all(dir);
  for (auto i : to_build)
    if (!solutions[i].empty()) to_check.push_back(i);
  std::sort(to_check.begin(), to_check.end());

  // ...then the checks, each exercise in a worker process of the grader (forked now that no thread runs).
  run_in_workers(
      to_check.size(), static_cast<int>(jobs),
      [&](std::size_t k) {
        const auto i = to_check[k];
        return check_exercise(chosen[i], solutions[i], answers, options);
      },
      [&](std::size_t k, WorkerResult worker) {
        const auto i = to_check[k];
        apply_checks(result.exercises[i], chosen[i], worker, options);
        report_progress(chosen[i].id);
      },
      std::chrono::milliseconds(options.limits.wall.count() * 4 + 60000));

  for (std::size_t i = 0; i < chosen.size(); ++i) {
    auto& grade = result.exercises[i];
    // Keys in answers.toml that no part of this exercise asks for: likely misspelled.
    std::vector<std::string> asked;
    for (const auto& part : chosen[i].parts)
      for (const auto& a : part.answers) asked.push_back(a.key);
    for (const auto& key : answers.for_exercise(grade.id).keys())
      if (std::find(asked.begin(), asked.end(), key) == asked.end())
        grade.notes.push_back("answers.toml has \"" + key + "\", which no part of " + grade.id + " asks for");
    grade.score = grade.outcome == Outcome::grader_error ? 0 : trusted_score(chosen[i], grade.report);
    grade.report = for_student(std::move(grade.report), options.reveal);
    grade.manual_points = grade.report.manual_points;
    result.score += grade.score;
    result.max_score += grade.max_score;
    result.manual_points += grade.manual_points;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace workbook::grading
