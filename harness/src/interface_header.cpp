#include "workbook/interface_header.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace workbook {

namespace {

bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// Runs of white space become one space: "const  xt::xtensor<double,\n 1>&" -> "const xt::xtensor<double, 1>&".
std::string squeeze(const std::string& text) {
  std::string out;
  for (char c : trim(text)) {
    const bool space = std::isspace(static_cast<unsigned char>(c));
    if (space && !out.empty() && out.back() == ' ') continue;
    out += space ? ' ' : c;
  }
  return out;
}

bool starts_with_word(const std::string& text, const std::string& word) {
  return text.compare(0, word.size(), word) == 0 && (text.size() == word.size() || !is_identifier_char(text[word.size()]));
}

// The header with comments, string contents and preprocessor lines blanked out; line breaks stay, so
// positions and line numbers still match the original.
std::string code_only(const std::string& text) {
  std::string code = text;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const bool line_start = i == 0 || code[i - 1] == '\n';
    if (line_start) {
      const auto first = code.find_first_not_of(" \t", i);
      if (first != std::string::npos && code[first] == '#') {
        for (; i < code.size() && code[i] != '\n'; ++i) code[i] = ' ';
        continue;
      }
    }
    if (code.compare(i, 2, "//") == 0) {
      for (; i < code.size() && code[i] != '\n'; ++i) code[i] = ' ';
    } else if (code.compare(i, 2, "/*") == 0) {
      const auto end = code.find("*/", i + 2);
      const auto stop = end == std::string::npos ? code.size() : end + 2;
      for (; i < stop; ++i)
        if (code[i] != '\n') code[i] = ' ';
      --i;
    } else if (code[i] == '"' || code[i] == '\'') {
      const char quote = code[i];
      for (++i; i < code.size() && code[i] != quote; ++i) {
        if (code[i] == '\\') code[i++] = ' ';
        if (i < code.size() && code[i] != '\n') code[i] = ' ';
      }
    }
  }
  return code;
}

int line_of(const std::string& text, std::size_t position) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + std::min(position, text.size()), '\n'));
}

// Splits `text` at the commas that are not inside (), <>, [] or {}.
std::vector<std::string> split_top_level(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '(' || c == '<' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == '>' || c == ']' || c == '}') --depth;
    if (c == separator && depth == 0) {
      parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!trim(current).empty() || !parts.empty()) parts.push_back(current);
  return parts;
}

// "double beta1 = 0.9" -> "double beta1"; "Matrix m{}" -> "Matrix m".
std::string without_initialiser(const std::string& text) {
  int depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '=' || (c == '{' && depth == 0)) && depth == 0) return text.substr(0, i);
    if (c == '(' || c == '<' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == '>' || c == ']' || c == '}') --depth;
  }
  return text;
}

const std::set<std::string>& type_words() {
  static const std::set<std::string> words = {"const", "int", "double", "float", "bool", "char", "long", "short",
                                              "unsigned", "signed", "void", "size_t", "auto"};
  return words;
}

// "const Matrix& inp" -> {"const Matrix&", "inp"}; an unnamed parameter leaves the name empty.
std::pair<std::string, std::string> type_and_name(const std::string& declaration) {
  const auto text = squeeze(declaration);
  std::size_t end = text.size();
  std::size_t begin = end;
  while (begin > 0 && is_identifier_char(text[begin - 1])) --begin;
  const auto name = text.substr(begin, end - begin);
  auto type = trim(text.substr(0, begin));
  if (name.empty() || type.empty() || type_words().count(name) || (type.size() >= 2 && type.substr(type.size() - 2) == "::"))
    return {text, ""};
  return {type, name};
}

// The statements of a brace-delimited body, each ending at a ';' at depth 0, or at the '}' that closes an
// inline function's body. Returns (statement, start position) pairs.
std::vector<std::pair<std::string, std::size_t>> statements(const std::string& code, std::size_t begin, std::size_t end) {
  std::vector<std::pair<std::string, std::size_t>> out;
  std::string current;
  std::size_t start = begin;
  int depth = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const char c = code[i];
    if (trim(current).empty() && !std::isspace(static_cast<unsigned char>(c))) start = i, current.clear();
    current += c;
    if (c == '{') ++depth;
    if (c == '}') {
      --depth;
      // A function body closes without a ';': "double f(double x) { ... }".
      const auto paren = current.find('('), brace = current.find('{');
      const bool function_body = paren != std::string::npos && paren < brace &&
                                 !starts_with_word(trim(current), "struct") && !starts_with_word(trim(current), "enum");
      if (depth == 0 && function_body) {
        out.push_back({trim(current), start});
        current.clear();
      }
    }
    if (c == ';' && depth == 0) {
      out.push_back({trim(current.substr(0, current.size() - 1)), start});
      current.clear();
    }
  }
  if (!trim(current).empty()) out.push_back({trim(current), start});
  return out;
}

