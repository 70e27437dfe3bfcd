// The student's commands: `init` a submission directory, `hint` for what fails, `status` of the whole
// workbook.

#include <iostream>
#include <map>

#include "options.hpp"
#include "progress.hpp"
#include "workbook/grading/grade.hpp"
#include "workbook/grading/scaffold.hpp"
#include "workbook/registry.hpp"

namespace workbook::cli {

int init_command(const Args& args) {
  return with_usage_errors("init", [&] {
    po::options_description options("options");
    std::string dir, collection;
    options.add_options()
        ("dir", po::value(&dir)->required(), "the directory to create or complete")
        ("collection", po::value(&collection), "only this collection's exercises");
    po::positional_options_description positional;
    positional.add("dir", 1);
    po::variables_map values;
    if (!parse(args, options, positional, values, "usage: workbook init DIR [--collection C]")) return ok;
    if (!collection.empty() && !find_collection(collection)) throw po::error("unknown collection \"" + collection + "\"");
    std::vector<Exercise> chosen;
    for (auto& ex : all_exercises())
      if (collection.empty() || ex.collection() == collection) chosen.push_back(std::move(ex));
    const auto kit = grading::load_kit(grading::default_kit_path());
    const auto result = grading::write_scaffold(dir, chosen, kit.include_dir);
    for (const auto& file : result.written) std::cout << "wrote " << file.string() << "\n";
    if (!result.kept.empty())
      std::cout << result.kept.size() << " files already there were left as they are\n";
    std::cout << "next: workbook show " << chosen.front().id << ", then workbook grade " << dir << "\n";
    return ok;
  });
}

int hint_command(const Args& args) {
  return with_usage_errors("hint", [&] {
    po::options_description options("options");
    std::string id, submission = ".";
    options.add_options()
        ("id", po::value(&id)->required(), "exercise id")
        ("submission", po::value(&submission), "your submission directory (default .)");
    add_grade_options(options);
    po::positional_options_description positional;
    positional.add("id", 1);
    po::variables_map values;
    if (!parse(args, options, positional, values, "usage: workbook hint ID [--submission DIR]")) return ok;
    const auto ex = resolve(id);
    if (!ex) return usage_error;
    auto grade_opts = grade_options(values);
    grade_opts.only = {ex->id};
    const auto grade = grading::grade_submission(submission, grade_opts);
    const auto& result = grade.exercises.front();
    for (const auto& part : ex->parts) {
      bool passed = false;
      for (const auto& p : result.report.parts)
        if (p.label == part.label) passed = p.status == Status::pass || p.status == Status::manual;
      if (passed) continue;
      std::cout << ex->id << " (" << part.label << "): " << part.prompt << "\n";
      if (part.hints.empty()) std::cout << "  (no hint for this part: re-read `workbook show " << ex->id << "`)\n";
      for (const auto& hint : part.hints) std::cout << "  hint: " << hint << "\n";
      return ok;
    }
    std::cout << ex->id << ": every automatic check passes; nothing to hint at.\n";
    return ok;
  });
}

int status_command(const Args& args) {
  return with_usage_errors("status", [&] {
    std::string dir;
    po::variables_map values;
    if (!parse_submission_command(args, "usage: workbook status [DIR]", dir, values)) return ok;
    const auto grade = grading::grade_submission(dir, grade_options(values));
    Progress(dir).record(grade);
    struct Tally {
      int done = 0, failing = 0, not_started = 0;
    };
    std::map<std::string, Tally> tallies;
    std::string next;
    for (const auto& e : grade.exercises) {
      auto& tally = tallies[e.id.substr(0, e.id.find('/'))];
      if (e.outcome == grading::Outcome::pass) ++tally.done;
      else if (e.outcome == grading::Outcome::not_started || e.outcome == grading::Outcome::not_implemented) ++tally.not_started;
      else ++tally.failing;
      if (next.empty() && e.outcome != grading::Outcome::pass) next = e.id;
    }
    for (const auto& c : collections()) {
      const auto found = tallies.find(c.name);
      if (found == tallies.end()) continue;
      const auto& t = found->second;
      std::cout << c.name << ": " << t.done << " done, " << t.failing << " failing, " << t.not_started << " not started\n";
    }
    std::cout << grade.score << "/" << grade.max_score << " points\n";
    if (!next.empty()) std::cout << "next: workbook run " << next << " --submission " << dir << "\n";
    return ok;
  });
}

}  // namespace workbook::cli
