// The rules of `workbook dev check` that run checks, each run in a worker process.

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "../commands.hpp"
#include "dev_check.hpp"
#include "workbook/grading/our_solutions.hpp"
#include "workbook/grading/worker_pool.hpp"
#include "workbook/plots/render.hpp"

namespace workbook::cli::dev {

namespace {

struct Task {
  enum class Kind { reference, mutant, alternative, stub, wrong_answer, rounded_answer } kind;
  const Exercise* exercise = nullptr;
  std::string name;  // the variant's stem, or the answer's key
  std::uint64_t seed = default_seed;
  std::vector<std::string> caught_by;
};

using Found = std::vector<std::pair<std::string, std::string>>;  // (rule, message)

bool automatic(const CheckReport& c) { return c.kind != CheckKind::manual; }

std::string where(const PartReport& part, const CheckReport& check) { return "(" + part.label + ") " + check.name; }

std::filesystem::path program(const Task& task) {
  const auto dir = grading::solutions_build_dir() / task.exercise->id;
  switch (task.kind) {
    case Task::Kind::mutant: return dir / "mutants" / task.name;
    case Task::Kind::alternative: return dir / "alternatives" / task.name;
    case Task::Kind::stub: return dir / "stub";
    default: return dir / "reference";
  }
}

ExerciseReport run(const Task& task, const Exercise& exercise, const AnswerBook& answers) {
  RunOptions options;
  options.seed = task.seed;
  return grading::run_against(exercise, program(task), answers, options);
}

void expect_all_pass(const ExerciseReport& report, const std::string& rule, const std::string& who, Found& found) {
  for (const auto& part : report.parts)
    for (const auto& check : part.checks)
      if (automatic(check) && check.result.status != Status::pass)
        found.push_back({rule, who + " fails " + where(part, check) + ": " + check.result.message});
}

// The parts a mutant's "Caught by" lines name: the only ones its run needs (the others' work, often a model
// trained through the channel, can neither catch it nor excuse it). All parts when a name matches none.
Exercise named_parts(const Task& task) {
  Exercise named = *task.exercise;
  std::erase_if(named.parts, [&](const Part& part) {
    return std::none_of(task.caught_by.begin(), task.caught_by.end(),
                        [&](const std::string& name) { return name.substr(0, name.find('/')) == part.label; });
  });
  if (named.parts.empty()) named.parts = task.exercise->parts;
  return named;
}

Found mutant_caught(const Task& task) {
  Found found;
  const auto report = run(task, named_parts(task), reference_answers());
  if (report.score == report.max_score)
    found.push_back({"mutant", task.name + " keeps every point: no check catches it"});
  for (const auto& name : task.caught_by) {
    const auto slash = name.find('/');
    for (const auto& part : report.parts)
      for (const auto& check : part.checks)
        if (part.label == name.substr(0, slash) && check.name == name.substr(slash + 1) && check.result.status == Status::pass)
          found.push_back({"mutant", task.name + " passes " + where(part, check) + ", the check it names"});
  }
  return found;
}

// The stub `workbook init` gives: no automatic check may pass, and each must say why honestly (a function
// is not implemented, an answer is missing): a check the stub passes tests nothing the student wrote.
Found stub_fails_honestly(const Task& task) {
  Found found;
  const auto report = run(task, *task.exercise, AnswerBook{});
  for (const auto& part : report.parts)
    for (const auto& check : part.checks) {
      if (!automatic(check)) continue;
      if (check.result.status == Status::pass)
        found.push_back({"stub", "the stub passes " + where(part, check) + ": it tests nothing the student wrote"});
      else if (check.result.cause != Cause::not_implemented && check.result.cause != Cause::no_answer)
        found.push_back({"stub", "against the stub, " + where(part, check) + " reports \"" + check.result.message +
                                     "\" instead of naming what is missing"});
    }
  return found;
}

// A value that is wrong for sure: far outside any tolerance an answer check uses.
double wrong(double x) { return x * 1.5 + 1.0; }

void make_wrong(AnswerBook& answers, const std::string& id, const AnswerSpec& spec) {
  const auto right = answers.for_exercise(id);
  switch (spec.kind) {
    case AnswerSpec::Kind::number: answers.set_number(id, spec.key, wrong(right.number(spec.key))); break;
    case AnswerSpec::Kind::integer: answers.set_integer(id, spec.key, right.integer(spec.key) + 1); break;
    case AnswerSpec::Kind::array: {
      auto value = right.array(spec.key, spec.shape);
      value.flat(0) = wrong(value.flat(0));
      answers.set_array(id, spec.key, value);
      break;
    }
    case AnswerSpec::Kind::choice: {
      const auto given = right.choice(spec.key, spec.choices);
      answers.set_text(id, spec.key, given == spec.choices.front() ? spec.choices.back() : spec.choices.front());
      break;
    }
    case AnswerSpec::Kind::text: answers.set_text(id, spec.key, ""); break;
  }
}

// Every answer check fails when its reference answer is replaced by a wrong one.
Found wrong_answer_fails(const Task& task) {
  Found found;
  for (const auto& part : task.exercise->parts)
    for (const auto& spec : part.answers) {
      if (spec.key != task.name) continue;
      auto answers = reference_answers();
      make_wrong(answers, task.exercise->id, spec);
      Exercise just_this_part = *task.exercise;  // the other parts cannot see this answer: skip their work
      just_this_part.parts = {part};
      const auto report = run(task, just_this_part, answers);
      for (const auto& p : report.parts)
        for (const auto& check : p.checks)
          if (check.name == spec.key && check.result.status == Status::pass)
            found.push_back({"answers", "a wrong \"" + spec.key + "\" passes " + where(p, check)});
    }
  return found;
}

// The reference answer rounded to the precision the statement asks for still passes: the tolerance is the
// stated precision, not something tighter.
Found rounded_answer_passes(const Task& task) {
  Found found;
  for (const auto& part : task.exercise->parts)
    for (const auto& spec : part.answers) {
      if (spec.key != task.name || !spec.precision) continue;
      auto answers = reference_answers();
      const auto right = answers.for_exercise(task.exercise->id);
      if (spec.kind == AnswerSpec::Kind::number) {
        answers.set_number(task.exercise->id, spec.key, spec.precision->round(right.number(spec.key)));
      } else {
        auto value = right.array(spec.key, spec.shape);
        for (auto& v : value) v = spec.precision->round(v);
        answers.set_array(task.exercise->id, spec.key, value);
      }
      Exercise just_this_part = *task.exercise;
      just_this_part.parts = {part};
      const auto report = run(task, just_this_part, answers);
      for (const auto& p : report.parts)
        for (const auto& check : p.checks)
          if (check.name == spec.key && check.result.status != Status::pass)
            found.push_back({"precision", "\"" + spec.key + "\" rounded " + spec.precision->describe() + " fails: " + check.result.message});
    }
  return found;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Whether two figure data files say the same: equal text, except that numbers need only agree to about six
// significant figures or six decimals, the looser (atol 1e-6, rtol 1e-6): floating-point noise in a figure (a residual of 1e-15, a singular value of 1e-10) depends
// on the CPU's BLAS kernels, and the committed figures must hold on every machine that checks them.
// A measured figure (Plot::measured, marked in its first line) is held to its shape only: the same lines, each
// with the same first field (the series or the column), whatever the numbers.
bool same_data(const std::string& a, const std::string& b) {
  std::istringstream la(a), lb(b);
  std::string x, y;
  const bool measured = a.rfind(plots::measured_marker, 0) == 0 && b.rfind(plots::measured_marker, 0) == 0;
  if (measured) {
    while (true) {
      const bool more_a = static_cast<bool>(std::getline(la, x)), more_b = static_cast<bool>(std::getline(lb, y));
      if (more_a != more_b) return false;
      if (!more_a) return true;
      if (x.substr(0, x.rfind(',', x.rfind(',') - 1)) != y.substr(0, y.rfind(',', y.rfind(',') - 1))) return false;
    }
  }
  while (true) {
    const bool more_a = static_cast<bool>(std::getline(la, x)), more_b = static_cast<bool>(std::getline(lb, y));
    if (more_a != more_b) return false;
    if (!more_a) return true;
    std::istringstream fa(x), fb(y);
    std::string u, v;
    while (true) {
      const bool ua = static_cast<bool>(std::getline(fa, u, ',')), ub = static_cast<bool>(std::getline(fb, v, ','));
      if (ua != ub) return false;
      if (!ua) break;
      if (u == v) continue;
      char* end_u = nullptr;
      char* end_v = nullptr;
      const double nu = std::strtod(u.c_str(), &end_u), nv = std::strtod(v.c_str(), &end_v);
      if (*end_u || *end_v || u.empty() || v.empty() || !(std::abs(nu - nv) <= 1e-6 + 1e-6 * std::abs(nv))) return false;
    }
  }
}

// Compares every file `fresh` holds with its namesake under `committed` (files with `extension` only).
void compare_dir(const std::filesystem::path& fresh, const std::filesystem::path& committed, const std::string& extension,
                 const std::string& command, Found& found) {
  for (const auto& entry : std::filesystem::directory_iterator(fresh)) {
    if (entry.path().extension() != extension) continue;
    const auto twin = committed / entry.path().filename();
    if (!std::filesystem::exists(twin)) found.push_back({"docs", twin.string() + " is missing: run " + command});
    else if (extension == ".csv" ? !same_data(read_text(entry.path()), read_text(twin)) : read_text(twin) != read_text(entry.path()))
      found.push_back({"docs", twin.string() + " is out of date: run " + command});
  }
  if (!std::filesystem::is_directory(committed)) return;
  for (const auto& entry : std::filesystem::directory_iterator(committed))
    if (entry.path().extension() == extension && !std::filesystem::exists(fresh / entry.path().filename()))
      found.push_back({"docs", entry.path().string() + " is not written any more: remove it"});
}

}  // namespace

std::vector<Problem> run_problems(const std::vector<Exercise>& exercises, const std::filesystem::path& source,
                                  const RunPlan& plan) {
  std::vector<Task> tasks;
  std::vector<Problem> problems;
  for (const auto& ex : exercises) {
    tasks.push_back({Task::Kind::reference, &ex, "", default_seed, {}});
    for (int s = 1; s < plan.seeds; ++s) tasks.push_back({Task::Kind::reference, &ex, "", std::uint64_t(s), {}});
    for (const auto& part : ex.parts)
      for (const auto& answer : part.answers)
        if (answer.kind != AnswerSpec::Kind::text) {
          tasks.push_back({Task::Kind::wrong_answer, &ex, answer.key, default_seed, {}});
          if (answer.precision) tasks.push_back({Task::Kind::rounded_answer, &ex, answer.key, default_seed, {}});
        }
    if (!ex.asks_for_code()) continue;
    tasks.push_back({Task::Kind::stub, &ex, "", default_seed, {}});
    for (const auto& m : read_variants(source, ex.id, "mutants", problems))
      tasks.push_back({Task::Kind::mutant, &ex, m.stem, default_seed, m.caught_by});
    for (const auto& a : read_variants(source, ex.id, "alternatives", problems))
      tasks.push_back({Task::Kind::alternative, &ex, a.stem, default_seed, {}});
  }
  problems.clear();  // the variants' own problems are the folder rules' to report
  grading::run_in_workers(
      tasks.size(), plan.jobs,
      [&](std::size_t i) {
        const auto& task = tasks[i];
        Found found;
        switch (task.kind) {
          case Task::Kind::reference:
            expect_all_pass(run(task, *task.exercise, reference_answers()), "reference",
                            "the reference (--seed " + std::to_string(task.seed) + ")", found);
            break;
          case Task::Kind::alternative:
            expect_all_pass(run(task, *task.exercise, reference_answers()), "alternative", "alternative " + task.name, found);
            break;
          case Task::Kind::mutant: found = mutant_caught(task); break;
          case Task::Kind::stub: found = stub_fails_honestly(task); break;
          case Task::Kind::wrong_answer: found = wrong_answer_fails(task); break;
          case Task::Kind::rounded_answer: found = rounded_answer_passes(task); break;
        }
        nlohmann::json out = nlohmann::json::array();
        for (const auto& [rule, message] : found) out.push_back({rule, message});
        return out;
      },
      [&](std::size_t i, grading::WorkerResult result) {
        const auto& id = tasks[i].exercise->id;
        if (!result.json) {
          problems.push_back({id, "run", "a run did not finish: " + result.error});
          return;
        }
        for (const auto& item : *result.json) problems.push_back({id, item[0], item[1]});
      });
  return problems;
}

std::vector<Problem> docs_problems(const std::vector<Exercise>& exercises, const std::filesystem::path& source) {
  std::string pattern = (std::filesystem::temp_directory_path() / "workbook-dev-check-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a directory under " + pattern);
  const std::filesystem::path fresh = pattern;
  Found found;
  write_catalogue(exercises, fresh, fresh / "figures");
  RunOptions options;
  options.plots_dir = fresh / "figures";
  options.plot_formats = {};  // the data and the script: the figures themselves depend on gnuplot's version
  const auto answers = reference_answers();
  for (const auto& ex : exercises)
    for (const auto& plot : grading::plots_against(ex, grading::reference_program(ex.id), answers, options))
      if (!plot.error.empty()) found.push_back({"docs", "plot " + plot.name + " of " + ex.id + ": " + plot.error});
  const auto committed = source / "docs" / "catalogue";
  compare_dir(fresh, committed, ".md", "`workbook docs --out docs/catalogue`", found);
  compare_dir(fresh / "figures", committed / "figures", ".csv", "`workbook plots --out docs/catalogue/figures`", found);
  std::filesystem::remove_all(fresh);
  std::vector<Problem> problems;
  for (const auto& [rule, message] : found) problems.push_back({"", rule, message});
  return problems;
}

}  // namespace workbook::cli::dev
