#pragma once
// Builds a student's solution process for one exercise: the student's file, compiled in the sandbox against
// the exercise's interface (the student kit: interface headers, a precompiled header of xtensor, the
// exercise's channel bindings and the solution main; never a check, an oracle or a solution). The checks
// stay in the grader and call this process through the channel. Builds are cached by content.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "workbook/grading/sandbox.hpp"

namespace workbook::grading {

// What CMake writes to build/student-kit/kit.json.
struct Kit {
  std::filesystem::path root;                  // the kit directory
  std::string compiler;
  std::vector<std::string> compile_flags;
  std::filesystem::path include_dir;           // interfaces, harness and plot headers, the precompiled header
  std::vector<std::string> link_inputs;        // the solution main and the channel's server library
  std::vector<std::string> link_libraries;     // system libraries
  std::map<std::string, std::string> objects;  // exercise id -> its compiled channel bindings
  std::string fingerprint;                     // changes whenever any of the above does
};

Kit load_kit(const std::filesystem::path& kit_json);
// The kit built beside this program (WORKBOOK_KIT_DIR), or the one named by $WORKBOOK_KIT.
std::filesystem::path default_kit_path();

struct BuildResult {
  enum class Status { built, cached, compile_error, link_error, failed, grader_error };
  Status status = Status::failed;
  std::filesystem::path runner;        // the solution process
  std::string log;                     // the compiler's messages (capped)
  std::vector<std::string> missing;    // functions the linker could not find
  double seconds = 0;
};

// `source` is the text of the student's file (read from the submission without following links).
BuildResult build_runner(const Kit& kit, const std::string& exercise_id, const std::string& source,
                         const std::filesystem::path& cache_dir, const Limits& limits);

// Whether the kit has an interface for this exercise (the exercise asks for code).
bool asks_for_code(const Kit& kit, const std::string& exercise_id);

// The demangled symbols an object file needs from elsewhere (nm).
std::vector<std::string> undefined_symbols(const std::filesystem::path& object_file);
// Empty, or an error message naming each nn symbol the object calls that the exercise's interface does not
// offer (`// The kit offers: ...`).
std::string calls_not_offered(const Kit& kit, const std::string& exercise_id, const std::filesystem::path& object_file);

// The functions named in "undefined reference to `...'" lines of a linker log.
std::vector<std::string> undefined_references(const std::string& log);

}  // namespace workbook::grading
