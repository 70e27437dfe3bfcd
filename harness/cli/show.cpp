#include <iostream>

#include "options.hpp"
#include "workbook/catalogue.hpp"
#include "workbook/registry.hpp"

namespace workbook::cli {

int show_command(const Args& args) {
  return with_usage_errors("show", [&] {
    po::options_description options("options");
    std::string id;
    options.add_options()("id", po::value(&id)->required(), "exercise id, e.g. ch10/10.1 or 10.1");
    po::positional_options_description positional;
    positional.add("id", 1);
    po::variables_map values;
    if (!parse(args, options, positional, values, "usage: workbook show ID")) return ok;
    const auto ex = resolve(id);
    if (!ex) return usage_error;

    const auto* collection = find_collection(ex->collection());
    std::cout << ex->id << "  " << ex->title << (ex->stars ? "  " + std::string(ex->stars, '*') : "") << "\n"
              << "seed " << collection->seed_file << "; " << ex->total_points() << " points\n\n"
              << ex->statement << "\n";
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
    if (!ex->notes.empty()) std::cout << "\nAbout the seed: " << ex->notes << "\n";
    for (const auto& plot : ex->plots) std::cout << "\nplot " << plot.name << ": " << plot.caption << "\n";
    return ok;
  });
}

}  // namespace workbook::cli
