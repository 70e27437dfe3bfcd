#include "report_text.hpp"

namespace workbook::grading {

namespace {

constexpr std::size_t output_excerpt_chars = 2000;

bool stopped_abnormally(Outcome o) {
  return o == Outcome::crashed || o == Outcome::timed_out || o == Outcome::memory_limit ||
         o == Outcome::output_limit || o == Outcome::exception;
}

}  // namespace

std::vector<std::string> failing_checks(const ExerciseGrade& e) {
  std::vector<std::string> lines;
  for (const auto& part : e.report.parts)
    for (const auto& check : part.checks)
      if (check.result.status == Status::fail || check.result.status == Status::error)
        lines.push_back("(" + part.label + ") " + check.name + ": " +
                        (check.result.message.empty() ? std::string(to_string(check.result.status)) : check.result.message));
  return lines;
}

std::string headline(const ExerciseGrade& e) {
  if (!e.cause.empty()) return e.cause;
  if (e.outcome != Outcome::pass) {
    const auto failing = failing_checks(e);
    if (!failing.empty()) return failing.front();
  }
  return std::string(to_string(e.outcome));
}

std::string build_excerpt(const ExerciseGrade& e) {
  return e.outcome == Outcome::compile_error || e.outcome == Outcome::link_error ? e.build_log : "";
}

std::string output_excerpt(const ExerciseGrade& e) {
  if (!stopped_abnormally(e.outcome) || e.output.empty()) return "";
  if (e.output.size() <= output_excerpt_chars) return e.output;
  return "[... cut]" + e.output.substr(e.output.size() - output_excerpt_chars);
}

std::vector<std::string> checks_worth_listing(const ExerciseGrade& e) {
  // Work not started fails every check the same way ("no answer ..."); the cause already says so.
  return e.outcome == Outcome::not_started ? std::vector<std::string>{} : failing_checks(e);
}

std::string details(const ExerciseGrade& e) {
  std::string text = (e.cause.empty() ? std::string(to_string(e.outcome)) : e.cause) + "\n";
  for (const auto& line : checks_worth_listing(e)) text += line + "\n";
  if (const auto log = build_excerpt(e); !log.empty()) text += "\nbuild log:\n" + log + "\n";
  if (const auto out = output_excerpt(e); !out.empty()) text += "\nyour code printed (the end):\n" + out + "\n";
  for (const auto& note : e.notes) text += "note: " + note + "\n";
  return text;
}

std::u32string decode_utf8(const std::string& bytes) {
  std::u32string out;
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  for (std::size_t i = 0; i < bytes.size();) {
    const unsigned char lead = byte(i);
    const int extra = lead < 0x80 ? 0 : (lead & 0xE0) == 0xC0 ? 1 : (lead & 0xF0) == 0xE0 ? 2 : (lead & 0xF8) == 0xF0 ? 3 : -1;
    char32_t c = extra == 0 ? lead : extra == 1 ? lead & 0x1F : extra == 2 ? lead & 0x0F : lead & 0x07;
    int continuations = 0;  // well-formed continuation bytes after the lead
    while (extra > 0 && continuations < extra && i + continuations + 1 < bytes.size() &&
           (byte(i + continuations + 1) & 0xC0) == 0x80) {
      ++continuations;
      c = (c << 6) | (byte(i + continuations) & 0x3F);
    }
    constexpr char32_t smallest[] = {0, 0x80, 0x800, 0x10000};
    const bool ok = extra >= 0 && continuations == extra && c >= smallest[extra] && c <= 0x10FFFF &&
                    !(c >= 0xD800 && c <= 0xDFFF);
    out.push_back(ok ? c : char32_t{0xFFFD});
    i += 1 + continuations;  // a malformed sequence is replaced as a whole: its lead and the continuations read
  }
  return out;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::string printable(const std::string& text) {
  std::string out;
  for (const char32_t c : decode_utf8(text))
    append_utf8(out, (c < 0x20 && c != '\n' && c != '\t') || c == 0x7F ? char32_t{0xFFFD} : c);
  return out;
}

}  // namespace workbook::grading
