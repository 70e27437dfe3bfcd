// The student's feedback file (feedback.md): written for a person, so it leads with the total, then
// what passed, then each exercise that did not with why and what to try next, then what a person grades.

#include <algorithm>
#include <sstream>

#include "report_text.hpp"
#include "workbook/grading/formats.hpp"
#include "workbook/registry.hpp"

namespace workbook::grading {

namespace {

// Student-controlled text (causes, check messages with their values) shown as Markdown prose: the
// characters that would start emphasis, a link, a table cell or HTML are escaped, and it stays one line.
std::string md_text(const std::string& raw) {
  std::string out;
  for (const char c : printable(raw)) {
    if (c == '\n' || c == '\r') out += ' ';
    else if (std::string_view("\\`*_[]<>|~#").find(c) != std::string_view::npos) out += std::string("\\") + c;
    else out += c;
  }
  return out;
}

// A fenced block that the text cannot close early: the fence is longer than any run of backticks in it.
std::string fenced(const std::string& raw) {
  const auto text = printable(raw);
  std::size_t longest = 0, run = 0;
  for (const char c : text) longest = std::max(longest, run = c == '`' ? run + 1 : 0);
  const std::string fence(std::max<std::size_t>(3, longest + 1), '`');
  return fence + "text\n" + text + (text.empty() || text.back() != '\n' ? "\n" : "") + fence + "\n";
}

std::string points(int score, int max) { return std::to_string(score) + "/" + std::to_string(max); }

// What usually helps, by outcome; the hints of the failing parts follow it.
std::string advice(const ExerciseGrade& e) {
  switch (e.outcome) {
    case Outcome::not_started:  // no parts ran: a code exercise without its file; else answers are missing
      return e.report.parts.empty()
                 ? "Nothing was graded: add your file, `" + e.id + ".cpp`, to your submission."
                 : "Nothing was graded: add your answers to answers.toml under `[" + e.id.substr(0, e.id.find('/')) +
                       ".\"" + e.id.substr(e.id.find('/') + 1) + "\"]`.";
    case Outcome::not_implemented: return "A function still throws \"not implemented\": write it.";
    case Outcome::compile_error: return "Fix the first error in the build log first; later ones often follow from it.";
    case Outcome::link_error:
      return "Define the function named above with exactly the signature in the exercise's header (same name, "
             "parameter types and namespace).";
    case Outcome::crashed:
      return "Look for an index out of range, a read past the end of an array, or a shape you assumed but did not get.";
    case Outcome::timed_out:
      return "Look for a loop that never ends, or work that grows much faster than the input (an extra nested loop).";
    case Outcome::memory_limit: return "Look for an allocation that grows with the input far beyond what the task needs.";
    case Outcome::output_limit: return "Remove debugging output (or a file written in a loop).";
    case Outcome::exception: return "Your code threw an exception; the message above says which.";
    case Outcome::non_finite:
      return "A NaN or infinity appeared: look for a division by zero, log(0), or exp of a large number "
             "(subtract the maximum before exponentiating).";
    case Outcome::answers_malformed: return "Fix answers.toml at the line and column shown; it is TOML.";
    case Outcome::file_refused:
      return "Put the file itself in your submission: links, and anything but a plain file, are not read.";
    case Outcome::grader_error:
      return "Not your doing: the grader could not run this exercise. Your instructor regrades it; nothing to fix.";
    case Outcome::pass:
    case Outcome::fail: return "";
  }
  return "";
}

// Hints of the parts that did not pass; every part's when nothing ran (the build failed, no file).
std::vector<std::string> hints_for(const ExerciseGrade& e, const std::optional<Exercise>& exercise) {
  std::vector<std::string> hints;
  if (!exercise) return hints;
  for (const auto& part : exercise->parts) {
    const auto reported = std::find_if(e.report.parts.begin(), e.report.parts.end(),
                                       [&](const PartReport& p) { return p.label == part.label; });
    const bool failed = reported == e.report.parts.end()
                            ? part.has_automatic_checks()
                            : reported->status == Status::fail || reported->status == Status::error;
    if (failed)
      for (const auto& hint : part.hints) hints.push_back("(" + part.label + ") " + hint);
  }
  return hints;
}

// Parts that a person grades: purely manual parts are worth their points, mixed ones their manual_points.
std::vector<std::string> hand_graded(const ExerciseGrade& e, const std::optional<Exercise>& exercise) {
  std::vector<std::string> lines;
  if (!exercise) {
    if (e.manual_points) lines.push_back(std::to_string(e.manual_points) + " point(s)");
    return lines;
  }
  for (const auto& part : exercise->parts) {
    if (!part.has_rubric()) continue;
    const int worth = part.has_automatic_checks() ? part.manual_points : part.points;
    lines.push_back("(" + part.label + "), " + std::to_string(worth) + " point(s): " + part.prompt);
  }
  return lines;
}

void write_problem(std::ostream& md, const ExerciseGrade& e, const std::optional<Exercise>& exercise) {
  md << "### " << e.id << (e.title.empty() ? "" : " — " + e.title) << "\n\n";
  md << "**" << points(e.score, e.max_score) << " points, " << to_string(e.outcome) << ".**"
     << (e.cause.empty() ? "" : " " + md_text(e.cause)) << "\n\n";
  const auto failing = checks_worth_listing(e);
  if (!failing.empty()) {
    md << "Checks that did not pass:\n\n";
    for (const auto& line : failing) md << "- " << md_text(line) << "\n";
    md << "\n";
  }
  if (const auto log = build_excerpt(e); !log.empty()) md << "The compiler said (first lines):\n\n" << fenced(log) << "\n";
  if (const auto out = output_excerpt(e); !out.empty()) md << "Your code printed (the end):\n\n" << fenced(out) << "\n";
  const auto hints = hints_for(e, exercise);
  const auto general = advice(e);
  if (!hints.empty() || !general.empty()) {
    md << "**What to try next:**\n\n";
    if (!general.empty()) md << "- " << general << "\n";
    for (const auto& hint : hints) md << "- " << hint << "\n";
    md << "\n";
  }
  for (const auto& note : e.notes) md << "Note: " << md_text(note) << "\n\n";
}

}  // namespace

std::string to_markdown(const SubmissionGrade& grade) {
  std::ostringstream md;
  md << "# Feedback for " << md_text(grade.student) << "\n\n";
  md << "**" << grade.score << " of " << grade.max_score << " points** from the automatic checks";
  if (grade.manual_points) md << "; " << grade.manual_points << " more point(s) are graded by hand (see the end)";
  md << ".\n\n| exercise | result | points |\n|---|---|---|\n";
  for (const auto& e : grade.exercises)
    md << "| " << e.id << " " << md_text(e.title) << " | " << to_string(e.outcome) << " | "
       << points(e.score, e.max_score) << " |\n";

  std::vector<const ExerciseGrade*> passed, problems;
  for (const auto& e : grade.exercises) (e.outcome == Outcome::pass ? passed : problems).push_back(&e);
  if (!passed.empty()) {
    md << "\n## What passed\n\n";
    for (const auto* e : passed) md << "- " << e->id << " " << md_text(e->title) << " (" << points(e->score, e->max_score) << ")\n";
  }
  std::ostringstream by_hand;
  for (const auto& e : grade.exercises) {
    const auto exercise = find_exercise(e.id).exercise;
    if (e.outcome != Outcome::pass) {
      if (problems.front() == &e) md << "\n## What to work on\n\n";
      write_problem(md, e, exercise);
    }
    for (const auto& line : hand_graded(e, exercise)) by_hand << "- " << e.id << " " << line << "\n";
  }
  if (!by_hand.str().empty())
    md << "\n## Graded by hand\n\nA person reads these and awards their points; they are not in the total above.\n\n"
       << by_hand.str();
  md << "\n---\nGraded with seed " << grade.seed << " ("
     << (grade.sandboxed ? "sandboxed with bubblewrap" : "rlimits only") << ").\n";
  return md.str();
}

}  // namespace workbook::grading
