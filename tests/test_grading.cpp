// Grading for real, as a hostile student would try it: student code is compiled and run in the sandbox,
// the checks run in the grader and call it through the channel. The reference copied as a submission scores
// everything; an empty `init` scaffold scores nothing; each hostile submission (tests/fixtures/hostile/)
// ends with exactly its outcome, never above zero, and grading always finishes. docs/grading.md lists the
// threats and the test case for each.

#define BOOST_TEST_MODULE grading
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "workbook/grading/class_grade.hpp"
#include "workbook/grading/grade.hpp"
#include "workbook/grading/sandbox.hpp"
#include "workbook/grading/scaffold.hpp"
#include "workbook/grading/student_build.hpp"
#include "workbook/interface_header.hpp"
#include "workbook/registry.hpp"

using namespace workbook;
using namespace workbook::grading;

namespace {

const std::filesystem::path source_dir = WORKBOOK_SOURCE_DIR;
const std::filesystem::path cache_dir = WORKBOOK_TEST_CACHE;
// Every fixture implements manual/3's one function, self_attention(x) = softmax(X X^T) X.
const std::string target = "manual/3";

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("workbook-test-grading-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::all);
  return dir;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Copies tests/fixtures/hostile/<name> into `dir`, with @SOURCE_DIR@ replaced by the real source directory.
std::filesystem::path hostile(const std::string& name, std::filesystem::path dir = {}) {
  if (dir.empty()) dir = fresh_dir(name);
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

const ExerciseGrade& only_exercise(const SubmissionGrade& grade) {
  BOOST_REQUIRE_EQUAL(grade.exercises.size(), 1u);
  const auto& e = grade.exercises.front();
  BOOST_TEST_MESSAGE(e.id << ": " << to_string(e.outcome) << " — " << e.cause);
  return e;
}

SubmissionGrade graded(const std::string& fixture, double timeout_seconds = 3) {
  return grade_submission(hostile(fixture), options_for({target}, timeout_seconds));
}

ExerciseGrade grade_one(const std::string& fixture, double timeout_seconds = 3) {
  auto grade = graded(fixture, timeout_seconds);
  auto e = only_exercise(grade);
  BOOST_TEST(e.score == 0);
  BOOST_TEST(grade.score <= grade.max_score);
  return e;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The reference solution of an exercise as a student's file, and its answers as a student's answers.toml.
void copy_reference(const std::filesystem::path& dir, const std::vector<Exercise>& exercises) {
  std::string answers;
  for (const auto& ex : exercises) {
    const auto folder = source_dir / "solutions" / ex.id;
    if (std::filesystem::exists(folder / "answers.toml")) {
      const auto slash = ex.id.find('/');
      answers += "[" + ex.id.substr(0, slash) + ".\"" + ex.id.substr(slash + 1) + "\"]\n" + read_text(folder / "answers.toml") + "\n";
    }
    if (ex.asks_for_code()) {
      std::filesystem::create_directories((dir / ex.id).parent_path());
      std::filesystem::copy_file(folder / "solution.cpp", dir / (ex.id + ".cpp"));
    }
  }
  std::ofstream(dir / "answers.toml") << answers;
}

}  // namespace

BOOST_AUTO_TEST_CASE(reference_as_a_submission_scores_everything) {
  const auto dir = fresh_dir("reference");
  copy_reference(dir, all_exercises());
  const auto grade = grade_submission(dir, options_for({}, 20));
  for (const auto& e : grade.exercises) {
    BOOST_TEST_INFO(e.id << ": " << to_string(e.outcome) << " " << e.cause << "\n" << e.build_log);
    BOOST_TEST((e.outcome == Outcome::pass));
  }
  BOOST_TEST(grade.score == grade.max_score);
  BOOST_TEST(grade.max_score > 0);
}

// A submission's files are first compiled as one translation unit (compile_together). Two files that define the
// same name at global scope cannot share one: the grader then builds each alone, and both pass.
BOOST_AUTO_TEST_CASE(files_that_clash_in_one_unit_are_built_one_by_one) {
  const auto dir = fresh_dir("clash");
  const std::vector<std::string> ids{"manual/3", "ch10/10.12"};
  std::vector<Exercise> exercises;
  for (const auto& id : ids) exercises.push_back(*find_exercise(id).exercise);
  copy_reference(dir, exercises);
  const auto stamp = std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());  // no cache hit
  for (const auto& id : ids)
    std::ofstream(dir / (id + ".cpp"), std::ios::app) << "\nint helper() { return " << stamp << " % 7; }\n";
  const auto grade = grade_submission(dir, options_for(ids, 20));
  for (const auto& e : grade.exercises) {
    BOOST_TEST_INFO(e.id << ": " << to_string(e.outcome) << " " << e.cause << "\n" << e.build_log);
    BOOST_TEST((e.outcome == Outcome::pass));
  }
}

// compile_together itself: honest files give one object holding both exercises' functions; files that clash, or a
// file that calls the nn library, give nothing (they are then built one by one, where refusals are decided).
BOOST_AUTO_TEST_CASE(compile_together_gives_one_object_or_nothing) {
  const auto kit = load_kit(default_kit_path());
  const auto reference = [](const std::string& id) {
    return read_text(source_dir / "solutions" / id / "solution.cpp");
  };
  const std::map<std::string, std::string> files{{"manual/3", reference("manual/3")},
                                                 {"ch10/10.12", reference("ch10/10.12")}};
  const auto work = fresh_dir("together");
  const auto object = compile_together(kit, files, work / "unit", Limits{});
  BOOST_TEST_REQUIRE(object.has_value());
  const auto symbols = undefined_symbols(*object);
  BOOST_TEST(std::none_of(symbols.begin(), symbols.end(), [](const auto& s) { return is_nn_symbol(called_name(s)); }));
  auto clashing = files;
  for (auto& [id, source] : clashing) source += "\nint helper() { return 1; }\n";
  BOOST_TEST(!compile_together(kit, clashing, work / "clash", Limits{}).has_value());
  const std::map<std::string, std::string> calling_nn{
      {"manual/3", reference("manual/3")},
      {"ch10/10.22", read_text(source_dir / "tests/fixtures/hostile/hidden-library/ch10/10.22.cpp")}};
  BOOST_TEST(!compile_together(kit, calling_nn, work / "nn", Limits{}).has_value());
}

// One file that does not compile beside one that does: the unit fails, each file is built alone, and only the
// broken one is a compile error, with its own compiler message.
BOOST_AUTO_TEST_CASE(a_compile_error_beside_a_good_file_costs_only_its_own_file) {
  const auto dir = fresh_dir("one-broken");
  const std::vector<std::string> ids{"manual/3", "ch10/10.12"};
  std::vector<Exercise> exercises;
  for (const auto& id : ids) exercises.push_back(*find_exercise(id).exercise);
  copy_reference(dir, exercises);
  const auto stamp = std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  std::ofstream(dir / "manual/3.cpp", std::ios::app) << "\n// " << stamp << "\n";
  std::ofstream(dir / "ch10/10.12.cpp", std::ios::app) << "\nint broken = undeclared_name_" << stamp.size() << ";\n";
  const auto grade = grade_submission(dir, options_for(ids, 20));
  for (const auto& e : grade.exercises) {
    BOOST_TEST_INFO(e.id << ": " << to_string(e.outcome) << " " << e.cause);
    if (e.id == "manual/3") BOOST_TEST((e.outcome == Outcome::pass));
    if (e.id == "ch10/10.12") {
      BOOST_TEST((e.outcome == Outcome::compile_error));
      BOOST_TEST(has(e.build_log, "undeclared_name_"), e.build_log);
    }
  }
}

BOOST_AUTO_TEST_CASE(an_empty_scaffold_scores_zero_and_only_says_not_implemented) {
  const auto dir = fresh_dir("scaffold");
  std::vector<Exercise> chosen;
  std::vector<std::string> ids;
  // Every answers-only exercise, and three that ask for code (each compiles its stubs: keep it short).
  int code = 0;
  const auto kit = load_kit(default_kit_path());
  for (auto& ex : all_exercises()) {
    if (ex.asks_for_code() && ++code > 3) continue;
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

// ---- the work cannot be graded as written: each outcome says why ----------------------------------------

BOOST_AUTO_TEST_CASE(compile_error_is_reported_with_the_compiler_message) {
  const auto e = grade_one("compile-error");
  BOOST_TEST((e.outcome == Outcome::compile_error));
  BOOST_TEST(has(e.build_log, "undeclared_scale"), e.build_log);
}

// The kit links with gold, the system's default is bfd: the names are read from either one's wording.
BOOST_AUTO_TEST_CASE(undefined_references_are_read_from_bfd_and_gold_logs) {
  const std::string bfd = "u.cpp:(.text+0xa): undefined reference to `ns::f(int)'\n";
  const std::string gold = "/tmp/u.o:u.cpp:function main: error: undefined reference to 'ns::g(double)'\n";
  BOOST_TEST(undefined_references(bfd) == std::vector<std::string>{"ns::f(int)"}, boost::test_tools::per_element());
  BOOST_TEST(undefined_references(gold) == std::vector<std::string>{"ns::g(double)"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_missing_function_is_a_link_error_naming_it) {
  const auto e = grade_one("missing-function");
  BOOST_TEST((e.outcome == Outcome::link_error));
  BOOST_TEST(has(e.cause, "self_attention"), e.cause);
}

// The kit holds the nn library, but an exercise offers only what its interface lists: a file that calls the
// library's version of the piece it is asked to write is refused before it runs.
BOOST_AUTO_TEST_CASE(calling_the_library_piece_the_exercise_asks_for_is_refused) {
  const auto grade = grade_submission(hostile("hidden-library"), options_for({"ch10/10.22"}));
  const auto& e = only_exercise(grade);
  BOOST_TEST((e.outcome == Outcome::compile_error));
  BOOST_TEST(has(e.build_log, "calls nn::attention_forward<double>"), e.build_log);
  BOOST_TEST(has(e.build_log, "offers nothing of the nn library"), e.build_log);
  BOOST_TEST(e.score == 0);
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

BOOST_AUTO_TEST_CASE(a_100_gb_allocation_hits_the_memory_limit) {
  const auto e = grade_one("huge-allocation");
  BOOST_TEST((e.outcome == Outcome::memory_limit));
}

BOOST_AUTO_TEST_CASE(memory_taken_in_touched_chunks_hits_the_memory_limit_too) {
  const auto e = grade_one("chunked-allocation", 20);
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
    for (const auto& check : part.checks) said_shape |= has(check.result.message, "shape (");
  BOOST_TEST(said_shape);
}

BOOST_AUTO_TEST_CASE(a_malformed_answers_file_names_line_and_column) {
  const auto grade = grade_submission(hostile("malformed-answers"), options_for({"ch10/10.1"}));
  const auto& e = only_exercise(grade);
  BOOST_TEST((e.outcome == Outcome::answers_malformed));
  BOOST_TEST(has(e.cause, "answers.toml:3:"), e.cause);
}

// ---- the verdict is decided outside the student's process -------------------------------------------------

BOOST_AUTO_TEST_CASE(a_report_forged_from_a_static_initialiser_is_not_believed) {
  const auto e = grade_one("forge-static-init");
  BOOST_TEST((e.outcome != Outcome::pass));
}

BOOST_AUTO_TEST_CASE(a_report_forged_after_scanning_memory_is_not_believed) {
  const auto e = grade_one("forge-memory-scan");
  BOOST_TEST((e.outcome == Outcome::fail));
}

BOOST_AUTO_TEST_CASE(no_exercise_scores_above_its_maximum) {
  for (const auto* fixture : {"forge-static-init", "forge-memory-scan"}) {
    const auto grade = graded(fixture);
    for (const auto& e : grade.exercises) BOOST_TEST(e.score <= e.max_score);
    BOOST_TEST(grade.score <= grade.max_score);
  }
}

// ---- nothing outside the submission is read --------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_file_linked_to_the_reference_solution_is_refused) {
  const auto dir = fresh_dir("link-solution");
  std::filesystem::create_directories(dir / "manual");
  std::filesystem::create_symlink(source_dir / "solutions/manual/3/solution.cpp", dir / "manual/3.cpp");
  const auto e = only_exercise(grade_submission(dir, options_for({target})));
  BOOST_TEST((e.outcome == Outcome::file_refused));
  BOOST_TEST(has(e.cause, "manual/3.cpp is a symbolic link"), e.cause);
  BOOST_TEST(e.score == 0);
}

BOOST_AUTO_TEST_CASE(answers_linked_to_the_reference_answers_are_refused) {
  const auto dir = fresh_dir("link-answers");
  std::filesystem::create_symlink(source_dir / "solutions/ch13/13.11/answers.toml", dir / "answers.toml");
  const auto e = only_exercise(grade_submission(dir, options_for({"ch13/13.11"})));
  BOOST_TEST((e.outcome == Outcome::answers_malformed));
  BOOST_TEST(has(e.cause, "symbolic link"), e.cause);
  BOOST_TEST(e.score == 0);
}

BOOST_AUTO_TEST_CASE(a_directory_linked_elsewhere_is_refused_too) {
  const auto dir = fresh_dir("link-directory");
  const auto elsewhere = fresh_dir("link-directory-target");
  copy_reference(elsewhere, {*find_exercise(target).exercise});
  std::filesystem::create_directory_symlink(elsewhere / "manual", dir / "manual");
  const auto e = only_exercise(grade_submission(dir, options_for({target})));
  BOOST_TEST((e.outcome == Outcome::file_refused));
}

BOOST_AUTO_TEST_CASE(a_link_to_etc_passwd_shows_nothing_of_it) {
  const auto dir = fresh_dir("link-passwd");
  std::filesystem::create_directories(dir / "manual");
  std::filesystem::create_symlink("/etc/passwd", dir / "manual/3.cpp");
  const auto grade = grade_submission(dir, options_for({target}));
  const auto& e = only_exercise(grade);
  BOOST_TEST((e.outcome == Outcome::file_refused));
  BOOST_TEST(!has(e.build_log + e.cause + e.output, "root:"));
}

BOOST_AUTO_TEST_CASE(the_reference_solutions_cannot_be_read_at_run_time) {
  if (!bubblewrap_available()) {  // with rlimits only, the file system is not hidden: nothing to test
    BOOST_TEST_MESSAGE("bubblewrap is not available here: skipped");
    return;
  }
  BOOST_REQUIRE(std::filesystem::exists(source_dir / "solutions/manual/3/solution.cpp"));  // the attempt is real
  const auto e = grade_one("read-solutions");
  BOOST_TEST((e.outcome == Outcome::exception));
  BOOST_TEST(has(e.cause, "could not open the reference solution"), e.cause);
}

// ---- one student's code cannot cost another points; the grader never dies of it -----------------------------

BOOST_AUTO_TEST_CASE(a_fork_bomb_beside_an_honest_student_costs_the_honest_one_nothing) {
  const auto root = fresh_dir("class");
  hostile("fork-bomb", root / "bomber");
  copy_reference(root / "honest", {*find_exercise(target).exercise});
  const auto rows = grade_students(
      {"bomber", "honest"}, 2,
      [&](const std::string& student) { return grade_submission(root / student, options_for({target}, 5)); },
      [](const StudentResult&, std::size_t, std::size_t) {});
  BOOST_REQUIRE(rows[0].grade && rows[1].grade);
  const auto& bomber = rows[0].grade->exercises.front();
  BOOST_TEST((bomber.outcome == Outcome::timed_out), to_string(bomber.outcome) << " " << bomber.cause);
  const auto& honest = rows[1].grade->exercises.front();
  BOOST_TEST((honest.outcome == Outcome::pass), to_string(honest.outcome) << " " << honest.cause);
  BOOST_TEST(rows[1].grade->score == rows[1].grade->max_score);
}

BOOST_AUTO_TEST_CASE(a_solution_that_closes_the_channel_ends_only_its_own_exercise) {
  const auto dir = hostile("close-channel");
  std::ofstream(dir / "answers.toml") << "[topic10.\"1.5\"]\n" << read_text(source_dir / "solutions/topic10/1.5/answers.toml");
  const auto grade = grade_submission(dir, options_for({target, "topic10/1.5"}));
  BOOST_REQUIRE_EQUAL(grade.exercises.size(), 2u);
  for (const auto& e : grade.exercises) {
    BOOST_TEST_MESSAGE(e.id << ": " << to_string(e.outcome) << " — " << e.cause);
    if (e.id == target) BOOST_TEST((e.outcome == Outcome::crashed));
    else BOOST_TEST((e.outcome == Outcome::pass));
  }
}

BOOST_AUTO_TEST_CASE(the_private_tmp_is_bounded) {
  const auto e = grade_one("tmp-fill", 20);
  BOOST_TEST_MESSAGE("tmp-fill: " << to_string(e.outcome) << " — " << e.cause);
  // Where the machine counts the tmpfs toward the process's memory (in a fresh Debian chroot the writer was
  // killed by SIGKILL before its 64 MiB), the fill ends as a memory limit: bounded either way, and no points.
  if (e.outcome == Outcome::memory_limit) return;
  BOOST_TEST((e.outcome == Outcome::exception), e.cause);
  const auto at = e.cause.find("wrote ");
  BOOST_REQUIRE(at != std::string::npos);
  BOOST_TEST(std::stoul(e.cause.substr(at + 6)) <= 64u, e.cause);  // Limits::tmp_size, 64 MiB
}

BOOST_AUTO_TEST_CASE(a_sandbox_the_grader_cannot_start_is_a_grader_error_not_a_zero) {
  if (!bubblewrap_available()) {
    BOOST_TEST_MESSAGE("bubblewrap is not available here: skipped");
    return;
  }
  const auto fake = fresh_dir("fake-bwrap") / "bwrap";
  std::filesystem::copy_file(source_dir / "tests/fixtures/fake-bwrap.sh", fake);
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all | std::filesystem::perms::others_read |
                                         std::filesystem::perms::others_exec);
  const auto dir = fresh_dir("grader-error");
  copy_reference(dir, {*find_exercise(target).exercise});
  auto options = options_for({target});
  options.cache_dir = fresh_dir("grader-error-cache");  // a fresh build: the compiler's sandbox must start
  setenv("WORKBOOK_BWRAP", fake.c_str(), 1);
  const auto grade = grade_submission(dir, options);
  unsetenv("WORKBOOK_BWRAP");
  const auto& e = only_exercise(grade);
  BOOST_TEST((e.outcome == Outcome::grader_error));
  BOOST_TEST(has(e.cause, "Creating new namespace failed"), e.cause);
  BOOST_TEST(grade.grader_errors() == 1u);
}
