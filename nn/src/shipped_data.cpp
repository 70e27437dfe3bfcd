#include "nn/shipped_data.hpp"

#include <fstream>
#include <stdexcept>

namespace nn {

std::filesystem::path shipped_data(std::string_view file) { return std::filesystem::path(WORKBOOK_SHIPPED_DATA) / file; }

std::string read_shipped_data(std::string_view file, std::size_t count) {
  const auto path = shipped_data(file);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::string text(count, '\0');
  in.read(text.data(), std::streamsize(count));
  text.resize(std::size_t(in.gcount()));
  return text;
}

}  // namespace nn
