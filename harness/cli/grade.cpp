// The instructor's and the student's grading commands: `grade DIR` and `run ID --submission DIR`.

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "options.hpp"
#include "workbook/grading/grade.hpp"
#include "workbook/report.hpp"

namespace workbook::cli {

namespace {

std::filesystem::path default_cache() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME")) return std::filesystem::path(xdg) / "workbook/builds";
  if (const char* home = std::getenv("HOME")) return std::filesystem::path(home) / ".cache/workbook/builds";
  return std::filesystem::temp_directory_path() / "workbook-builds";
}

// Writes `text` to `path` through a temporary file and a rename: readers never see half a report.
void write_atomically(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  const auto temporary = path.string() + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(temporary, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + temporary);
  }
  std::filesystem::rename(temporary, path);
}

void warn_once_without_sandbox(const grading::SubmissionGrade& grade) {
  static bool said = false;
  if (grade.sandboxed || said) return;
  said = true;
  std::cerr << "workbook: bubblewrap is not available: student code runs with rlimits only "
               "(apt-get install bubblewrap)\n";
}

}  // namespace

grading::GradeOptions grade_options(const po::variables_map& values) {
  grading::GradeOptions options;
  options.cache_dir = values.count("cache") ? std::filesystem::path(values["cache"].as<std::string>()) : default_cache();
  if (values.count("seed")) options.seed = parse_seed(values["seed"].as<std::string>());
  options.full = values.count("full") > 0;
  if (values.count("timeout")) {
    const double seconds = values["timeout"].as<double>();
    if (!(seconds > 0)) throw po::error("--timeout takes a positive number of seconds");
    options.limits.wall = std::chrono::milliseconds(static_cast<long>(seconds * 1000));
    options.limits.cpu_seconds = static_cast<int>(seconds * 2) + 1;
  }
  return options;
}

void add_grade_options(po::options_description& options) {
  options.add_options()
      ("seed", po::value<std::string>(), "seed for random inputs (default 20261125)")
      ("full", "run experiments at full size")
      ("timeout", po::value<double>(), "wall-clock limit per exercise, in seconds (default 10)")
      ("cache", po::value<std::string>(), "build cache (default ~/.cache/workbook/builds)");
}

int run_submission(const std::string& id, const std::string& submission, const po::variables_map& values) {
  auto options = grade_options(values);
  options.only = {id};
  const auto grade = grading::grade_submission(submission, options);
  warn_once_without_sandbox(grade);
  if (values.count("json")) {
    std::cout << grading::to_json(grade)["exercises"][0].dump(2) << "\n";
  } else {
    const auto& e = grade.exercises.front();
    if (!e.report.parts.empty()) print_report(std::cout, e.report, TextStyle::for_stdout());
    std::cout << e.id << ": " << to_string(e.outcome) << (e.cause.empty() ? "" : " — " + e.cause) << "\n";
    if (!e.build_log.empty()) std::cout << "\nbuild log:\n" << e.build_log << "\n";
    if (!e.output.empty()) std::cout << "\nyour code printed" << (e.output_cut ? " (cut)" : "") << ":\n" << e.output << "\n";
    for (const auto& note : e.notes) std::cout << "note: " << note << "\n";
  }
  return grade.exercises.front().outcome == grading::Outcome::pass ? ok : checks_failed;
}

int grade_command(const Args& args) {
  return with_usage_errors("grade", [&] {
    po::options_description options("options");
    std::string dir, formats = "text", out;
    std::vector<std::string> only;
    options.add_options()
        ("dir", po::value(&dir)->required(), "the submission directory")
        ("format", po::value(&formats), "text and/or json, comma-separated (default text)")
        ("out", po::value(&out), "write the reports here (report.txt, report.json) instead of printing")
        ("exercise", po::value(&only)->composing(), "grade only this exercise (repeatable)");
    add_grade_options(options);
    po::positional_options_description positional;
    positional.add("dir", 1);
    po::variables_map values;
    if (!parse(args, options, positional, values,
               "usage: workbook grade DIR [--format text,json] [--out DIR] [--timeout S] [--seed N] [--cache DIR]"))
      return ok;
    if (!std::filesystem::is_directory(dir)) throw po::error("no directory " + dir);
    auto grade_opts = grade_options(values);
    grade_opts.only = only;
    const auto grade = grading::grade_submission(dir, grade_opts);
    warn_once_without_sandbox(grade);

    std::stringstream formats_in(formats);
    for (std::string format; std::getline(formats_in, format, ',');) {
      std::string text;
      if (format == "text") {
        std::ostringstream s;
        grading::print_grade(s, grade, out.empty() && TextStyle::for_stdout().colour);
        text = s.str();
      } else if (format == "json") {
        text = grading::to_json(grade).dump(2) + "\n";
      } else {
        throw po::error("--format takes text or json, not \"" + format + "\"");
      }
      if (out.empty()) std::cout << text;
      else write_atomically(std::filesystem::path(out) / ("report." + std::string(format == "text" ? "txt" : "json")), text);
    }
    return ok;
  });
}

}  // namespace workbook::cli
