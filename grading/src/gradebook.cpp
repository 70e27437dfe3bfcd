#include "workbook/grading/gradebook.hpp"

#include <algorithm>

#include "workbook/grading/formats.hpp"
#include "workbook/registry.hpp"

namespace workbook::grading {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string gradebook_csv(const std::vector<StudentResult>& rows) {
  std::vector<std::string> ids;
  for (const auto& row : rows)
    if (row.grade)
      for (const auto& e : row.grade->exercises)
        if (std::find(ids.begin(), ids.end(), e.id) == ids.end()) ids.push_back(e.id);
  std::sort(ids.begin(), ids.end(), id_less);

  std::string csv = "student";
  for (const auto& id : ids) csv += "," + csv_field(id);
  csv += ",total,error\r\n";  // RFC 4180 line ends: what spreadsheets expect
  for (const auto& row : rows) {
    csv += csv_field(row.student);
    for (const auto& id : ids) {
      csv += ",";
      if (!row.grade) continue;
      const auto& exercises = row.grade->exercises;
      const auto e = std::find_if(exercises.begin(), exercises.end(), [&](const ExerciseGrade& g) { return g.id == id; });
      if (e != exercises.end()) csv += std::to_string(e->score);
    }
    csv += "," + (row.grade ? std::to_string(row.grade->score) : std::string()) + "," + csv_field(row.error) + "\r\n";
  }
  return csv;
}

nlohmann::json to_json(const StudentResult& row) {
  if (row.grade) return to_json(*row.grade);
  return {{"student", row.student}, {"error", row.error}};
}

StudentResult student_result_from_json(const nlohmann::json& json) {
  StudentResult row;
  row.student = json.at("student");
  if (json.contains("error")) row.error = json.at("error");
  else row.grade = grade_from_json(json);
  return row;
}

}  // namespace workbook::grading
