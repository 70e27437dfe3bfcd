#pragma once
// A submission's grade as the reports people and machines read: the terminal text, our JSON, JUnit XML
// for CI systems, Gradescope's results.json, and a Markdown feedback file for the student. Each is
// rendered to a string and written atomically, so a reader (a CI job, a person refreshing a page)
// never sees half a report.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "workbook/grading/grade.hpp"

namespace workbook::grading {

enum class ReportFormat { text, json, junit, gradescope, markdown };

// "text", "json", "junit", "gradescope", "markdown". Throws std::invalid_argument naming the choices.
ReportFormat parse_format(std::string_view name);
// A comma-separated list ("json,junit"); each format once, in the order given.
std::vector<ReportFormat> parse_formats(const std::string& comma_separated);
std::string_view format_name(ReportFormat format);
// Where a format goes under --out: report.txt, report.json, junit.xml, results.json, feedback.md.
std::string report_file_name(ReportFormat format);

std::string render(const SubmissionGrade& grade, ReportFormat format, bool colour = false);

// JSON text as we write it: indented, with any invalid UTF-8 (a student's output cut mid-character, or
// binary noise) replaced by U+FFFD instead of making the whole report fail.
std::string dump_json(const nlohmann::json& json);

// One <testsuite> (the submission) with one <testcase> per exercise; <failure> for a wrong answer or
// unfinished work, <error> when the work could not be graded as written (see is_error).
std::string to_junit(const SubmissionGrade& grade);
// Gradescope's autograder results.json: one test per exercise, automatic points only.
nlohmann::json to_gradescope(const SubmissionGrade& grade);
// Feedback for the student: the total, what passed, what failed and why, what to try next (the hints of
// the failing parts, from the registry), and the parts a person grades.
std::string to_markdown(const SubmissionGrade& grade);

// The inverse of to_json(SubmissionGrade), for grades that come back from a worker process or a shard
// file. Keeps what the reports need; `dir` is not in the JSON and stays empty. Throws on malformed JSON.
SubmissionGrade grade_from_json(const nlohmann::json& json);
Outcome outcome_from_string(std::string_view text);

// Writes `text` to `path` through a temporary file in the same directory and a rename.
void write_atomically(const std::filesystem::path& path, const std::string& text);
// Every format in `formats` into `dir`, under its report_file_name.
void write_reports(const SubmissionGrade& grade, const std::vector<ReportFormat>& formats,
                   const std::filesystem::path& dir);

}  // namespace workbook::grading
