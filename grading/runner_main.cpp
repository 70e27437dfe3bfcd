// The student runner: one exercise's checks linked with a student's implementation of its interface
// (built by `workbook grade`, run in the sandbox). Reads a token line and then the answers file on
// standard input, runs the exercise, and writes {"token", "report"} as JSON to file descriptor 3.
// Whatever the student's code prints goes to stdout/stderr, which the grader shows but never reads
// a verdict from.

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string>

#include "workbook/registry.hpp"
#include "workbook/report.hpp"
#include "workbook/runner.hpp"

extern "C" void openblas_set_num_threads(int threads);

int main(int argc, char** argv) {
  openblas_set_num_threads(1);
  workbook::RunOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seed" && i + 1 < argc) options.seed = std::stoull(argv[++i]);
    if (arg == "--full") options.full = true;
  }
  std::string token;
  std::getline(std::cin, token);
  const std::string answers_text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());

  workbook::AnswerBook answers;
  try {
    answers.add_text(answers_text, "answers.toml");
  } catch (const workbook::AnswersFileError& error) {
    answers.mark_unreadable(error.what());
  }
  const auto exercises = workbook::all_exercises();
  if (exercises.size() != 1) return 2;
  const auto report = workbook::run_exercise(exercises.front(), answers, options);

  const std::string json = nlohmann::json{{"token", token}, {"report", workbook::to_json(report)}}.dump();
  for (std::size_t done = 0; done < json.size();) {
    const ssize_t n = write(3, json.data() + done, json.size() - done);
    if (n <= 0) return 3;
    done += n;
  }
  return 0;
}