std::size_t matching_close(const std::string& code, std::size_t open) {
  const char left = code[open], right = left == '{' ? '}' : left == '(' ? ')' : '>';
  int depth = 0;
  for (std::size_t i = open; i < code.size(); ++i) {
    if (code[i] == left) ++depth;
    if (code[i] == right && --depth == 0) return i;
  }
  return std::string::npos;
}

void read_struct(const std::string& code, const std::string& statement, std::size_t at, InterfaceHeader& header) {
  const auto where = "line " + std::to_string(line_of(code, at));
  const auto keyword_end = statement.find(' ');
  std::size_t name_end = keyword_end + 1;
  while (name_end < statement.size() && is_identifier_char(statement[name_end])) ++name_end;
  InterfaceHeader::Struct record;
  record.name = statement.substr(keyword_end + 1, name_end - keyword_end - 1);
  const auto open = statement.find('{');
  if (open == std::string::npos) {
    header.problems.push_back(where + ": struct " + record.name + " is declared but not defined");
    return;
  }
  if (statement.find(':', name_end) < open)
    header.problems.push_back(where + ": struct " + record.name + " derives from another type; use plain structs");
  const auto close = matching_close(statement, open);
  for (auto member : statements(statement, open + 1, close)) {
    auto text = member.first;
    for (const char* label : {"public:", "private:", "protected:"})
      if (text.rfind(label, 0) == 0) text = trim(text.substr(std::string(label).size()));
    if (text.empty()) continue;
    const auto head = without_initialiser(text);
    if (head.find('(') != std::string::npos || starts_with_word(text, "static") || starts_with_word(text, "using") ||
        starts_with_word(text, "struct")) {
      header.problems.push_back(where + ": struct " + record.name + " has a member that is not a plain data member (\"" +
                                squeeze(text).substr(0, 60) + "\"); keep interface structs to data");
      continue;
    }
    const auto declarators = split_top_level(head, ',');
    std::string type;
    for (std::size_t k = 0; k < declarators.size(); ++k) {
      auto [field_type, field_name] = type_and_name(declarators[k]);
      if (k == 0) type = field_type;
      if (field_name.empty()) field_name = squeeze(declarators[k]);
      record.fields.push_back({k == 0 ? field_type : type, field_name});
    }
  }
  header.structs.push_back(record);
}

void read_function(const std::string& code, const std::string& statement, std::size_t at, InterfaceHeader& header) {
  const auto where = "line " + std::to_string(line_of(code, at));
  const auto open = statement.find('(');
  const auto close = matching_close(statement, open);
  if (close == std::string::npos) {
    header.problems.push_back(where + ": cannot read the declaration \"" + squeeze(statement).substr(0, 60) + "\"");
    return;
  }
  if (statement.find('{', close) != std::string::npos) return;  // an inline helper given to the student: not theirs to write
  InterfaceHeader::Function function;
  function.line = line_of(code, at);
  std::size_t name_begin = open;
  while (name_begin > 0 && std::isspace(static_cast<unsigned char>(statement[name_begin - 1]))) --name_begin;
  const auto name_end = name_begin;
  while (name_begin > 0 && is_identifier_char(statement[name_begin - 1])) --name_begin;
  function.name = statement.substr(name_begin, name_end - name_begin);
  function.return_type = squeeze(statement.substr(0, name_begin));
  const auto parameters = squeeze(statement.substr(open + 1, close - open - 1));
  if (parameters != "void")
    for (const auto& parameter : split_top_level(parameters, ',')) {
      auto [type, name] = type_and_name(without_initialiser(parameter));
      if (name.empty())
        header.problems.push_back(where + ": a parameter of " + function.name + " has no name (\"" + squeeze(parameter) +
                                  "\"); name every parameter");
      function.parameters.push_back({type, name});
    }
  for (const auto& other : header.functions)
    if (other.name == function.name)
      header.problems.push_back(where + ": " + function.name + " is overloaded; give each function its own name");
  if (function.return_type.empty())
    header.problems.push_back(where + ": " + function.name + " has no return type");
  header.functions.push_back(function);
}

// `// The kit offers: nn::a, nn::b`: every name must be a qualified nn name.
void read_kit_offers(const std::string& text, InterfaceHeader& header) {
  static const std::string marker = "// The kit offers:";
  for (std::size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
    const auto end = text.find('\n', at);
    const auto list = text.substr(at + marker.size(), end == std::string::npos ? std::string::npos : end - at - marker.size());
    for (auto name : split_top_level(list, ',')) {
      name = trim(name);
      if (!name.empty() && name.back() == '.') name.pop_back();
      if (!is_nn_symbol(name) || name.find_first_of(" ()") != std::string::npos)
        header.problems.push_back("line " + std::to_string(line_of(text, at)) + ": the kit offers only names of the nn "
                                  "library, such as nn::matmul_nt; \"" + name + "\" is not one");
      else
        header.kit_offers.push_back(name);
    }
  }
}

}  // namespace

