#include "workbook/grading/our_solutions.hpp"

#include <cstdlib>
#include <optional>

#include "workbook/grading/solution_process.hpp"

namespace workbook::grading {

namespace {

// Stands in for a process that never started: every call is refused with the reason.
class Unstarted : public remote::Channel {
 public:
  explicit Unstarted(std::string why) : why_(std::move(why)) {}
  wire::json call(const wire::json&) override { throw remote::ImplementationLost(why_); }
  bool lost() const override { return true; }

 private:
  std::string why_;
};

Limits our_limits() {
  Limits limits;
  limits.wall = std::chrono::hours(24);
  return limits;
}

template <class Work>
auto with_process(const Exercise& exercise, const std::filesystem::path& program, RunOptions& options, Work work) {
  if (!exercise.asks_for_code()) return work(options);
  std::optional<SolutionProcess> process;
  std::optional<Unstarted> unstarted;
  try {
    if (!std::filesystem::exists(program)) throw SandboxStartError(program.string() + " is not built");
    process.emplace(program, our_limits(), true);
    options.solution = &*process;
  } catch (const SandboxStartError& error) {
    unstarted.emplace(std::string("the solution's process could not start: ") + error.what());
    options.solution = &*unstarted;
  }
  auto result = work(options);
  if (process) process->finish();
  return result;
}

}  // namespace

std::filesystem::path solutions_build_dir() {
  if (const char* dir = std::getenv("WORKBOOK_SOLUTIONS")) return dir;
  return WORKBOOK_SOLUTIONS_BUILD_DIR;
}

std::filesystem::path reference_program(const std::string& exercise_id) {
  return solutions_build_dir() / exercise_id / "reference";
}

std::filesystem::path stub_program(const std::string& exercise_id) { return solutions_build_dir() / exercise_id / "stub"; }

ExerciseReport run_against(const Exercise& exercise, const std::filesystem::path& program, const AnswerBook& answers,
                           RunOptions options) {
  return with_process(exercise, program, options, [&](const RunOptions& o) { return run_exercise(exercise, answers, o); });
}

std::vector<PlotReport> plots_against(const Exercise& exercise, const std::filesystem::path& program,
                                      const AnswerBook& answers, RunOptions options) {
  return with_process(exercise, program, options, [&](const RunOptions& o) { return render_plots(exercise, answers, o); });
}

}  // namespace workbook::grading
