// The static rules of `workbook dev check`.

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "../commands.hpp"
#include "dev_check.hpp"
#include "workbook/interface_header.hpp"

namespace workbook::cli::dev {

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool blank(const std::string& text) { return text.find_first_not_of(" \t\n") == std::string::npos; }

// Every "<part>/<check>" the exercise has.
std::set<std::string> check_names(const Exercise& ex) {
  std::set<std::string> names;
  for (const auto& part : ex.parts)
    for (const auto& check : part.checks) names.insert(part.label + "/" + check.name);
  return names;
}

// The ids of the exercise folders on disk: <root>/<collection>/<number>/ holding `marker`.
std::set<std::string> folder_ids(const std::filesystem::path& root) {
  std::set<std::string> ids;
  if (!std::filesystem::is_directory(root)) return ids;
  for (const auto& collection : std::filesystem::directory_iterator(root)) {
    if (!collection.is_directory()) continue;
    for (const auto& number : std::filesystem::directory_iterator(collection.path()))
      if (number.is_directory())
        ids.insert(collection.path().filename().string() + "/" + number.path().filename().string());
  }
  return ids;
}

void interface_rules(const Exercise& ex, const std::filesystem::path& source, std::vector<Problem>& out) {
  const auto header_path = source / "exercises" / ex.id / "interface.hpp";
  const auto add = [&](std::string rule, std::string message) { out.push_back({ex.id, std::move(rule), std::move(message)}); };
  if (!std::filesystem::exists(header_path)) {
    if (ex.asks_for_code()) add("folder", "registered with an interface, but exercises/" + ex.id + "/interface.hpp is missing");
    return;
  }
  const auto header = parse_interface_header(read_text(header_path));
  for (const auto& p : header.problems) add("interface", p);
  for (const auto& p : channel_type_problems(header)) add("interface", p);
  if (header.name_space != interface_namespace(ex.id))
    add("interface", "namespace " + header.name_space + ", but the folder makes it " + interface_namespace(ex.id));
  if (!std::filesystem::exists(source / "solutions" / ex.id / "solution.cpp"))
    add("folder", "asks for code but has no solutions/" + ex.id + "/solution.cpp");
}

void part_rules(const Exercise& ex, std::vector<Problem>& out) {
  const auto add = [&](std::string rule, std::string message) { out.push_back({ex.id, std::move(rule), std::move(message)}); };
  if (blank(ex.title)) add("statement", "no title");
  if (blank(ex.statement)) add("statement", "no statement");
  if (ex.parts.empty()) add("statement", "no parts");
  std::set<std::string> labels, keys;
  const auto* notes = instructor_notes(ex.id);
  for (const auto& part : ex.parts) {
    const auto where = "part (" + part.label + ")";
    if (!labels.insert(part.label).second) add("statement", where + " is defined twice");
    if (blank(part.prompt)) add("statement", where + " asks no question");
    if (part.checks.empty()) add("statement", where + " has neither a check nor a rubric");
    for (const auto& hint : part.hints)
      if (blank(hint)) add("statement", where + " has an empty hint");
    std::set<std::string> names;
    for (const auto& check : part.checks) {
      if (!names.insert(check.name).second) add("statement", where + " has two checks named \"" + check.name + "\"");
      if (check.kind != CheckKind::manual && blank(check.verifies)) add("statement", where + " check " + check.name + " says nothing of what it verifies");
    }
    for (const auto& answer : part.answers)
      if (!keys.insert(answer.key).second) add("statement", "answer key \"" + answer.key + "\" is asked twice");
    const bool rubric_written = notes && notes->parts.count(part.label);
    if (part.has_rubric() && !rubric_written)
      add("rubric", where + " is graded by hand but solutions/" + ex.id + "/instructor.toml has no [" + part.label + "]");
    if (rubric_written) {
      const auto& r = notes->parts.at(part.label);
      if (blank(r.answer) || blank(r.rubric)) add("rubric", where + ": the reference answer or the rubric is empty");
      if (!part.has_rubric()) add("rubric", "instructor.toml has [" + part.label + "], but the part is not graded by hand");
    }
  }
  if (notes)
    for (const auto& [label, rubric] : notes->parts)
      if (!labels.count(label)) add("rubric", "instructor.toml has [" + label + "], which is no part of the exercise");
}

// A figure the text names as "figure `name`" must be one of the exercise's plots; every plot has a caption.
void plot_rules(const Exercise& ex, std::vector<Problem>& out) {
  std::set<std::string> plots;
  for (const auto& plot : ex.plots) {
    if (!plots.insert(plot.name).second) out.push_back({ex.id, "plot", "two plots named " + plot.name});
    if (blank(plot.caption)) out.push_back({ex.id, "plot", "plot " + plot.name + " has no caption"});
  }
  std::string text = ex.statement;
  for (const auto& part : ex.parts) text += "\n" + part.prompt;
  static const std::regex named(R"(figure `([^`]+)`)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), named); it != std::sregex_iterator(); ++it)
    if (!plots.count((*it)[1].str()))
      out.push_back({ex.id, "plot", "the text names figure `" + (*it)[1].str() + "`, which the exercise does not draw"});
}

void answers_file_rules(const Exercise& ex, std::vector<Problem>& out) {
  std::set<std::string> asked;
  for (const auto& part : ex.parts)
    for (const auto& answer : part.answers) asked.insert(answer.key);
  const auto given = reference_answers().for_exercise(ex.id).keys();
  for (const auto& key : asked)
    if (std::find(given.begin(), given.end(), key) == given.end())
      out.push_back({ex.id, "answers", "solutions/" + ex.id + "/answers.toml has no reference answer \"" + key + "\""});
  for (const auto& key : given)
    if (!asked.count(key)) out.push_back({ex.id, "answers", "answers.toml has \"" + key + "\", which no part asks for"});
}

// What a student sees of the exercise: the statement, the questions, the answers asked for, what each check
// verifies, the hints and the figures' captions.
std::string student_view(const Exercise& ex) {
  std::string text = ex.title + "\n" + ex.statement;
  for (const auto& part : ex.parts) {
    text += "\n" + part.prompt;
    for (const auto& answer : part.answers) text += "\n" + answer.prompt;
    for (const auto& check : part.checks) text += "\n" + check.verifies;
    for (const auto& hint : part.hints) text += "\n" + hint;
  }
  for (const auto& plot : ex.plots) text += "\n" + plot.caption;
  return text;
}

// Whether `token` stands in `text` as a number of its own (not inside a longer one).
bool has_number(const std::string& text, const std::string& token) {
  for (auto at = text.find(token); at != std::string::npos; at = text.find(token, at + 1)) {
    const bool digit_before = at > 0 && (std::isdigit(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '.');
    const auto end = at + token.size();
    const bool digit_after = end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) ||
                                                   (text[end] == '.' && end + 1 < text.size() &&
                                                    std::isdigit(static_cast<unsigned char>(text[end + 1]))));
    if (!digit_before && !digit_after) return true;
  }
  return false;
}

std::string formatted(double value, const char* format, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, digits, value);
  return buffer;
}

