#include "workbook/report.hpp"

#include <cstdio>
#include <stdexcept>
#include <cstdlib>
#include <unistd.h>

#include "workbook/text_table.hpp"

namespace workbook {

namespace {

nlohmann::json check_json(const CheckReport& check) {
  const auto& r = check.result;
  return {{"name", check.name},
          {"kind", to_string(check.kind)},
          {"verifies", check.verifies},
          {"status", to_string(r.status)},
          {"actual", r.actual},
          {"expected", r.expected},
          {"rtol", r.tolerance ? nlohmann::json(r.tolerance->rtol) : nlohmann::json()},
          {"atol", r.tolerance ? nlohmann::json(r.tolerance->atol) : nlohmann::json()},
          {"message", r.message},
          {"cause", to_string(r.cause)},
          {"answer", check.answer}};
}

std::string number_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

// A table cell holds one line: a long text (a generated sample, a list of problems) is cut, its line breaks shown
// as the two characters \n. The whole value is in the JSON report.
std::string one_line(const std::string& text) {
  constexpr std::size_t longest = 72;
  std::string out;
  for (const char c : text) {
    if (out.size() >= longest) return out + "...";
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out;
}

// Values for the terminal: numbers to 6 significant digits; a short vector in full; anything larger as
// its first three values (row-major) and its shape.
std::string brief(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_number_float()) return number_text(value.get<double>());
  if (value.is_string()) return one_line(value.get<std::string>());
  if (!value.is_array()) return one_line(value.dump());
  std::vector<std::size_t> shape;
  for (const auto* level = &value; level->is_array(); level = &(*level)[0]) {
    shape.push_back(level->size());
    if (level->empty()) break;
  }
  std::vector<std::string> first;
  std::size_t total = 1;
  for (auto n : shape) total *= n;
  const auto collect = [&](const auto& self, const nlohmann::json& v) -> void {
    for (const auto& e : v) {
      if (first.size() == 3) return;
      if (e.is_array()) self(self, e);
      else first.push_back(e.is_number() ? number_text(e.get<double>()) : e.dump());
    }
  };
  collect(collect, value);
  std::string text = "[";
  for (std::size_t i = 0; i < first.size(); ++i) text += (i ? ", " : "") + first[i];
  if (shape.size() == 1 && total <= 4) {
    for (std::size_t i = 3; i < total; ++i) text += ", " + (value[i].is_number() ? number_text(value[i].get<double>()) : value[i].dump());
    return text + "]";
  }
  text += ", …] (";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? "x" : "") + std::to_string(shape[i]);
  return text + ")";
}

std::string tolerance_text(const CheckResult& r) {
  if (!r.tolerance) return "";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "rtol %g atol %g%s", r.tolerance->rtol, r.tolerance->atol,
                r.tolerance->allow_nan ? " nan ok" : "");
  return buffer;
}

std::string colour_of(Status status, const TextStyle& style) {
  if (!style.colour) return "";
  switch (status) {
    case Status::pass: return "\033[32m";
    case Status::fail: return "\033[31m";
    case Status::error: return "\033[35m";
    case Status::manual: return "\033[36m";
  }
  return "";
}

std::string points_text(int score, int max) { return std::to_string(score) + "/" + std::to_string(max); }

}  // namespace

nlohmann::json to_json(const ExerciseReport& report) {
  auto parts = nlohmann::json::array();
  for (const auto& part : report.parts) {
    auto checks = nlohmann::json::array();
    for (const auto& check : part.checks) checks.push_back(check_json(check));
    parts.push_back({{"part", part.label},
                     {"status", to_string(part.status)},
                     {"points", part.points},
                     {"score", part.score},
                     {"checks", checks}});
  }
  auto plots = nlohmann::json::array();
  for (const auto& plot : report.plots) plots.push_back({{"name", plot.name}, {"files", plot.files}, {"error", plot.error}});
  return {{"id", report.id},
          {"title", report.title},
          {"status", to_string(report.status)},
          {"score", report.score},
          {"max_score", report.max_score},
          {"manual_points", report.manual_points},
          {"seed", report.seed},
          {"seconds", report.seconds},
          {"parts", parts},
          {"plots", plots}};
}

