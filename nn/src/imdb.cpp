#include "nn/imdb.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace nn {

namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw std::runtime_error("IMDB data " + path.string() + ": " + what);
}

std::filesystem::path existing_folder(const std::filesystem::path& folder) {
  std::error_code error;
  if (!std::filesystem::is_directory(folder, error))
    fail(folder, "is not a folder (expected aclImdb/{train,test}/{pos,neg}/*.txt)");
  return folder;
}

// The class folder's .txt files, sorted by name so that the order does not depend on the file system.
std::vector<std::filesystem::path> review_files(const std::filesystem::path& class_folder) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(existing_folder(class_folder)))
    if (entry.is_regular_file() && entry.path().extension() == ".txt") files.push_back(entry.path());
  if (files.empty()) fail(class_folder, "holds no .txt review");
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.filename().string() < b.filename().string(); });
  return files;
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, "cannot be read");
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) fail(file, "reading failed");
  return text;
}

void append_class(const std::filesystem::path& class_folder, int label, ImdbData& data) {
  for (const auto& file : review_files(class_folder)) {
    data.texts.push_back(read_text(file));
    data.labels.push_back(label);
  }
}

}  // namespace

ImdbData read_imdb(const std::filesystem::path& folder, ImdbSplit split) {
  const std::filesystem::path split_folder =
      existing_folder(existing_folder(folder) / (split == ImdbSplit::train ? "train" : "test"));
  ImdbData data;
  append_class(split_folder / "neg", 0, data);
  append_class(split_folder / "pos", 1, data);
  return data;
}

}  // namespace nn
