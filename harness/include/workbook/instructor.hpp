#pragma once
// The instructor's edition of an exercise (solutions/<collection>/<number>/instructor.toml): notes that state
// answers (where the seed is wrong or loose, and the computation that settles it), and, for each part a
// person grades, our reference answer and the rubric. A student never sees any of it.
//
//   notes = '''...'''
//   [a]
//   answer = '''...'''
//   rubric = '''...'''

#include <map>
#include <string>

namespace workbook {

struct InstructorNotes {
  struct Rubric {
    std::string answer;  // our reference answer
    std::string rubric;  // how a grader awards the points
  };
  std::string notes;
  std::map<std::string, Rubric> parts;  // by part label
};

// Throws AnswersFileError (workbook/answers.hpp) naming the line of a malformed file, and std::runtime_error
// for a part without its answer or rubric.
InstructorNotes parse_instructor_notes(const std::string& toml_text, const std::string& source_name);

}  // namespace workbook
