#include <iostream>

#include "options.hpp"
#include "workbook/grading/student_build.hpp"
#include "workbook/catalogue.hpp"
#include "workbook/registry.hpp"

namespace workbook::cli {

int show_command(const Args& args) {
  return with_usage_errors("show", [&] {
    po::options_description options("options");
    std::string id;
    options.add_options()("id", po::value(&id)->required(), "exercise id, e.g. ch10/10.1 or 10.1")(
        "solutions", "the instructor's edition: add the notes, reference answers and rubrics");
    po::positional_options_description positional;
    positional.add("id", 1);
    po::variables_map values;
    if (!parse(args, options, positional, values, "usage: workbook show ID [--solutions]")) return ok;
    const auto ex = resolve(id);
    if (!ex) return usage_error;

    const auto* collection = find_collection(ex->collection());
    std::cout << ex->id << "  " << ex->title << (ex->stars ? "  " + std::string(ex->stars, '*') : "") << "\n"
              << "seed " << collection->seed_file << "; " << ex->total_points() << " points\n\n"
              << ex->statement << "\n";
    if (ex->asks_for_code())
      std::cout << "\nYour file: " << ex->id << ".cpp in your submission (workbook init writes a start). It implements "
                << (grading::default_kit_path().parent_path() / "include" / ex->id / "interface.hpp").string() << ".\n";
    for (const auto& part : ex->parts) {
      std::cout << "\n(" << part.label << ") [" << part.points << (part.points == 1 ? " point] " : " points] ")
                << part.prompt << "\n";
      for (const auto& answer : part.answers)
        std::cout << "    answers.toml key \"" << answer.key << "\": " << answer.prompt << " ("
                  << describe_answer(answer) << ")\n";
      for (const auto& check : part.checks)
        std::cout << "    check " << check.name << " [" << to_string(check.kind) << "]: " << check.verifies << "\n";
      if (!part.hints.empty())
        std::cout << "    " << part.hints.size() << (part.hints.size() == 1 ? " hint" : " hints")
                  << " in the catalogue (workbook docs)\n";
    }
    for (const auto& plot : ex->plots) std::cout << "\nplot " << plot.name << ": " << plot.caption << "\n";
    if (values.count("solutions")) std::cout << "\n---- instructor's edition ----\n\n" << instructor_markdown(*ex, instructor_edition());
    return ok;
  });
}

}  // namespace workbook::cli
