// The instructor's and the student's grading commands: `grade DIR`, `grade --class ROOT` (grade_class.cpp)
// and `run ID --submission DIR`.

#include <cstdlib>
#include <iostream>
#include <thread>

#include "grade_class.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "workbook/grading/formats.hpp"
#include "workbook/grading/grade.hpp"
#include "workbook/report.hpp"

namespace workbook::cli {

namespace {

std::filesystem::path default_cache() {
  // Root grades as a sandbox user of its own, who cannot reach root's home: a shared place.
  if (getuid() == 0) return "/var/tmp/workbook-builds";
  if (const char* xdg = std::getenv("XDG_CACHE_HOME")) return std::filesystem::path(xdg) / "workbook/builds";
  if (const char* home = std::getenv("HOME")) return std::filesystem::path(home) / ".cache/workbook/builds";
  return std::filesystem::temp_directory_path() / "workbook-builds";
}

void warn_once_without_sandbox(const grading::SubmissionGrade& grade) {
  static bool said = false;
  if (grade.sandboxed || said) return;
  said = true;
  std::cerr << "workbook: bubblewrap is not available: student code runs with rlimits only "
               "(apt-get install bubblewrap)\n";
}

// On a terminal: "[#########           ] 12/29 ch10/10.12", redrawn in place.
void progress_bar(std::size_t done, std::size_t total, const std::string& id) {
  const std::size_t width = 30, filled = total ? done * width / total : width;
  std::cerr << "\r\033[K[" << std::string(filled, '#') << std::string(width - filled, ' ') << "] " << done << "/"
            << total << " " << id << std::flush;
}

}  // namespace

grading::GradeOptions grade_options(const po::variables_map& values) {
  grading::GradeOptions options;
  options.cache_dir = values.count("cache") ? std::filesystem::path(values["cache"].as<std::string>()) : default_cache();
  if (values.count("seed")) options.seed = parse_seed(values["seed"].as<std::string>());
  options.full = values.count("full") > 0;
  options.reveal = values.count("reveal") > 0;
  if (values.count("timeout")) {
    const double seconds = values["timeout"].as<double>();
    if (!(seconds > 0)) throw po::error("--timeout takes a positive number of seconds");
    options.limits.wall = std::chrono::milliseconds(static_cast<long>(seconds * 1000));
    options.limits.cpu_seconds = static_cast<int>(seconds * 2) + 1;
    options.timeout_from_command_line = true;
  }
  return options;
}

void add_grade_options(po::options_description& options) {
  options.add_options()
      ("seed", po::value<std::string>(), "seed for random inputs (default 20261125)")
      ("full", "run experiments at full size")
      ("timeout", po::value<double>(), "wall-clock limit per exercise, in seconds (default 10)")
      ("cache", po::value<std::string>(), "build cache (default ~/.cache/workbook/builds; /var/tmp/workbook-builds for root)")
      ("reveal", "instructors, after the deadline: feedback states the expected answers of pen-and-paper parts");
}

bool parse_submission_command(const Args& args, const std::string& synopsis, std::string& dir,
                              po::variables_map& values) {
  po::options_description options("options");
  dir = ".";
  options.add_options()("dir", po::value(&dir), "your submission directory (default .)");
  add_grade_options(options);
  po::positional_options_description positional;
  positional.add("dir", 1);
  return parse(args, options, positional, values, synopsis);
}

int run_submission(const std::string& id, const std::string& submission, const po::variables_map& values) {
  auto options = grade_options(values);
  options.only = {id};
  const auto grade = grading::grade_submission(submission, options);
  warn_once_without_sandbox(grade);
  Progress progress(submission);
  progress.record(grade);
  if (values.count("json")) {
    std::cout << grading::dump_json(grading::to_json(grade)["exercises"][0]);  // student output may not be UTF-8
  } else {
    const auto& e = grade.exercises.front();
    if (!e.report.parts.empty()) print_report(std::cout, e.report, TextStyle::for_stdout());
    std::cout << e.id << ": " << to_string(e.outcome) << (e.cause.empty() ? "" : " — " + e.cause) << "\n";
    if (!e.build_log.empty()) std::cout << "\nbuild log:\n" << e.build_log << "\n";
    if (!e.output.empty()) std::cout << "\nyour code printed" << (e.output_cut ? " (cut)" : "") << ":\n" << e.output << "\n";
    for (const auto& note : e.notes) std::cout << "note: " << note << "\n";
    print_next_step(std::cout, e, progress);
  }
  return grade.exercises.front().outcome == grading::Outcome::pass ? ok : checks_failed;
}

int grade_command(const Args& args) {
  return with_usage_errors("grade", [&]() -> int {
    po::options_description options("options");
    std::string dir, class_root, formats = "text", out, shard;
    std::vector<std::string> only, students;
    int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    options.add_options()
        ("dir", po::value(&dir), "the submission directory")
        ("class", po::value(&class_root), "grade every subdirectory of this directory as one student's submission")
        ("format", po::value(&formats),
         "comma-separated: text, json, junit, gradescope, markdown (default text)")
        ("out", po::value(&out),
         "write the reports here (report.txt, report.json, junit.xml, results.json, feedback.md) instead of "
         "printing; with --class, OUT/<student>/ and the gradebook (required with --class)")
        ("exercise", po::value(&only)->composing(), "grade only this exercise (repeatable)")
        ("jobs", po::value(&jobs),
         "exercises graded at once; with --class, students graded at once, each student's exercises one at a "
         "time (default: the number of cores)")
        ("shard", po::value(&shard), "with --class: grade only slice i of n (i/n), into OUT/shard-i-of-n.json")
        ("student", po::value(&students)->composing(),
         "with --class: regrade only this student (repeatable); the other rows come from OUT/<student>/grade.json");
    add_grade_options(options);
    po::positional_options_description positional;
    positional.add("dir", 1);
    po::variables_map values;
    if (!parse(args, options, positional, values,
               "usage: workbook grade DIR [--format text,json,junit,gradescope,markdown] [--out DIR] [--timeout S] "
               "[--seed N] [--cache DIR]\n"
               "       workbook grade --class ROOT --out DIR [--jobs N] [--shard i/n] [--format ...]"))
      return ok;
    std::vector<grading::ReportFormat> report_formats;
    try {
      report_formats = grading::parse_formats(formats);
    } catch (const std::invalid_argument& error) {
      throw po::error(std::string("--format: ") + error.what());
    }
    auto grade_opts = grade_options(values);
    grade_opts.only = only;

    if (!class_root.empty()) {
      if (!dir.empty()) throw po::error("give a submission DIR or --class ROOT, not both");
      if (out.empty()) throw po::error("--class needs --out DIR for the gradebook and the students' reports");
      if (!std::filesystem::is_directory(class_root)) throw po::error("no directory " + class_root);
      if (jobs < 1) throw po::error("--jobs takes a positive number");
      ClassRequest request{class_root, out, report_formats, jobs, std::nullopt, students, grade_opts};
      if (!shard.empty()) {
        try {
          request.shard = grading::parse_shard(shard);
        } catch (const std::invalid_argument& error) {
          throw po::error(error.what());
        }
      }
      return grade_class(request);
    }
    if (dir.empty()) throw po::error("give a submission DIR (or --class ROOT)");
    if (!shard.empty()) throw po::error("--shard goes with --class");
    if (values.count("jobs")) {
      if (jobs < 1) throw po::error("--jobs takes a positive number");
      grade_opts.jobs = static_cast<unsigned>(jobs);
    }
    if (!std::filesystem::is_directory(dir)) throw po::error("no directory " + dir);
    if (isatty(STDERR_FILENO)) grade_opts.on_progress = progress_bar;
    const auto grade = grading::grade_submission(dir, grade_opts);
    if (isatty(STDERR_FILENO)) std::cerr << "\r\033[K";
    warn_once_without_sandbox(grade);
    for (const auto format : report_formats) {
      if (out.empty())
        std::cout << grading::render(grade, format, format == grading::ReportFormat::text && TextStyle::for_stdout().colour);
      else
        grading::write_atomically(std::filesystem::path(out) / grading::report_file_name(format),
                                  grading::render(grade, format));
    }
    if (grade.grader_errors()) {
      std::cerr << "workbook grade: " << grade.grader_errors()
                << " exercise(s) could not be graded because of the grader, not the student (see \"grader error\"):"
                   " grade this submission again\n";
      return run_error;
    }
    return ok;
  });
}

}  // namespace workbook::cli
