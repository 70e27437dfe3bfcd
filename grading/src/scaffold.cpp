#include "workbook/grading/scaffold.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

#include "workbook/catalogue.hpp"
#include "workbook/interface_header.hpp"

namespace workbook::grading {

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string toml_value(const AnswerSpec& answer) {
  switch (answer.kind) {
    case AnswerSpec::Kind::number: return "0.0";
    case AnswerSpec::Kind::integer: return "0";
    case AnswerSpec::Kind::text: return "\"\"";
    case AnswerSpec::Kind::choice: return "\"" + answer.choices.front() + "\"";
    case AnswerSpec::Kind::array: {
      std::string value = "0.0";
      for (auto axis = answer.shape.rbegin(); axis != answer.shape.rend(); ++axis) {
        std::string row = "[";
        for (std::size_t i = 0; i < *axis; ++i) row += (i ? ", " : "") + value;
        value = row + "]";
      }
      return value;
    }
  }
  return "0";
}

bool write_new(const std::filesystem::path& path, const std::string& text, ScaffoldResult& result) {
  if (std::filesystem::exists(path)) {
    result.kept.push_back(path);
    return false;
  }
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
  result.written.push_back(path);
  return true;
}

const char* const student_readme = R"(# My workbook

- `<collection>/<number>.cpp`: your code for the exercises that ask for it. Each file starts with every
  function of the exercise's interface throwing `workbook::NotImplemented`: replace the bodies.
- `answers.toml`: your answers to the pen-and-paper parts. Uncomment a key and put your value in.

Commands (from anywhere):

    workbook show 10.12                              # the statement, parts, points and what is checked
    workbook run 10.12 --submission .                # build and check your file for one exercise
    workbook grade .                                 # everything, with your score

Your code is compiled and run in a sandbox with a time limit (10 s per exercise by default).
)";

}  // namespace

std::string answers_template(const Exercise& exercise) {
  std::string text;
  for (const auto& part : exercise.parts)
    for (const auto& answer : part.answers)
      text += "# (" + part.label + ") " + answer.prompt + ": " + describe_answer(answer) + "\n# " + answer.key +
              " = " + toml_value(answer) + "\n";
  if (text.empty()) return "";
  const auto slash = exercise.id.find('/');
  return "\n# " + exercise.id + " — " + exercise.title + "   (workbook show " + exercise.id + ")\n[" +
         exercise.id.substr(0, slash) + ".\"" + exercise.id.substr(slash + 1) + "\"]\n" + text;
}

ScaffoldResult write_scaffold(const std::filesystem::path& dir, const std::vector<Exercise>& exercises,
                              const std::filesystem::path& include_dir) {
  ScaffoldResult result;
  std::string answers = "# Your answers. Uncomment a key and give your value; `workbook grade .` checks them.\n";
  for (const auto& ex : exercises) {
    answers += answers_template(ex);
    const auto header = include_dir / ex.id / "interface.hpp";
    if (!ex.asks_for_code() || !std::filesystem::exists(header)) continue;
    const auto interface = parse_interface_header(read_text(header));
    write_new(dir / (ex.id + ".cpp"),
              "// " + ex.id + ": " + ex.title + ". `workbook show " + ex.id + "` for the statement;\n// `workbook run " +
                  ex.id + " --submission .` checks this file.\n\n#include \"" + ex.id + "/interface.hpp\"\n\nnamespace " +
                  interface.name_space + " {\n" + stub_definitions(interface) + "\n}  // namespace " + interface.name_space + "\n",
              result);
  }
  write_new(dir / "answers.toml", answers, result);
  write_new(dir / "README.md", student_readme, result);
  return result;
}

}  // namespace workbook::grading
