#include "workbook/text_table.hpp"

#include <algorithm>

namespace workbook {

std::size_t display_width(const std::string& text) {
  return std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

void TextTable::add_row(std::vector<std::string> cells, std::vector<std::string> colours) {
  cells.resize(header_.size());
  colours.resize(header_.size());
  rows_.push_back(std::move(cells));
  colours_.push_back(std::move(colours));
}

void TextTable::print(std::ostream& out, const std::string& indent) const {
  std::vector<std::size_t> widths(header_.size());
  for (std::size_t c = 0; c < header_.size(); ++c) {
    widths[c] = display_width(header_[c]);
    for (const auto& row : rows_) widths[c] = std::max(widths[c], display_width(row[c]));
  }
  const auto line = [&](const std::vector<std::string>& cells, const std::vector<std::string>* colours) {
    std::string text = indent;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const bool last = c + 1 == cells.size();
      const std::string padding = last ? "" : std::string(widths[c] - display_width(cells[c]) + 2, ' ');
      const std::string& colour = colours ? (*colours)[c] : std::string();
      text += colour.empty() ? cells[c] : colour + cells[c] + "\033[0m";
      text += padding;
    }
    out << text << "\n";
  };
  line(header_, nullptr);
  for (std::size_t r = 0; r < rows_.size(); ++r) line(rows_[r], &colours_[r]);
}

}  // namespace workbook
