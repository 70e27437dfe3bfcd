// answers.toml: values of each kind, and a clear error for every way a file or an answer can be wrong.

#define BOOST_TEST_MODULE answers
#include <boost/test/unit_test.hpp>

#include "workbook/answers.hpp"

using namespace workbook;

namespace {

AnswerBook book(const std::string& text) {
  AnswerBook b;
  b.add_text(text, "answers.toml");
  return b;
}

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const AnswerError& e) {
    return e.what();
  }
  return "(no error)";
}

const char* const sample = R"(
[ch10."10.1"]
n = 3
x = 0.5
v = [1, 2.5, 3]
m = [[1, 2], [3, 4]]
s = "Self-Attention "
)";

}  // namespace

BOOST_AUTO_TEST_CASE(reads_each_kind) {
  const auto a = book(sample).for_exercise("ch10/10.1");
  BOOST_TEST(a.integer("n") == 3);
  BOOST_TEST(a.number("x") == 0.5);
  BOOST_TEST(a.number("n") == 3.0);  // an integer is a number too
  BOOST_TEST(a.array("v", {3}) == (xt::xarray<double>{1, 2.5, 3}));
  BOOST_TEST(a.array("m", {2, 2}) == (xt::xarray<double>{{1, 2}, {3, 4}}));
  // choices ignore case and surrounding blanks, and come back spelled as the option is
  BOOST_TEST(a.choice("s", {"self-attention", "cross-attention"}) == "self-attention");
}

BOOST_AUTO_TEST_CASE(reports_each_wrong_answer_on_its_own) {
  const auto a = book(sample).for_exercise("ch10/10.1");
  BOOST_TEST(error_of([&] { a.number("y"); }) == "no answer \"y\" under [ch10.\"10.1\"]");
  BOOST_TEST(error_of([&] { a.number("s"); }) == "answer \"s\" should be a number, found a string (answers.toml line 7)");
  BOOST_TEST(error_of([&] { a.integer("x"); }).find("should be an integer") != std::string::npos);
  BOOST_TEST(error_of([&] { a.array("v", {4}); }) ==
             "answer \"v\": expected shape (4,), but axis 0 has 3 entries (answers.toml line 5)");
  BOOST_TEST(error_of([&] { a.array("v", {3, 1}); }).find("expected an array of shape (3, 1), found an integer") !=
             std::string::npos);
  BOOST_TEST(error_of([&] { a.choice("s", {"encoder", "decoder"}); }).find("not one of \"encoder\", \"decoder\"") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_exercise_without_a_table_says_so) {
  const auto a = book(sample).for_exercise("ch10/10.2");
  BOOST_TEST(error_of([&] { a.number("a"); }).find("has no table") != std::string::npos);
  BOOST_TEST(error_of([&] { Answers().number("a"); }).find("no answer \"a\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_malformed_file_names_the_line_and_column) {
  try {
    book("[ch10.\"10.1\"]\na = [1, 2\nb = 3\n");
    BOOST_FAIL("no error");
  } catch (const AnswersFileError& e) {
    BOOST_TEST(std::string(e.what()).rfind("answers.toml:3:", 0) == 0, e.what());
  }
}

BOOST_AUTO_TEST_CASE(files_merge_per_exercise) {
  AnswerBook b;
  b.add_text("[ch10.\"10.1\"]\na = 1\n", "one.toml");
  b.add_text("[ch10.\"10.1\"]\nb = 2\n[ch10.\"10.2\"]\na = 3\n", "two.toml");
  BOOST_TEST(b.for_exercise("ch10/10.1").number("a") == 1);
  BOOST_TEST(b.for_exercise("ch10/10.1").number("b") == 2);
  BOOST_TEST(b.for_exercise("ch10/10.2").number("a") == 3);
}

BOOST_AUTO_TEST_CASE(tests_can_overwrite_answers) {
  AnswerBook b = book(sample);
  b.set_array("ch10/10.1", "v", xt::xarray<double>{9, 9, 9});
  b.set_text("ch10/10.1", "s", "cross-attention");
  b.set_number("manual/3", "a", 0.25);
  BOOST_TEST(b.for_exercise("ch10/10.1").array("v", {3}) == (xt::xarray<double>{9, 9, 9}));
  BOOST_TEST(b.for_exercise("ch10/10.1").text("s") == "cross-attention");
  BOOST_TEST(b.for_exercise("manual/3").number("a") == 0.25);
}
