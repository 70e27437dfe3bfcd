#include "workbook/runner.hpp"

#include <chrono>
#include <exception>
#include <new>
#include <optional>

#include "workbook/plots/render.hpp"
#include "workbook/property.hpp"

namespace workbook {

namespace {

CheckReport error_report(CheckReport report, Cause cause, std::string message) {
  report.result.status = Status::error;
  report.result.cause = cause;
  report.result.message = std::move(message);
  return report;
}

CheckReport run_check(const Part& part, const Check& check, const Context& ctx, const RunOptions& options) {
  CheckReport report{check.name, check.verifies, check.kind, {}, check.answer};
  if (check.kind == CheckKind::manual) {
    report.result.status = Status::manual;
    const auto* notes = options.instructor;
    const auto rubric = notes ? notes->parts.find(part.label) : decltype(notes->parts.end()){};
    if (notes && rubric != notes->parts.end()) {
      report.result.expected = rubric->second.answer;  // our answer, for the person grading
      report.result.message = "rubric: " + rubric->second.rubric;
    }
    return report;
  }
  if (options.solution && options.solution->lost())
    return error_report(report, Cause::solution_lost, "not run: the solution's process had already stopped");
  try {
    report.result = check.run(ctx);
  } catch (const AnswerError& error) {
    return error_report(report, error.cause(), error.what());
  } catch (const WrongResult& error) {
    report.result.status = Status::fail;
    report.result.message = error.what();
    return report;
  } catch (const NotImplemented& error) {
    return error_report(report, Cause::not_implemented, error.what());
  } catch (const std::bad_alloc&) {
    return error_report(report, Cause::out_of_memory, "ran out of memory (std::bad_alloc)");
  } catch (const remote::ImplementationLost& error) {
    return error_report(report, Cause::solution_lost, error.what());
  } catch (const wire::WireError& error) {
    return error_report(report, Cause::solution_lost, std::string("the solution's reply could not be read: ") + error.what());
  } catch (const remote::SolutionError& error) {
    return error_report(report, Cause::exception, std::string("threw an exception: ") + error.what());
  } catch (const std::exception& error) {
    return error_report(report, Cause::exception, std::string("threw an exception: ") + error.what());
  } catch (...) {
    return error_report(report, Cause::exception, "threw something that is not a std::exception");
  }
  if (options.solution && options.solution->lost() && report.result.status != Status::pass)
    report.result.cause = Cause::solution_lost;
  return report;
}

PlotReport render_one(const Exercise& exercise, const PlotSpec& spec, const Context& ctx,
                      const RunOptions& options) {
  PlotReport report{spec.name, {}, {}};
  try {
    const Plot plot = spec.make(ctx);
    const auto stem = plot_path(*options.plots_dir, exercise.id, spec.name, "");
    const auto rendered = plots::render(plot, stem, options.plot_formats);
    for (const auto& file : rendered.files) report.files.push_back(file.string());
    report.error = rendered.error;
  } catch (const std::exception& error) {
    report.error = std::string("could not make the plot: ") + error.what();
  }
  return report;
}

}  // namespace

Status combine(const std::vector<CheckReport>& checks) {
  bool any_error = false, any_fail = false, all_manual = !checks.empty();
  for (const auto& check : checks) {
    any_error |= check.result.status == Status::error;
    any_fail |= check.result.status == Status::fail;
    all_manual &= check.result.status == Status::manual;
  }
  if (any_error) return Status::error;
  if (any_fail) return Status::fail;
  return all_manual ? Status::manual : Status::pass;
}

std::filesystem::path plot_path(const std::filesystem::path& dir, const std::string& exercise_id,
                                const std::string& plot_name, const std::string& extension) {
  std::string stem = exercise_id;
  for (auto& c : stem)
    if (c == '/') c = '-';
  stem += "-" + plot_name;
  if (!extension.empty()) stem += "." + extension;
  return dir / stem;
}

ExerciseReport run_exercise(const Exercise& exercise, const AnswerBook& answers, const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const Context ctx(options.seed, options.full, answers.for_exercise(exercise.id), options.data);
  std::optional<remote::Session> session;
  if (options.solution) session.emplace(*options.solution);
  const detail::RunSeedScope seed_scope(options.seed);

  ExerciseReport report;
  report.id = exercise.id;
  report.title = exercise.title;
  report.seed = options.seed;
  std::vector<CheckReport> all_checks;
  for (const auto& part : exercise.parts) {
    PartReport part_report;
    part_report.label = part.label;
    part_report.points = part.points;
    for (const auto& check : part.checks) part_report.checks.push_back(run_check(part, check, ctx, options));
    part_report.status = combine(part_report.checks);
    if (part_report.status == Status::manual) {
      report.manual_points += part.points;
    } else {
      report.max_score += part.points;
      if (part.has_rubric()) report.manual_points += part.manual_points;
      if (part_report.status == Status::pass) part_report.score = part.points;
    }
    report.score += part_report.score;
    all_checks.insert(all_checks.end(), part_report.checks.begin(), part_report.checks.end());
    report.parts.push_back(std::move(part_report));
  }
  report.status = combine(all_checks);

  if (options.plots_dir)
    for (const auto& spec : exercise.plots) report.plots.push_back(render_one(exercise, spec, ctx, options));

  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

namespace {

// How far a wrong answer is, in words that do not give it away.
std::string distance_in_words(const nlohmann::json& actual, const nlohmann::json& expected) {
  std::vector<double> a, e;
  const auto flatten = [](const nlohmann::json& v, std::vector<double>& out, const auto& self) -> void {
    if (v.is_array())
      for (const auto& x : v) self(x, out, self);
    else if (v.is_number())
      out.push_back(v.get<double>());
  };
  flatten(actual, a, flatten);
  flatten(expected, e, flatten);
  if (a.empty() || a.size() != e.size()) return "not the expected answer";
  std::size_t wrong = 0, near = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] == e[i]) continue;
    ++wrong;
    near += std::abs(a[i] - e[i]) <= 0.1 * std::abs(e[i]);
  }
  const std::string how = near == wrong ? "within 10% of the right value: look at rounding, precision and units"
                                        : "more than 10% off";
  if (a.size() == 1) return "wrong (" + how + ")";
  return std::to_string(wrong) + " of " + std::to_string(a.size()) + " entries wrong" +
         (near == wrong ? " (each within 10%: look at rounding, precision and units)" : "");
}

}  // namespace

ExerciseReport for_student(ExerciseReport report, bool reveal) {
  for (auto& part : report.parts)
    for (auto& check : part.checks) {
      auto& r = check.result;
      if (check.kind == CheckKind::manual) {
        r.expected = nullptr;
        r.message.clear();
        continue;
      }
      if (!check.answer || reveal) continue;
      if (r.status == Status::fail)
        r.message = r.actual.is_string() ? "not the right choice" : distance_in_words(r.actual, r.expected);
      r.expected = "withheld";
    }
  return report;
}

std::vector<PlotReport> render_plots(const Exercise& exercise, const AnswerBook& answers, const RunOptions& options) {
  const Context ctx(options.seed, options.full, answers.for_exercise(exercise.id), options.data);
  std::optional<remote::Session> session;
  if (options.solution) session.emplace(*options.solution);
  std::vector<PlotReport> reports;
  for (const auto& spec : exercise.plots) reports.push_back(render_one(exercise, spec, ctx, options));
  return reports;
}

}  // namespace workbook
