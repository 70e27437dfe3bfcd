#include "workbook/instructor.hpp"

#include <stdexcept>

#include <toml++/toml.h>

#include "workbook/answers.hpp"

namespace workbook {

InstructorNotes parse_instructor_notes(const std::string& toml_text, const std::string& source_name) {
  toml::table table;
  try {
    table = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& error) {
    const auto& begin = error.source().begin;
    throw AnswersFileError(source_name + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column) + ": " +
                           std::string(error.description()));
  }
  InstructorNotes notes;
  for (const auto& [key, node] : table) {
    if (key.str() == "notes") {
      if (!node.is_string()) throw std::runtime_error(source_name + ": notes must be a string");
      notes.notes = node.as_string()->get();
      continue;
    }
    const auto* part = node.as_table();
    const auto* answer = part ? part->get_as<std::string>("answer") : nullptr;
    const auto* rubric = part ? part->get_as<std::string>("rubric") : nullptr;
    if (!answer || !rubric)
      throw std::runtime_error(source_name + ": [" + std::string(key.str()) + "] needs an answer and a rubric");
    notes.parts[std::string(key.str())] = {answer->get(), rubric->get()};
  }
  return notes;
}

}  // namespace workbook