namespace {

Status status_from(const std::string& text) {
  for (auto s : {Status::pass, Status::fail, Status::error, Status::manual})
    if (to_string(s) == text) return s;
  throw std::runtime_error("unknown status \"" + text + "\" in a report");
}

CheckKind kind_from(const std::string& text) {
  for (auto k : {CheckKind::close, CheckKind::equal, CheckKind::property, CheckKind::manual})
    if (to_string(k) == text) return k;
  throw std::runtime_error("unknown check kind \"" + text + "\" in a report");
}

}  // namespace

ExerciseReport report_from_json(const nlohmann::json& json) {
  ExerciseReport report;
  report.id = json.at("id");
  report.title = json.at("title");
  report.status = status_from(json.at("status"));
  report.score = json.at("score");
  report.max_score = json.at("max_score");
  report.manual_points = json.at("manual_points");
  report.seed = json.at("seed");
  report.seconds = json.at("seconds");
  for (const auto& p : json.at("parts")) {
    PartReport part;
    part.label = p.at("part");
    part.status = status_from(p.at("status"));
    part.points = p.at("points");
    part.score = p.at("score");
    for (const auto& c : p.at("checks")) {
      CheckReport check{c.at("name"), c.at("verifies"), kind_from(c.at("kind")), {}};
      check.result.status = status_from(c.at("status"));
      check.result.actual = c.at("actual");
      check.result.expected = c.at("expected");
      if (!c.at("rtol").is_null()) check.result.tolerance = Tolerance{c.at("rtol"), c.at("atol")};
      check.result.message = c.at("message");
      check.result.cause = cause_from_string(c.value("cause", "none"));
      check.answer = c.value("answer", false);
      part.checks.push_back(std::move(check));
    }
    report.parts.push_back(std::move(part));
  }
  return report;
}

TextStyle TextStyle::for_stdout() { return TextStyle{isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr}; }

void print_report(std::ostream& out, const ExerciseReport& report, const TextStyle& style) {
  out << report.id << "  " << report.title << "\n";
  TextTable table({"part", "check", "status", "actual", "expected", "tolerance"});
  std::vector<std::string> notes;
  for (const auto& part : report.parts) {
    for (std::size_t i = 0; i < part.checks.size(); ++i) {
      const auto& check = part.checks[i];
      const auto& r = check.result;
      const std::string label = i == 0 ? "(" + part.label + ") " + points_text(part.score, part.points) : "";
      const bool manual = r.status == Status::manual;
      table.add_row({label, check.name, std::string(to_string(r.status)), brief(r.actual),
                     manual ? "(reference answer in --json)" : brief(r.expected), tolerance_text(r)},
                    {"", "", colour_of(r.status, style)});
      if (manual)
        notes.push_back("(" + part.label + ") " + r.message);
      else if (r.status != Status::pass)
        notes.push_back("(" + part.label + ") " + check.name + ": " + r.message);
    }
  }
  table.print(out, "  ");
  for (const auto& note : notes) out << "  " << note << "\n";
  for (const auto& plot : report.plots) {
    if (!plot.error.empty()) out << "  plot " << plot.name << ": " << plot.error << "\n";
    for (const auto& file : plot.files)
      if (file.size() > 4 && file.substr(file.size() - 4) == ".svg") out << "  plot " << plot.name << ": " << file << "\n";
  }
  out << "  " << colour_of(report.status, style) << to_string(report.status) << (style.colour ? "\033[0m" : "")
      << "  " << points_text(report.score, report.max_score) << " points";
  if (report.manual_points) out << " (+" << report.manual_points << " graded by hand)";
  out << "  seed " << report.seed << "\n";
}

void print_summary(std::ostream& out, const std::vector<ExerciseReport>& reports, const TextStyle& style) {
  TextTable table({"exercise", "title", "status", "points", "manual", "time"});
  int counts[4] = {0, 0, 0, 0}, score = 0, max = 0, manual = 0;
  for (const auto& r : reports) {
    char time[32];
    std::snprintf(time, sizeof time, "%.2fs", r.seconds);
    table.add_row({r.id, r.title, std::string(to_string(r.status)), points_text(r.score, r.max_score),
                   r.manual_points ? std::to_string(r.manual_points) : "", time},
                  {"", "", colour_of(r.status, style)});
    ++counts[static_cast<int>(r.status)];
    score += r.score, max += r.max_score, manual += r.manual_points;
  }
  table.print(out);
  out << reports.size() << " exercises: " << counts[0] << " passed, " << counts[1] << " failed, " << counts[2]
      << " errors, " << counts[3] << " manual only; " << score << "/" << max << " points checked automatically, "
      << manual << " graded by hand\n";
}

}  // namespace workbook
