#pragma once
// What the subcommands share: option parsing with --help, exercise lookup with suggestions, seeds.

#include <cstdint>
#include <optional>
#include <string>

#include <boost/program_options.hpp>

#include "commands.hpp"
#include "workbook/exercise.hpp"
#include "workbook/grading/grade.hpp"

namespace workbook::cli {

namespace po = boost::program_options;

// Parses args against `options` (and `positional`); prints help and returns false when --help is given.
// Throws po::error on bad usage, which the caller reports as a usage error.
bool parse(const Args& args, po::options_description& options, const po::positional_options_description& positional,
           po::variables_map& values, const std::string& synopsis);

// The exercise for a full or short id, or nullopt after printing why not (unknown: the closest ids).
std::optional<Exercise> resolve(const std::string& id);

// "--seed N" or "--seed random" (a fresh seed, printed in the report so the run can be repeated).
std::uint64_t parse_seed(const std::string& text);

// Grading options shared by `grade`, `run --submission`, `hint`, `status` and `watch` (defined in grade.cpp).
void add_grade_options(po::options_description& options);
grading::GradeOptions grade_options(const po::variables_map& values);
// `COMMAND [DIR] [grading options]`: DIR (default .) and the options; false after printing --help.
bool parse_submission_command(const Args& args, const std::string& synopsis, std::string& dir,
                              po::variables_map& values);
int run_submission(const std::string& id, const std::string& submission, const po::variables_map& values);

// Runs a command body, turning bad usage into exit status 2 with a message.
template <class Body>
int with_usage_errors(const char* command, Body body) {
  try {
    return body();
  } catch (const po::error& error) {
    std::cerr << "workbook " << command << ": " << error.what() << " (see workbook " << command << " --help)\n";
    return usage_error;
  }
}

}  // namespace workbook::cli
