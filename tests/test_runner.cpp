// The registry (ids, order, short ids), the runner (scores, statuses, errors) and the JSON report,
// on small exercises defined here.

#define BOOST_TEST_MODULE runner
#include <boost/test/unit_test.hpp>

#include <sstream>

#include "workbook/registry.hpp"
#include "workbook/report.hpp"
#include "workbook/runner.hpp"

using namespace workbook;

WORKBOOK_EXERCISE_WITH_ID("ch10/10.10") {
  ex.title = "Scores and statuses";
  ex.part("a", 2, "right").check("one", CheckKind::close, "1 is 1", [](const Context&) { return close(1.0, 1.0); });
  ex.part("b", 3, "wrong").check("two", CheckKind::close, "2 is not 3", [](const Context&) { return close(2.0, 3.0); });
  ex.part("c", 1, "explain").manual();
  ex.part("d", 1, "throws").check("boom", CheckKind::close, "throws", [](const Context&) -> CheckResult {
    throw std::runtime_error("boom");
  });
  ex.part("e", 1, "answer").number_answer("e", "a number", [] { return 4.0; });
  ex.part("f", 1, "answer and explain")
      .choice_answer("f", "a choice", {"x", "y"}, "x")
      .manual(2);
}
WORKBOOK_EXERCISE_WITH_ID("ch10/10.2") { ex.title = "Two"; }
WORKBOOK_EXERCISE_WITH_ID("manual/3") { ex.title = "Three"; }
WORKBOOK_EXERCISE_WITH_ID("arch13/3") { ex.title = "Also three"; }

