#pragma once
// Helpers for tests of file formats: a scratch folder, raw bytes to disk, and the message of an expected error.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

namespace nn_test {

// A fresh folder under the system's temporary directory, removed with its contents at scope end. Its name
// carries the process id and a counter, so test executables running in parallel never share one.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag) : path_(unique_path(tag)) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  static std::filesystem::path unique_path(const std::string& tag) {
    static std::atomic<int> counter = 0;
    return std::filesystem::temp_directory_path() /
           (tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  }
  std::filesystem::path path_;
};

inline void write_bytes(const std::filesystem::path& file, const std::vector<unsigned char>& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<unsigned char> read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The message of the Error that action throws, or none when it returns normally (other exceptions escape).
template <class Error, class Action>
std::optional<std::string> error_message(Action action) {
  try {
    action();
  } catch (const Error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

// Whether the message exists and contains every fragment.
inline bool mentions(const std::optional<std::string>& message, const std::vector<std::string>& fragments) {
  if (!message) return false;
  for (const auto& fragment : fragments)
    if (message->find(fragment) == std::string::npos) return false;
  return true;
}

}  // namespace nn_test
