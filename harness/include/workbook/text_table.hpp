#pragma once
// A plain aligned text table for the terminal: columns padded to the widest cell, counted in
// characters rather than bytes so that titles with "·" or "√" still line up.

#include <ostream>
#include <string>
#include <vector>

namespace workbook {

std::size_t display_width(const std::string& text);

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  // `colour` wraps a cell in an ANSI escape after padding, so escapes never upset the widths.
  void add_row(std::vector<std::string> cells, std::vector<std::string> colours = {});
  void print(std::ostream& out, const std::string& indent = "") const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::vector<std::string>> colours_;
};

}  // namespace workbook
