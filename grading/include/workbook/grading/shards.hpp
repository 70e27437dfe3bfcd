#pragma once
// Grading a class in slices, one per task of a batch engine (a Slurm job array, a Kubernetes Indexed
// Job): each task grades a deterministic shard and writes one file; merging checks that every shard is
// there exactly once before it writes the gradebook.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "workbook/grading/gradebook.hpp"

namespace workbook::grading {

struct Shard {
  int index = 0;  // 0 <= index < count
  int count = 1;
};

// "i/n" with 0 <= i < n. Throws std::invalid_argument saying what is wrong.
Shard parse_shard(const std::string& text);
// Student k (in name order) goes to shard k mod n: the same class gives the same slices on any machine,
// the slices are disjoint, and together they cover the class.
std::vector<std::string> shard_slice(std::vector<std::string> students, Shard shard);
// "shard-2-of-8.json".
std::string shard_file_name(Shard shard);

// {"shard": i, "shards": n, "class_size": students in the whole class, "students": [row JSON, ...]}.
nlohmann::json shard_json(const std::vector<StudentResult>& rows, Shard shard, std::size_t class_size);

struct MergeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The rows of every shard, sorted by student. `shards` pairs each file's name (for messages) with its
// JSON. Throws MergeError when the files disagree on the shard count or the class size, when a shard
// is given twice or is missing, when a student appears twice, or when students are missing.
std::vector<StudentResult> merge_shards(const std::vector<std::pair<std::string, nlohmann::json>>& shards);

// The shard-*-of-*.json files in `dir`, sorted by name.
std::vector<std::filesystem::path> find_shard_files(const std::filesystem::path& dir);

}  // namespace workbook::grading
