#pragma once
// How reports are shown: JSON (documented in docs/json-format.md) and the terminal table.

#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "workbook/runner.hpp"

namespace workbook {

nlohmann::json to_json(const ExerciseReport& report);
// The inverse, for reports that come back from a student runner. Throws on a malformed report.
ExerciseReport report_from_json(const nlohmann::json& json);

struct TextStyle {
  bool colour = false;  // only on a terminal, and never with NO_COLOR set
  static TextStyle for_stdout();
};

// Every part and check with its value, expected value, tolerance and status.
void print_report(std::ostream& out, const ExerciseReport& report, const TextStyle& style);
// One row per exercise and a closing line with the totals.
void print_summary(std::ostream& out, const std::vector<ExerciseReport>& reports, const TextStyle& style);

}  // namespace workbook
