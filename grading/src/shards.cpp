#include "workbook/grading/shards.hpp"

#include <algorithm>
#include <map>
#include <regex>

namespace workbook::grading {

Shard parse_shard(const std::string& text) {
  static const std::regex form(R"((\d{1,9})/(\d{1,9}))");
  std::smatch match;
  if (!std::regex_match(text, match, form))
    throw std::invalid_argument("--shard takes i/n (for example 0/4), not \"" + text + "\"");
  const Shard shard{std::stoi(match[1]), std::stoi(match[2])};
  if (shard.count < 1) throw std::invalid_argument("--shard " + text + ": the shard count must be at least 1");
  if (shard.index >= shard.count)
    throw std::invalid_argument("--shard " + text + ": the index must be below the count (0 <= i < n)");
  return shard;
}

std::vector<std::string> shard_slice(std::vector<std::string> students, Shard shard) {
  std::sort(students.begin(), students.end());  // the order must not depend on how the directory was read
  std::vector<std::string> slice;
  for (std::size_t k = static_cast<std::size_t>(shard.index); k < students.size(); k += shard.count)
    slice.push_back(students[k]);
  return slice;
}

std::string shard_file_name(Shard shard) {
  return "shard-" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count) + ".json";
}

nlohmann::json shard_json(const std::vector<StudentResult>& rows, Shard shard, std::size_t class_size) {
  auto students = nlohmann::json::array();
  for (const auto& row : rows) students.push_back(to_json(row));
  return {{"shard", shard.index}, {"shards", shard.count}, {"class_size", class_size}, {"students", students}};
}

namespace {

struct ShardHeader {
  Shard shard;
  std::size_t class_size = 0;
};

ShardHeader header_of(const std::string& name, const nlohmann::json& json) {
  try {
    if (json.at("students").is_array())
      return {{json.at("shard").get<int>(), json.at("shards").get<int>()}, json.at("class_size").get<std::size_t>()};
  } catch (const nlohmann::json::exception&) {
  }
  throw MergeError(name + " is not a shard file (it needs shard, shards, class_size and students)");
}

}  // namespace

std::vector<StudentResult> merge_shards(const std::vector<std::pair<std::string, nlohmann::json>>& shards) {
  if (shards.empty()) throw MergeError("no shard files to merge");
  const auto& first_name = shards.front().first;
  const auto first = header_of(first_name, shards.front().second);
  const int count = first.shard.count;
  std::map<int, std::string> seen;             // shard index -> file
  std::map<std::string, std::string> owners;  // student -> file
  std::vector<StudentResult> rows;
  for (const auto& [name, json] : shards) {
    const auto [shard, class_size] = header_of(name, json);
    if (shard.count != count)
      throw MergeError(name + " is shard " + std::to_string(shard.index) + " of " + std::to_string(shard.count) +
                       " but " + first_name + " is one of " + std::to_string(count));
    if (class_size != first.class_size)
      throw MergeError(name + " was cut from a class of " + std::to_string(class_size) + " students but " +
                       first_name + " from one of " + std::to_string(first.class_size) +
                       ": the class changed between shards");
    if (shard.index < 0 || shard.index >= count)
      throw MergeError(name + " has shard index " + std::to_string(shard.index) + ", outside 0.." +
                       std::to_string(count - 1));
    if (const auto [at, fresh] = seen.emplace(shard.index, name); !fresh)
      throw MergeError("shard " + std::to_string(shard.index) + "/" + std::to_string(count) + " is given twice: " +
                       at->second + " and " + name);
    for (const auto& student : json.at("students")) {
      StudentResult row;
      try {
        row = student_result_from_json(student);
      } catch (const std::exception& error) {
        throw MergeError(name + " holds a malformed student: " + error.what());
      }
      if (const auto [at, fresh] = owners.emplace(row.student, name); !fresh)
        throw MergeError("student " + row.student + " is in both " + at->second + " and " + name);
      rows.push_back(std::move(row));
    }
  }
  std::string missing;
  for (int i = 0; i < count; ++i)
    if (!seen.count(i)) missing += (missing.empty() ? "" : ", ") + shard_file_name({i, count});
  if (!missing.empty()) throw MergeError("missing shards: " + missing);
  if (rows.size() != first.class_size)
    throw MergeError("the shards hold " + std::to_string(rows.size()) + " students but the class has " +
                     std::to_string(first.class_size));
  std::sort(rows.begin(), rows.end(), [](const StudentResult& a, const StudentResult& b) { return a.student < b.student; });
  return rows;
}

std::vector<std::filesystem::path> find_shard_files(const std::filesystem::path& dir) {
  static const std::regex form(R"(shard-\d+-of-\d+\.json)");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file() && std::regex_match(entry.path().filename().string(), form)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace workbook::grading
