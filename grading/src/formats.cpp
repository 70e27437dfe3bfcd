// The machine-read reports (JUnit XML, Gradescope's results.json), the choice of format, and writing a
// report atomically. The student's Markdown feedback is in feedback.cpp.

#include "workbook/grading/formats.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "report_text.hpp"

namespace workbook::grading {

namespace {

struct FormatInfo {
  ReportFormat format;
  std::string_view name;
  std::string_view file;
};

constexpr FormatInfo format_table[] = {
    {ReportFormat::text, "text", "report.txt"},
    {ReportFormat::json, "json", "report.json"},
    {ReportFormat::junit, "junit", "junit.xml"},
    {ReportFormat::gradescope, "gradescope", "results.json"},
    {ReportFormat::markdown, "markdown", "feedback.md"},
};

const FormatInfo& info(ReportFormat format) {
  for (const auto& entry : format_table)
    if (entry.format == format) return entry;
  throw std::logic_error("unknown report format");
}

// XML 1.0 allows only tab, newline, carriage return and U+0020 and above (minus surrogates and
// U+FFFE/U+FFFF), even as character references; student output may hold anything, so the rest becomes
// U+FFFD. Attributes also encode newlines, which a parser would otherwise fold into spaces.
std::string xml_escape(const std::string& raw, bool attribute) {
  std::string out;
  for (const char32_t c : decode_utf8(raw)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      default:
        append_utf8(out, (c < 0x20 || c == 0xFFFE || c == 0xFFFF) ? char32_t{0xFFFD} : c);
    }
  }
  return out;
}

std::string seconds_text(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", seconds);
  return buffer;
}

std::string attribute(std::string_view name, const std::string& value) {
  return " " + std::string(name) + "=\"" + xml_escape(value, true) + "\"";
}

}  // namespace

ReportFormat parse_format(std::string_view name) {
  std::string names;
  for (const auto& entry : format_table) {
    if (entry.name == name) return entry.format;
    names += (names.empty() ? "" : ", ") + std::string(entry.name);
  }
  throw std::invalid_argument("unknown report format \"" + std::string(name) + "\" (choose from " + names + ")");
}

std::vector<ReportFormat> parse_formats(const std::string& comma_separated) {
  std::vector<ReportFormat> formats;
  std::stringstream in(comma_separated);
  for (std::string name; std::getline(in, name, ',');) {
    if (name.empty()) continue;
    const auto format = parse_format(name);
    if (std::find(formats.begin(), formats.end(), format) == formats.end()) formats.push_back(format);
  }
  if (formats.empty()) throw std::invalid_argument("no report format given");
  return formats;
}

std::string_view format_name(ReportFormat format) { return info(format).name; }
std::string report_file_name(ReportFormat format) { return std::string(info(format).file); }

std::string dump_json(const nlohmann::json& json) {
  return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render(const SubmissionGrade& grade, ReportFormat format, bool colour) {
  switch (format) {
    case ReportFormat::text: {
      std::ostringstream text;
      print_grade(text, grade, colour);
      return text.str();
    }
    case ReportFormat::json: return dump_json(to_json(grade));
    case ReportFormat::junit: return to_junit(grade);
    case ReportFormat::gradescope: return dump_json(to_gradescope(grade));
    case ReportFormat::markdown: return to_markdown(grade);
  }
  throw std::logic_error("unknown report format");
}

std::string to_junit(const SubmissionGrade& grade) {
  int failures = 0, errors = 0;
  std::string cases;
  for (const auto& e : grade.exercises) {
    cases += "    <testcase" + attribute("classname", grade.student) + attribute("name", e.id) +
             attribute("time", seconds_text(e.build_seconds + e.run_seconds)) + ">\n";
    if (e.outcome != Outcome::pass) {
      const bool error = is_error(e.outcome);
      (error ? errors : failures) += 1;
      const char* element = error ? "error" : "failure";
      cases += std::string("      <") + element + attribute("message", headline(e)) +
               attribute("type", std::string(to_string(e.outcome))) + ">" + xml_escape(details(e), false) + "</" +
               element + ">\n";
    }
    if (!e.output.empty()) cases += "      <system-out>" + xml_escape(e.output, false) + "</system-out>\n";
    cases += "    </testcase>\n";
  }
  const std::string counts = attribute("tests", std::to_string(grade.exercises.size())) +
                             attribute("failures", std::to_string(failures)) +
                             attribute("errors", std::to_string(errors)) + attribute("time", seconds_text(grade.seconds));
  std::string properties;
  const auto property = [&](std::string_view name, const std::string& value) {
    properties += "      <property" + attribute("name", std::string(name)) + attribute("value", value) + "/>\n";
  };
  property("score", std::to_string(grade.score));
  property("max_score", std::to_string(grade.max_score));
  property("manual_points", std::to_string(grade.manual_points));
  property("seed", std::to_string(grade.seed));
  property("sandbox", grade.sandboxed ? "bubblewrap + rlimits" : "rlimits only");
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites" + attribute("name", "workbook") + counts + ">\n" +
         "  <testsuite" + attribute("name", grade.student) + counts + attribute("skipped", "0") + ">\n" +
         "    <properties>\n" + properties + "    </properties>\n" + cases + "  </testsuite>\n</testsuites>\n";
}

// Field meanings from Gradescope's autograder specification: the top-level `score` overrides the sum of
// the tests' scores, `execution_time` is in seconds, `number` orders the tests, `status` is "passed" or
// "failed", `output` is shown to the student with the test, and `visibility` says when: "visible" at once,
// "after_published" once the instructor publishes the grades. Feedback graded with --reveal states the
// expected answers, so it waits for publication; the ordinary feedback gives none away and is visible.
nlohmann::json to_gradescope(const SubmissionGrade& grade) {
  auto tests = nlohmann::json::array();
  int number = 0;
  for (const auto& e : grade.exercises) {
    std::string output = e.outcome == Outcome::pass ? "passed" : details(e);
    if (e.manual_points) output += "\n+" + std::to_string(e.manual_points) + " point(s) graded by hand.";
    tests.push_back({{"name", e.id + (e.title.empty() ? "" : " " + e.title)},
                     {"number", std::to_string(++number)},
                     {"score", e.score},
                     {"max_score", e.max_score},
                     {"status", e.outcome == Outcome::pass ? "passed" : "failed"},
                     {"output", output},
                     {"visibility", grade.revealed ? "after_published" : "visible"}});
  }
  std::string output = std::to_string(grade.score) + " of " + std::to_string(grade.max_score) +
                       " points from the automatic checks.";
  if (grade.manual_points)
    output += " " + std::to_string(grade.manual_points) + " more point(s) are graded by hand.";
  return {{"score", grade.score},
          {"execution_time", static_cast<long>(std::ceil(grade.seconds))},
          {"output", output},
          {"tests", tests}};
}

void write_atomically(const std::filesystem::path& path, const std::string& text) {
  // Unique per process and per call, so that concurrent writers never share a temporary file.
  static std::atomic<unsigned> counter{0};
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  const auto temporary =
      path.string() + ".tmp" + std::to_string(getpid()) + "-" + std::to_string(counter.fetch_add(1));
  {
    std::ofstream out(temporary, std::ios::binary);
    out << text;
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw std::runtime_error("cannot write " + temporary);
    }
  }
  try {
    std::filesystem::rename(temporary, path);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
}

void write_reports(const SubmissionGrade& grade, const std::vector<ReportFormat>& formats,
                   const std::filesystem::path& dir) {
  for (const auto format : formats) write_atomically(dir / report_file_name(format), render(grade, format));
}

}  // namespace workbook::grading
