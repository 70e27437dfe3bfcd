// Grading for real: the reference copied as a submission scores everything; an empty `init` scaffold
// scores nothing with only "not implemented"/"not started"; each hostile submission in tests/fixtures/
// ends with exactly its outcome, and grading finishes. Student code is compiled and run in the sandbox.

#define BOOST_TEST_MODULE grading
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "workbook/grading/grade.hpp"
#include "workbook/grading/sandbox.hpp"
#include "workbook/grading/scaffold.hpp"
#include "workbook/registry.hpp"

using namespace workbook;
using namespace workbook::grading;

namespace {

const std::filesystem::path source_dir = WORKBOOK_SOURCE_DIR;
const std::filesystem::path cache_dir = WORKBOOK_TEST_CACHE;

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("workbook-test-grading-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Copies tests/fixtures/hostile/<name>, with @SOURCE_DIR@ replaced by the real source directory.
std::filesystem::path hostile(const std::string& name) {
  const auto dir = fresh_dir(name);
  const auto from = source_dir / "tests/fixtures/hostile" / name;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(from)) {
    if (!entry.is_regular_file()) continue;
    auto text = read_text(entry.path());
    for (auto at = text.find("@SOURCE_DIR@"); at != std::string::npos; at = text.find("@SOURCE_DIR@"))
      text.replace(at, 12, source_dir.string());
    const auto to = dir / std::filesystem::relative(entry.path(), from);
    std::filesystem::create_directories(to.parent_path());
    std::ofstream(to) << text;
  }
  return dir;
}

GradeOptions options_for(std::vector<std::string> only, double timeout_seconds = 3) {
  GradeOptions options;
  options.cache_dir = cache_dir;
  options.only = std::move(only);
  options.limits.wall = std::chrono::milliseconds(static_cast<long>(timeout_seconds * 1000));
  options.limits.cpu_seconds = 6;
  return options;
}

ExerciseGrade grade_one(const std::string& fixture, const std::string& id = "ch10/10.12") {
  const auto grade = grade_submission(hostile(fixture), options_for({id}));
  BOOST_REQUIRE_EQUAL(grade.exercises.size(), 1u);
  const auto& e = grade.exercises.front();
  BOOST_TEST_MESSAGE(fixture << ": " << to_string(e.outcome) << " — " << e.cause);
  return e;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_CASE(reference_as_a_submission_scores_everything) {
  const auto dir = fresh_dir("reference");
  std::string answers;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(source_dir / "solutions")) {
    const auto rel = std::filesystem::relative(entry.path(), source_dir / "solutions");
    if (entry.path().extension() == ".toml") answers += read_text(entry.path()) + "\n";
    if (entry.path().extension() == ".cpp") {
      std::filesystem::create_directories((dir / rel).parent_path());
      std::filesystem::copy_file(entry.path(), dir / rel);
    }
  }
  std::ofstream(dir / "answers.toml") << answers;
  const auto grade = grade_submission(dir, options_for({}, 20));
  for (const auto& e : grade.exercises) {
    BOOST_TEST_INFO(e.id << ": " << to_string(e.outcome) << " " << e.cause << "\n" << e.build_log);
    BOOST_TEST((e.outcome == Outcome::pass));
  }
  BOOST_TEST(grade.score == grade.max_score);
  BOOST_TEST(grade.max_score > 0);
}

BOOST_AUTO_TEST_CASE(an_empty_scaffold_scores_zero_and_only_says_not_implemented) {
  const auto dir = fresh_dir("scaffold");
  std::vector<Exercise> chosen;
  std::vector<std::string> ids;
  // Every answers-only exercise, and three that ask for code (each compiles its stubs: keep it short).
  int code = 0;
  const auto kit = load_kit(default_kit_path());
  for (auto& ex : all_exercises()) {
    const bool asks_for_code = std::filesystem::exists(kit.include_dir / (ex.id + ".hpp"));
    if (asks_for_code && ++code > 3) continue;
    ids.push_back(ex.id);
    chosen.push_back(std::move(ex));
  }
  write_scaffold(dir, chosen, kit.include_dir);
  const auto again = write_scaffold(dir, chosen, kit.include_dir);
  BOOST_TEST(again.written.empty());  // rerunning init never overwrites

  const auto grade = grade_submission(dir, options_for(ids));
  BOOST_TEST(grade.score == 0);
  for (const auto& e : grade.exercises) {
    BOOST_TEST_INFO(e.id << ": " << to_string(e.outcome) << " " << e.cause << "\n" << e.build_log);
    BOOST_TEST((e.outcome == Outcome::not_implemented || e.outcome == Outcome::not_started));
  }
}

BOOST_AUTO_TEST_CASE(compile_error_is_reported_with_the_compiler_message) {
  const auto e = grade_one("compile-error");
  BOOST_TEST((e.outcome == Outcome::compile_error));
  BOOST_TEST(has(e.build_log, "undeclared_maximum"), e.build_log);
}

BOOST_AUTO_TEST_CASE(a_missing_function_is_a_link_error_naming_it) {
  const auto e = grade_one("missing-function");
  BOOST_TEST((e.outcome == Outcome::link_error));
  BOOST_TEST(has(e.cause, "online_softmax"), e.cause);
}

BOOST_AUTO_TEST_CASE(a_segfault_is_a_crash_with_its_signal) {
  const auto e = grade_one("segfault");
  BOOST_TEST((e.outcome == Outcome::crashed));
  BOOST_TEST(has(e.cause, "SIGSEGV"), e.cause);
}

BOOST_AUTO_TEST_CASE(an_infinite_loop_times_out) {
  const auto e = grade_one("infinite-loop");
  BOOST_TEST((e.outcome == Outcome::timed_out));
}

BOOST_AUTO_TEST_CASE(a_fork_bomb_is_contained_and_times_out) {
  const auto e = grade_one("fork-bomb");
  BOOST_TEST((e.outcome == Outcome::timed_out));
}

BOOST_AUTO_TEST_CASE(a_100_gb_allocation_hits_the_memory_limit) {
  const auto e = grade_one("huge-allocation");
  BOOST_TEST((e.outcome == Outcome::memory_limit));
}

BOOST_AUTO_TEST_CASE(a_stdout_flood_hits_the_output_limit_and_is_cut) {
  const auto e = grade_one("stdout-flood");
  BOOST_TEST((e.outcome == Outcome::output_limit));
  BOOST_TEST(e.output_cut);
  BOOST_TEST(e.output.size() <= 2 * 64 * 1024 + 16);
}

BOOST_AUTO_TEST_CASE(nan_where_a_number_was_due_is_its_own_outcome) {
  const auto e = grade_one("nan-output");
  BOOST_TEST((e.outcome == Outcome::non_finite));
}

BOOST_AUTO_TEST_CASE(a_wrong_shape_fails_with_the_shapes) {
  const auto e = grade_one("wrong-shape");
  BOOST_TEST((e.outcome == Outcome::fail));
  bool said_shape = false;
  for (const auto& part : e.report.parts)
    for (const auto& check : part.checks) said_shape |= has(check.result.message, "shape (1023,) where (1024,)");
  BOOST_TEST(said_shape);
}

BOOST_AUTO_TEST_CASE(the_reference_solutions_cannot_be_read) {
  if (!bubblewrap_available()) {  // with rlimits only, the file system is not hidden: nothing to test
    BOOST_TEST_MESSAGE("bubblewrap is not available here: skipped");
    return;
  }
  BOOST_REQUIRE(std::filesystem::exists(source_dir / "solutions/ch10/10.12.cpp"));  // the attempt is real
  const auto e = grade_one("read-solutions");
  BOOST_TEST((e.outcome == Outcome::exception));
  BOOST_TEST(has(e.cause, "could not open the reference solution"), e.cause);
}

BOOST_AUTO_TEST_CASE(a_forged_report_is_not_believed) {
  const auto e = grade_one("forge-report");
  BOOST_TEST((e.outcome == Outcome::no_report));
  BOOST_TEST(e.score == 0);
}

BOOST_AUTO_TEST_CASE(a_malformed_answers_file_names_line_and_column) {
  const auto e = grade_one("malformed-answers", "ch10/10.1");
  BOOST_TEST((e.outcome == Outcome::answers_malformed));
  BOOST_TEST(has(e.cause, "answers.toml:3:"), e.cause);
}

BOOST_AUTO_TEST_CASE(stubs_drop_default_arguments_and_keep_signatures) {
  const std::string header = R"(namespace demo {
struct Options {
  double rate = 0.5;
};
// Adds things.
double add(double a,
           double b = 2.0);
using Alias = int;
void configure(const Options& options = {}, int level = 3);
}  // namespace demo
)";
  const auto stubs = stub_definitions(header);
  BOOST_TEST(has(stubs, "double add(double a,\n           double b) {"), stubs);
  BOOST_TEST(has(stubs, "void configure(const Options& options, int level) {"), stubs);
  BOOST_TEST(has(stubs, "throw workbook::NotImplemented(\"add\");"), stubs);
  BOOST_TEST(!has(stubs, "Alias"));
  BOOST_TEST(!has(stubs, "rate"));
}
