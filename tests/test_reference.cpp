// Every exercise passes against the reference solution and answers, and every pen-and-paper answer
// check fails when its reference answer is replaced by a wrong one.

#define BOOST_TEST_MODULE reference
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "../cli/commands.hpp"
#include "workbook/grading/our_solutions.hpp"
#include "workbook/registry.hpp"
#include "workbook/runner.hpp"

using namespace workbook;

namespace {

std::vector<std::string> exercise_ids() {
  std::vector<std::string> ids;
  for (const auto& ex : all_exercises()) ids.push_back(ex.id);
  return ids;
}

const CheckReport* find_check(const ExerciseReport& report, const std::string& part, const std::string& name) {
  for (const auto& p : report.parts)
    if (p.label == part)
      for (const auto& c : p.checks)
        if (c.name == name) return &c;
  return nullptr;
}

// (a named object: a RunOptions{} temporary inside a data test case crashes g++ 12, "check_noexcept_r")
const RunOptions default_options;

// A value that is wrong for sure: far outside any tolerance an answer check uses.
double wrong(double x) { return x * 1.5 + 1.0; }

// Writes a wrong version of the answer into `answers`.
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

}  // namespace

BOOST_DATA_TEST_CASE(reference_passes, boost::unit_test::data::make(exercise_ids()), id) {
  const auto exercise = *find_exercise(id).exercise;
  const auto report = grading::run_against(exercise, grading::reference_program(id), cli::reference_answers(), default_options);
  for (const auto& part : report.parts)
    for (const auto& check : part.checks) {
      BOOST_TEST_INFO(id << " (" << part.label << ") " << check.name << ": " << check.result.message);
      BOOST_TEST((check.result.status == Status::pass || check.result.status == Status::manual));
    }
}

BOOST_DATA_TEST_CASE(wrong_answers_fail, boost::unit_test::data::make(exercise_ids()), id) {
  const auto exercise = *find_exercise(id).exercise;
  for (const auto& part : exercise.parts)
    for (const auto& spec : part.answers) {
      if (spec.kind == AnswerSpec::Kind::text) continue;  // free text is graded by hand
      auto answers = cli::reference_answers();
      make_wrong(answers, id, spec);
      Exercise just_this_part = exercise;  // the other parts cannot see this answer: skip their work
      just_this_part.parts = {part};
      const auto report = grading::run_against(just_this_part, grading::reference_program(id), answers, default_options);
      const auto* check = find_check(report, part.label, spec.key);
      BOOST_TEST_INFO(id << " (" << part.label << ") answer " << spec.key);
      BOOST_REQUIRE(check);
      BOOST_TEST_INFO(id << " (" << part.label << ") answer " << spec.key << " made wrong: " << check->result.message);
      BOOST_TEST((check->result.status == Status::fail));
    }
}