// The ways a value may be written: at its stated precision, and to 3-6 significant figures. Only forms with
// three significant digits or more are searched (a bare "2" or "0.5" stands in statements for other reasons),
// except that a check description must not state even a small answer ("rank is 4", "equals 1").
void value_rules(const Exercise& ex, const std::string& key, double value, const std::optional<Precision>& precision,
                 const std::string& view, const std::string& descriptions, std::vector<Problem>& out) {
  std::set<std::string> forms;
  if (precision && precision->kind() == Precision::Kind::decimals) forms.insert(formatted(value, "%.*f", precision->digits()));
  for (int figures = 3; figures <= 6; ++figures) forms.insert(formatted(value, "%.*g", figures));
  if (value == std::round(value) && std::abs(value) < 1e15) forms.insert(formatted(value, "%.*f", 0));
  for (const auto& form : forms) {
    int significant = 0;
    for (char c : form) significant += std::isdigit(static_cast<unsigned char>(c)) && (significant || c != '0');
    const bool long_enough = significant >= 3;
    for (const char* lead : {"is ", "= ", "equals "})
      if (has_number(descriptions, lead + form)) {
        out.push_back({ex.id, "answer shown", "a check description states the answer to \"" + key + "\" (" + lead + form + ")"});
        return;
      }
    if (long_enough && has_number(view, form)) {
      out.push_back({ex.id, "answer shown", "what the student sees states the answer to \"" + key + "\" (" + form + ")"});
      return;
    }
  }
}