BOOST_AUTO_TEST_CASE(exercises_come_in_collection_then_numeric_order) {
  std::vector<std::string> ids;
  for (const auto& ex : all_exercises()) ids.push_back(ex.id);
  BOOST_TEST(ids == (std::vector<std::string>{"ch10/10.2", "ch10/10.10", "arch13/3", "manual/3"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(short_ids_resolve_when_unambiguous) {
  BOOST_TEST(find_exercise("10.2").exercise->id == "ch10/10.2");
  BOOST_TEST(find_exercise("manual/3").exercise->id == "manual/3");
  const auto ambiguous = find_exercise("3");
  BOOST_TEST(!ambiguous.exercise);
  BOOST_TEST(ambiguous.candidates == (std::vector<std::string>{"arch13/3", "manual/3"}), boost::test_tools::per_element());
  const auto unknown = find_exercise("10.3");
  BOOST_TEST(!unknown.exercise);
  BOOST_TEST(unknown.candidates.size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_part_scores_only_when_every_check_passes) {
  AnswerBook answers;
  answers.set_number("ch10/10.10", "e", 4.0);
  answers.set_text("ch10/10.10", "f", "x");
  const auto report = run_exercise(*find_exercise("10.10").exercise, answers, RunOptions{});
  BOOST_TEST(report.parts[0].status == Status::pass);
  BOOST_TEST(report.parts[1].status == Status::fail);
  BOOST_TEST(report.parts[2].status == Status::manual);
  BOOST_TEST(report.parts[3].status == Status::error);
  BOOST_TEST(report.parts[3].checks[0].result.message == "threw an exception: boom");
  BOOST_TEST(report.parts[4].status == Status::pass);
  BOOST_TEST(report.parts[5].status == Status::pass);  // the choice passed; the rubric is for a person
  BOOST_TEST(report.score == 4);
  BOOST_TEST(report.max_score == 8);      // manual points are not in max_score...
  BOOST_TEST(report.manual_points == 3);  // ...they are counted apart: part (c), and part (f)'s rubric
  BOOST_TEST(report.status == Status::error);
}

BOOST_AUTO_TEST_CASE(a_missing_answer_is_an_error_for_that_part_alone) {
  const auto report = run_exercise(*find_exercise("10.10").exercise, AnswerBook{}, RunOptions{});
  BOOST_TEST(report.parts[4].status == Status::error);
  BOOST_TEST(report.parts[4].checks[0].result.message.find("no answer \"e\"") != std::string::npos);
  BOOST_TEST(report.parts[0].status == Status::pass);
}

BOOST_AUTO_TEST_CASE(json_report_has_the_documented_fields) {
  const auto json = to_json(run_exercise(*find_exercise("10.10").exercise, AnswerBook{}, RunOptions{}));
  for (const char* key : {"id", "title", "status", "score", "max_score", "manual_points", "seed", "parts"})
    BOOST_TEST(json.contains(key), key);
  const auto& part = json["parts"][1];
  for (const char* key : {"part", "status", "points", "score", "checks"}) BOOST_TEST(part.contains(key), key);
  const auto& check = part["checks"][0];
  for (const char* key : {"name", "status", "actual", "expected", "rtol", "atol", "message"})
    BOOST_TEST(check.contains(key), key);
  BOOST_TEST(check["actual"] == 2.0);
  BOOST_TEST(check["expected"] == 3.0);
  BOOST_TEST(check["rtol"] == 1e-6);
  BOOST_TEST(check["status"] == "fail");
  BOOST_TEST(json["parts"][2]["checks"][0]["rtol"].is_null());
}

BOOST_AUTO_TEST_CASE(text_report_has_no_colour_unless_asked) {
  const auto report = run_exercise(*find_exercise("10.10").exercise, AnswerBook{}, RunOptions{});
  std::ostringstream plain, coloured;
  print_report(plain, report, TextStyle{false});
  print_report(coloured, report, TextStyle{true});
  BOOST_TEST(plain.str().find('\033') == std::string::npos);
  BOOST_TEST(coloured.str().find('\033') != std::string::npos);
  BOOST_TEST(plain.str().find("actual 2, expected 3") != std::string::npos, plain.str());
}

// A generated sample in a check's actual value: the table keeps one line per check and cuts it; JSON has it whole.
BOOST_AUTO_TEST_CASE(a_long_text_value_is_one_cut_line_in_the_table) {
  auto report = run_exercise(*find_exercise("10.10").exercise, AnswerBook{}, RunOptions{});
  std::string sample;
  for (int line = 0; line < 20; ++line) sample += "line " + std::to_string(line) + " of a sample\n";
  report.parts[1].checks[0].result.actual = sample;
  std::ostringstream plain;
  print_report(plain, report, TextStyle{false});
  const auto text = plain.str();
  BOOST_TEST(text.find("line 0 of a sample\\nline 1 of a sample") != std::string::npos, text);
  BOOST_TEST(text.find("line 19 of a sample") == std::string::npos, text);
  BOOST_TEST(text.find("...") != std::string::npos, text);
  BOOST_TEST(to_json(report)["parts"][1]["checks"][0]["actual"] == sample);
}

BOOST_AUTO_TEST_CASE(causes_are_values_set_where_they_happen) {
  const auto missing = run_exercise(*find_exercise("10.10").exercise, AnswerBook{}, RunOptions{});
  BOOST_TEST((missing.parts[4].checks[0].result.cause == Cause::no_answer));
  BOOST_TEST((missing.parts[3].checks[0].result.cause == Cause::exception));
  BOOST_TEST((missing.parts[1].checks[0].result.cause == Cause::none));  // an ordinary failure
  AnswerBook unreadable;
  unreadable.mark_unreadable("answers.toml:3:7: unterminated string");
  const auto broken = run_exercise(*find_exercise("10.10").exercise, unreadable, RunOptions{});
  BOOST_TEST((broken.parts[4].checks[0].result.cause == Cause::answers_unreadable));
  BOOST_TEST(to_json(broken)["parts"][4]["checks"][0]["cause"] == "answers unreadable");
}

// The feedback a student gets for a wrong pen-and-paper answer names neither the value nor its side.
BOOST_AUTO_TEST_CASE(a_student_never_sees_an_expected_answer_unless_revealed) {
  AnswerBook answers;
  answers.set_number("ch10/10.10", "e", 4.2);  // within 10% of 4
  answers.set_text("ch10/10.10", "f", "y");
  const auto report = run_exercise(*find_exercise("10.10").exercise, answers, RunOptions{});
  const auto student = for_student(report, false);
  const auto& e = student.parts[4].checks[0];
  BOOST_TEST(e.answer);
  BOOST_TEST(e.result.expected == "withheld");
  BOOST_TEST(e.result.message.find("within 10%") != std::string::npos, e.result.message);
  BOOST_TEST(e.result.message.find('4') == std::string::npos, e.result.message);
  BOOST_TEST(student.parts[5].checks[0].result.message == "not the right choice");
  BOOST_TEST(to_json(student).dump().find("\"x\"") == std::string::npos);  // the right choice is nowhere
  BOOST_TEST(student.parts[1].checks[0].result.expected == 3.0);  // a code check keeps its expected value
  const auto revealed = for_student(report, true);
  BOOST_TEST(revealed.parts[4].checks[0].result.expected == 4.0);
}

BOOST_AUTO_TEST_CASE(a_typed_answer_passes_exactly_at_its_stated_precision) {
  const auto three_places = Precision::decimal_places(3);
  BOOST_TEST(three_places.describe() == "to 3 decimal places");
  BOOST_TEST((close(0.192, 0.1918820, three_places).status == Status::pass));   // rounded correctly
  BOOST_TEST((close(0.1925, 0.1918820, three_places).status == Status::fail));  // a unit in the third place off
  const auto four_figures = Precision::significant_figures(4);
  BOOST_TEST((close(22100.0, 22104.82, four_figures).status == Status::pass));
  BOOST_TEST((close(22110.0, 22104.82, four_figures).status == Status::fail));
  BOOST_TEST(four_figures.round(22104.82) == 22100.0);
  BOOST_TEST(three_places.round(0.1918820) == 0.192);
}
