#pragma once
// Builds a student's solution process for one exercise: the student's file, compiled in the sandbox against
// the exercise's interface (the student kit: interface headers, a precompiled header of xtensor, the
// exercise's channel bindings and the solution main; never a check, an oracle or a solution). The checks
// stay in the grader and call this process through the channel. Builds are cached by content.

#include <filesystem>
#include <map>
#include <optional>
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
  std::vector<std::string> link_flags;         // the linker: gold links a runner in a third of the default's time
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
// `compiled`, when given, is an object that already holds this file's code (compile_together's): the build then
// only links it with the exercise's bindings.
BuildResult build_runner(const Kit& kit, const std::string& exercise_id, const std::string& source,
                         const std::filesystem::path& cache_dir, const Limits& limits,
                         const std::filesystem::path* compiled = nullptr);

// Whether build_runner would find this file's runner in the cache.
bool runner_is_cached(const Kit& kit, const std::string& exercise_id, const std::string& source,
                      const std::filesystem::path& cache_dir);

// Whether the exercise's interface offers nothing of the nn library: its file may join compile_together.
bool offers_nothing_of_the_kit(const Kit& kit, const std::string& exercise_id);

// Several of a student's files (exercise id -> source text) compiled as one translation unit, a file that
// includes each, in `work_dir`: the precompiled header is loaded once and the templates the files share are
// instantiated once, four to five times faster than file by file for a whole submission
// (docs/results/student-loop.md). The object, or nothing when the unit does not compile (two files defining one
// name at global scope, a file with an error) or when it calls anything of the nn library: the files are then
// built one by one, where each error and each refusal is the file's own. Only files whose interface offers
// nothing of the kit may join (offers_nothing_of_the_kit), so that no refusal is ever decided here.
std::optional<std::filesystem::path> compile_together(const Kit& kit, const std::map<std::string, std::string>& files,
                                                      const std::filesystem::path& work_dir, const Limits& limits);

// Whether the kit has an interface for this exercise (the exercise asks for code).
bool asks_for_code(const Kit& kit, const std::string& exercise_id);

// The demangled symbols an object file needs from elsewhere (nm).
std::vector<std::string> undefined_symbols(const std::filesystem::path& object_file);
// Empty, or an error message naming each nn symbol the object calls that the exercise's interface does not
// offer (`// The kit offers: ...`).
std::string calls_not_offered(const Kit& kit, const std::string& exercise_id, const std::filesystem::path& object_file);

// The functions named in "undefined reference to `...'" lines of a linker log (bfd's quoting or gold's).
std::vector<std::string> undefined_references(const std::string& log);

}  // namespace workbook::grading
