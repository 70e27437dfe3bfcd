#include <algorithm>
#include <iostream>

#include <nlohmann/json.hpp>

#include "workbook/text_table.hpp"
#include "options.hpp"
#include "workbook/registry.hpp"

namespace workbook::cli {

namespace {

bool has_tag(const Exercise& ex, const std::string& tag) {
  return std::any_of(ex.tags.begin(), ex.tags.end(), [&](Tag t) { return to_string(t) == tag; });
}

std::string tags_text(const Exercise& ex) {
  std::string text;
  for (auto tag : ex.tags) text += (text.empty() ? "" : ",") + std::string(to_string(tag));
  return text;
}

}  // namespace

int list_command(const Args& args) {
  return with_usage_errors("list", [&] {
    po::options_description options("options");
    std::string collection, tag;
    options.add_options()
        ("collection", po::value(&collection), "only this collection (ch10, ch13, arch13, manual, topic10)")
        ("tag", po::value(&tag), "only exercises with this tag (numeric, proof, implementation, conceptual, plot)")
        ("json", "print JSON instead of a table");
    po::variables_map values;
    if (!parse(args, options, {}, values, "usage: workbook list [--collection C] [--tag T] [--json]")) return ok;
    if (!collection.empty() && !find_collection(collection))
      throw po::error("unknown collection \"" + collection + "\"");

    std::vector<Exercise> shown;
    for (auto& ex : all_exercises())
      if ((collection.empty() || ex.collection() == collection) && (tag.empty() || has_tag(ex, tag)))
        shown.push_back(std::move(ex));

    if (values.count("json")) {
      auto list = nlohmann::json::array();
      for (const auto& ex : shown) {
        auto parts = nlohmann::json::array();
        for (const auto& p : ex.parts) parts.push_back(p.label);
        auto tags = nlohmann::json::array();
        for (auto t : ex.tags) tags.push_back(to_string(t));
        list.push_back({{"id", ex.id}, {"stars", ex.stars}, {"title", ex.title}, {"parts", parts},
                        {"points", ex.total_points()}, {"tags", tags}});
      }
      std::cout << list.dump(2) << "\n";
      return ok;
    }
    TextTable table({"id", "stars", "title", "parts", "tags"});
    for (const auto& ex : shown) {
      std::string parts;
      for (const auto& p : ex.parts) parts += p.label;
      table.add_row({ex.id, std::string(ex.stars, '*'), ex.title, parts, tags_text(ex)});
    }
    table.print(std::cout);
    std::cout << shown.size() << " exercises\n";
    return ok;
  });
}

}  // namespace workbook::cli
