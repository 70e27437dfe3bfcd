#include "workbook/grading/scaffold.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

#include "workbook/catalogue.hpp"

namespace workbook::grading {

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool starts_with_word(const std::string& text, const char* word) {
  const std::size_t n = std::char_traits<char>::length(word);
  return text.compare(0, n, word) == 0 && (text.size() == n || !std::isalnum(static_cast<unsigned char>(text[n])));
}

// The statement without its leading comment lines and blanks.
std::string code_of(const std::string& statement) {
  std::istringstream lines(statement);
  std::string code;
  for (std::string line; std::getline(lines, line);) {
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line.compare(first, 2, "//") == 0) {
      if (code.empty()) continue;
    }
    code += line + "\n";
  }
  return code;
}

// Drops "= default-value" from each parameter: a definition may not repeat default arguments.
std::string without_defaults(const std::string& declaration) {
  std::string out;
  int depth = 0;
  bool skipping = false;
  for (std::size_t i = 0; i < declaration.size(); ++i) {
    const char c = declaration[i];
    if (c == '(' || c == '{' || c == '<') ++depth;
    if (c == ')' || c == '}' || c == '>') --depth;
    if (skipping && depth <= 1 && (c == ',' || (c == ')' && depth == 0))) skipping = false;
    if (!skipping && c == '=' && depth == 1) {
      while (!out.empty() && out.back() == ' ') out.pop_back();
      skipping = true;
      continue;
    }
    if (!skipping) out += c;
  }
  return out;
}

std::string function_name(const std::string& declaration) {
  const auto paren = declaration.find('(');
  std::size_t end = paren;
  while (end > 0 && std::isspace(static_cast<unsigned char>(declaration[end - 1]))) --end;
  std::size_t begin = end;
  while (begin > 0 && (std::isalnum(static_cast<unsigned char>(declaration[begin - 1])) || declaration[begin - 1] == '_'))
    --begin;
  return declaration.substr(begin, end - begin);
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

// Where the interface's namespace is opened: a line that starts with "namespace " (comments also say
// "namespace", so the first occurrence will not do).
std::size_t namespace_line(const std::string& header) {
  if (header.rfind("namespace ", 0) == 0) return 0;
  const auto at = header.find("\nnamespace ");
  return at == std::string::npos ? std::string::npos : at + 1;
}

}  // namespace

std::string stub_definitions(const std::string& header) {
  const auto line = namespace_line(header);
  if (line == std::string::npos) return "";
  const auto open = header.find('{', line);
  if (open == std::string::npos) return "";
  std::string definitions, statement;
  int depth = 0;
  for (std::size_t i = open + 1; i < header.size(); ++i) {
    const char c = header[i];
    if (c == '/' && i + 1 < header.size() && header[i + 1] == '/') {  // keep comments, never parse them
      const auto end = header.find('\n', i);
      statement += header.substr(i, end - i);
      i = end - 1;
      continue;
    }
    if (c == '{') ++depth;
    if (c == '}') {
      if (depth == 0) break;  // the namespace's own closing brace
      --depth;
    }
    statement += c;
    if (c != ';' || depth != 0) continue;
    auto code = code_of(statement);
    const auto first = code.find_first_not_of(" \t\n");
    code = first == std::string::npos ? "" : code.substr(first);
    statement.clear();
    bool declaration = code.find('(') != std::string::npos;
    for (const char* word : {"struct", "class", "using", "enum", "typedef", "template", "constexpr", "inline",
                             "static", "extern"})
      declaration &= !starts_with_word(code, word);
    if (!declaration) continue;
    code = without_defaults(code.substr(0, code.rfind(';')));
    definitions += "\n" + code + " {\n  throw workbook::NotImplemented(\"" + function_name(code) + "\");\n}\n";
  }
  return definitions;
}

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
    const auto header = include_dir / (ex.id + ".hpp");
    if (!std::filesystem::exists(header)) continue;
    const auto text = read_text(header);
    const auto ns_start = namespace_line(text) + 10;
    const auto ns = text.substr(ns_start, text.find_first_of(" {", ns_start) - ns_start);
    write_new(dir / (ex.id + ".cpp"),
              "// " + ex.id + ": " + ex.title + ". `workbook show " + ex.id + "` for the statement;\n// `workbook run " +
                  ex.id + " --submission .` checks this file.\n\n#include \"" + ex.id + ".hpp\"\n\nnamespace " + ns +
                  " {\n" + stub_definitions(text) + "\n}  // namespace " + ns + "\n",
              result);
  }
  write_new(dir / "answers.toml", answers, result);
  write_new(dir / "README.md", student_readme, result);
  return result;
}

}  // namespace workbook::grading
