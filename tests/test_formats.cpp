// The report writers on a hand-built grade: JUnit XML escapes whatever a student printed, Gradescope's
// results.json has the fields its spec names, the Markdown feedback says why and what to try next
// without giving away the rubric, JSON survives a round trip, and reports are written atomically.

#define BOOST_TEST_MODULE formats
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "workbook/grading/formats.hpp"

using namespace workbook;
using namespace workbook::grading;

// Registered here so that the feedback can look up the parts' hints, prompts and rubrics.
WORKBOOK_EXERCISE_WITH_ID("manual/902") {
  ex.title = "Sums";
  ex.part("a", 2, "Add them up.").number_answer("a", "the sum", [] { return 4.0; }).hint("Count each term once.");
  ex.part("b", 1, "Add them again.").number_answer("b", "the sum", [] { return 4.0; }).hint("HINT-FOR-B-PASSED");
  ex.part("c", 1, "Explain the sum.").manual();
}
WORKBOOK_EXERCISE_WITH_ID("manual/904") {
  ex.title = "Code";
  ex.part("a", 4, "Write add().")
      .check("add", CheckKind::equal, "add(2, 2) is 4", [](const Context&) { return equal(std::int64_t{4}, 4); })
      .hint("Start from the header's signature.");
}

namespace {

CheckReport check(std::string name, Status status, std::string message, CheckKind kind = CheckKind::close) {
  CheckReport c{std::move(name), "verifies", kind, {}};
  c.result.status = status;
  c.result.message = std::move(message);
  return c;
}

PartReport part(std::string label, Status status, int points, std::vector<CheckReport> checks) {
  return {std::move(label), status, points, status == Status::pass ? points : 0, std::move(checks)};
}

ExerciseGrade exercise(std::string id, std::string title, Outcome outcome, int score, int max_score) {
  ExerciseGrade e;
  e.id = std::move(id);
  e.title = std::move(title);
  e.outcome = outcome;
  e.score = e.report.score = score;
  e.max_score = e.report.max_score = max_score;
  return e;
}

// A pass, a wrong answer, a crash with hostile output, a compile error whose log holds a code fence.
SubmissionGrade sample() {
  SubmissionGrade g;
  g.student = "ann <&> \"o'neil\"";
  g.seed = 7;
  g.seconds = 1.2;
  g.sandboxed = true;

  auto pass = exercise("manual/901", "Passing", Outcome::pass, 2, 2);
  pass.report.parts = {part("a", Status::pass, 2, {check("a", Status::pass, "")})};

  auto fail = exercise("manual/902", "Sums", Outcome::fail, 1, 3);
  fail.manual_points = fail.report.manual_points = 1;
  fail.report.parts = {part("a", Status::fail, 2, {check("a", Status::fail, "actual 5 <not> expected 4 & *so* [on]")}),
                       part("b", Status::pass, 1, {check("b", Status::pass, "")}),
                       part("c", Status::manual, 1, {check("c", Status::manual, "rubric: SECRET-RUBRIC", CheckKind::manual)})};

  auto crash = exercise("manual/903", "Crash", Outcome::crashed, 0, 4);
  crash.cause = "crashed: SIGSEGV (Segmentation fault)";
  crash.output = "bad \x01 byte \xff\xfe then ]]> and </system-out> end";

  auto compile = exercise("manual/904", "Code", Outcome::compile_error, 0, 4);
  compile.cause = "does not compile: see the build log";
  compile.build_log = "add.cpp:3: error: expected ';'\n```` not a fence ````\n";

  g.exercises = {pass, fail, crash, compile};
  for (const auto& e : g.exercises) g.score += e.score, g.max_score += e.max_score, g.manual_points += e.manual_points;
  return g;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("workbook-test-formats-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

BOOST_AUTO_TEST_CASE(formats_parse_by_name_and_map_to_their_files) {
  const auto formats = parse_formats("json,junit,json,,markdown");
  BOOST_TEST(formats.size() == 3u);
  BOOST_TEST(report_file_name(formats[0]) == "report.json");
  BOOST_TEST(report_file_name(ReportFormat::text) == "report.txt");
  BOOST_TEST(report_file_name(ReportFormat::junit) == "junit.xml");
  BOOST_TEST(report_file_name(ReportFormat::gradescope) == "results.json");
  BOOST_TEST(report_file_name(ReportFormat::markdown) == "feedback.md");
  BOOST_CHECK_THROW(parse_format("xml"), std::invalid_argument);
  BOOST_CHECK_THROW(parse_formats(","), std::invalid_argument);
  for (const auto format : {ReportFormat::text, ReportFormat::json, ReportFormat::junit, ReportFormat::gradescope,
                            ReportFormat::markdown})
    BOOST_TEST((parse_format(format_name(format)) == format));
}

BOOST_AUTO_TEST_CASE(junit_counts_failures_and_errors_and_escapes_everything) {
  const auto xml = to_junit(sample());
  BOOST_TEST(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 0) == 0u);
  BOOST_TEST(count(xml, "<testsuite ") == 1u);
  BOOST_TEST(count(xml, "<testcase ") == 4u);
  BOOST_TEST(count(xml, "</testcase>") == 4u);
  BOOST_TEST(xml.find("tests=\"4\" failures=\"1\" errors=\"2\"") != std::string::npos);
  BOOST_TEST(count(xml, "<failure ") == 1u);  // the wrong answer
  BOOST_TEST(count(xml, "<error ") == 2u);    // the crash and the compile error
  BOOST_TEST(xml.find("type=\"compile error\"") != std::string::npos);
  // The student's name in attributes, the check's message, the output: escaped, never raw markup.
  BOOST_TEST(xml.find("name=\"ann &lt;&amp;&gt; &quot;o&apos;neil&quot;\"") != std::string::npos);
  BOOST_TEST(xml.find("actual 5 &lt;not&gt; expected 4 &amp; *so* [on]") != std::string::npos);
  BOOST_TEST(xml.find("]]&gt; and &lt;/system-out&gt; end</system-out>") != std::string::npos);
  BOOST_TEST(count(xml, "</system-out>") == 1u);
  // XML 1.0 forbids control characters, and the text must be UTF-8: both become U+FFFD.
  BOOST_TEST(xml.find('\x01') == std::string::npos);
  BOOST_TEST(xml.find("bad \xEF\xBF\xBD byte \xEF\xBF\xBD\xEF\xBF\xBD then") != std::string::npos);
  BOOST_TEST(xml.find("add.cpp:3: error: expected &apos;;&apos;") != std::string::npos);
  BOOST_TEST(xml.find("<property name=\"score\" value=\"3\"/>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(xml_attributes_keep_newlines_as_references) {
  auto g = sample();
  g.exercises[2].cause = "line one\nline two\ttab";
  const auto xml = to_junit(g);
  BOOST_TEST(xml.find("message=\"line one&#10;line two&#9;tab\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(gradescope_results_have_the_spec_fields) {
  const auto g = sample();
  const auto results = to_gradescope(g);
  BOOST_TEST(results.at("score") == 3);
  BOOST_TEST(results.at("execution_time").is_number_integer());
  BOOST_TEST(results.at("execution_time").get<int>() >= 1);
  BOOST_TEST(results.at("output").get<std::string>().find("3 of 13 points") != std::string::npos);
  BOOST_TEST(results.at("tests").size() == 4u);
  std::set<std::string> numbers;
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& test = results.at("tests")[i];
    std::set<std::string> keys;
    for (const auto& [key, value] : test.items()) keys.insert(key);
    BOOST_TEST((keys == std::set<std::string>{"name", "number", "score", "max_score", "status", "output", "visibility"}));
    BOOST_TEST(test.at("number").is_string());
    numbers.insert(test.at("number").get<std::string>());
    BOOST_TEST(test.at("visibility") == "visible");
    BOOST_TEST(test.at("score") == g.exercises[i].score);
    BOOST_TEST(test.at("max_score") == g.exercises[i].max_score);
    BOOST_TEST(test.at("status") == (i == 0 ? "passed" : "failed"));
    BOOST_TEST(test.at("name").get<std::string>().rfind(g.exercises[i].id, 0) == 0u);
  }
  BOOST_TEST(numbers.size() == 4u);
  BOOST_TEST(results["tests"][1]["output"].get<std::string>().find("actual 5 <not> expected 4") != std::string::npos);
  BOOST_TEST(results["tests"][1]["output"].get<std::string>().find("graded by hand") != std::string::npos);
  BOOST_TEST(results["tests"][2]["output"].get<std::string>().find("SIGSEGV") != std::string::npos);
  BOOST_TEST(results["tests"][3]["output"].get<std::string>().find("expected ';'") != std::string::npos);
  // The crash's output is not UTF-8: the file is still written, with U+FFFD in its place.
  const auto text = render(g, ReportFormat::gradescope);
  BOOST_TEST(nlohmann::json::parse(text)["tests"][2]["output"].get<std::string>().find("\xEF\xBF\xBD") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(json_keeps_its_schema_and_reads_back) {
  const auto g = sample();
  BOOST_TEST(render(g, ReportFormat::json) == dump_json(to_json(g)));
  auto original = to_json(g);
  const auto again = to_json(grade_from_json(original));
  BOOST_TEST(again == original);
  BOOST_TEST(nlohmann::json::parse(render(g, ReportFormat::json))["exercises"][2]["output"].get<std::string>().find(
                 "\xEF\xBF\xBD") != std::string::npos);
  BOOST_CHECK_THROW(outcome_from_string("exploded"), std::invalid_argument);
  BOOST_TEST((outcome_from_string("compile error") == Outcome::compile_error));
}

BOOST_AUTO_TEST_CASE(markdown_feedback_says_why_and_what_next_without_the_rubric) {
  const auto md = to_markdown(sample());
  BOOST_TEST(md.find("**3 of 13 points**") != std::string::npos);
  BOOST_TEST(md.find("## What passed\n\n- manual/901 Passing (2/2)") != std::string::npos);
  BOOST_TEST(md.find("### manual/902") != std::string::npos);
  // The failing check's message, with the characters Markdown would act on escaped.
  BOOST_TEST(md.find("(a) a: actual 5 \\<not\\> expected 4 & \\*so\\* \\[on\\]") != std::string::npos);
  // The hint of the failing part, and not of the part that passed.
  BOOST_TEST(md.find("(a) Count each term once.") != std::string::npos);
  BOOST_TEST(md.find("HINT-FOR-B-PASSED") == std::string::npos);
  // Nothing ran for the compile error: the hints of every part with automatic checks, and the log.
  BOOST_TEST(md.find("(a) Start from the header's signature.") != std::string::npos);
  BOOST_TEST(md.find("`````text\nadd.cpp:3: error: expected ';'\n```` not a fence ````\n`````\n") != std::string::npos);
  BOOST_TEST(md.find("crashed: SIGSEGV") != std::string::npos);
  BOOST_TEST(md.find("Your code printed (the end):\n\n```text\nbad \xEF\xBF\xBD byte \xEF\xBF\xBD\xEF\xBF\xBD then") !=
             std::string::npos);  // shown, but as text a viewer can display
  BOOST_TEST(md.find('\x01') == std::string::npos);
  // The part a person grades, by its prompt; our reference answer and rubric stay with the grader.
  BOOST_TEST(md.find("## Graded by hand") != std::string::npos);
  BOOST_TEST(md.find("manual/902 (c), 1 point(s): Explain the sum.") != std::string::npos);
  BOOST_TEST(md.find("SECRET") == std::string::npos);
  BOOST_TEST(md.find("# Feedback for ann \\<&\\> \"o'neil\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(reports_are_written_atomically_and_completely) {
  const auto dir = fresh_dir("atomic");
  const auto g = sample();
  write_reports(g, parse_formats("text,json,junit,gradescope,markdown"), dir / "ann");
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "ann")) names.insert(entry.path().filename());
  BOOST_TEST((names == std::set<std::string>{"report.txt", "report.json", "junit.xml", "results.json", "feedback.md"}));
  BOOST_TEST(read_text(dir / "ann/junit.xml") == to_junit(g));

  // Replacing a report leaves no temporary file behind, and a failed write leaves the old report whole.
  write_atomically(dir / "file.txt", "old");
  write_atomically(dir / "file.txt", "new");
  BOOST_TEST(read_text(dir / "file.txt") == "new");
  std::filesystem::create_directories(dir / "blocked/report.txt");  // a directory where the file would go
  BOOST_CHECK_THROW(write_atomically(dir / "blocked/report.txt", "text"), std::filesystem::filesystem_error);
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    BOOST_TEST(entry.path().filename().string().find(".tmp") == std::string::npos);
    files += entry.is_regular_file();
  }
  BOOST_TEST(files == 6u);
  std::filesystem::remove_all(dir);
}