InterfaceHeader parse_interface_header(const std::string& text) {
  InterfaceHeader header;
  const auto code = code_only(text);
  std::size_t at = 0;
  std::size_t namespaces = 0;
  for (const auto& [statement, start] : statements(code, 0, code.size())) {
    if (!starts_with_word(statement, "namespace")) {
      header.problems.push_back("line " + std::to_string(line_of(code, start)) +
                                ": declarations outside the exercise's namespace");
      continue;
    }
    ++namespaces;
    at = start;
  }
  if (namespaces != 1) {
    header.problems.push_back("an interface header declares exactly one namespace, found " + std::to_string(namespaces));
    if (namespaces == 0) return header;
  }
  const auto open = code.find('{', at);
  const auto close = matching_close(code, open);
  header.name_space = squeeze(code.substr(at + 9, open - at - 9));
  for (const auto& [statement, start] : statements(code, open + 1, close)) {
    const auto where = "line " + std::to_string(line_of(code, start));
    if (starts_with_word(statement, "struct") || starts_with_word(statement, "class")) {
      read_struct(code, statement, start, header);
    } else if (starts_with_word(statement, "enum")) {
      auto rest = trim(statement.substr(4));
      for (const char* word : {"class", "struct"})
        if (starts_with_word(rest, word)) rest = trim(rest.substr(std::string(word).size()));
      std::size_t end = 0;
      while (end < rest.size() && is_identifier_char(rest[end])) ++end;
      header.enums.push_back(rest.substr(0, end));
    } else if (starts_with_word(statement, "using")) {
      const auto equals = statement.find('=');
      if (equals == std::string::npos) {
        header.problems.push_back(where + ": \"" + squeeze(statement) + "\": only `using Name = type;` aliases");
        continue;
      }
      header.aliases.push_back({squeeze(statement.substr(5, equals - 5)), squeeze(statement.substr(equals + 1))});
    } else if (starts_with_word(statement, "template") || starts_with_word(statement, "typedef") ||
               starts_with_word(statement, "namespace")) {
      header.problems.push_back(where + ": \"" + squeeze(statement).substr(0, 40) +
                                "\": templates, typedefs and nested namespaces are not allowed in an interface");
    } else if (statement.find('(') != std::string::npos && !starts_with_word(statement, "inline") &&
               !starts_with_word(statement, "constexpr") && !starts_with_word(statement, "static")) {
      read_function(code, statement, start, header);
    }
    // inline helpers and constants are given to the student; there is nothing of theirs to carry
  }
  read_kit_offers(text, header);
  return header;
}

std::string called_name(const std::string& demangled) {
  // The parameter list: the first '(' outside template brackets.
  std::size_t open = std::string::npos;
  int depth = 0;
  for (std::size_t i = 0; i < demangled.size() && open == std::string::npos; ++i) {
    if (demangled[i] == '<') ++depth;
    if (demangled[i] == '>') --depth;
    if (demangled[i] == '(' && depth == 0) open = i;
  }
  if (open == std::string::npos) return demangled;  // data, not a function
  // Back from there over identifiers, "::" and whole <...> groups: the name; what precedes it is a return type.
  std::size_t start = open;
  while (start > 0) {
    const char c = demangled[start - 1];
    if (is_identifier_char(c) || c == ':' || c == '~') {
      --start;
    } else if (c == '>') {
      int nested = 0;
      do {
        --start;
        if (demangled[start] == '>') ++nested;
        if (demangled[start] == '<') --nested;
      } while (start > 0 && nested > 0);
    } else {
      break;
    }
  }
  return demangled.substr(start, open - start);
}

bool is_nn_symbol(const std::string& symbol) { return symbol.rfind("nn::", 0) == 0; }

bool offered_by_kit(const std::string& symbol, const std::vector<std::string>& kit_offers) {
  return std::any_of(kit_offers.begin(), kit_offers.end(), [&](const std::string& name) {
    if (symbol.compare(0, name.size(), name) != 0) return false;
    const auto rest = symbol.substr(name.size());
    return rest.empty() || rest[0] == '(' || rest[0] == '<' || rest.rfind("::", 0) == 0;
  });
}

