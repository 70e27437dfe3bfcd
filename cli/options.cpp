#include "options.hpp"

#include <iostream>
#include <random>

#include "workbook/registry.hpp"

namespace workbook::cli {

bool parse(const Args& args, po::options_description& options, const po::positional_options_description& positional,
           po::variables_map& values, const std::string& synopsis) {
  options.add_options()("help,h", "show this help");
  po::store(po::command_line_parser(args).options(options).positional(positional).run(), values);
  if (values.count("help")) {
    std::cout << synopsis << "\n\n" << options << "\n";
    return false;
  }
  po::notify(values);
  return true;
}

std::optional<Exercise> resolve(const std::string& id) {
  auto lookup = find_exercise(id);
  if (lookup.exercise) return lookup.exercise;
  std::string list;
  for (const auto& candidate : lookup.candidates) list += "\n  " + candidate;
  if (lookup.candidates.size() > 1 && lookup.candidates.front().find(id) != std::string::npos)
    std::cerr << "workbook: \"" << id << "\" is ambiguous; it could be:" << list << "\n";
  else
    std::cerr << "workbook: no exercise \"" << id << "\"; the closest are:" << list
              << "\n(`workbook list` shows them all)\n";
  return std::nullopt;
}

std::uint64_t parse_seed(const std::string& text) {
  if (text == "random") return std::random_device{}() * 0x100000001ULL + std::random_device{}();
  try {
    std::size_t used = 0;
    const auto seed = std::stoull(text, &used);
    if (used == text.size()) return seed;
  } catch (const std::exception&) {
  }
  throw po::error("--seed takes a non-negative integer or \"random\", not \"" + text + "\"");
}

}  // namespace workbook::cli
