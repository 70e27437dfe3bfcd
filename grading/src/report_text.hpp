#pragma once
// What the report writers (formats.cpp, feedback.cpp) say about an exercise, said once: the one-line
// reason it did not pass, the failing checks, the excerpts of the build log and of the program's output.
// Also UTF-8 decoding, since student output may be anything and XML accepts only well-formed text.

#include <string>
#include <vector>

#include "workbook/grading/grade.hpp"

namespace workbook::grading {

// One line: the cause, or else the first failing check, or else the outcome.
std::string headline(const ExerciseGrade& e);
// "(b) name: message" for every automatic check that failed or could not be evaluated.
std::vector<std::string> failing_checks(const ExerciseGrade& e);
// The failing checks that say something the cause does not (none when the work was not started).
std::vector<std::string> checks_worth_listing(const ExerciseGrade& e);
// The build log, when the outcome is a compile or link error; else empty.
std::string build_excerpt(const ExerciseGrade& e);
// The end of what the program printed, when the outcome says it stopped abnormally (that is where the
// clue is); else empty.
std::string output_excerpt(const ExerciseGrade& e);
// Plain text for a machine report: the cause (else the outcome), the failing checks worth listing, the build log, the output excerpt.
std::string details(const ExerciseGrade& e);

// Code points of `bytes`, with each malformed sequence (stray continuation, overlong, surrogate, past
// U+10FFFF, cut short) decoded as U+FFFD.
std::u32string decode_utf8(const std::string& bytes);
void append_utf8(std::string& out, char32_t c);
// `text` as well-formed UTF-8 without control characters other than newline and tab (each becomes U+FFFD):
// what a person's viewer can show.
std::string printable(const std::string& text);

}  // namespace workbook::grading