namespace {

bool is_scalar(const std::string& type) {
  static const std::set<std::string> scalars = {
      "double", "float", "bool", "char", "int", "long", "short", "unsigned", "unsigned int", "long long",
      "unsigned long", "unsigned long long", "std::size_t", "size_t", "std::int64_t", "std::uint64_t",
      "std::int32_t", "std::uint32_t", "std::int8_t", "std::uint8_t", "std::ptrdiff_t", "int64_t", "uint64_t"};
  return scalars.count(type) > 0;
}

// The text between the outer <> of "name<...>", split at top-level commas.
std::vector<std::string> template_arguments(const std::string& type) {
  const auto open = type.find('<');
  const auto close = type.rfind('>');
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  std::vector<std::string> out;
  for (const auto& a : split_top_level(type.substr(open + 1, close - open - 1), ',')) out.push_back(squeeze(a));
  return out;
}

// Empty when `type` (no const, no &) can cross the channel; otherwise why not.
std::string value_type_problem(std::string type, const InterfaceHeader& header, int depth = 0) {
  type = squeeze(type);
  if (depth > 20) return "the alias " + type + " refers to itself";
  const auto prefix = header.name_space + "::";
  if (type.rfind(prefix, 0) == 0) type = type.substr(prefix.size());
  if (is_scalar(type) || type == "std::string" || type == "std::mt19937_64" || type == "std::mt19937") return "";
  for (const auto& s : header.structs)
    if (s.name == type) return "";
  for (const auto& e : header.enums)
    if (e == type) return "";
  for (const auto& a : header.aliases)
    if (a.name == type) return value_type_problem(a.type, header, depth + 1);
  const auto arguments = template_arguments(type);
  if (type.rfind("std::vector<", 0) == 0 && arguments.size() == 1) return value_type_problem(arguments[0], header, depth + 1);
  if (type.rfind("xt::xtensor<", 0) == 0 && arguments.size() == 2 && is_scalar(arguments[0]) &&
      std::all_of(arguments[1].begin(), arguments[1].end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return "";
  if (type.rfind("xt::xarray<", 0) == 0 && arguments.size() == 1 && is_scalar(arguments[0])) return "";
  return type;
}

}  // namespace

std::vector<std::string> channel_type_problems(const InterfaceHeader& header) {
  std::vector<std::string> problems;
  const auto check = [&](std::string type, const std::string& what, bool reference_allowed) {
    type = squeeze(type);
    if (type.find('*') != std::string::npos || type.find("&&") != std::string::npos) {
      problems.push_back(what + ": " + type + " (pointers and rvalue references cannot cross the channel)");
      return;
    }
    const bool reference = !type.empty() && type.back() == '&';
    if (reference && !reference_allowed) {
      problems.push_back(what + ": " + type + " (return by value)");
      return;
    }
    if (reference) type = squeeze(type.substr(0, type.size() - 1));
    if (starts_with_word(type, "const")) type = squeeze(type.substr(5));
    if (type.size() > 6 && type.substr(type.size() - 6) == " const") type = squeeze(type.substr(0, type.size() - 6));
    if (const auto bad = value_type_problem(type, header); !bad.empty())
      problems.push_back(what + ": " + bad + " is not a type the channel carries");
  };
  for (const auto& f : header.functions) {
    if (f.return_type != "void") check(f.return_type, f.name + "'s result", false);
    for (const auto& p : f.parameters) check(p.type, f.name + "'s parameter " + p.name, true);
  }
  for (const auto& s : header.structs)
    for (const auto& field : s.fields) check(field.type, s.name + "::" + field.name, false);
  return problems;
}

std::string interface_namespace(const std::string& exercise_id) {
  const auto slash = exercise_id.find('/');
  const auto collection = exercise_id.substr(0, slash);
  auto number = exercise_id.substr(slash + 1);
  // "ch10" numbers its exercises "10.1", "10.2", ...: the chapter is said once.
  const auto chapter = collection.substr(std::min(collection.find_first_of("0123456789"), collection.size()));
  if (collection.rfind("ch", 0) == 0 && !chapter.empty() && number.rfind(chapter + ".", 0) == 0)
    number = number.substr(chapter.size() + 1);
  std::replace(number.begin(), number.end(), '.', '_');
  return collection + "_" + number;
}

std::string definition_head(const InterfaceHeader::Function& function) {
  std::string head = function.return_type + " " + function.name + "(";
  for (std::size_t i = 0; i < function.parameters.size(); ++i)
    head += (i ? ", " : "") + function.parameters[i].type + " " + function.parameters[i].name;
  return head + ")";
}

std::string stub_definitions(const InterfaceHeader& header) {
  std::string out;
  for (const auto& f : header.functions)
    out += "\n" + definition_head(f) + " {\n  throw workbook::NotImplemented(\"" + f.name + "\");\n}\n";
  return out;
}

}  // namespace workbook
