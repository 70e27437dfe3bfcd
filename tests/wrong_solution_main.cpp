// Runs an exercise against a deliberately wrong solution and asserts that the named checks fail.
// Linked with one exercise object and one tests/wrong/ file, the way a student's runner would be.

#define BOOST_TEST_MODULE wrong_solution
#include <boost/test/unit_test.hpp>

#include "workbook/registry.hpp"
#include "workbook/runner.hpp"
#include "wrong_solution.hpp"

using namespace workbook;

BOOST_AUTO_TEST_CASE(named_checks_fail) {
  const auto& expected = testing::expected_failures;
  const auto lookup = find_exercise(expected.exercise_id);
  BOOST_REQUIRE(lookup.exercise);
  const auto report = run_exercise(*lookup.exercise, AnswerBook{}, RunOptions{});
  BOOST_TEST(report.status != Status::pass);
  for (const auto& name : expected.checks) {
    bool found = false;
    for (const auto& part : report.parts)
      for (const auto& check : part.checks)
        if (part.label + "/" + check.name == name) {
          found = true;
          BOOST_TEST_INFO("check " << name << ": " << check.result.message);
          BOOST_TEST(check.result.status == Status::fail);
        }
    BOOST_TEST_INFO("check " << name);
    BOOST_TEST(found);
  }
}