void answer_view_rules(const Exercise& ex, std::vector<Problem>& out) {
  const auto view = student_view(ex);
  std::string descriptions;
  for (const auto& part : ex.parts)
    for (const auto& check : part.checks) descriptions += "\n" + check.verifies;
  const auto reference = reference_answers().for_exercise(ex.id);
  for (const auto& part : ex.parts)
    for (const auto& answer : part.answers) {
      if ((answer.kind == AnswerSpec::Kind::number || answer.kind == AnswerSpec::Kind::array) && !answer.precision)
        out.push_back({ex.id, "precision", "answer \"" + answer.key + "\" states no precision (give a Precision, not a Tolerance)"});
      try {
        if (answer.kind == AnswerSpec::Kind::number)
          value_rules(ex, answer.key, reference.number(answer.key), answer.precision, view, descriptions, out);
        if (answer.kind == AnswerSpec::Kind::integer)
          value_rules(ex, answer.key, double(reference.integer(answer.key)), std::nullopt, view, descriptions, out);
        if (answer.kind == AnswerSpec::Kind::array)
          for (double v : reference.array(answer.key, answer.shape)) value_rules(ex, answer.key, v, answer.precision, view, descriptions, out);
        if (answer.kind == AnswerSpec::Kind::choice) {
          const auto right = reference.choice(answer.key, answer.choices);
          for (const char* lead : {"is \"", "is ", "= "})
            if (descriptions.find(lead + right) != std::string::npos)
              out.push_back({ex.id, "answer shown", "a check description states the choice for \"" + answer.key + "\""});
        }
      } catch (const AnswerError&) {
        // a missing or malformed reference answer is the answers rule's to report
      }
    }
}

void variant_rules(const Exercise& ex, const std::filesystem::path& source, std::vector<Problem>& out) {
  const auto mutants = read_variants(source, ex.id, "mutants", out);
  read_variants(source, ex.id, "alternatives", out);
  if (!ex.asks_for_code()) {
    if (!mutants.empty()) out.push_back({ex.id, "mutant", "mutants of an exercise that asks for no code"});
    return;
  }
  if (mutants.size() < 2)
    out.push_back({ex.id, "mutant", "has " + std::to_string(mutants.size()) + " mutant(s); a code exercise needs at least two"});
  const auto names = check_names(ex);
  for (const auto& m : mutants)
    for (const auto& check : m.caught_by)
      if (!names.count(check)) out.push_back({ex.id, "mutant", m.stem + " names check " + check + ", which the exercise does not have"});
}

}  // namespace

std::vector<Variant> read_variants(const std::filesystem::path& source_dir, const std::string& exercise_id,
                                   const std::string& kind, std::vector<Problem>& problems) {
  std::vector<Variant> variants;
  const auto dir = source_dir / "solutions" / exercise_id / kind;
  if (!std::filesystem::is_directory(dir)) return variants;
  const std::string label = kind == "mutants" ? "Mistake: " : "Why it is right: ";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".patch") {
      problems.push_back({exercise_id, "mutant", entry.path().filename().string() + " in " + kind + "/ is not a .patch"});
      continue;
    }
    Variant v{entry.path().stem().string(), "", {}, entry.path()};
    std::istringstream lines(read_text(entry.path()));
    for (std::string line; std::getline(lines, line) && line.rfind("--- ", 0) != 0;) {
      if (line.rfind(label, 0) == 0) v.description = line.substr(label.size());
      if (line.rfind("Caught by: ", 0) == 0) v.caught_by.push_back(line.substr(11));
    }
    const auto where = kind + "/" + v.stem;
    if (blank(v.description)) problems.push_back({exercise_id, "mutant", where + " does not say \"" + label + "...\""});
    if (kind == "mutants" && v.caught_by.empty())
      problems.push_back({exercise_id, "mutant", where + " names no check that must catch it (\"Caught by: part/check\")"});
    variants.push_back(std::move(v));
  }
  std::sort(variants.begin(), variants.end(), [](const Variant& a, const Variant& b) { return a.stem < b.stem; });
  return variants;
}

std::vector<Problem> folder_problems(const std::vector<Exercise>& exercises, const std::filesystem::path& source,
                                     bool whole_workbook) {
  std::vector<Problem> out;
  std::set<std::string> registered;
  for (const auto& ex : exercises) registered.insert(ex.id);
  for (const auto& id : whole_workbook ? folder_ids(source / "exercises") : std::set<std::string>{}) {
    if (!registered.count(id)) out.push_back({id, "folder", "exercises/" + id + "/ is not built into this workbook (rebuild?)"});
    if (!std::filesystem::exists(source / "exercises" / id / "exercise.cpp"))
      out.push_back({id, "folder", "exercises/" + id + "/ has no exercise.cpp"});
  }
  for (const auto& id : whole_workbook ? folder_ids(source / "solutions") : std::set<std::string>{})
    if (!std::filesystem::exists(source / "exercises" / id))
      out.push_back({id, "folder", "solutions/" + id + "/ has no exercise folder"});
  for (const auto& ex : exercises) {
    interface_rules(ex, source, out);
    part_rules(ex, out);
    plot_rules(ex, out);
    answers_file_rules(ex, out);
    answer_view_rules(ex, out);
    variant_rules(ex, source, out);
  }
  return out;
}

}  // namespace workbook::cli::dev
