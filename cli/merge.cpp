// `workbook merge`: joins the shard files of a class graded in slices into one gradebook.

#include <fstream>
#include <iostream>
#include <sstream>

#include "options.hpp"
#include "workbook/grading/formats.hpp"
#include "workbook/grading/shards.hpp"

namespace workbook::cli {

namespace {

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw grading::MergeError("cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& error) {
    throw grading::MergeError(path.string() + " is not JSON: " + error.what());
  }
}

// A directory stands for the shard files in it; a file for itself.
std::vector<std::filesystem::path> shard_inputs(const std::vector<std::string>& inputs) {
  std::vector<std::filesystem::path> files;
  for (const auto& input : inputs) {
    if (std::filesystem::is_directory(input)) {
      const auto found = grading::find_shard_files(input);
      if (found.empty()) throw grading::MergeError("no shard-*-of-*.json files in " + input);
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.emplace_back(input);
    }
  }
  return files;
}

}  // namespace

int merge_command(const Args& args) {
  return with_usage_errors("merge", [&]() -> int {
    po::options_description options("options");
    std::string out;
    std::vector<std::string> inputs;
    options.add_options()
        ("out", po::value(&out), "where gradebook.csv goes (else the first argument)")
        ("inputs", po::value(&inputs)->composing(), "shard files, or directories holding shard-*-of-*.json");
    po::positional_options_description positional;
    positional.add("inputs", -1);
    po::variables_map values;
    if (!parse(args, options, positional, values,
               "usage: workbook merge OUT [SHARD_FILE...]     (no files: the shards in OUT)\n"
               "       workbook merge --out OUT DIR_OR_SHARD_FILE..."))
      return ok;
    if (out.empty()) {
      if (inputs.empty()) throw po::error("give OUT (and shard files), or --out OUT with the shards' directory");
      out = inputs.front();
      inputs.erase(inputs.begin());
      if (inputs.empty()) inputs = {out};
    }
    if (inputs.empty()) throw po::error("no shard files or directories given");
    try {
      std::vector<std::pair<std::string, nlohmann::json>> shards;
      for (const auto& file : shard_inputs(inputs)) shards.emplace_back(file.string(), read_json(file));
      const auto rows = grading::merge_shards(shards);
      const auto gradebook = std::filesystem::path(out) / "gradebook.csv";
      grading::write_atomically(gradebook, grading::gradebook_csv(rows));
      std::size_t failed = 0;
      for (const auto& row : rows) failed += row.grade ? 0 : 1;
      std::cout << "merged " << shards.size() << " shard(s), " << rows.size() << " student(s) into " << gradebook.string()
                << (failed ? "; " + std::to_string(failed) + " could not be graded (see the error column)" : "") << "\n";
      return ok;
    } catch (const grading::MergeError& error) {
      std::cerr << "workbook merge: " << error.what() << "\n";
      return run_error;
    }
  });
}

}  // namespace workbook::cli
