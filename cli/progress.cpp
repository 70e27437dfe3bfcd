#include "progress.hpp"

#include <fstream>

#include <nlohmann/json.hpp>

#include "workbook/grading/formats.hpp"

namespace workbook::cli {

Progress::Progress(std::filesystem::path submission) : file_(std::move(submission) / ".workbook" / "progress.json") {
  std::ifstream in(file_);
  try {
    if (in)
      for (const auto& [id, outcome] : nlohmann::json::parse(in).items()) outcomes_[id] = grading::outcome_from_string(outcome.get<std::string>());
  } catch (const std::exception&) {
    outcomes_.clear();  // an unreadable file is forgotten, not fatal
  }
  for (const auto& ex : all_exercises())
    if (!outcomes_.count(ex.id)) outcomes_[ex.id] = grading::Outcome::not_started;
}

void Progress::record(const grading::SubmissionGrade& grade) {
  for (const auto& e : grade.exercises) outcomes_[e.id] = e.outcome;
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [id, outcome] : outcomes_) json[id] = to_string(outcome);
  std::error_code ignored;
  std::filesystem::create_directories(file_.parent_path(), ignored);
  try {
    grading::write_atomically(file_, json.dump(1) + "\n");
  } catch (const std::exception&) {
  }
}

std::optional<grading::Outcome> Progress::outcome(const std::string& id) const {
  const auto found = outcomes_.find(id);
  return found == outcomes_.end() ? std::nullopt : std::optional(found->second);
}

std::string Progress::next_unfinished() const {
  for (const auto& [id, outcome] : outcomes_)
    if (outcome != grading::Outcome::pass) return id;
  return "";
}

std::size_t Progress::passed() const {
  std::size_t n = 0;
  for (const auto& [id, outcome] : outcomes_) n += outcome == grading::Outcome::pass;
  return n;
}

void print_next_step(std::ostream& out, const grading::ExerciseGrade& checked, const Progress& progress) {
  if (checked.outcome == grading::Outcome::pass) {
    const auto next = progress.next_unfinished();
    if (next.empty()) out << "every exercise passes: well done\n";
    else out << "next: " << next << " (workbook show " << next << "), " << to_string(*progress.outcome(next)) << "\n";
    return;
  }
  const auto exercise = find_exercise(checked.id).exercise;
  if (!exercise) return;
  for (const auto& part : exercise->parts) {
    const auto reported = std::find_if(checked.report.parts.begin(), checked.report.parts.end(),
                                       [&](const PartReport& p) { return p.label == part.label; });
    const bool passed = reported != checked.report.parts.end() &&
                        (reported->status == Status::pass || reported->status == Status::manual);
    if (passed || !part.has_automatic_checks()) continue;
    out << "(" << part.label << ") " << part.prompt << "\n";
    if (part.hints.empty()) out << "  no hint for this part: re-read `workbook show " << checked.id << "`\n";
    else out << "  hint: " << part.hints.front() << "\n";
    if (part.hints.size() > 1) out << "  (`workbook hint " << checked.id << "` for more)\n";
    return;
  }
}

}  // namespace workbook::cli
