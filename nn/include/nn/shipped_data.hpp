#pragma once
// The data files the project ships in data/ (data/README.md), found where the source tree was when the library
// was built: what a check or an example reads without the user pointing at anything.
#include <filesystem>
#include <string>
#include <string_view>

namespace nn {

std::filesystem::path shipped_data(std::string_view file);

// The first `count` bytes of a shipped file (all of it when shorter). Throws std::runtime_error naming the path
// when it cannot be read.
std::string read_shipped_data(std::string_view file, std::size_t count);

}  // namespace nn
